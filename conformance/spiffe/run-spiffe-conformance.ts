import { SPIFFE_CHECKS } from '../checks/spiffe';
import { AreaConformanceRun, AreaRunOptions, runAreaChecks } from '../engine/area-conformance';
import { GateSummary, exitCodeOf } from '../engine/report';
import type * as RunConformanceModule from '../run-conformance';
import type * as CloudsModule from '../clouds';
import { GateCheckRunner, SpiffeProbeContext, SpiffeTarget } from './probe-context';

export interface SpiffeConformanceOptions extends AreaRunOptions {
  /** The registrations to probe, each with its probe workloads' Workload API addresses. */
  readonly targets: readonly SpiffeTarget[];
  /** The deadline of one Workload API call. @default 5000 */
  readonly timeoutMs?: number;
}

export type SpiffeConformanceRun = AreaConformanceRun;

/**
 * Probes the SPIFFE side of an identity with the engine's runner: the registered workload must be
 * issued its SVIDs first (AGC-SPIFFE-001), and no refusal of an unregistered or half-attested
 * workload counts unless that control passed in the same run against the same target.
 */
export async function runSpiffeConformance(options: SpiffeConformanceOptions): Promise<SpiffeConformanceRun> {
  const context = new SpiffeProbeContext({
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    runGateChecks: gateCheckRunner(options.signal),
  });
  const { results, excludedControl } = await runAreaChecks('spiffe', SPIFFE_CHECKS, options.targets.map((target) => ({ id: target.id, target })), context, options);
  // Only the Workload API calls: AGC-SPIFFE-006's cloud requests are counted by their own checks.
  const requests = results.reduce((sum, r) => sum + r.attempts, 0);
  // A registration attestgate probes is one a gate trusts: the high-privilege class.
  const gates: GateSummary[] = options.targets.map((t) => ({ id: t.id, cloud: 'spiffe', source: t.entry.spiffeId, privilege: 'high' }));
  const exitCode = exitCodeOf({ results, gates, interrupted: options.signal?.aborted ?? false });
  return { gates, results, exitCode, requests, ...(excludedControl ? { excludedControl } : {}) };
}

/**
 * Runs the clouds' checks of the given threats (with their positive controls) on the gates. The
 * conformance modules are loaded when first needed: they register every cloud, this area among
 * them, and a static import would be circular.
 */
function gateCheckRunner(signal: AbortSignal | undefined): GateCheckRunner {
  return async (gates, threats) => {
    const { runConformance } = require('../run-conformance') as typeof RunConformanceModule;
    const { CLOUDS } = require('../clouds') as typeof CloudsModule;
    const ids = CLOUDS.flatMap((c) => c.checks).filter((meta) => threats.some((t) => meta.tags.includes(t))).map((meta) => meta.id);
    const run = await runConformance({ ...gates, tags: ids, ...(signal ? { signal } : {}) });
    return { results: run.results, gates: run.gates.map((g) => g.id) };
  };
}
