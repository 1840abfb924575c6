import { UsageError } from './usage-error';

// The options the commands of areas that are not clouds (`attestgate step-up`, `attestgate spiffe`)
// share: check selection and reports. Kept apart from the report writer (area-command.ts), which
// loads the check catalog: the areas' CLI modules are loaded while the catalog's clouds are.

/** The options every area command takes, as parseArgs specifications. */
export const AREA_RUN_OPTIONS = {
  tags: { type: 'string', multiple: true },
  'allow-unproven': { type: 'string' },
  format: { type: 'string', multiple: true },
  out: { type: 'string', default: 'attestgate-report' },
} as const;

/** Those options, read and checked. */
export interface AreaRunArgs {
  readonly tags: readonly string[];
  readonly allowUnproven?: string;
  /** `--format` values as given (comma lists split); `checkReportFormats` checks them. */
  readonly formats: readonly string[];
  readonly out: string;
}

/** Reads the area options; a bad value is a UsageError naming the option. */
export function readAreaRunArgs(values: { tags?: string[]; 'allow-unproven'?: string; format?: string[]; out?: string }): AreaRunArgs {
  const allowUnproven = values['allow-unproven']?.trim();
  if (values['allow-unproven'] !== undefined && (allowUnproven ?? '').length < 10) throw new UsageError('--allow-unproven: give the reason the positive control is left out, at least 10 characters');
  const formats = (values.format ?? ['table']).flatMap((f) => f.split(','));
  return {
    tags: (values.tags ?? []).flatMap((t) => t.split(',')).filter(Boolean),
    ...(allowUnproven ? { allowUnproven } : {}),
    formats,
    out: values.out ?? 'attestgate-report',
  };
}

