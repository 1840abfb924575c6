import { CheckMeta, CheckStatus, Cloud } from './check';

export const REPORT_SCHEMA = 'attestgate/conformance-report/v1';

/** One check against one gate. */
export interface CheckResult {
  readonly checkId: string;
  readonly title: string;
  /** The gate's ID: `<stack>/<logical ID>` or a Terraform address. */
  readonly gate: string;
  readonly cloud: Cloud;
  readonly status: CheckStatus;
  readonly reason: string;
  readonly severity: CheckMeta['severity'];
  readonly tags: readonly string[];
  readonly durationMs: number;
  /** How many requests it took, retries included. */
  readonly attempts: number;
  readonly evidence?: Readonly<Record<string, unknown>>;
}

/** Whether a detection signal exists for a gate: outside results and the exit code. */
export interface Advisory {
  readonly id: string;
  readonly gate: string;
  readonly title: string;
  readonly present: boolean;
  readonly detail: string;
}

export interface GateSummary {
  readonly id: string;
  readonly cloud: Cloud;
  readonly source: string;
  readonly privilege: string;
}

export interface ConformanceReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly tool: { readonly name: 'attestgate'; readonly version: string };
  readonly target: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** True when the run was stopped (SIGINT/SIGTERM) before every check ran. */
  readonly interrupted: boolean;
  readonly gates: readonly GateSummary[];
  readonly results: readonly CheckResult[];
  readonly advisories: readonly Advisory[];
  readonly summary: Readonly<Record<CheckStatus, number>>;
}

export function summarize(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const summary: Record<CheckStatus, number> = { PASS: 0, FAIL: 0, INCONCLUSIVE: 0, SKIPPED: 0 };
  for (const r of results) summary[r.status]++;
  return summary;
}

/**
 * Gates the run proved nothing about, and why: no check ended in PASS or FAIL (everything was
 * SKIPPED or INCONCLUSIVE), or the positive control was SKIPPED — then a denial may have had any
 * reason (no issuer key, no client ID), and a PASS of it is no evidence that the gate works.
 */
export function unprovenGates(report: Pick<ConformanceReport, 'results' | 'gates'>): Array<{ readonly gate: string; readonly why: string }> {
  const unproven: Array<{ gate: string; why: string }> = [];
  for (const { id } of report.gates) {
    const results = report.results.filter((r) => r.gate === id);
    const control = results.find((r) => r.tags.includes('kind:positive'));
    if (!results.some((r) => r.status === 'PASS' || r.status === 'FAIL')) unproven.push({ gate: id, why: 'no check passed or failed' });
    else if (control?.status === 'SKIPPED') unproven.push({ gate: id, why: `its positive control ${control.checkId} was skipped: ${control.reason}` });
  }
  return unproven;
}

/**
 * 0: every gate proven, no FAIL, no INCONCLUSIVE; 1: at least one FAIL; 2: no FAIL, but something
 * is unknown — an INCONCLUSIVE check, an interrupted run, no gate at all, or a gate about which
 * nothing was proven (`unprovenGates`). A CI job must not pass on a run that proved nothing.
 */
export function exitCodeOf(report: Pick<ConformanceReport, 'results' | 'interrupted' | 'gates'>): 0 | 1 | 2 {
  const summary = summarize(report.results);
  if (summary.FAIL > 0) return 1;
  if (summary.INCONCLUSIVE > 0 || report.interrupted) return 2;
  if (report.gates.length === 0 || unprovenGates(report).length > 0) return 2;
  return 0;
}
