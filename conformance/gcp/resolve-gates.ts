import { block } from '../../lib/model/terraform/configuration';
import { Value } from '../../lib/model/terraform/expressions';
import { GcpGate } from './discover-gates';
import { ConcreteGrant, IAM_GRANT_TYPE, concreteGrants } from '../../lib/model/gcp/iam-grants';
import { Jwks } from '../../lib/core/jwks';
import { FederatedPrincipal, IMPERSONATION_ROLES } from '../../lib/model/gcp/federated-identity';
import { AppliedConfiguration } from '../../lib/model/terraform/apply';
import { IssuerKey } from '../oidc/issuer-key';
import { PlannedProvider, TokenPlan, planTokens } from './token-plan';

/** A gate as deployed on a target, with what probing it needs. */
export interface ResolvedGcpGate {
  readonly gate: GcpGate;
  /** `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>` */
  readonly providerName?: string;
  readonly poolName?: string;
  /** The STS `audience`: `//iam.googleapis.com/<provider name>`. */
  readonly stsAudience?: string;
  readonly issuer?: string;
  readonly jwks?: Jwks;
  /** Grants (service account and project IAM) whose member is a principal or principal set of the gate's pool. */
  readonly poolGrants: readonly ConcreteGrant[];
  /** Service accounts some principal of the pool may impersonate. */
  readonly reachableServiceAccounts: readonly string[];
  /** Why the gate cannot be probed on this target, if so. */
  readonly problems: readonly string[];
  /** The provider as the token plan reads it (OIDC providers with a known name). */
  readonly provider?: PlannedProvider;
  readonly plan?: TokenPlan;
  /** Emails of the service accounts the gate manifest says its principal may impersonate. */
  readonly intendedServiceAccounts: readonly string[];
  /** Who of the pool may impersonate which service account, per the configuration. */
  readonly impersonations: ReadonlyArray<{ readonly member: string; readonly serviceAccount: string; readonly role: string; readonly origin: string }>;
  /** Keys that sign tokens the provider trusts; empty when none is at hand. */
  readonly keys: readonly IssuerKey[];
  readonly noKeyReason?: string;
}

/** What a pool's grants give, the same for every gate of the pool. */
interface PoolMembers {
  readonly poolGrants: readonly ConcreteGrant[];
  readonly impersonations: ResolvedGcpGate['impersonations'];
  readonly reachableServiceAccounts: readonly string[];
  /** Members that hold an impersonation role on some service account. */
  readonly impersonators: ReadonlySet<string>;
  /** Members bound one by one: `principal://…/subject/<s>` of any grant. */
  readonly boundSubjects: ReadonlySet<string>;
}

const NO_POOL: PoolMembers = { poolGrants: [], impersonations: [], reachableServiceAccounts: [], impersonators: new Set(), boundSubjects: new Set() };

/** Why resources could not be deployed on the target (the emulator says; a live project has them or not). */
export type GcpDeploymentProblems = (stackName: string, addresses: readonly string[]) => string[];

const strings = (value: Value | undefined): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** Service accounts a grant lets its member impersonate: the account itself, or every account of the project. */
function impersonatedBy(grant: ConcreteGrant, accountsByProject: ReadonlyMap<string, readonly string[]>): string[] {
  if (!IMPERSONATION_ROLES.has(grant.role) || grant.condition !== undefined) return [];
  return grant.target.kind === 'service-account' ? [grant.target.email] : [...(accountsByProject.get(grant.target.project) ?? [])];
}

/**
 * Resolves discovered gates against the configurations as applied on the target (the
 * emulator's, or — for a live project — applied with the user's project numbers). Keys are
 * attached later (they may need the network).
 */
