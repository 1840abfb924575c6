import { AZURE_CHECKS } from '../checks/azure';
import { AzureGate, discoverAzureGates } from '../discovery/azure-gates';
import { TerraformSource } from '../discovery/terraform-sources';
import { AzureEmulatorOptions, RunningAzureEmulator, startAzureEmulator } from '../emulator/azure-emulator';
import { Jwks } from '../emulator/azure/played-issuers';
import { azureAdvisoriesOf } from '../discovery/azure-signals';
import { Advisory, CheckResult, GateSummary } from '../engine/report';
import { DEFAULT_RETRY_POLICY, RateLimiter, RetryPolicy } from '../engine/retry';
import { GateRun, planChecks, runGates } from '../engine/runner';
import { IssuerKey, issuerKeyOf } from '../oidc/issuer-key';
import { PkiMaterial } from '../pki/pki-directory';
import { AzureHttpProbeTarget, PUBLIC_AUTHORITY_HOST } from './azure-probe-target';
import { AzureProbeContext, DEFAULT_PROBE_SCOPE, ResolvedAzureGate } from './probe-context';
import { resolveLiveAzureGates, resolveLocalAzureGates } from './resolve-gates';
import { runTokenCommand } from '../oidc/token-command';

export interface AzureConformanceOptions {
  readonly sources: readonly TerraformSource[];
  /** Issuer keys are the `--pki` private keys that pair with no certificate (CA keys do). */
  readonly pki?: PkiMaterial;
  /** `local` (the in-process emulator) or `azure` (Entra). */
  readonly target: 'local' | 'azure';
  /** Check selection by tag (`kind:negative`, `!requires:issuer-key`) or ID. */
  readonly tags?: readonly string[];
  /** @default 5 */
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

export interface AzureConformanceRun {
  readonly target: string;
  readonly gates: readonly GateSummary[];
  readonly results: readonly CheckResult[];
  /** Whether each gate's detection signals exist: outside the results and the exit code. */
  readonly advisories: readonly Advisory[];
  /** Token requests sent, retries included. */
  readonly requests: number;
}

/** The `--pki` keys that pair with no certificate and that an OIDC issuer can use (RSA, EC P-256). */
export function pkiIssuerKeys(pki: PkiMaterial | undefined): IssuerKey[] {
  if (!pki) return [];
  const keys: IssuerKey[] = [];
  for (const { key, file } of pki.keys) {
    if (!pki.unmatchedKeys.includes(file)) continue;
    try {
      keys.push(issuerKeyOf(key));
    } catch {
      // An Ed25519 or P-384 key cannot sign for Entra; it is not an issuer key here.
    }
  }
  return keys;
}

/** Probes every Azure gate of the sources on a target. */
export async function runAzureConformance(options: AzureConformanceOptions): Promise<AzureConformanceRun> {
  const gates = discoverAzureGates(options.sources);
  const plan = planChecks(AZURE_CHECKS, options.tags ?? []);
  const userKeys = [...(options.issuerKeys ?? []), ...pkiIssuerKeys(options.pki)];
  const scope = options.scope ?? DEFAULT_PROBE_SCOPE;
  let emulator: RunningAzureEmulator | undefined;
  try {
    let target: AzureHttpProbeTarget;
    let resolved: ResolvedAzureGate[];
    if (options.target === 'local') {
      emulator = await startAzureEmulator({
        sources: options.sources,
        variables: options.variables,
        ...options.emulator,
        issuerKeys: [...userKeys, ...(options.emulator?.issuerKeys ?? [])],
        issuerJwks: { ...options.issuerJwks, ...options.emulator?.issuerJwks },
      });
      target = new AzureHttpProbeTarget({ name: 'local', authorityHost: emulator.authorityHost, caPem: emulator.caPem, timeoutMs: options.requestDeadlineMs });
      resolved = resolveLocalAzureGates(gates, emulator, scope);
    } else {
      const authorityHost = options.endpoints?.authorityHost ?? process.env.AZURE_AUTHORITY_HOST ?? PUBLIC_AUTHORITY_HOST;
      target = new AzureHttpProbeTarget({ name: `azure (${new URL(authorityHost).host})`, authorityHost, caPem: options.endpoints?.caPem, timeoutMs: options.requestDeadlineMs });
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
      limiter: new RateLimiter(options.ratePerSecond ?? 5),
      retry: options.retry ?? DEFAULT_RETRY_POLICY,
      // Run once, and only if a gate has no issuer key for its control.
      ...(tokenCommand ? { commandToken: () => (commandToken ??= runTokenCommand(tokenCommand)) } : {}),
    });
    const runs: Array<GateRun<ResolvedAzureGate, AzureProbeContext>> = resolved.map((gate) => ({ id: gate.gate.id, cloud: 'azure', gate, context, checks: plan.checks, ...(plan.excludedControl ? { excludedControl: plan.excludedControl } : {}) }));
    const results = await runGates(runs as Array<GateRun<unknown, unknown>>, {
      concurrency: options.concurrency ?? 4,
      signal: options.signal,
      onResult: options.onResult,
      ...(options.allowUnproven ? { allowUnproven: options.allowUnproven } : {}),
    });
    const advisories = gates.flatMap((gate) => {
      const source = options.sources.find((s) => s.file === gate.file);
      return source ? azureAdvisoriesOf(source.model, gate) : [];
    });
    return { target: target.name, gates: gates.map(azureGateSummary), results, advisories, requests: context.attempts };
  } finally {
    await emulator?.close();
  }
}

export function azureGateSummary(gate: AzureGate): GateSummary {
  return { id: gate.id, cloud: 'azure', source: gate.file, privilege: gate.privilege };
}
