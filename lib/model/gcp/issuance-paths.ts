import { ACKNOWLEDGED_PATHS_KEY, readAcknowledgedPaths } from '../../core/acknowledged-paths';
import { TerraformModel, TerraformResource, block, blocks } from '../terraform/configuration';
import { Value, describeValue, isSymbol, isSymbolicString } from '../terraform/expressions';
import { providerProject } from './google-provider';
import { cannotMapTo, pinnedSubject } from './pinned-subject';
import {
  IamGrant,
  MemberReading,
  PoolPrincipal,
  SERVICE_ACCOUNT_TYPE,
  WorkloadIdentityProviderModel,
  iamGrants,
  isHighPrivilegeRole,
  principalInPool,
  readMember,
  serviceAccountAddress,
  workloadIdentityProviders,
} from './google-workload-identity';

/**
 * Every way to obtain a token acting as a service account, read from a Terraform configuration:
 * the gate's own federation (the attested path) and everything else — other members holding a
 * role that lets them act as the account (on it, or on its project, folder or organization),
 * principals of other providers or pools, keys, and workloads the account is attached to (they
 * get its tokens from the metadata server). The conformance check AGC-GCP-012 and the synth-time
 * rule AG-GCP-003 both judge this one list, so they agree.
 *
 * What is not here (and why): who can change an IAM policy (an IAM admin can grant themselves any
 * of these roles — an escalation, not a credential path) and grants made outside the
 * configuration (the check is static; it cannot list a live project's policy).
 */

/** The key, in a service account's `"//"` object, under which it acknowledges unattested paths: `{ "<path id>": "<reason>" }`. */
export const ACKNOWLEDGED_PATHS_METADATA_KEY = ACKNOWLEDGED_PATHS_KEY;

/**
 * Predefined roles that give a token acting as a service account, and how. Sources: Google's
 * "Roles for service account authentication" (workloadIdentityUser and serviceAccountTokenCreator
 * carry getAccessToken/getOpenIdToken, Token Creator also signJwt/signBlob/implicitDelegation;
 * serviceAccountOpenIdTokenCreator carries getOpenIdToken; serviceAccountUser carries actAs, which
 * attaches the account to a workload that then gets its tokens) and "Create and delete service
 * account keys" (serviceAccountKeyAdmin creates keys; "basic roles might also contain permissions to
 * create and delete service account keys" — Owner and Editor hold actAs and serviceAccountKeys.create).
 */
export const ACT_AS_ROLES: Readonly<Record<string, string>> = {
  'roles/iam.workloadIdentityUser': 'getAccessToken/getOpenIdToken',
  'roles/iam.serviceAccountTokenCreator': 'getAccessToken/signJwt/signBlob/getOpenIdToken',
  'roles/iam.serviceAccountOpenIdTokenCreator': 'getOpenIdToken (ID tokens as the account)',
  'roles/iam.serviceAccountUser': 'actAs (runs a workload as the account)',
  'roles/iam.serviceAccountKeyAdmin': 'serviceAccountKeys.create (a key of the account)',
  'roles/owner': 'basic role: actAs and serviceAccountKeys.create',
  'roles/editor': 'basic role: actAs and serviceAccountKeys.create',
};

/** Permissions that obtain a token acting as a service account, for custom roles the configuration defines. */
const ACT_AS_PERMISSIONS = [
  'iam.serviceAccounts.getAccessToken',
  'iam.serviceAccounts.getOpenIdToken',
  'iam.serviceAccounts.signJwt',
  'iam.serviceAccounts.signBlob',
  'iam.serviceAccounts.implicitDelegation',
  'iam.serviceAccounts.actAs',
  'iam.serviceAccountKeys.create',
];

const CUSTOM_ROLE_TYPES = new Set(['google_project_iam_custom_role', 'google_organization_iam_custom_role']);

/**
 * Resources whose workloads run as a service account and get its tokens from the metadata server,
 * with the attribute that names it. Attribute names checked against @cdktf/provider-google 16.12
 * (google 6.50): `…ToTerraform` of each resource's structs.
 */
