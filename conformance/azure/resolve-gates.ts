import { Value } from '../../lib/model/terraform/expressions';
import { AzureGate } from './discover-gates';
import { TerraformSource } from '../../lib/model/terraform/configuration';
import { AppliedConfiguration, AppliedResource } from '../../lib/model/terraform/apply';
import { DEFAULT_AZURE_ENVIRONMENT } from '../../lib/model/azure/assigned-ids';
import { azureProviderModel } from '../../lib/model/azure/azure-provider';
import { Jwks } from '../../lib/core/jwks';
import { applyTerraform } from '../../lib/model/terraform/apply';
import { IssuerKey, keysForJwks } from '../oidc/issuer-key';
import { fetchIssuerJwks } from './issuer-jwks';
import { ProbeCredential, ResolvedAzureGate } from './probe-context';

const rsaFirst = (keys: readonly IssuerKey[]) => [...keys.filter((k) => k.alg === 'RS256'), ...keys.filter((k) => k.alg !== 'RS256')];
const addressOf = (origin: string, stackName: string) => origin.slice(stackName.length + 1);

/**
 * Whether a credential is one the gate manifest declares: the same issuer, subject and audience
 * (Entra compares them exactly). A credential edited after synth is no longer declared.
 */
function isDeclared(gate: AzureGate, credential: { readonly issuer: string; readonly subject: string; readonly audience: string | undefined }): boolean {
  return (gate.manifest?.credentials ?? []).some((d) => d.issuer === credential.issuer && d.subject === credential.subject && d.audience === credential.audience);
}

/** An identity of a tenant deployed from the configurations, as the local resolver reads it. */
export interface DeployedIdentity {
  readonly clientId: string;
  readonly resourceId: string;
  readonly origins: readonly string[];
  readonly federatedCredentials: ReadonlyArray<{ readonly origin: string; readonly issuer: string; readonly subject: string; readonly audiences: readonly string[] }>;
  /** An agent identity's blueprint, by client ID. */
  readonly blueprintClientId?: string;
}

/**
 * What the local resolver needs of a tenant deployed from the configurations — the running
 * emulator is one; the resolver reads it through this shape so probing never depends on the
 * emulator's code.
 */
export interface DeployedTenant {
  readonly tenantId: string;
  readonly configurations: readonly AppliedConfiguration[];
  readonly world: { identityByOrigin(origin: string): DeployedIdentity | undefined; readonly identities: ReadonlyMap<string, DeployedIdentity> };
  readonly playedIssuers: ReadonlyMap<string, { readonly signingKeys: readonly IssuerKey[] }>;
}

/** Resolves gates against the local emulator: identities, credentials and issuer keys as it deployed and plays them. */
export function resolveLocalAzureGates(gates: readonly AzureGate[], emulator: DeployedTenant, scope: string): ResolvedAzureGate[] {
  const { world } = emulator;
  return gates.map((gate) => {
    const configuration = emulator.configurations.find((c) => c.stackName === gate.stackName && c.file === gate.file);
    const involved = new Set([gate.identity?.address, ...gate.credentials.map((c) => c.address), ...gate.roles.map((r) => r.resource)].filter((a): a is string => a !== undefined));
    const problems = (configuration?.problems ?? []).filter((p) => involved.has(p.address)).map((p) => `${p.address}: ${p.problem}`);
    const identity = world.identityByOrigin(gate.id);
    if (!identity) problems.push(`the identity ${gate.id} is not deployed`);
    // An agent identity holds no credential: its blueprint's are leg 1 of its tokens.
    const blueprint = gate.agent && identity?.blueprintClientId ? world.identities.get(identity.blueprintClientId) : undefined;
    if (gate.agent && identity && !blueprint) problems.push(`the blueprint of ${gate.id} is not deployed`);
    const holder = gate.agent ? blueprint : identity;
    const credentials: ProbeCredential[] = (holder?.federatedCredentials ?? []).map((c) => {
      const address = c.origin.startsWith(`${gate.stackName}/`) ? addressOf(c.origin, gate.stackName) : c.origin;
      const credential = { issuer: c.issuer, subject: c.subject, audience: c.audiences[0] };
      return { address, ...credential, declared: isDeclared(gate, credential) };
    });
    const issuerKeys = new Map(credentials.map((c) => [c.issuer, emulator.playedIssuers.get(c.issuer)?.signingKeys ?? []]));
    const foreignSubjects = [...world.identities.values()]
      .filter((other) => other !== identity && other !== holder)
      .flatMap((other) => other.federatedCredentials.map((c) => ({ subject: c.subject, identity: other.origins[0] ?? other.resourceId, issuer: c.issuer })));
    return {
      gate,
      tenantId: emulator.tenantId,
      ...(identity ? { clientId: identity.clientId } : {}),
      ...(blueprint ? { blueprintClientId: blueprint.clientId } : {}),
      credentials,
      problems,
      ...(gate.manifest ? { agentSubject: gate.manifest.identity.spiffeId } : {}),
      issuerKeys,
      noKeyReason: `the emulator has no RS256 key for the issuer (its JWKS came from issuerJwks and no --pki key matches it)`,
      foreignSubjects,
      scope,
    };
  });
}

