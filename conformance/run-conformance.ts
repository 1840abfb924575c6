import { AppSources } from './discovery/app-sources';
import { CLOUDS, CloudRunOptions, discoverClouds } from './clouds';
import { Cloud } from './engine/check';
import { CloudRun } from './engine/cloud-conformance';
import { RequestPlan } from './engine/request-plan';
import { Advisory, CheckResult, GateSummary } from './engine/report';
import { PkiMaterial } from './pki/pki-directory';

/** `local`: every cloud's gates on the embedded emulators. A cloud name: that cloud's live endpoints. */
export type ConformanceTarget = 'local' | Cloud;

export const CONFORMANCE_TARGETS: readonly ConformanceTarget[] = ['local', ...CLOUDS.map((c) => c.cloud)];

export interface ConformanceOptions extends Partial<CloudRunOptions> {
  readonly sources: AppSources;
  readonly target: ConformanceTarget;
  readonly pki?: PkiMaterial;
  /** Check selection by tag or ID (IDs are OR-ed, tags AND-ed, `!tag` excludes). */
  readonly tags?: readonly string[];
  /**
   * Why negative checks may run without their positive control, when `tags` excludes it by name
   * (`!kind:positive`): those checks stay INCONCLUSIVE, but acknowledged, and the run does not
   * exit 2 for them alone. Without it, such a run exits 2.
   */
  readonly allowUnproven?: string;
  /** Requests per second to each cloud. @default each cloud's own (AWS 9, GCP 10, Azure 5) */
  readonly ratePerSecond?: number;
  /** The deadline of one request, connection to last byte. @default 15000 */
  readonly requestDeadlineMs?: number;
  /** Gates probed at once, per cloud. @default 4 */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onResult?: (result: CheckResult) => void;
  /** Called with each cloud's request plan before its first probe. */
  readonly onPlan?: (cloud: Cloud, plan: RequestPlan) => void;
}

export interface ConformanceRun {
  /** The target's name: `local`, or the live target's, e.g. `aws (eu-west-1)`. */
  readonly target: string;
  /** The gates probed. */
  readonly gates: readonly GateSummary[];
  /** Gates of other clouds than a live target's: found, not probed. */
  readonly unprobed: readonly GateSummary[];
  readonly results: readonly CheckResult[];
  readonly advisories: readonly Advisory[];
  /** Requests sent, retries included, all clouds. */
  readonly requests: number;
  /** Positive controls the check filter excluded by name, one per cloud probed. */
  readonly excludedControls: readonly string[];
  /** Each probed cloud's request plan. */
  readonly plans: Partial<Record<Cloud, RequestPlan>>;
}

/**
 * Probes the gates of synthesized apps. A local run starts an emulator for each cloud that has
 * gates and probes the clouds side by side (each emulator and rate limit is its own); a live run
 * probes its one cloud, and reports the other clouds' gates as unprobed rather than dropping them.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceRun> {
  const entries = discoverClouds(options.sources);
  const probed = entries.filter((e) => (options.target === 'local' || options.target === e.cloud) && e.gates.length > 0);
  // One cloud failing stops the others: their emulators close and no request keeps going after
  // the run has already failed.
  const stopOthers = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopOthers.signal]) : stopOthers.signal;
  const common = {
    pki: options.pki,
    tags: options.tags,
    ...(options.allowUnproven ? { allowUnproven: options.allowUnproven } : {}),
    ...(options.requestDeadlineMs !== undefined ? { requestDeadlineMs: options.requestDeadlineMs } : {}),
    signal,
    onResult: options.onResult,
    ...(options.onPlan ? { onPlan: options.onPlan } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.ratePerSecond !== undefined ? { ratePerSecond: options.ratePerSecond } : {}),
  };
  const settled = await Promise.allSettled(
    probed.map((entry) =>
      entry.run(common, options.target === 'local' ? 'local' : entry.cloud, options[entry.cloud]).catch((error: unknown) => {
        stopOthers.abort();
        throw error;
      }),
    ),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const runs = settled.map((s) => (s as PromiseFulfilledResult<CloudRun>).value);
  return {
    target: options.target === 'local' ? 'local' : (runs[0]?.target ?? options.target),
    gates: runs.flatMap((r) => r.gates),
    unprobed: entries.filter((e) => !probed.includes(e)).flatMap((e) => e.gates),
    results: runs.flatMap((r) => r.results),
    advisories: runs.flatMap((r) => r.advisories),
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    excludedControls: runs.flatMap((r) => r.excludedControl ?? []),
    plans: Object.fromEntries(probed.map((entry, i) => [entry.cloud, runs[i].plan])),
  };
}
