import type { AgentIdentityDescription } from '../../lib/core/agent-identity';
import { formatDistinguishedName } from '../../lib/core/distinguished-name';
import { CheckArea, CheckMeta, CheckStatus, Cloud } from './check';
import type { RequestPlan } from './request-plan';
import { groupByGate } from './by-gate';

export const REPORT_SCHEMA = 'attestgate/conformance-report/v1';

/** One check against one gate. */
export interface CheckResult {
  readonly checkId: string;
  readonly title: string;
  /** The gate's ID: `<stack>/<logical ID>` or a Terraform address. */
  readonly gate: string;
  readonly cloud: CheckArea;
  readonly status: CheckStatus;
  readonly reason: string;
  readonly severity: CheckMeta['severity'];
  readonly tags: readonly string[];
  readonly durationMs: number;
  /** How many requests it took, retries included. */
  readonly attempts: number;
  readonly evidence?: Readonly<Record<string, unknown>>;
  /**
   * Set on an INCONCLUSIVE negative check whose positive control the user excluded, with the
   * reason they gave (`--allow-unproven`): still unproven, but asked for, so it does not make the
   * run exit 2 on its own.
   */
  readonly acknowledged?: string;
}

/** Whether a detection signal exists for a gate: outside results and the exit code. */
export interface Advisory {
  readonly id: string;
  readonly gate: string;
  readonly title: string;
  readonly present: boolean;
  readonly detail: string;
}

/**
 * One issuance path as a route, for the reports' diagrams: who can reach the credentials, through
 * which anchor, provider, credential or grant, what the issuer demands of them, and whose
 * credentials they get.
 */
export interface PathRoute {
  /** Who can take the path: a workload holding a certificate, a principal, a pool member, a resource's processes. */
  readonly from: string;
  /** What it goes through: the trust anchor and profile, the provider, the federated credential, the grant, the key. */
  readonly through: string;
  /** The gate's factors the issuer demands on this path; empty when it demands none of them. */
  readonly factors: readonly string[];
  /** The identity whose credentials the path yields: the role, the service account, the managed identity. */
  readonly to: string;
}

/** The identity a gate manifest declares: who the agent is and how its certificate must look. */
export interface DeclaredIdentity {
  readonly name: string;
  readonly spiffeId: string;
  /** The certificate subject, as a distinguished name (`CN=deployer, O=Example`). */
  readonly subject: string;
  readonly sanUri: string;
  readonly issuingCa?: string;
  readonly privilege: string;
  readonly maxCredentialLifetimeSeconds: number;
}

export interface GateSummary {
  readonly id: string;
  readonly cloud: CheckArea;
  readonly source: string;
  readonly privilege: string;
  /** What the gate manifest declares; absent for a gate without one (found in brownfield resources). */
  readonly identity?: DeclaredIdentity;
  /**
   * Where the resources no longer match the identity the gate manifest declares (a condition or
   * credential edited after synth). Absent for a gate without a manifest; empty when they match.
   */
  readonly drift?: readonly string[];
  /**
   * Every way the identity's credentials can be obtained, as discovery found them: attested
   * (through the second factor), unattested, or not readable (`attested` undefined).
   */
  readonly paths?: ReadonlyArray<{ readonly id: string; readonly attested: boolean | undefined; readonly description: string; readonly acknowledged?: string; readonly route?: PathRoute }>;
}

/**
 * The URL a gate's `source` names when it is an endpoint rather than a file: a step-up endpoint's
 * `METHOD URL`, a SPIFFE registration's ID. Undefined for a template or `*.tf.json`.
 */
export function endpointOf(source: string): string | undefined {
  return /^(?:[A-Z]+ )?([a-z][a-z0-9+.-]*:\/\/\S+)$/.exec(source)?.[1];
}

/** What a discovered gate of any cloud has that its summary reports. */
export interface SummarizedGate {
  readonly id: string;
  readonly file: string;
  readonly privilege: string;
  /** The gate manifest, when the gate has one: drift is reported only against a declared identity. */
  readonly manifest?: { readonly identity: AgentIdentityDescription };
  readonly drift: readonly string[];
}

