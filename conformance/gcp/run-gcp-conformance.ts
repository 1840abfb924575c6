import { GCP_CHECKS } from '../checks/gcp';
import { GcpGate, discoverGcpGates } from './discover-gates';
import { TerraformSource } from '../../lib/model/terraform/configuration';
import { configurationsOf } from '../discovery/app-sources';
import { GcpEmulatorOptions, startGcpEmulator } from '../emulator/gcp-emulator';
import { applyGcpTerraform } from '../../lib/model/gcp/google-provider';
import { AppliedConfiguration } from '../../lib/model/terraform/apply';
import { gcpAdvisoriesOf } from './signals';
import { CloudConformance, CloudRun, CommonRunOptions, PreparedTarget, TargetSetup, runCloudConformance } from '../engine/cloud-conformance';
import { GateSummary, gateSummaryOf } from '../engine/report';
import { describeGcpPath, routeOfGcpPath } from '../../lib/model/gcp/issuance-paths';
import { IssuerKey } from '../oidc/issuer-key';
import { runTokenCommand } from '../oidc/token-command';
import { GcpEndpoints, GcpHttpProbeTarget, PUBLIC_GCP_ENDPOINTS } from './gcp-probe-target';
import { KeySources, keysForGate } from './issuer-keys';
import { GCP_LIVE_QUOTAS, GcpProbeContext } from './probe-context';
import { renderGcpGateTable } from './gate-table';
import { GcpDeploymentProblems, ResolvedGcpGate, resolveGcpGates } from './resolve-gates';

export interface GcpConformanceOptions extends CommonRunOptions<TerraformSource> {
  /** `local` (the in-process emulator) or `gcp` (sts.googleapis.com and iamcredentials.googleapis.com). */
  readonly target: 'local' | 'gcp';
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

/** What a GCP run found and concluded. */
export type GcpConformanceRun = CloudRun;

export function gcpSummaryOf(gate: GcpGate): GateSummary {
  // The ID names the account too: a project-level grant is one path to each account it reaches.
  return gateSummaryOf('gcp', gate, gate.paths.map((p) => ({ id: `${p.account}/${p.id}`, attested: p.attested, description: describeGcpPath(p), ...(p.acknowledged ? { acknowledged: p.acknowledged } : {}), route: routeOfGcpPath(p) })));
}

/** Workload identity federation gates, as the engine runs them. */
export const GCP_CONFORMANCE: CloudConformance<TerraformSource, GcpGate, ResolvedGcpGate, GcpProbeContext, GcpConformanceOptions> = {
  cloud: 'gcp',
  // Far below the STS and IAM credentials quotas.
  defaultRatePerSecond: 10,
  liveQuotas: GCP_LIVE_QUOTAS,
  checks: GCP_CHECKS,
  discover: discoverGcpGates,
  title: 'GCP — workload identity federation',
  summary: gcpSummaryOf,
  gateTable: renderGcpGateTable,
  advisories: (gates, sources) =>
    gates.flatMap((gate) => {
      const source = sources.find((s) => s.file === gate.file);
      return source ? gcpAdvisoriesOf(source.model, gate) : [];
    }),
  sourcesToDeploy: configurationsOf,
  prepare: prepareGcp,
};

/** The target of a GCP run: the emulator, or Google with the configurations applied to the given projects. */
async function prepareGcp(gates: readonly GcpGate[], options: GcpConformanceOptions, setup: TargetSetup): Promise<PreparedTarget<ResolvedGcpGate, GcpProbeContext>> {
  let target: GcpHttpProbeTarget;
  let configurations: readonly AppliedConfiguration[];
  let deploymentProblems: GcpDeploymentProblems | undefined;
  let keySources: KeySources;
  const privateKeys = options.pki?.keys ?? [];
  const issuerKeys = options.issuerKeys ?? [];
  if (options.target === 'local') {
    const emulator = await startGcpEmulator({ sources: options.sources, ...options.emulator });
    setup.onClose(() => emulator.close());
    target = new GcpHttpProbeTarget('local', { sts: emulator.endpoint, iamCredentials: emulator.endpoint }, setup.requestDeadlineMs);
    configurations = emulator.configurations;
    deploymentProblems = (stackName, addresses) => emulator.problems.filter((p) => addresses.some((a) => p.origin === `${stackName}/${a}`)).map((p) => `${p.origin}: ${p.problem}`);
    keySources = { privateKeys, issuerKeys, played: emulator.playedIssuers };
  } else {
    target = new GcpHttpProbeTarget('gcp', { ...PUBLIC_GCP_ENDPOINTS, ...options.endpoints }, setup.requestDeadlineMs);
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
    limiter: setup.limiter,
    retry: setup.retry,
    ...(tokenCommand ? { tokenCommand: () => runTokenCommand(tokenCommand) } : {}),
  });
  // The command's token is in the plan's request keys (the control sends it; the mutations start
  // from its claims), so it is fetched before the plan; a command that fails is said by the checks.
  await context.tokenFromCommand();
  return { name: target.name, gates: resolved.map((gate) => ({ id: gate.gate.id, resolved: gate })), context, requests: () => context.attempts };
}

/** Probes every GCP workload identity gate of the sources on a target. */
export function runGcpConformance(options: GcpConformanceOptions): Promise<GcpConformanceRun> {
  return runCloudConformance(GCP_CONFORMANCE, options);
}
