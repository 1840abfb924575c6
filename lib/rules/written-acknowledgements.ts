import { Acknowledgement } from './acknowledgements';

/**
 * Acknowledgements written into synthesized or hand-written output, for judging it without the
 * app that made it (`attestgate rules`):
 *
 * - a CloudFormation resource's `Metadata["attestgate:acknowledgements"]` and a Terraform
 *   resource's `"//"["attestgate:acknowledgements"]`: `{ "<rule ID>": "<reason>" }` — the form for
 *   templates and configurations written by hand (as cfn-nag reads `Metadata.cfn_nag`);
 * - a CDK cloud assembly's construct metadata (`<stack>.metadata.json`), where
 *   `RuleAcknowledgements.of(scope).add(…)` and aws-cdk-lib's `Validations.acknowledge` land: an
 *   acknowledgement on a construct applies to the resources beneath it, nearest first, as at synth.
 *
 * Pure: no CDK, no cdktf.
 */

/** The key under which a resource's metadata (or `"//"`) holds its acknowledgements. */
export const WRITTEN_ACKNOWLEDGEMENTS_KEY = 'attestgate:acknowledgements';

const ACKNOWLEDGEMENT_TYPE = 'attestgate:acknowledgement';
const CDK_ACKNOWLEDGED_TYPE = 'aws:cdk:acknowledged-rules';
const LOGICAL_ID_TYPE = 'aws:cdk:logicalId';
/** On a stack's (and each nested stack's) construct: the file of its template. */
const TEMPLATE_FILE_TYPE = 'aws:cdk:templateFile';
const RULE_NAMESPACE_PREFIX = 'attestgate::';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The acknowledgements a resource's own metadata writes. A value that is not a string reason is
 * kept with an empty reason, so the finding stays open and says why (a reason is required).
 */
export function resourceAcknowledgements(metadata: unknown, at: string): Acknowledgement[] {
  const written = isObject(metadata) ? metadata[WRITTEN_ACKNOWLEDGEMENTS_KEY] : undefined;
  if (!isObject(written)) return [];
  return Object.entries(written).map(([ruleId, reason]) => ({ ruleId, reason: typeof reason === 'string' ? reason : '', at, via: 'attestgate' as const }));
}

/** A cloud assembly stack's construct metadata: construct path → entries. */
export type ConstructMetadata = Readonly<Record<string, ReadonlyArray<{ readonly type?: unknown; readonly data?: unknown }>>>;

/**
 * Acknowledgements by logical ID, from a stack's construct metadata: each resource's construct
 * path and its ancestors' acknowledgements, nearest first.
 *
 * The metadata of a stack holds its nested stacks' resources too, whose logical IDs are of their
 * own templates and may be the same as the stack's: with `templateFile`, only the resources of the
 * (nested) stack whose template is that file count — the nearest construct above each resource
 * that names a template file is its stack. Without, or for metadata that names no template file,
 * every resource counts.
 */
export function assemblyAcknowledgements(metadata: ConstructMetadata, templateFile?: string): Map<string, Acknowledgement[]> {
  const byPath = new Map<string, Acknowledgement[]>();
  const logicalIds = new Map<string, string>();
  const templateFiles = new Map<string, string>();
  for (const [path, entries] of Object.entries(metadata)) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) if (entry.type === TEMPLATE_FILE_TYPE && typeof entry.data === 'string') templateFiles.set(path, entry.data);
  }
  const stackFileOf = (path: string): string | undefined => {
    const segments = path.split('/');
    for (let n = segments.length; n > 1; n--) {
      const file = templateFiles.get(segments.slice(0, n).join('/'));
      if (file !== undefined) return file;
    }
    return undefined;
  };
  const ofThisStack = (path: string) => templateFile === undefined || templateFiles.size === 0 || stackFileOf(path) === templateFile;
  for (const [path, entries] of Object.entries(metadata)) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      if (entry.type === LOGICAL_ID_TYPE && typeof entry.data === 'string') {
        if (ofThisStack(path)) logicalIds.set(entry.data, path);
      }
      else if (entry.type === ACKNOWLEDGEMENT_TYPE && isObject(entry.data) && typeof entry.data.ruleId === 'string') {
        byPath.set(path, [...(byPath.get(path) ?? []), { ruleId: entry.data.ruleId, reason: String(entry.data.reason ?? ''), at: path, via: 'attestgate' }]);
      } else if (entry.type === CDK_ACKNOWLEDGED_TYPE && isObject(entry.data)) {
        const acknowledged = Object.entries(entry.data).map(([id, reason]) => ({
          ruleId: id.startsWith(RULE_NAMESPACE_PREFIX) ? id.slice(RULE_NAMESPACE_PREFIX.length) : id,
          reason: String(reason),
          at: path,
          via: 'aws-cdk-lib' as const,
        }));
        byPath.set(path, [...(byPath.get(path) ?? []), ...acknowledged]);
      }
    }
  }
  const result = new Map<string, Acknowledgement[]>();
  for (const [logicalId, path] of logicalIds) {
    const segments = path.split('/');
    const applying: Acknowledgement[] = [];
    // Nearest first: the resource's own path, then each ancestor's.
    for (let n = segments.length; n > 1; n--) applying.push(...(byPath.get(segments.slice(0, n).join('/')) ?? []));
    if (applying.length > 0) result.set(logicalId, applying);
  }
  return result;
}