export interface LiveResolution {
  readonly sources: readonly TerraformSource[];
  /** The tenant: given, else the literal `tenant_id` of the configuration's azurerm/azuread provider, else `fallbackTenantId`. */
  readonly tenantId?: string;
  /** The tenant when neither is known (e.g. `AZURE_TENANT_ID`): the environment never overrides the configuration. */
  readonly fallbackTenantId?: string;
  /** Client IDs by gate ID, identity address or identity name. */
  readonly clientIds?: Readonly<Record<string, string>>;
  /** The client ID when there is exactly one gate (e.g. `AZURE_CLIENT_ID`). */
  readonly soleClientId?: string;
  readonly variables?: Readonly<Record<string, string>>;
  /** The user's private issuer keys: paired with each issuer by the public keys it publishes. */
  readonly candidateKeys: readonly IssuerKey[];
  /** Issuers' JWKS given by the user; otherwise fetched from the issuer's discovery document. */
  readonly issuerJwks?: Readonly<Record<string, Jwks>>;
  /** A CA to trust for issuer metadata besides the system's. */
  readonly caPem?: string;
  readonly scope: string;
}

/** The literal tenant_id of the azurerm or azuread provider block, if one is written out. */
function providerTenant(source: TerraformSource): string | undefined {
  const providers = source.model.configuration.provider as Record<string, unknown> | undefined;
  for (const name of ['azurerm', 'azuread']) {
    for (const block of [providers?.[name]].flat()) {
      const tenant = (block as { tenant_id?: unknown } | undefined)?.tenant_id;
      if (typeof tenant === 'string' && !tenant.includes('${')) return tenant;
    }
  }
  return undefined;
}

/**
 * Resolves gates for a live tenant. Credentials' issuer, subject and audience are read from the
 * configuration with variables and locals applied; the client ID Azure gave each identity is
 * known only after apply, so it must be given (`clientIds`); keys are paired with issuers by the
 * public keys each issuer publishes.
 */
