import { PkiMaterial } from '../pki/pki-directory';
import { Check, Cloud } from './check';
import { Advisory, CheckResult, GateSummary } from './report';
import { DEFAULT_RETRY_POLICY, RateLimiter, RetryPolicy } from './retry';
import { GateRun, planChecks, runGates } from './runner';
import { CheckRequests, LiveQuota, RequestPlan, buildRequestPlan } from './request-plan';

/** What every cloud's run takes alike; each cloud's options add its target's settings. */
export interface CommonRunOptions<Source> {
  readonly sources: readonly Source[];
  /** `local` (that cloud's emulator, in process) or the cloud's live endpoints. */
  readonly target: 'local' | Cloud;
  /** `--pki`: CA keys sign probe certificates; other keys sign as the OIDC issuer whose published key they match. */
  readonly pki?: PkiMaterial;
  /** Check selection by tag (`kind:negative`, `!mutating`) or ID. */
  readonly tags?: readonly string[];
  /** Why negative checks may run without their positive control (the filter excludes it by name); see RunOptions. */
  readonly allowUnproven?: string;
  /** Requests per second to the cloud. @default the cloud's own (AWS 9, GCP 10, Azure 5) */
  readonly ratePerSecond?: number;
  /** @default 4 */
  readonly concurrency?: number;
  readonly retry?: RetryPolicy;
  /** The deadline of one request, connection to last byte. @default 15000 */
  readonly requestDeadlineMs?: number;
  readonly signal?: AbortSignal;
  readonly onResult?: (result: CheckResult) => void;
  /** Called with the cloud's request plan once the target is ready, before the first probe. */
  readonly onPlan?: (cloud: Cloud, plan: RequestPlan) => void;
}

/** What one cloud's run found and concluded. */
export interface CloudRun {
  /** The target's name: `local`, or the live target's, e.g. `aws (eu-west-1)`. */
  readonly target: string;
  readonly gates: readonly GateSummary[];
  readonly results: readonly CheckResult[];
  /** Whether each gate's detection signals exist: outside the results and the exit code. */
  readonly advisories: readonly Advisory[];
  /** Requests sent, retries included. */
  readonly requests: number;
  /** The requests planned before sending, what sharing saved, and the least time at the live quotas. */
  readonly plan: RequestPlan;
  /** The positive control the check filter excluded by name, leaving its gates' denials unproven. */
  readonly excludedControl?: string;
}

/** What the engine gives a cloud to make its target ready with. */
export interface TargetSetup {
  /** The run's pacing and retries, shared by every probe to the cloud. */
  readonly limiter: RateLimiter;
  readonly retry: RetryPolicy;
  readonly requestDeadlineMs?: number;
  /** Registers what stops a resource the cloud started (an emulator): run when the run ends, however it ends. */
  onClose(stop: () => Promise<void>): void;
}

/** A target a cloud has made ready: the gates as deployed there, and the context probes share. */
export interface PreparedTarget<Resolved, Context> {
  readonly name: string;
  readonly gates: ReadonlyArray<{ readonly id: string; readonly resolved: Resolved }>;
  readonly context: Context;
  /** Requests the context sent, retries included. */
  requests(): number;
}

/**
 * One cloud, as the engine runs it: how to find its gates, make a target ready (start its
 * emulator, or look the deployment up live), which checks it has, and which detection signals
 * exist. The engine owns everything else — selecting checks, the positive-control rule, pacing,
 * retries, concurrency, interruption — once for every cloud.
 */