/** A gate's summary for the report: where it came from, its privilege, its drift and its issuance paths. */
export function gateSummaryOf(cloud: Cloud, gate: SummarizedGate, paths: NonNullable<GateSummary['paths']>): GateSummary {
  return { id: gate.id, cloud, source: gate.file, privilege: gate.privilege, ...(gate.manifest ? { identity: declaredIdentityOf(gate.manifest.identity), drift: gate.drift } : {}), paths };
}

/** A manifest's identity as the report states it: its names in the form people read them. */
function declaredIdentityOf(identity: AgentIdentityDescription): DeclaredIdentity {
  return {
    name: identity.name,
    spiffeId: identity.spiffeId,
    subject: formatDistinguishedName(identity.subject),
    sanUri: identity.sanUri,
    ...(identity.issuingCa ? { issuingCa: formatDistinguishedName(identity.issuingCa) } : {}),
    privilege: identity.privilege,
    maxCredentialLifetimeSeconds: identity.maxCredentialLifetimeSeconds,
  };
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
  /**
   * Per cloud probed: the requests planned before sending, what sharing saved, and the least
   * time the plan takes at the live quotas (`formatPlanLine` prints it before the run starts).
   */
  readonly plans?: Readonly<Partial<Record<Cloud, RequestPlan>>>;
  /** Present when the user ran negative checks without their positive control, with their reason. */
  readonly unprovenSubset?: { readonly reason: string; readonly results: number };
}

export function summarize(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const summary: Record<CheckStatus, number> = { PASS: 0, FAIL: 0, INCONCLUSIVE: 0, SKIPPED: 0 };
  for (const r of results) summary[r.status]++;
  return summary;
}

/**
 * Gates the run proved nothing about, and why: no check ran, or the positive control did not run
 * or did not pass — then a denial
 * may have had any cause (no issuer key, no client ID, a proxy in between), and nothing that was
 * denied is evidence that the gate works. A gate whose control the user excluded on purpose
 * (`acknowledged` results only) is listed with `acknowledged: true`.
 */
export function unprovenGates(report: Pick<ConformanceReport, 'results' | 'gates'>): Array<{ readonly gate: string; readonly why: string; readonly acknowledged: boolean }> {
  const unproven: Array<{ gate: string; why: string; acknowledged: boolean }> = [];
  const byGate = groupByGate(report.results);
  for (const { id } of report.gates) {
    const results = byGate.get(id) ?? [];
    const control = results.find((r) => r.tags.includes('kind:positive'));
    const acknowledged = results.length > 0 && results.every((r) => r.acknowledged !== undefined || r.status === 'SKIPPED') && results.some((r) => r.acknowledged !== undefined);
    if (results.some((r) => r.status === 'FAIL')) continue;
    if (results.length === 0) unproven.push({ gate: id, why: 'no check ran', acknowledged: false });
    else if (!control) unproven.push({ gate: id, why: 'its positive control did not run', acknowledged });
    else if (control.status !== 'PASS') unproven.push({ gate: id, why: `its positive control ${control.checkId} was ${control.status}: ${control.reason}`, acknowledged: false });
  }
  return unproven;
}

/**
 * 0: every gate proven, no FAIL, no INCONCLUSIVE; 1: at least one FAIL; 2: no FAIL, but something
 * is unknown — an INCONCLUSIVE check, an interrupted run, no gate at all, or a gate about which
 * nothing was proven (`unprovenGates`). A CI job must not pass on a run that proved nothing. The
 * only unknowns that do not count are those the user asked for by name (`acknowledged`).
 */
export function exitCodeOf(report: Pick<ConformanceReport, 'results' | 'interrupted' | 'gates'>): 0 | 1 | 2 {
  const summary = summarize(report.results);
  if (summary.FAIL > 0) return 1;
  if (report.interrupted || report.gates.length === 0) return 2;
  if (report.results.some((r) => r.status === 'INCONCLUSIVE' && r.acknowledged === undefined)) return 2;
  if (unprovenGates(report).some((u) => !u.acknowledged)) return 2;
  return 0;
}