const ATTACHMENTS: ReadonlyArray<{ readonly type: string; readonly paths: ReadonlyArray<readonly string[]> }> = [
  { type: 'google_compute_instance', paths: [['service_account', 'email']] },
  { type: 'google_compute_instance_template', paths: [['service_account', 'email']] },
  { type: 'google_compute_region_instance_template', paths: [['service_account', 'email']] },
  { type: 'google_cloud_run_v2_service', paths: [['template', 'service_account'], ['build_config', 'service_account']] },
  { type: 'google_cloud_run_v2_job', paths: [['template', 'template', 'service_account']] },
  { type: 'google_cloud_run_service', paths: [['template', 'spec', 'service_account_name']] },
  { type: 'google_cloudfunctions2_function', paths: [['service_config', 'service_account_email'], ['build_config', 'service_account']] },
  { type: 'google_cloudfunctions_function', paths: [['service_account_email'], ['build_service_account']] },
  { type: 'google_container_node_pool', paths: [['node_config', 'service_account']] },
  {
    type: 'google_container_cluster',
    paths: [['node_config', 'service_account'], ['node_pool', 'node_config', 'service_account'], ['cluster_autoscaling', 'auto_provisioning_defaults', 'service_account']],
  },
];

/** A service account a gate's principals can act as. */
export interface GateServiceAccount {
  readonly address: string;
  /** `<account_id>@<project>.iam.gserviceaccount.com`, when both are literal. */
  readonly email?: string;
  /** `high` when declared so or granted a high-privilege role in the configuration; `unknown` otherwise (it may be, through grants elsewhere). */
  readonly privilege: 'high' | 'unknown';
  readonly privilegeReasons: readonly string[];
}

interface PathBase {
  /** Stable within the account: what an acknowledgement names. */
  readonly id: string;
  /** The service account resource the path reaches. */
  readonly account: string;
  /** Why the path is accepted on purpose, when the account acknowledges it. */
  readonly acknowledged?: string;
}

export type GcpIssuancePath = PathBase &
  (
    | {
        /** A principal of a workload identity pool, through one provider of the pool. */
        readonly kind: 'federation';
        /** Whether this is the gate's own provider: the attested path. */
        readonly attested: boolean;
        readonly member: string;
        readonly role: string;
        /** `subject`, `group`, `attribute` or `whole-pool`. */
        readonly scope: PoolPrincipal['scope'];
        /** The member, read: which principals of the pool it covers. */
        readonly principal: PoolPrincipal;
        /** Whether the principal is of the gate's own pool (whose subjects every provider of the pool shares). */
        readonly gatePool: boolean;
        /** The provider's address; `*` when the pool's providers are not in the configuration. */
        readonly provider: string;
        readonly providerDisabled?: boolean;
        readonly pool: string;
        /** `service account`, `project "p"`, … */
        readonly grantedOn: string;
        readonly grant: string;
      }
    | {
        /** Any other member holding a role that gets a token as the account. */
        readonly kind: 'grant';
        readonly attested: false;
        readonly member: string;
        readonly role: string;
        /** What the role lets the member do. */
        readonly how: string;
        readonly grantedOn: string;
        readonly grant: string;
        readonly condition?: string;
      }
    | { readonly kind: 'key'; readonly attested: false; readonly resource: string; readonly what: string }
    | { readonly kind: 'attachment'; readonly attested: false; readonly resource: string; readonly attribute: string }
    | { readonly kind: 'unknown'; readonly attested: undefined; readonly why: string }
  );

const text = (value: Value | undefined): string => (typeof value === 'string' ? value : describeValue(value));

/** How a value that should name a service account reads: one of the configuration's, something else, or not known before apply. */
type AccountReading = { readonly account: string } | { readonly other: true } | { readonly unknown: string };

const EMAIL = /^(?:serviceAccount:|projects\/[^/]+\/serviceAccounts\/)?([^/@\s:]+@[^/\s]+)$/;

function readAccount(model: TerraformModel, value: Value | undefined, emails: ReadonlyMap<string, string>): AccountReading {
  if (value === undefined || value === null || value === '') return { other: true };
  const direct = serviceAccountAddress(model, value);
  if (direct) return { account: direct };
  if (typeof value === 'string') {
    const email = EMAIL.exec(value)?.[1];
    const match = email ? [...emails].find(([, e]) => e === email) : undefined;
    return match ? { account: match[0] } : { other: true };
  }
  // `projects/-/serviceAccounts/${sa.email}`, `${sa.id}`: one reference to a configured account, the rest literal.
  const symbols = isSymbolicString(value) ? value.parts.filter((p) => typeof p !== 'string') : isSymbol(value) ? [value] : [];
  const accounts = symbols.filter((s) => isSymbol(s) && s.symbolic === 'ref' && model.resource(s.address)?.type === SERVICE_ACCOUNT_TYPE);
  if (symbols.length === 1 && accounts.length === 1) return { account: (accounts[0] as { address: string }).address };
  // A reference to another resource's identity (a default compute account data source, a service agent) is not a configured account.
  if (symbols.length > 0 && symbols.every((s) => isSymbol(s) && s.symbolic === 'ref' && model.resource(s.address)?.type !== SERVICE_ACCOUNT_TYPE && !s.address.startsWith('data.google_service_account.'))) {
    return { other: true };
  }
  return { unknown: describeValue(value) };
}

