import { GCP_CHECKS } from '../checks/gcp';
import { GcpGate, discoverGcpGates } from '../discovery/gcp-gates';
import { TerraformSource } from '../discovery/terraform-sources';
import { GcpEmulatorOptions, RunningGcpEmulator, startGcpEmulator } from '../emulator/gcp-emulator';
import { applyGcpTerraform } from '../emulator/gcp/deploy-terraform';
import { AppliedConfiguration } from '../emulator/terraform/deploy-terraform';
import { gcpAdvisoriesOf } from '../discovery/gcp-signals';
import { Advisory, CheckResult, GateSummary } from '../engine/report';
import { DEFAULT_RETRY_POLICY, RateLimiter, RetryPolicy } from '../engine/retry';
import { GateRun, planChecks, runGates } from '../engine/runner';
import { IssuerKey } from '../oidc/issuer-key';
import { runTokenCommand } from '../oidc/token-command';
import { PkiMaterial } from '../pki/pki-directory';
import { GcpEndpoints, GcpHttpProbeTarget, PUBLIC_GCP_ENDPOINTS } from './gcp-probe-target';
import { KeySources, keysForGate } from './issuer-keys';
import { GcpProbeContext } from './probe-context';
import { GcpDeploymentProblems, ResolvedGcpGate, resolveGcpGates } from './resolve-gates';

export interface GcpConformanceOptions {
  readonly sources: readonly TerraformSource[];
  /** Private keys in `--pki` are paired with inline JWKS (and live issuers' JWKS) by public key. */
  readonly pki?: PkiMaterial;
  /** `local` (the in-process emulator) or `gcp` (sts.googleapis.com and iamcredentials.googleapis.com). */
  readonly target: 'local' | 'gcp';
  /** Check selection by tag (`kind:negative`, `!requires:issuer-key`) or ID. */
  readonly tags?: readonly string[];
  /** @default 10 requests per second, far below the STS and IAM credentials quotas */
  readonly ratePerSecond?: number;
  /** @default 4 */
  readonly concurrency?: number;
  readonly retry?: RetryPolicy;
  /** The deadline of one request, connection to last byte. @default 15000 */
  readonly requestDeadlineMs?: number;
  readonly signal?: AbortSignal;
  readonly onResult?: (result: CheckResult) => void;
  /** Why negative checks may run without their positive control (the filter excludes it by name); see RunOptions. */
  readonly allowUnproven?: string;
  /** Test-issuer keys (live): sign the positive control and the mutations that change claims. */
  readonly issuerKeys?: readonly IssuerKey[];
  /** A command that prints a valid token for the gate (live): the positive control's token. Run once per run, 30 s at most. */
  readonly tokenCommand?: string;
  /** Live: the number of every project the configurations name (pool and provider names need it). */
  readonly projectNumber?: string;
  /** Live: numbers by project ID, when the configurations name several projects. */
  readonly projectNumbers?: Readonly<Record<string, string>>;
  /** Live: the project of resources whose configuration names none. */
  readonly project?: string;
  readonly endpoints?: Partial<GcpEndpoints>;
  /** Values of Terraform variables (live; the emulator takes its own in `emulator.variables`). */
  readonly variables?: Readonly<Record<string, string>>;
  /** Emulator settings for the local target. */
  readonly emulator?: Partial<Omit<GcpEmulatorOptions, 'sources'>>;
}

export interface GcpConformanceRun {
  readonly target: string;
  readonly gates: readonly GateSummary[];
  readonly results: readonly CheckResult[];
  /** Whether each gate's detection signals exist: outside the results and the exit code. */
  readonly advisories: readonly Advisory[];
  /** Requests sent, retries included. */
  readonly requests: number;
}

export function gcpSummaryOf(gate: GcpGate): GateSummary {
  return { id: gate.id, cloud: 'gcp', source: gate.file, privilege: gate.privilege };
}

/** Probes every GCP workload identity gate of the sources on a target. */
export async function runGcpConformance(options: GcpConformanceOptions): Promise<GcpConformanceRun> {
  const gates = discoverGcpGates(options.sources);
  const plan = planChecks(GCP_CHECKS, options.tags ?? []);
  let emulator: RunningGcpEmulator | undefined;
  try {
    let target: GcpHttpProbeTarget;
    let configurations: readonly AppliedConfiguration[];
    let deploymentProblems: GcpDeploymentProblems | undefined;
    let keySources: KeySources;
    const privateKeys = options.pki?.keys ?? [];
    const issuerKeys = options.issuerKeys ?? [];
    if (options.target === 'local') {
      emulator = await startGcpEmulator({ sources: options.sources, ...options.emulator });
      const running = emulator;
      target = new GcpHttpProbeTarget('local', { sts: running.endpoint, iamCredentials: running.endpoint }, options.requestDeadlineMs);
      configurations = running.configurations;
      deploymentProblems = (stackName, addresses) => running.problems.filter((p) => addresses.some((a) => p.origin === `${stackName}/${a}`)).map((p) => `${p.origin}: ${p.problem}`);
      keySources = { privateKeys, issuerKeys, played: running.playedIssuers };
    } else {
      target = new GcpHttpProbeTarget('gcp', { ...PUBLIC_GCP_ENDPOINTS, ...options.endpoints }, options.requestDeadlineMs);
      configurations = applyGcpTerraform(options.sources, {
        projectNumberOf: (project) => options.projectNumbers?.[project] ?? options.projectNumber,
        defaultProject: options.project ?? '',
        variables: options.variables,
      });
      keySources = { privateKeys, issuerKeys, target };
    }
    const resolved: ResolvedGcpGate[] = [];
    for (const gate of resolveGcpGates(gates, configurations, deploymentProblems)) {
      const found = await keysForGate(gate.issuer, gate.jwks, keySources);
      resolved.push({ ...gate, keys: found.keys, ...(found.noKeyReason ? { noKeyReason: found.noKeyReason } : {}) });
    }
    const tokenCommand = options.tokenCommand;
    const context = new GcpProbeContext({
      target,
      limiter: new RateLimiter(options.ratePerSecond ?? 10),
      retry: options.retry ?? DEFAULT_RETRY_POLICY,
      ...(tokenCommand ? { tokenCommand: () => runTokenCommand(tokenCommand) } : {}),
    });
    const runs: Array<GateRun<ResolvedGcpGate, GcpProbeContext>> = resolved.map((gate) => ({ id: gate.gate.id, cloud: 'gcp', gate, context, checks: plan.checks, ...(plan.excludedControl ? { excludedControl: plan.excludedControl } : {}) }));
    const results = await runGates(runs as Array<GateRun<unknown, unknown>>, {
      concurrency: options.concurrency ?? 4,
      signal: options.signal,
      onResult: options.onResult,
      ...(options.allowUnproven ? { allowUnproven: options.allowUnproven } : {}),
    });
    const advisories = gates.flatMap((gate) => {
      const source = options.sources.find((s) => s.file === gate.file);
      return source ? gcpAdvisoriesOf(source.model, gate) : [];
    });
    return { target: target.name, gates: gates.map(gcpSummaryOf), results, advisories, requests: context.attempts };
  } finally {
    await emulator?.close();
  }
}
