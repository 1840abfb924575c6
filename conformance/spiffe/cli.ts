import { parseArgs } from 'node:util';
import { AttestGateError } from '../../lib/core/errors';
import { SpiffeId } from '../../lib/core/spiffe-id';
import { RegistrationEntry, formatSelector } from '../../lib/spiffe/registration-entry';
import { parseWorkloadApiAddress } from '../../lib/spiffe/workload-api/address';
import { AREA_RUN_OPTIONS, AreaRunArgs, readAreaRunArgs } from '../cli/area-args';
import type { OptionSpecs } from '../cli/cloud-cli';
import { UsageError } from '../cli/usage-error';
import { loadAppSources } from '../discovery/app-sources';
import { SPIFFE_EMULATOR_OPTIONS, SPIFFE_EMULATOR_USAGE, readSpiffeEmulatorOptions, serveSpiffeEmulator } from '../emulator/spiffe/cli';
import { emulatedNodeAgent, readRegistrationFile, servedWorkloads } from '../emulator/spiffe/registration-files';
import { loadPkiDirectory } from '../pki/pki-directory';
import { SpiffeTarget } from './probe-context';
import { spiffeProbeWorkloads } from './probe-workloads';
import { SpiffeConformanceRun, runSpiffeConformance } from './run-spiffe-conformance';

export const SPIFFE_USAGE = [
  'spiffe --registration FILE [--spiffe-id ID] --workload NAME=ADDRESS...',
  '                             probe the Workload API that issues one registration (AGC-SPIFFE-*)',
  '    --registration FILE      the entry under test: a ClusterSPIFFEID / ClusterStaticEntry manifest',
  '                             (YAML, JSON) or an entry create -data batch; --spiffe-id picks one',
  '    --workload NAME=ADDRESS  the Workload API address (unix:///…) each probe workload reaches it',
  '                             as; NAME from --list (registered, unregistered, runtime-only-…, code-only-…)',
  '    [--list]                 print the probe workloads the entry needs, as --spiffe-workload profiles',
  '    [--jwt-audience AUD]     (default attestgate-conformance)   [--id NAME] its name in reports',
  '    [--timeout-ms N]         one Workload API call\'s deadline (default 5000)',
  '    [--app PATH... [--pki DIR]]   the gates the SVIDs are presented to',
  '                             (AGC-SPIFFE-006, on the local emulators; SKIPPED without)',
  '    [--tags TAG,...] [--allow-unproven REASON] [--format ...] [--out DIR]   as for conformance',
];

const OPTIONS = {
  registration: { type: 'string' },
  'spiffe-id': { type: 'string' },
  workload: { type: 'string', multiple: true },
  list: { type: 'boolean', default: false },
  'jwt-audience': { type: 'string' },
  id: { type: 'string' },
  'timeout-ms': { type: 'string' },
  app: { type: 'string', multiple: true },
  pki: { type: 'string' },
  ...AREA_RUN_OPTIONS,
} as const;

/** `attestgate spiffe`'s command line, read and checked: nothing is sent yet. */
export interface SpiffeCliOptions extends AreaRunArgs {
  readonly target: SpiffeTarget;
  /** `--list`: print the probe workloads, probe nothing. */
  readonly list: boolean;
  readonly timeoutMs?: number;
}

/**
 * The entry under test from `--registration`: the one registration of the file (or the one that
 * issues `--spiffe-id`), as SPIRE holds it — a ClusterSPIFFEID's as the controller writes it for
 * a pod on the emulated node, which is how `attestgate emulator` serves it.
 */
function entryUnderTest(file: string, spiffeId: string | undefined): RegistrationEntry {
  const read = readRegistrationFile('registration', file);
  const candidates = read.entries.filter((e) => spiffeId === undefined || e.spiffeId === spiffeId || e.spiffeIdTemplate !== undefined);
  if (candidates.length !== 1) {
    const ids = read.entries.map((e) => e.spiffeId ?? e.spiffeIdTemplate).join(', ');
    const problem = candidates.length === 0 ? `holds no registration of ${spiffeId}` : `holds ${candidates.length} registrations (${ids})`;
    throw new UsageError(`--registration ${file}: ${problem}; ${spiffeId === undefined || candidates.length > 1 ? 'pick one with --spiffe-id ID' : `give the file that registers ${spiffeId}`}`);
  }
  const entry = candidates[0];
  if (entry.spiffeId === undefined) throw new UsageError(`--registration ${file}: ${entry.resource} has a templated SPIFFE ID; give a copy with the ID it renders for the workload under test`);
  const trustDomain = SpiffeId.parse(entry.spiffeId).trustDomain;
  // As the emulator serves it (servedWorkloads); a ClusterSPIFFEID's entry is the controller's for
  // one pod on the emulated node, whose probe workloads differ in the declared selectors only (the
  // emulator adds each profile's pod UID itself).
  const { entries } = servedWorkloads([{ file, entries: [entry] }], [{ name: 'registered', selectors: [] }], trustDomain, 'registration');
  return entry.parent.scope === 'kubernetes-nodes' ? { ...entries[0], selectors: entry.selectors } : entries[0];
}

