import type { Cloud } from '../../lib/core/cloud';
import type { PlannedRequest } from './request-plan';

export type { Cloud };

/**
 * What a check probes: a cloud's gates, or an area that is not a cloud — `step-up`, the
 * resource servers that demand a fresh attestation at action time (RFC 9470); `spiffe`, the
 * SPIFFE Workload API that decides which workloads are issued an identity's SVIDs.
 */
export type CheckArea = Cloud | 'step-up' | 'spiffe';

/** The areas that are not clouds: their checks are tagged `area:<name>`, not `cloud:<name>`. */
export const NON_CLOUD_AREAS: readonly CheckArea[] = ['step-up', 'spiffe'];

/** The status of one check against one gate. */
export type CheckStatus = 'PASS' | 'FAIL' | 'INCONCLUSIVE' | 'SKIPPED';

export type CheckSeverity = 'critical' | 'high' | 'medium' | 'low';

/** Stable metadata of a check; `conformance/catalog.json` is generated from it and diffed in CI. */
export interface CheckMeta {
  /** `AGC-<CLOUD>-NNN`; never changed, never reused. */
  readonly id: string;
  /** The cloud or area it belongs to: its folder under `conformance/checks/` and its ID prefix. */
  readonly cloud: CheckArea;
  readonly title: string;
  /** What the check proves, as an RFC 2119 sentence starting "Verify that". */
  readonly statement: string;
  /** The attack the check covers. */
  readonly threat: string;
  /** What to change when the check fails. */
  readonly remediation: string;
  readonly severity: CheckSeverity;
  /** `cloud:…` (`area:step-up`, `area:spiffe`), `kind:positive|negative|advisory`, `threat:…`, `requires:…`, `mutating`. */
  readonly tags: readonly string[];
}

/** What a check concluded, before the runner adds timing and identity. */
export interface Verdict {
  readonly status: CheckStatus;
  /** Why, in one sentence a person can act on. */
  readonly reason: string;
  /** What was sent and received, for the JSON report. */
  readonly evidence?: Readonly<Record<string, unknown>>;
  /**
   * For an INCONCLUSIVE verdict: the user's reason for accepting what was not proven (an
   * acknowledged unattested path). It never turns into PASS; the report shows it as acknowledged.
   */
  readonly acknowledged?: string;
}

export const pass = (reason: string, evidence?: Record<string, unknown>): Verdict => ({ status: 'PASS', reason, evidence });
export const fail = (reason: string, evidence?: Record<string, unknown>): Verdict => ({ status: 'FAIL', reason, evidence });
export const inconclusive = (reason: string, evidence?: Record<string, unknown>): Verdict => ({ status: 'INCONCLUSIVE', reason, evidence });
export const skipped = (reason: string): Verdict => ({ status: 'SKIPPED', reason });

/**
 * One verdict for a check judged on every path of a gate: any FAIL fails it (naming each failing
 * path); a path left unjudged (INCONCLUSIVE, or SKIPPED next to a path that was judged) makes it
 * INCONCLUSIVE — one proven path never stands for the others; PASS only when every path passed;
 * SKIPPED when no path could be probed at all.
 */
export function combinePathVerdicts(verdicts: ReadonlyArray<{ readonly path: string; readonly verdict: Verdict }>): Verdict {
  if (verdicts.length === 0) return inconclusive('the gate has no path to judge');
  const evidence = { paths: verdicts.map(({ path, verdict }) => ({ path, status: verdict.status, reason: verdict.reason, ...verdict.evidence })) };
  const line = ({ path, verdict }: { path: string; verdict: Verdict }) => (verdicts.length > 1 ? `${path}: ${verdict.reason}` : verdict.reason);
  const failed = verdicts.filter((v) => v.verdict.status === 'FAIL');
  if (failed.length > 0) return fail(failed.map(line).join('; '), evidence);
  if (verdicts.every((v) => v.verdict.status === 'SKIPPED')) return { status: 'SKIPPED', reason: verdicts.map(line).join('; '), evidence };
  const unjudged = verdicts.filter((v) => v.verdict.status !== 'PASS');
  if (unjudged.length > 0) return inconclusive(`not every path was judged: ${unjudged.map(line).join('; ')}`, evidence);
  return pass(verdicts.map(line).join('; '), evidence);
}

/** A check: metadata plus a probe of one gate. `Gate` and `Context` are cloud-specific. */
export interface Check<Gate, Context> {
  readonly meta: CheckMeta;
  /** Whether the check means anything for a gate (an Agent ID check for a managed identity does not): no result at all when not. @default every gate */
  appliesTo?(gate: Gate): boolean;
  run(gate: Gate, context: Context): Promise<Verdict>;
  /**
   * The requests `run` sends on this gate when every positive control passes, its own control
   * included, with keys from the same functions `run` sends through (so the plan cannot differ
   * from what is sent). Undefined for a check that cannot list them yet: the plan says so.
   */
  plan?(gate: Gate, context: Context): readonly PlannedRequest[];
}

/** Validates check metadata at load time: a malformed catalog entry is a bug, not a runtime surprise. */
export function validateCheckMeta(meta: CheckMeta): void {
  const prefix = { aws: 'AWS', gcp: 'GCP', azure: 'AZ', 'step-up': 'SU', spiffe: 'SPIFFE' }[meta.cloud];
  if (!new RegExp(`^AGC-${prefix}-\\d{3}$`).test(meta.id)) throw new Error(`check ${meta.id}: the ID must be AGC-${prefix}-NNN`);
  if (!meta.statement.startsWith('Verify that ')) throw new Error(`check ${meta.id}: the statement must start with "Verify that "`);
  const areaTag = NON_CLOUD_AREAS.includes(meta.cloud) ? `area:${meta.cloud}` : `cloud:${meta.cloud}`;
  if (!meta.tags.includes(areaTag)) throw new Error(`check ${meta.id}: tags must include ${areaTag}`);
  if (!meta.tags.some((t) => /^kind:(positive|negative|advisory)$/.test(t))) throw new Error(`check ${meta.id}: tags must include kind:positive|negative|advisory`);
}
