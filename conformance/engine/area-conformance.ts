import { Check, CheckArea } from './check';
import { CheckResult, GateSummary } from './report';
import { GateRun, planChecks, runGates } from './runner';

/** What every area's run (step-up, spiffe) takes alike, as `attestgate conformance` does. */
export interface AreaRunOptions {
  /** Check selection by tag or ID, as `attestgate conformance --tags`. */
  readonly tags?: readonly string[];
  /** Why negative checks may run without their positive control (the filter excludes it by name). */
  readonly allowUnproven?: string;
  /** Targets probed at once. @default 4 */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onResult?: (result: CheckResult) => void;
}

/** What a run of an area's checks returns (`attestgate step-up`, `attestgate spiffe`). */
export interface AreaConformanceRun {
  /** The targets probed, as the report lists gates. */
  readonly gates: readonly GateSummary[];
  readonly results: readonly CheckResult[];
  /** As `attestgate conformance` exits: 0 proven, 1 a FAIL, 2 something unproven. */
  readonly exitCode: 0 | 1 | 2;
  /** Requests the area's probes sent, retries included (not those of checks it runs for other areas). */
  readonly requests: number;
  /** The positive control the check filter excluded by name, leaving the negatives unproven. */
  readonly excludedControl?: string;
}

/**
 * Runs an area's checks on each of its targets with the engine's runner: the positive control
 * first, and no refusal counted as proven unless the control passed in the same run against the
 * same target. Areas differ in their targets and probes, never in these rules.
 */
export async function runAreaChecks<Target, Context>(
  area: CheckArea,
  checks: ReadonlyArray<Check<Target, Context>>,
  targets: ReadonlyArray<{ readonly id: string; readonly target: Target }>,
  context: Context,
  options: AreaRunOptions,
): Promise<{ readonly results: CheckResult[]; readonly excludedControl?: string }> {
  const plan = planChecks(checks, options.tags ?? []);
  const runs: Array<GateRun<Target, Context>> = targets.map(({ id, target }) => ({
    id,
    cloud: area,
    gate: target,
    context,
    checks: plan.checks,
    ...(plan.excludedControl ? { excludedControl: plan.excludedControl } : {}),
  }));
  const results = await runGates(runs as Array<GateRun<unknown, unknown>>, {
    concurrency: options.concurrency ?? 4,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onResult ? { onResult: options.onResult } : {}),
    ...(options.allowUnproven ? { allowUnproven: options.allowUnproven } : {}),
  });
  return { results, ...(plan.excludedControl ? { excludedControl: plan.excludedControl } : {}) };
}