/** Reads `attestgate spiffe`'s command line; every bad value is a UsageError or AttestGateError naming the option. */
export function readSpiffeArgs(args: readonly string[]): SpiffeCliOptions {
  const { values } = parseArgs({ args: [...args], options: OPTIONS, strict: true });
  if (!values.registration) throw new UsageError('spiffe needs --registration FILE (the registration entry whose Workload API is probed)');
  const entry = entryUnderTest(values.registration, values['spiffe-id']);
  const probes = spiffeProbeWorkloads(entry);
  const area = readAreaRunArgs(values);
  const workloads = (values.workload ?? []).map((raw) => {
    const at = raw.indexOf('=');
    const name = at > 0 ? raw.slice(0, at) : raw;
    const probe = probes.find((p) => p.name === name);
    if (at <= 0 || !probe) throw new UsageError(`--workload ${raw}: write NAME=ADDRESS with NAME one of ${probes.map((p) => p.name).join(', ')} (--list prints them)`);
    const address = raw.slice(at + 1);
    try {
      parseWorkloadApiAddress(address, `--workload ${name}`, {});
    } catch (e) {
      throw new UsageError(`--workload ${raw}: ${e instanceof AttestGateError ? e.message : (e as Error).message}`);
    }
    return { ...probe, address };
  });
  if (!values.list && workloads.length === 0) throw new UsageError(`spiffe needs --workload NAME=ADDRESS for each probe workload it can reach (${probes.map((p) => p.name).join(', ')}); --list prints what each presents`);
  if (new Set(workloads.map((w) => w.name)).size < workloads.length) throw new UsageError('--workload: each probe workload is given once');
  let timeoutMs: number | undefined;
  if (values['timeout-ms'] !== undefined) {
    timeoutMs = Number(values['timeout-ms']);
    if (!/^\d+$/.test(values['timeout-ms']) || timeoutMs <= 0) throw new UsageError(`--timeout-ms ${values['timeout-ms']}: give whole milliseconds, more than 0`);
  }
  const apps = values.app ?? [];
  if (apps.length === 0 && values.pki !== undefined) throw new UsageError('--pki is for the gates of --app PATH: give the apps too');
  const target: SpiffeTarget = {
    id: values.id && values.id !== '' ? values.id : entry.spiffeId,
    entry,
    workloads,
    ...(values['jwt-audience'] ? { jwtAudience: values['jwt-audience'] } : {}),
    ...(apps.length > 0 ? { gates: { sources: loadAppSources(apps), target: 'local' as const, ...(values.pki ? { pki: loadPkiDirectory(values.pki) } : {}) } } : {}),
  };
  return { ...area, target, list: values.list === true, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
}

/** The probe workloads as `attestgate emulator --spiffe-workload` profiles: what each pod must present. */
export function renderProbeWorkloads(target: SpiffeTarget): string {
  // A pod on the emulated node needs no parent: it is the profiles' default.
  const parent = target.entry.parentId === emulatedNodeAgent(SpiffeId.parse(target.entry.spiffeId).trustDomain) ? '' : `@${target.entry.parentId}`;
  return `${spiffeProbeWorkloads(target.entry)
    .map((p) => `# ${p.role}: ${p.description}\n--spiffe-workload ${p.name}${parent}=${p.selectors.map(formatSelector).join(',')}`)
    .join('\n')}\n`;
}

/** Runs the SPIFFE checks the command line asks for. */
export function runSpiffeCli(options: SpiffeCliOptions): Promise<SpiffeConformanceRun> {
  return runSpiffeConformance({
    targets: [options.target],
    tags: options.tags,
    ...(options.allowUnproven ? { allowUnproven: options.allowUnproven } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}

/**
 * The spiffe area's command line, registered in clouds.ts as each cloud's cli.ts is: `attestgate
 * spiffe` (usage, reading, `--list`, running) and its part of `attestgate emulator` (the Workload API).
 */
export const SPIFFE_CLI = {
  usage: SPIFFE_USAGE,
  /** The option table `attestgate spiffe` parses: main() matches an unknown option against it. */
  options: OPTIONS as OptionSpecs,
  read: readSpiffeArgs,
  list: renderProbeWorkloads,
  run: runSpiffeCli,
  emulator: { options: SPIFFE_EMULATOR_OPTIONS as OptionSpecs, usage: SPIFFE_EMULATOR_USAGE, read: readSpiffeEmulatorOptions, serve: serveSpiffeEmulator },
} as const;