export async function resolveLiveAzureGates(gates: readonly AzureGate[], options: LiveResolution): Promise<ResolvedAzureGate[]> {
  const applied = new Map(
    options.sources.map((s) => [`${s.stackName}\u0000${s.file}`, applyTerraform([s], azureProviderModel(DEFAULT_AZURE_ENVIRONMENT, s.stackName), options.variables)[0]]),
  );
  const read = gates.map((gate) => {
    const configuration = applied.get(`${gate.stackName}\u0000${gate.file}`);
    const problems: string[] = [];
    const credentials: ProbeCredential[] = [];
    for (const discovered of gate.credentials) {
      const attributes = credentialFields(configuration?.resources.get(discovered.address));
      const audience = firstString(attributes.audience ?? attributes.audiences);
      const { issuer, subject } = attributes;
      if (typeof issuer !== 'string' || typeof subject !== 'string' || audience === undefined) {
        problems.push(`${discovered.address}: issuer, subject or audience is not known before apply (${discovered.issuer}, ${discovered.subject}, ${discovered.audiences.join(', ')}); pass the variables it uses`);
        continue;
      }
      credentials.push({ address: discovered.address, issuer, subject, audience, declared: isDeclared(gate, { issuer, subject, audience }) });
    }
    return { gate, credentials, problems };
  });

  const keysByIssuer = new Map<string, { keys: IssuerKey[]; why?: string }>();
  for (const issuer of new Set(read.flatMap((r) => r.credentials.map((c) => c.issuer)))) {
    if (options.candidateKeys.length === 0) {
      keysByIssuer.set(issuer, { keys: [], why: "no issuer key: put the issuer's private key in --pki (issuerKeys in the API), or name a --token-command" });
      continue;
    }
    const jwks = options.issuerJwks?.[issuer] ?? (await fetchIssuerJwks(issuer, { caPem: options.caPem }));
    if ('error' in jwks) {
      keysByIssuer.set(issuer, { keys: [], why: `the keys of ${issuer} could not be read (${jwks.error}); pass its JWKS with --issuer-jwks ${issuer}=<file> (issuerJwks in the API)` });
      continue;
    }
    const keys = rsaFirst(keysForJwks(jwks, options.candidateKeys.map((k) => ({ key: k.privateKey }))));
    keysByIssuer.set(issuer, keys.length > 0 ? { keys } : { keys: [], why: `none of the ${options.candidateKeys.length} issuer key(s) given is published by ${issuer}` });
  }

  return read.map(({ gate, credentials, problems }) => {
    const source = options.sources.find((s) => s.stackName === gate.stackName && s.file === gate.file);
    const names = [gate.id, gate.identity?.address, typeof gate.identity?.attributes.name === 'string' ? gate.identity.attributes.name : undefined].filter((n): n is string => n !== undefined);
    const clientId = names.map((n) => options.clientIds?.[n]).find((id) => id !== undefined) ?? (gates.length === 1 ? options.soleClientId : undefined);
    const blueprintClientId = gate.agent ? liveBlueprintClientId(gate, options.clientIds) : undefined;
    const tenantId = options.tenantId ?? (source ? providerTenant(source) : undefined) ?? options.fallbackTenantId;
    const missing = [
      !tenantId ? 'the tenant ID (--tenant-id, or tenantId in the API; AZURE_TENANT_ID)' : undefined,
      !clientId ? `the identity's client ID (--client-id ${gate.id}=<client id>, or clientIds in the API; AZURE_CLIENT_ID for a single gate)` : undefined,
      gate.agent && !blueprintClientId
        ? `its blueprint's client ID, leg 1's client_id (--client-id ${gate.stackName}/${gate.agent.blueprint ?? '<blueprint address>'}=<blueprint app id>, or clientIds in the API)`
        : undefined,
    ].filter(Boolean);
    const issuerKeys = new Map(credentials.map((c) => [c.issuer, keysByIssuer.get(c.issuer)?.keys ?? []]));
    const noKeyReason = [...new Set(credentials.map((c) => keysByIssuer.get(c.issuer)?.why).filter(Boolean))].join('; ') || 'no issuer key';
    return {
      gate,
      ...(tenantId ? { tenantId } : {}),
      ...(clientId ? { clientId } : {}),
      ...(blueprintClientId ? { blueprintClientId } : {}),
      credentials,
      problems,
      ...(missing.length > 0 ? { unresolved: `a live tenant needs ${missing.join(' and ')}` } : {}),
      ...(gate.manifest ? { agentSubject: gate.manifest.identity.spiffeId } : {}),
      issuerKeys,
      noKeyReason,
      foreignSubjects: read.filter((r) => r.gate !== gate).flatMap((r) => r.credentials.map((c) => ({ subject: c.subject, identity: r.gate.id, issuer: c.issuer }))),
      scope: options.scope,
    };
  });
}

/**
 * The fields of a federated credential: attributes of an azurerm/azuread resource, or the request
 * body of a blueprint credential written through Graph (msgraph_resource, msgraph_update_resource),
 * whose issuer, subject and audiences are in `body`.
 */
function credentialFields(resource: AppliedResource | undefined): Readonly<Record<string, Value>> {
  const attributes = resource?.attributes ?? {};
  const body = attributes.body;
  if (resource?.type.startsWith('msgraph_') && body !== null && typeof body === 'object' && !Array.isArray(body)) return body as Readonly<Record<string, Value>>;
  return attributes;
}

function firstString(value: Value | undefined): string | undefined {
  if (typeof value === 'string') return value;
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An agent gate's blueprint client ID on a live tenant: given by the blueprint's gate-style ID or
 * address (its appId is known only after apply), or written literally as the agent's blueprint.
 */
function liveBlueprintClientId(gate: AzureGate, clientIds: Readonly<Record<string, string>> | undefined): string | undefined {
  const blueprint = gate.agent?.blueprint;
  if (blueprint === undefined) return undefined;
  if (GUID.test(blueprint)) return blueprint;
  return clientIds?.[`${gate.stackName}/${blueprint}`] ?? clientIds?.[blueprint];
}