export function resolveGcpGates(gates: readonly GcpGate[], configurations: readonly AppliedConfiguration[], deploymentProblems: GcpDeploymentProblems = () => []): ResolvedGcpGate[] {
  const { grants, problems: grantProblems } = concreteGrants(configurations);
  const accountsByProject = new Map<string, string[]>();
  for (const configuration of configurations) {
    for (const resource of configuration.resources.values()) {
      if (resource.type !== 'google_service_account' || typeof resource.attributes.email !== 'string') continue;
      const project = String(resource.attributes.project);
      accountsByProject.set(project, [...(accountsByProject.get(project) ?? []), resource.attributes.email]);
    }
  }
  // A pool's grants and what they let its principals impersonate are the same for every gate of
  // the pool: computed once per pool, and the same arrays for each (GcpProbeContext digests them once).
  // The members sets and the reachable accounts too: building them for each gate was N² in the gates of a pool.
  const ofPool = new Map<string, PoolMembers>();
  const grantsOfPool = (poolName: string) => {
    let found = ofPool.get(poolName);
    if (!found) {
      const poolPrefixes = [`principal://iam.googleapis.com/${poolName}/`, `principalSet://iam.googleapis.com/${poolName}/`];
      const poolGrants = grants.filter((g) => poolPrefixes.some((p) => g.member.startsWith(p)));
      const impersonations = poolGrants.flatMap((g) => impersonatedBy(g, accountsByProject).map((serviceAccount) => ({ member: g.member, serviceAccount, role: g.role, origin: g.origin })));
      found = {
        poolGrants,
        impersonations,
        reachableServiceAccounts: [...new Set(impersonations.map((i) => i.serviceAccount))],
        impersonators: new Set(impersonations.map((i) => i.member)),
        boundSubjects: new Set(poolGrants.map((g) => g.member).filter((m) => m.startsWith(`principal://iam.googleapis.com/${poolName}/subject/`))),
      };
      ofPool.set(poolName, found);
    }
    return found;
  };
  return gates.map((gate) => {
    const configuration = configurations.find((c) => c.stackName === gate.stackName && c.file === gate.file);
    const address = gate.provider.address;
    const applied = configuration?.resources.get(address);
    const problems = [
      ...(configuration?.problems ?? []).filter((p) => p.address === address).map((p) => `${p.address}: ${p.problem}`),
      ...deploymentProblems(gate.stackName, [address]),
      // A grant of the gate's configuration that could not be applied (its member not known until
      // apply) may bind this pool's principals: without it the probes would prove a smaller gate.
      ...(configuration?.problems ?? []).filter((p) => IAM_GRANT_TYPE.test(configuration?.resources.get(p.address)?.type ?? '')).map((p) => `${gate.stackName}/${p.address}: ${p.problem}`),
      ...grantProblems.filter((p) => p.origin.startsWith(`${gate.stackName}/`)).map((p) => `${p.origin}: ${p.problem}`),
    ];
    const intendedServiceAccounts = (gate.manifest?.serviceAccounts ?? [])
      .map((sa) => configuration?.resources.get(sa)?.attributes.email)
      .filter((email): email is string => typeof email === 'string');
    const base = { gate, keys: [] as IssuerKey[], intendedServiceAccounts };
    if (!applied) return { ...base, poolGrants: [], impersonations: [], reachableServiceAccounts: [], problems: [...problems, `provider ${address} is not deployed`] };
    const a = applied.attributes;
    const providerName = typeof a.name === 'string' && /\/providers\/[^/]+$/.test(a.name) ? a.name : undefined;
    if (!providerName) problems.push(`the resource name of ${address} is not known (${problems.length > 0 ? 'see above' : 'its pool or project is not resolved'})`);
    const poolName = providerName?.replace(/\/providers\/[^/]+$/, '');
    const { poolGrants, impersonations, reachableServiceAccounts, impersonators, boundSubjects } = poolName ? grantsOfPool(poolName) : NO_POOL;
    const oidc = block(a.oidc);
    const issuer = typeof oidc?.issuer_uri === 'string' ? oidc.issuer_uri : undefined;
    let jwks: Jwks | undefined;
    if (typeof oidc?.jwks_json === 'string' && oidc.jwks_json !== '') {
      try {
        jwks = JSON.parse(oidc.jwks_json) as Jwks;
      } catch {
        problems.push(`${address}: oidc.jwks_json is not JSON`);
      }
    }
    const resolved = { ...base, providerName, poolName, ...(providerName ? { stsAudience: `//iam.googleapis.com/${providerName}` } : {}), issuer, jwks, poolGrants, impersonations, reachableServiceAccounts, problems };
    if (gate.kind !== 'oidc' || !providerName || !poolName || !issuer) return resolved;

    const allowed = strings(oidc?.allowed_audiences);
    const mapping = Object.fromEntries(Object.entries((a.attribute_mapping ?? {}) as Record<string, Value>).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const condition = typeof a.attribute_condition === 'string' && a.attribute_condition !== '' ? a.attribute_condition : undefined;
    const planned: PlannedProvider = {
      name: providerName,
      poolName,
      issuer,
      audiences: allowed.length > 0 ? allowed : [`//iam.googleapis.com/${providerName}`],
      attributeMapping: mapping,
      ...(condition !== undefined ? { attributeCondition: condition } : {}),
      impersonators,
      boundSubjects,
      ...(gate.manifest ? { manifest: { spiffeId: gate.manifest.identity.spiffeId, subject: gate.manifest.subject } } : {}),
    };
    return { ...resolved, provider: planned, plan: planTokens(planned) };
  });
}

/** The service accounts a federated principal may impersonate, per the configuration. */
export function serviceAccountsFor(gate: ResolvedGcpGate, principal: FederatedPrincipal): string[] {
  const byMember = impersonationsByMember(gate.impersonations);
  // In the order of the configuration's grants, as a filter of gate.impersonations gives them: the first is the control's account.
  const matching = [principal.principal, ...principal.principalSets].flatMap((m) => byMember.get(m) ?? []).sort((a, b) => a - b);
  return [...new Set(matching.map((i) => gate.impersonations[i].serviceAccount))];
}

// Indexed once per pool (its gates share one impersonations array): filtering the pool's
// impersonations for each gate's control was N² in the gates of a pool.
const indexedImpersonations = new WeakMap<ResolvedGcpGate['impersonations'], ReadonlyMap<string, readonly number[]>>();
function impersonationsByMember(impersonations: ResolvedGcpGate['impersonations']): ReadonlyMap<string, readonly number[]> {
  let index = indexedImpersonations.get(impersonations);
  if (!index) {
    const built = new Map<string, number[]>();
    impersonations.forEach((i, at) => {
      const list = built.get(i.member);
      if (list) list.push(at);
      else built.set(i.member, [at]);
    });
    indexedImpersonations.set(impersonations, (index = built));
  }
  return index;
}
