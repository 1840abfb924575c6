import { STEP_UP_CHECKS } from '../checks/step-up';
import { AreaConformanceRun, AreaRunOptions, runAreaChecks } from '../engine/area-conformance';
import { GateSummary, exitCodeOf } from '../engine/report';
import { DEFAULT_RETRY_POLICY, RateLimiter, RetryPolicy } from '../engine/retry';
import { StepUpEndpoint, StepUpProbeContext } from './probe-context';

export interface StepUpConformanceOptions extends AreaRunOptions {
  /** The endpoints behind step-up to probe, each with its policy and its issuer's key. */
  readonly endpoints: readonly StepUpEndpoint[];
  /** @default 5 */
  readonly ratePerSecond?: number;
  readonly retry?: RetryPolicy;
  readonly requestDeadlineMs?: number;
  /** The probes' clock. @default Date.now */
  readonly nowMs?: () => number;
}

export type StepUpConformanceRun = AreaConformanceRun;

/**
 * Probes endpoints behind RFC 9470 step-up with the engine's runner: the positive control first,
 * and no refusal counted as proven unless the control passed in the same run against the same
 * endpoint. The probes mint their tokens with each endpoint's issuer key.
 */
export async function runStepUpConformance(options: StepUpConformanceOptions): Promise<StepUpConformanceRun> {
  const context = new StepUpProbeContext({
    limiter: new RateLimiter(options.ratePerSecond ?? 5),
    retry: options.retry ?? DEFAULT_RETRY_POLICY,
    ...(options.requestDeadlineMs !== undefined ? { requestDeadlineMs: options.requestDeadlineMs } : {}),
    ...(options.nowMs ? { nowMs: options.nowMs } : {}),
  });
  const { results, excludedControl } = await runAreaChecks('step-up', STEP_UP_CHECKS, options.endpoints.map((endpoint) => ({ id: endpoint.id, target: endpoint })), context, options);
  const requests = results.reduce((sum, r) => sum + r.attempts, 0);
  // An operation behind step-up is the irreversible, high-privilege class.
  const gates: GateSummary[] = options.endpoints.map((e) => ({ id: e.id, cloud: 'step-up', source: `${e.method ?? 'POST'} ${e.url}`, privilege: 'high' }));
  const exitCode = exitCodeOf({ results, gates, interrupted: options.signal?.aborted ?? false });
  return { gates, results, exitCode, requests, ...(excludedControl ? { excludedControl } : {}) };
}
