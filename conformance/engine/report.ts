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

/** 0: no FAIL and no INCONCLUSIVE; 1: at least one FAIL; 2: INCONCLUSIVE but no FAIL. */
export function exitCodeOf(report: Pick<ConformanceReport, 'results' | 'interrupted'>): 0 | 1 | 2 {
  const summary = summarize(report.results);
  if (summary.FAIL > 0) return 1;
  if (summary.INCONCLUSIVE > 0 || report.interrupted) return 2;
  return 0;
}