export interface CloudConformance<Source, Gate extends { readonly id: string }, Resolved, Context, Options extends CommonRunOptions<Source>> {
  readonly cloud: Cloud;
  /** The heading of its gates, e.g. `AWS — IAM Roles Anywhere`. */
  readonly title: string;
  /** Requests per second when the user sets none: under the cloud's documented quota. */
  readonly defaultRatePerSecond: number;
  /** The live services' documented quotas the plan's duration is computed at. */
  readonly liveQuotas?: readonly LiveQuota[];
  readonly checks: ReadonlyArray<Check<Resolved, Context>>;
  discover(sources: readonly Source[]): Gate[];
  /**
   * The sources the target deploys (the emulator applies): all of them unless the cloud says
   * otherwise — Terraform clouds take only the configurations that hold their gates, so one
   * cloud's emulator does not report another cloud's resources as undeployable.
   */
  sourcesToDeploy?(sources: readonly Source[], gates: readonly Gate[]): Source[];
  summary(gate: Gate): GateSummary;
  /** What each gate accepts, one row per gate (`attestgate gates`). */
  /** `width`: the widest a line may be (the terminal's); wider tables become per-gate blocks. */
  gateTable(gates: readonly Gate[], width?: number): string;
  /** Makes the target ready for probing; what it starts, it registers with `setup.onClose` at once. */
  prepare(gates: readonly Gate[], options: Options, setup: TargetSetup): Promise<PreparedTarget<Resolved, Context>>;
  advisories(gates: readonly Gate[], sources: readonly Source[]): Advisory[];
}

/** Probes every gate one cloud's sources hold, on the target the options name; `gates` when already discovered. */
export async function runCloudConformance<Source, Gate extends { readonly id: string }, Resolved, Context, Options extends CommonRunOptions<Source>>(
  adapter: CloudConformance<Source, Gate, Resolved, Context, Options>,
  options: Options,
  gates: readonly Gate[] = adapter.discover(options.sources),
): Promise<CloudRun> {
  const checkPlan = planChecks(adapter.checks, options.tags ?? []);
  const stops: Array<() => Promise<void>> = [];
  // Each registered close runs once, the last registered first: the attacker's trust anchor is
  // deleted before the emulator that holds it stops.
  const closeAll = async () => {
    for (let stop = stops.pop(); stop; stop = stops.pop()) await stop();
  };
  const setup: TargetSetup = {
    limiter: new RateLimiter(options.ratePerSecond ?? adapter.defaultRatePerSecond),
    retry: options.retry ?? DEFAULT_RETRY_POLICY,
    ...(options.requestDeadlineMs !== undefined ? { requestDeadlineMs: options.requestDeadlineMs } : {}),
    onClose: (stop) => stops.push(stop),
  };
  try {
    const sources = adapter.sourcesToDeploy?.(options.sources, gates) ?? options.sources;
    const target = await adapter.prepare(gates, { ...options, sources }, setup);
    const runs: Array<GateRun<Resolved, Context>> = target.gates.map(({ id, resolved }) => ({
      id,
      cloud: adapter.cloud,
      gate: resolved,
      context: target.context,
      checks: checkPlan.checks,
      ...(checkPlan.excludedControl ? { excludedControl: checkPlan.excludedControl } : {}),
    }));
    const plan = planRequests(runs, adapter.liveQuotas ?? []);
    options.onPlan?.(adapter.cloud, plan);
    const results = await runGates(runs as Array<GateRun<unknown, unknown>>, {
      concurrency: options.concurrency ?? 4,
      signal: options.signal,
      onResult: options.onResult,
      ...(options.allowUnproven ? { allowUnproven: options.allowUnproven } : {}),
    });
    // What the run registered to do at its end (deleting what probes created) is sent and
    // counted before the count is read; `finally` closes what is left when the run fails.
    await closeAll();
    return {
      target: target.name,
      gates: gates.map((g) => adapter.summary(g)),
      results,
      advisories: adapter.advisories(gates, options.sources),
      requests: target.requests(),
      plan,
      ...(checkPlan.excludedControl ? { excludedControl: checkPlan.excludedControl } : {}),
    };
  } finally {
    await closeAll();
  }
}

/**
 * Every request the runs' checks need, from each check's own plan, in one pass (the checks a
 * gate does not apply to send nothing). A check without a plan is counted as unplanned.
 */
function planRequests<Resolved, Context>(runs: ReadonlyArray<GateRun<Resolved, Context>>, quotas: readonly LiveQuota[]): RequestPlan {
  const needs: CheckRequests[] = [];
  let unplanned = 0;
  for (const run of runs) {
    for (const check of run.checks) {
      if (!(check.appliesTo?.(run.gate) ?? true)) continue;
      if (!check.plan) {
        unplanned++;
        continue;
      }
      needs.push({ gate: run.id, checkId: check.meta.id, requests: check.plan(run.gate, run.context) });
    }
  }
  return buildRequestPlan(needs, quotas, unplanned);
}