/** The literal project of a resource, or of the configuration's google provider. */
function projectOf(model: TerraformModel, resource: TerraformResource | undefined): string | undefined {
  const own = resource?.attributes.project;
  if (typeof own === 'string') return own;
  if (own !== undefined && own !== null) return undefined;
  return providerProject({ stackName: '', file: model.name, model });
}

function literalEmail(model: TerraformModel, account: TerraformResource): string | undefined {
  const id = account.attributes.account_id;
  const project = projectOf(model, account);
  return typeof id === 'string' && project ? `${id}@${project}.iam.gserviceaccount.com` : undefined;
}

/** The role's capability to act as an account: predefined, a custom role of the configuration, or not known. */
function roleCapability(model: TerraformModel, role: Value): { how: string } | { none: true } | { unknown: string } {
  if (typeof role === 'string') {
    if (ACT_AS_ROLES[role]) return { how: ACT_AS_ROLES[role] };
    // A custom role defined elsewhere may hold any permission.
    if (/^(projects|organizations)\/[^/]+\/roles\//.test(role)) return { unknown: `custom role ${role}, defined outside the configuration` };
    return { none: true };
  }
  if (isSymbol(role) && role.symbolic === 'ref' && CUSTOM_ROLE_TYPES.has(model.resource(role.address)?.type ?? '')) {
    const permissions = model.resource(role.address)!.attributes.permissions;
    if (!Array.isArray(permissions) || !permissions.every((p) => typeof p === 'string')) return { unknown: `custom role ${role.address} with permissions ${describeValue(permissions)}` };
    const held = ACT_AS_PERMISSIONS.filter((p) => (permissions as string[]).includes(p));
    return held.length > 0 ? { how: `custom role ${role.address}: ${held.join(', ')}` } : { none: true };
  }
  return { unknown: `role ${describeValue(role)}, known only at apply` };
}

/** Whether a project-, folder- or organization-level grant covers an account of `project`; undefined when either project is not known before apply. */
function coversProject(model: TerraformModel, grant: IamGrant, project: string | undefined): boolean | undefined {
  const { target } = grant;
  // Folder and organization grants reach every project beneath them; the configuration rarely says which those are, so they count.
  if (target.kind !== 'project') return true;
  const granted = target.value === undefined || target.value === null ? projectOf(model, undefined) : typeof target.value === 'string' ? target.value : undefined;
  return granted === undefined || project === undefined ? undefined : granted === project;
}

function describeTarget(grant: IamGrant): string {
  const t = grant.target;
  if (t.kind === 'service-account') return 'the service account';
  if (t.kind === 'resource') return t.type;
  return `${t.kind} ${text(t.value)}`;
}

function conditionOf(resource: TerraformResource): string | undefined {
  const c = block(resource.attributes.condition);
  return c ? text(c.expression) : undefined;
}

/** Roles on an account whose holders, pool principals, make it one a gate acts as. */
const IMPERSONATION_GRANT_ROLES = ['roles/iam.workloadIdentityUser', 'roles/iam.serviceAccountTokenCreator'];

/** How one grant reaches service accounts, read once per configuration. */
type GrantReach =
  /** On one configured account (by reference), or on an account by literal email, or on no configured account. */
  | { readonly kind: 'account'; readonly address: string }
  | { readonly kind: 'email'; readonly email: string }
  | { readonly kind: 'none' }
  /** On a service account not known before apply: it may be any. */
  | { readonly kind: 'unknown-account' }
  /** On a project, folder or organization: every account of the project it covers. */
  | { readonly kind: 'container' };

function grantReach(model: TerraformModel, grant: IamGrant): GrantReach {
  const t = grant.target;
  if (t.kind === 'service-account') {
    const named = serviceAccountAddress(model, t.value);
    if (named !== undefined) return { kind: 'account', address: named };
    if (typeof t.value === 'string') {
      const email = EMAIL.exec(t.value)?.[1];
      return email !== undefined ? { kind: 'email', email } : { kind: 'none' };
    }
    return { kind: 'unknown-account' };
  }
  return t.kind === 'resource' ? { kind: 'none' } : { kind: 'container' };
}

/**
 * What the paths of every account are read from, computed once per configuration: the grants and
 * how each reaches accounts, the accounts' literal emails, the providers by pool. Judging a stack
 * asks for these once per gate and per account; recomputing them there made 1,000 gates in one
 * pool cubic (bench/synth-tf ran out of a 4 GB heap). The model is immutable, so the index is too.
 */
interface PathIndex {
  readonly grants: readonly IamGrant[];
  readonly reach: ReadonlyMap<IamGrant, GrantReach>;
  /** What each grant's role lets its member do to an account (roleCapability), read once. */
  readonly capability: ReadonlyMap<IamGrant, ReturnType<typeof roleCapability>>;
  /**
   * Positions of the grants whose role may act as an account, by the account they name, by the
   * email they name, and those that may reach any account; a grant of any other role is no path.
   */
  readonly byAccount: ReadonlyMap<string, number[]>;
  readonly byEmail: ReadonlyMap<string, number[]>;
  readonly anyAccount: readonly number[];
  /** Grants by the configured account that is their member (`${sa.member}`, `serviceAccount:<literal email>`). */
  readonly heldBy: (address: string, email: string | undefined) => IamGrant[];
  readonly accounts: readonly string[];
  readonly emails: ReadonlyMap<string, string>;
  readonly providers: readonly WorkloadIdentityProviderModel[];
  readonly providersOfPool: (principal: PoolPrincipal) => WorkloadIdentityProviderModel[];
  /** The providers of the principal's pool that may give a credential that principal (pinned-subject.ts), in configuration order. */
  readonly providersMapping: (principal: PoolPrincipal) => WorkloadIdentityProviderModel[];
  readonly members: (grant: IamGrant) => MemberReading;
  /** Positions of the grants that may let a gate's principals act as an account (workloadIdentityUser, Token Creator to a pool principal), for a gate. */
  readonly impersonationFor: (provider: WorkloadIdentityProviderModel) => number[];
  readonly projects: Map<string, string | undefined>;
}

const indexes = new WeakMap<TerraformModel, PathIndex>();

function pathIndex(model: TerraformModel): PathIndex {
  const known = indexes.get(model);
  if (known) return known;
  const grants = iamGrants(model);
  const reach = new Map(grants.map((g) => [g, grantReach(model, g)]));
  const capability = new Map(grants.map((g) => [g, roleCapability(model, g.role)]));
  const byAccount = new Map<string, number[]>();
  const byEmail = new Map<string, number[]>();
  const anyAccount: number[] = [];
  const add = (map: Map<string, number[]>, key: string, i: number) => (map.get(key) ?? map.set(key, []).get(key)!).push(i);
  grants.forEach((g, i) => {
    const r = reach.get(g)!;
    if ('none' in capability.get(g)!) return;
    if (r.kind === 'account') add(byAccount, r.address, i);
    else if (r.kind === 'email') add(byEmail, r.email, i);
    else if (r.kind === 'unknown-account' || r.kind === 'container') anyAccount.push(i);
  });
  const heldByAddress = new Map<string, number[]>();
  const heldByMember = new Map<string, number[]>();
  grants.forEach((g, i) => {
    const address = serviceAccountAddress(model, g.member);
    if (address !== undefined) add(heldByAddress, address, i);
    if (typeof g.member === 'string') add(heldByMember, g.member, i);
  });
  const accountResources = model.resourcesOfType(SERVICE_ACCOUNT_TYPE);
  const emails = new Map(accountResources.flatMap((r) => (literalEmail(model, r) ? [[r.address, literalEmail(model, r)!] as [string, string]] : [])));
  const providers = workloadIdentityProviders(model);
  const byPool = new Map<string, WorkloadIdentityProviderModel[]>();
  // Per pool: the providers pinned to one subject, by that subject, and the others; so a subject's
  // providers are found without reading every provider of the pool for every account.
  const mappingByPool = new Map<string, { unpinned: number[]; bySubject: Map<string, number[]> }>();
  const positionOf = new Map(providers.map((p, i) => [p, i]));
  const poolKey = (principal: PoolPrincipal) => `${principal.poolAddress ?? ''}\u0000${principal.poolId ?? ''}`;
  const memberReadings = new Map<IamGrant, MemberReading>();
  // Impersonation grants to pool principals, those to one subject by that subject: a gate pinned to
  // one subject looks only at its own and at the others (group, attribute, whole pool, unknown).
  const impersonationBySubject = new Map<string, number[]>();
  const impersonationOther: number[] = [];
  grants.forEach((g, i) => {
    if (typeof g.role !== 'string' || !IMPERSONATION_GRANT_ROLES.includes(g.role)) return;
    const reading = readMember(g.member);
    memberReadings.set(g, reading);
    if (!('principal' in reading)) return;
    if (reading.principal.scope === 'subject' && reading.principal.value !== undefined) add(impersonationBySubject, reading.principal.value, i);
    else impersonationOther.push(i);
  });
  const allImpersonation = [...impersonationOther, ...[...impersonationBySubject.values()].flat()].sort((a, b) => a - b);
  const index: PathIndex = {
    grants,
    reach,
    capability,
    byAccount,
    byEmail,
    anyAccount,
    heldBy: (address, email) => {
      const positions = new Set([...(heldByAddress.get(address) ?? []), ...(email !== undefined ? (heldByMember.get(`serviceAccount:${email}`) ?? []) : [])]);
      return [...positions].sort((a, b) => a - b).map((i) => grants[i]);
    },
    accounts: accountResources.map((r) => r.address),
    emails,
    providers,
    providersOfPool: (principal) => {
      const key = poolKey(principal);
      let found = byPool.get(key);
      if (!found) byPool.set(key, (found = providers.filter((p) => principalInPool(model, principal, p))));
      return found;
    },
    providersMapping: (principal) => {
      const key = poolKey(principal);
      let pool = mappingByPool.get(key);
      if (!pool) {
        pool = { unpinned: [], bySubject: new Map() };
        for (const p of index.providersOfPool(principal)) {
          const subject = pinnedSubject(p);
          const position = positionOf.get(p)!;
          if (subject === undefined) pool.unpinned.push(position);
          else add(pool.bySubject, subject, position);
        }
        mappingByPool.set(key, pool);
      }
      const all = index.providersOfPool(principal);
      if (principal.scope !== 'subject' || principal.value === undefined) return all;
      return [...pool.unpinned, ...(pool.bySubject.get(principal.value) ?? [])].sort((a, b) => a - b).map((i) => providers[i]);
    },
    members: (grant) => {
      let reading = memberReadings.get(grant);
      if (!reading) memberReadings.set(grant, (reading = readMember(grant.member)));
      return reading;
    },
    projects: new Map(),
    impersonationFor: (provider) => {
      const subject = pinnedSubject(provider);
      if (subject === undefined) return allImpersonation;
      return [...impersonationOther, ...(impersonationBySubject.get(subject) ?? [])].sort((a, b) => a - b);
    },
  };
  indexes.set(model, index);
  return index;
}

/** The literal project of an account (memoized: asked once per grant that may reach it). */
function accountProject(model: TerraformModel, index: PathIndex, account: string): string | undefined {
  if (!index.projects.has(account)) index.projects.set(account, projectOf(model, model.resource(account)));
  return index.projects.get(account);
}

/** Whether one grant reaches an account: true, false, or undefined when either is not known before apply. */
function grantApplies(model: TerraformModel, index: PathIndex, grant: IamGrant, account: string): boolean | undefined {
  const r = index.reach.get(grant)!;
  switch (r.kind) {
    case 'account':
      return r.address === account ? true : false;
    case 'email':
      return r.email === index.emails.get(account) ? true : false;
    case 'none':
      return false;
    case 'unknown-account':
      return undefined;
    default:
      return coversProject(model, grant, accountProject(model, index, account));
  }
}

/**
 * Grants that reach an account: on it, or on a project, folder or organization (each with whether
 * it applies to the account's project), in the configuration's order. A grant that cannot reach it
 * is left out.
 */
function grantsReaching(model: TerraformModel, index: PathIndex, account: string): Array<{ grant: IamGrant; applies: boolean | undefined }> {
  const own = index.emails.get(account);
  const positions = [...(index.byAccount.get(account) ?? []), ...(own !== undefined ? (index.byEmail.get(own) ?? []) : []), ...index.anyAccount].sort((a, b) => a - b);
  return positions.flatMap((i) => {
    const grant = index.grants[i];
    const applies = grantApplies(model, index, grant, account);
    return applies === false ? [] : [{ grant, applies }];
  });
}

/**
 * The service accounts a gate's pool principals can act as: those its manifest names, and those a
 * principal of its pool holds an impersonation role on — directly, or on the account's project.
 */
export function gateServiceAccounts(
  model: TerraformModel,
  provider: WorkloadIdentityProviderModel,
  declared: { readonly accounts: readonly string[]; readonly high: boolean },
): GateServiceAccount[] {
  const index = pathIndex(model);
  const reached = new Set(declared.accounts.filter((a) => model.resource(a)?.type === SERVICE_ACCOUNT_TYPE));
  for (const position of index.impersonationFor(provider)) {
    const grant = index.grants[position];
    const reading = index.members(grant);
    if (!('principal' in reading) || !principalInPool(model, reading.principal, provider)) continue;
    // Another gate's subject in a shared pool: this provider cannot give a credential that principal.
    if (cannotMapTo(provider, reading.principal)) continue;
    const r = index.reach.get(grant)!;
    // The accounts it applies to for certain: the one it names, or every account of a project it covers.
    const candidates = r.kind === 'account' ? [r.address] : r.kind === 'email' ? index.accounts.filter((a) => index.emails.get(a) === r.email) : r.kind === 'container' ? index.accounts : [];
    for (const account of candidates) if (grantApplies(model, index, grant, account) === true) reached.add(account);
  }
  return [...reached].map((address) => {
    const email = index.emails.get(address);
    const held = index.heldBy(address, email);
    const reasons = [
      ...(declared.high && declared.accounts.includes(address) ? ['its gate manifest declares the identity high privilege'] : []),
      ...held.filter((g) => typeof g.role === 'string' && isHighPrivilegeRole(g.role)).map((g) => `holds ${text(g.role)} on ${describeTarget(g)} (${g.resource.address})`),
    ];
    return { address, ...(email ? { email } : {}), privilege: reasons.length > 0 ? ('high' as const) : ('unknown' as const), privilegeReasons: reasons };
  });
}

/** Paths of one account, before acknowledgements. */
function pathsOfAccount(model: TerraformModel, gateProvider: WorkloadIdentityProviderModel, account: GateServiceAccount): GcpIssuancePath[] {
  const index = pathIndex(model);
  const paths: GcpIssuancePath[] = [];
  const emails = index.emails;
  const base = { account: account.address };

  for (const { grant, applies } of grantsReaching(model, index, account.address)) {
    if (applies === false) continue;
    const where = `${grant.resource.address}${grant.location === 'member' ? '' : `/${grant.location}`}`;
    // IDs name the resource, role and member, so they survive reordering a binding's members.
    const idTail = `${grant.resource.address}:${text(grant.role)}:${text(grant.member)}`;
    const capability = index.capability.get(grant)!;
    if ('none' in capability) continue;
    const role = text(grant.role);
    const member = text(grant.member);
    const grantedOn = describeTarget(grant);
    if ('unknown' in capability) {
      paths.push({ ...base, kind: 'unknown', attested: undefined, id: `unknown:${idTail}`, why: `${where} grants ${capability.unknown} to ${member} on ${grantedOn}` });
      continue;
    }
    if (applies === undefined) {
      paths.push({ ...base, kind: 'unknown', attested: undefined, id: `unknown:${idTail}`, why: `${where} grants ${role} to ${member} on ${grantedOn}, which may be the account's (not known before apply)` });
      continue;
    }
    const reading = index.members(grant);
    if ('unknown' in reading) {
      paths.push({ ...base, kind: 'unknown', attested: undefined, id: `unknown:${idTail}`, why: `${where} grants ${role} on ${grantedOn} to ${reading.unknown}, known only at apply` });
      continue;
    }
    if ('principal' in reading) {
      const principal = reading.principal;
      const pool = principal.poolAddress ?? principal.poolId ?? '?';
      const gatePool = principalInPool(model, principal, gateProvider);
      const common = { ...base, kind: 'federation' as const, member, role, scope: principal.scope, principal, gatePool, pool, grantedOn, grant: where };
      if (index.providersOfPool(principal).length === 0) {
        paths.push({ ...common, id: `federation:${pool}/*:${idTail}`, attested: false, provider: '*' });
      }
      // Only through a provider that may give a credential this principal: one pinned to another
      // subject cannot (pinned-subject.ts), so it is no path; a provider that may stays one.
      for (const p of index.providersMapping(principal)) {
        const own = p.resource.address === gateProvider.resource.address;
        paths.push({ ...common, id: `federation:${p.resource.address}:${idTail}`, attested: own, provider: p.resource.address, ...(own ? {} : { providerDisabled: p.disabled }) });
      }
      continue;
    }
    // The account acting as itself is no second path.
    const self = readAccount(model, grant.member, emails);
    if ('account' in self && self.account === account.address) continue;
    const condition = conditionOf(grant.resource);
    paths.push({ ...base, kind: 'grant', attested: false, id: `grant:${idTail}`, member, role, how: capability.how, grantedOn, grant: where, ...(condition ? { condition } : {}) });
  }

  const keyTypes: ReadonlyArray<[string, string, string]> = [
    ['google_service_account_key', 'service_account_id', 'a service account key (a long-lived private key)'],
    ['google_storage_hmac_key', 'service_account_email', 'a Cloud Storage HMAC key (acts as the account for Cloud Storage)'],
  ];
  for (const [type, attribute, what] of keyTypes) {
    for (const key of model.resourcesOfType(type)) {
      const reading = readAccount(model, key.attributes[attribute], emails);
      if ('account' in reading && reading.account === account.address) paths.push({ ...base, kind: 'key', attested: false, id: `key:${key.address}`, resource: key.address, what });
      else if ('unknown' in reading) paths.push({ ...base, kind: 'unknown', attested: undefined, id: `unknown:${key.address}`, why: `${key.address} is ${what} of ${reading.unknown}, which may be this account` });
    }
  }

  for (const { type, paths: attributePaths } of ATTACHMENTS) {
    for (const resource of model.resourcesOfType(type)) {
      for (const attributePath of attributePaths) {
        for (const value of valuesAt(resource.attributes, attributePath)) {
          const reading = readAccount(model, value, emails);
          const attribute = attributePath.join('.');
          if ('account' in reading && reading.account === account.address) {
            paths.push({ ...base, kind: 'attachment', attested: false, id: `attachment:${resource.address}:${attribute}`, resource: resource.address, attribute });
          } else if ('unknown' in reading) {
            paths.push({ ...base, kind: 'unknown', attested: undefined, id: `unknown:${resource.address}:${attribute}`, why: `${resource.address} runs as ${reading.unknown} (${attribute}), which may be this account` });
          }
        }
      }
    }
  }
  // One ID per path: the same (member, role) twice in one resource is one path.
  return [...new Map(paths.map((p) => [p.id, p])).values()];
}

/** Every value at a path of nested blocks (each level an object or a list of them). */
function valuesAt(attributes: Record<string, Value>, path: readonly string[]): Value[] {
  const [head, ...rest] = path;
  const value = attributes[head];
  if (rest.length === 0) return value === undefined || value === null ? [] : [value];
  if (value !== undefined && value !== null && (isSymbol(value) || isSymbolicString(value))) return [value];
  return blocks(value).flatMap((b) => valuesAt(b, rest));
}

/** An account's acknowledgements, and the ones that do not count. */
function acknowledgementsOf(resource: TerraformResource, paths: readonly GcpIssuancePath[]): { accepted: Map<string, string>; ignored: string[] } {
  // Only an unattested path can be accepted on purpose; an unknown one is still unknown.
  return readAcknowledgedPaths(resource.comment[ACKNOWLEDGED_PATHS_METADATA_KEY], (id) => (paths.some((p) => p.id === id && p.attested === false) ? undefined : 'no unattested path to the account has this ID'), resource.address);
}

/** Every issuance path of every service account a gate can act as, with acknowledgements applied. */
export function gcpIssuancePaths(
  model: TerraformModel,
  provider: WorkloadIdentityProviderModel,
  declared: { readonly accounts: readonly string[]; readonly high: boolean },
): { accounts: GateServiceAccount[]; paths: GcpIssuancePath[]; ignoredAcknowledgements: string[] } {
  const accounts = gateServiceAccounts(model, provider, declared);
  const ignoredAcknowledgements: string[] = [];
  const paths = accounts.flatMap((account) => {
    const own = pathsOfAccount(model, provider, account);
    const { accepted, ignored } = acknowledgementsOf(model.resource(account.address)!, own);
    ignoredAcknowledgements.push(...ignored);
    return own.map((p) => (accepted.has(p.id) ? { ...p, acknowledged: accepted.get(p.id)! } : p));
  });
  return { accounts, paths, ignoredAcknowledgements };
}

/** What a path comes to, for the check and the rule alike. */
export type GcpPathJudgement =
  | { readonly verdict: 'attested' }
  | { readonly verdict: 'open' }
  | { readonly verdict: 'acknowledged'; readonly reason: string }
  | { readonly verdict: 'unjudged'; readonly why: string };

/**
 * Judges one path: the gate's federation is attested; anything else is open on a high-privilege
 * account unless acknowledged, and unjudged where the configuration cannot tell — a value known only
 * at apply, a disabled provider, a subject or attribute another provider of the gate's pool might
 * map (the pool's principals are shared by its providers; whether that issuer can produce the
 * subject is not in the configuration — unless its condition pins another subject, and then the
 * path is not listed at all: pinned-subject.ts), an account not shown high privilege.
 */
export function judgeGcpPath(path: GcpIssuancePath, account: GateServiceAccount | undefined): GcpPathJudgement {
  if (path.attested === true) return { verdict: 'attested' };
  if (path.kind === 'unknown') return { verdict: 'unjudged', why: path.why };
  if (path.acknowledged !== undefined) return { verdict: 'acknowledged', reason: path.acknowledged };
  if (path.kind === 'federation' && path.providerDisabled === true) return { verdict: 'unjudged', why: 'the provider issues no token while disabled; one attribute re-enables it' };
  if (path.kind === 'federation' && path.gatePool && path.scope !== 'whole-pool') {
    return { verdict: 'unjudged', why: `whether ${path.provider} maps a credential to this ${path.scope} cannot be told from the configuration` };
  }
  if (account?.privilege !== 'high') {
    return { verdict: 'unjudged', why: `${path.account} is not shown high privilege here (no high-privilege role in the configuration, no gate manifest declaring it)` };
  }
  return { verdict: 'open' };
}

/** A path for people: `user:ops@example.com holds roles/iam.serviceAccountTokenCreator on project "p" (getAccessToken/…)`. */
export function describeGcpPath(path: GcpIssuancePath): string {
  const account = path.account;
  switch (path.kind) {
    case 'federation':
      return path.attested
        ? `${account}: the gate’s federation — ${path.member} (${path.role} on ${path.grantedOn}, ${path.grant})`
        : `${account}: ${path.member} through ${path.provider === '*' ? `any provider of pool ${path.pool} (none in the configuration)` : `provider ${path.provider}${path.providerDisabled ? ' (disabled today)' : ' (enabled)'}`}, not the gate’s — ${path.role} on ${path.grantedOn} (${path.grant})`;
    case 'grant':
      return `${account}: ${path.member} holds ${path.role} on ${path.grantedOn} (${path.grant}): ${path.how}${path.condition ? `, if ${path.condition}` : ''}`;
    case 'key':
      return `${account}: ${path.resource} is ${path.what}`;
    case 'attachment':
      return `${account}: ${path.resource} runs as it (${path.attribute}); its workloads get the account's tokens from the metadata server`;
    default:
      return `${account}: unknown — ${path.why}`;
  }
}

/**
 * A path as a route, for the report's diagram: who, through what, gated by which of the gate's
 * factors, to the service account. Only the gate's own federation demands them: another provider
 * of the pool checks its own issuer's tokens, not the gate's attestation.
 */
export function routeOfGcpPath(path: GcpIssuancePath): { from: string; through: string; factors: string[]; to: string } {
  const to = path.account;
  switch (path.kind) {
    case 'federation':
      return {
        from: path.member,
        through: `${path.provider === '*' ? `any provider of pool ${path.pool}` : `provider ${path.provider}${path.providerDisabled ? ' (disabled today)' : ''}`}, ${path.role} on ${path.grantedOn}`,
        factors: path.attested ? ['a token signed by the provider’s issuer', 'the provider’s attribute mapping and condition', 'the bound subject'] : [],
        to,
      };
    case 'grant':
      return { from: path.member, through: `${path.role} on ${path.grantedOn}: ${path.how}${path.condition ? `, if ${path.condition}` : ''}`, factors: [], to };
    case 'key':
      return { from: 'whoever holds the key', through: `${path.resource} (${path.what})`, factors: [], to };
    case 'attachment':
      return { from: `workloads on ${path.resource}`, through: `the metadata server (${path.attribute})`, factors: [], to };
    default:
      return { from: 'unknown', through: path.why, factors: [], to };
  }
}
