import { AZURE_CHECKS } from '../checks/azure';
import { AzureGate, discoverAzureGates } from './discover-gates';
import { TerraformSource } from '../../lib/model/terraform/configuration';
import { configurationsOf } from '../discovery/app-sources';
import { AzureEmulatorOptions, startAzureEmulator } from '../emulator/azure-emulator';
import { Jwks } from '../../lib/core/jwks';
import { azureAdvisoriesOf } from './signals';
import { CloudConformance, CloudRun, CommonRunOptions, PreparedTarget, TargetSetup, runCloudConformance } from '../engine/cloud-conformance';
import { GateSummary, gateSummaryOf } from '../engine/report';
import { IssuerKey, pkiIssuerKeys } from '../oidc/issuer-key';
import { AzureHttpProbeTarget, PUBLIC_AUTHORITY_HOST } from './azure-probe-target';
import { AZURE_LIVE_QUOTAS, AzureProbeContext, DEFAULT_PROBE_SCOPE, ResolvedAzureGate, withOtherBlueprints } from './probe-context';
import { resolveLiveAzureGates, resolveLocalAzureGates } from './resolve-gates';
import { renderAzureGateTable } from './gate-table';
import { runTokenCommand } from '../oidc/token-command';
import { describeAzurePath, routeOfAzurePath } from '../../lib/model/azure/issuance-paths';

export interface AzureConformanceOptions extends CommonRunOptions<TerraformSource> {
  /** `local` (the in-process emulator) or `azure` (Entra). */
  readonly target: 'local' | 'azure';
  /** Issuer private keys besides `--pki`'s (API users). */
  readonly issuerKeys?: readonly IssuerKey[];
  /**
   * Issuers' public keys, by issuer. Live: pairs the keys with the issuer without fetching its
   * discovery document. Local: the emulator publishes exactly these for the issuer.
   */
  readonly issuerJwks?: Readonly<Record<string, Jwks>>;
  /** Live: a command printing a valid token for a gate (the positive control when no issuer key is at hand). */
  readonly tokenCommand?: string;
  /** Live: the tenant. @default the configuration's literal provider tenant_id, else AZURE_TENANT_ID */
  readonly tenantId?: string;
  /** Live: each identity's client ID, by gate ID, identity address or identity name. @default AZURE_CLIENT_ID for a single gate */
  readonly clientIds?: Readonly<Record<string, string>>;
  /** Terraform input variables the credentials' values use. */
  readonly variables?: Readonly<Record<string, string>>;
  /** The scope probes request. @default https://management.azure.com/.default */
  readonly scope?: string;
  readonly endpoints?: {
    /** @default AZURE_AUTHORITY_HOST, else https://login.microsoftonline.com */
    readonly authorityHost?: string;
    /** A CA to trust for the authority host and issuer metadata besides the system's, PEM. */
    readonly caPem?: string;
  };
  /** Emulator settings for the local target. */
  readonly emulator?: Partial<Omit<AzureEmulatorOptions, 'sources'>>;
}

/** What an Azure run found and concluded. */
export type AzureConformanceRun = CloudRun;

/** Federated identity credential gates, as the engine runs them. */
export const AZURE_CONFORMANCE: CloudConformance<TerraformSource, AzureGate, ResolvedAzureGate, AzureProbeContext, AzureConformanceOptions> = {
  cloud: 'azure',
  defaultRatePerSecond: 5,
  // Empty: Entra documents no rate for the token endpoint, the only one probes call (AZURE_LIVE_QUOTAS says where we looked).
  liveQuotas: AZURE_LIVE_QUOTAS,
  checks: AZURE_CHECKS,
  discover: discoverAzureGates,
  title: 'Azure — federated identity credentials',
  summary: (gate) => azureGateSummary(gate),
  gateTable: renderAzureGateTable,
  advisories: (gates, sources) =>
    gates.flatMap((gate) => {
      const source = sources.find((s) => s.file === gate.file);
      return source ? azureAdvisoriesOf(source.model, gate) : [];
    }),
  sourcesToDeploy: configurationsOf,
  prepare: prepareAzure,
};

/** The target of an Azure run: the emulator, or Entra with the identities' client IDs. */
async function prepareAzure(gates: readonly AzureGate[], options: AzureConformanceOptions, setup: TargetSetup): Promise<PreparedTarget<ResolvedAzureGate, AzureProbeContext>> {
  const userKeys = [...(options.issuerKeys ?? []), ...pkiIssuerKeys(options.pki)];
  const scope = options.scope ?? DEFAULT_PROBE_SCOPE;
  let target: AzureHttpProbeTarget;
  let resolved: ResolvedAzureGate[];
  let tenantKey: IssuerKey | undefined;
  if (options.target === 'local') {
    const emulator = await startAzureEmulator({
      sources: options.sources,
      variables: options.variables,
      ...options.emulator,
      issuerKeys: [...userKeys, ...(options.emulator?.issuerKeys ?? [])],
      issuerJwks: { ...options.issuerJwks, ...options.emulator?.issuerJwks },
    });
    setup.onClose(() => emulator.close());
    target = new AzureHttpProbeTarget({ name: 'local', authorityHost: emulator.authorityHost, caPem: emulator.caPem, timeoutMs: setup.requestDeadlineMs });
    resolved = resolveLocalAzureGates(gates, emulator, scope);
    tenantKey = emulator.server.tenantKey;
  } else {
    const authorityHost = options.endpoints?.authorityHost ?? process.env.AZURE_AUTHORITY_HOST ?? PUBLIC_AUTHORITY_HOST;
    target = new AzureHttpProbeTarget({ name: `azure (${new URL(authorityHost).host})`, authorityHost, caPem: options.endpoints?.caPem, timeoutMs: setup.requestDeadlineMs });
    resolved = await resolveLiveAzureGates(gates, {
      sources: options.sources,
      tenantId: options.tenantId,
      fallbackTenantId: process.env.AZURE_TENANT_ID,
      clientIds: options.clientIds,
      soleClientId: process.env.AZURE_CLIENT_ID,
      variables: options.variables,
      candidateKeys: userKeys,
      issuerJwks: options.issuerJwks,
      caPem: options.endpoints?.caPem,
      scope,
    });
  }
  let commandToken: Promise<string> | undefined;
  const tokenCommand = options.tokenCommand;
  const context = new AzureProbeContext({
    target,
    limiter: setup.limiter,
    retry: setup.retry,
    ...(tenantKey ? { tenantKey } : {}),
    // Run once, and only if a gate has no issuer key for its control.
    ...(tokenCommand ? { commandToken: () => (commandToken ??= runTokenCommand(tokenCommand)) } : {}),
  });
  return { name: target.name, gates: withOtherBlueprints(resolved).map((gate) => ({ id: gate.gate.id, resolved: gate })), context, requests: () => context.attempts };
}

/** Probes every Azure gate of the sources on a target. */
export function runAzureConformance(options: AzureConformanceOptions): Promise<AzureConformanceRun> {
  return runCloudConformance(AZURE_CONFORMANCE, options);
}

export function azureGateSummary(gate: AzureGate): GateSummary {
  return gateSummaryOf('azure', gate, gate.paths.map((p) => ({ id: p.id, attested: p.attested, description: describeAzurePath(p), ...(p.acknowledged ? { acknowledged: p.acknowledged } : {}), route: routeOfAzurePath(p, gate.id) })));
}
