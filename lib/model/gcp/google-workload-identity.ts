import type { CredentialKind, SubjectJudgement } from './cel/condition-analysis';
import { subjectConstraint } from './cel/condition-analysis';
import { GATE_MANIFEST_METADATA_KEY, parseGateManifest } from '../../core/gate-manifest';
import { PrivilegeTier } from '../../core/privilege-tier';
import { TerraformModel, TerraformResource, block, blocks } from '../terraform/configuration';
import { TerraformSymbol, Value, describeSymbol, describeValue, isSymbol, isSymbolicString } from '../terraform/expressions';

/**
 * What GCP workload identity federation means in a Terraform configuration: which providers
 * admit which credentials, and which IAM grants reach the principals of their pools. Shared by
 * the synth-time rules, the gate table and the conformance suite's discovery. Pure: no cdktf.
 */

export const POOL_TYPE = 'google_iam_workload_identity_pool';
export const PROVIDER_TYPE = 'google_iam_workload_identity_pool_provider';
export const SERVICE_ACCOUNT_TYPE = 'google_service_account';
export const WORKLOAD_IDENTITY_USER = 'roles/iam.workloadIdentityUser';

/** A workload identity pool provider, read. */
export interface WorkloadIdentityProviderModel {
  readonly resource: TerraformResource;
  readonly kind: CredentialKind;
  /** The pool resource of the configuration it belongs to, when `workload_identity_pool_id` refers to one. */
  readonly poolAddress?: string;
  /** The pool ID, when literal. */
  readonly poolId?: string;
  /** OIDC `issuer_uri`. */
  readonly issuerUri?: Value;
  /** OIDC `allowed_audiences`. */
  readonly allowedAudiences?: Value;
  /** `attribute_mapping`, as written; undefined when unset. */
  readonly mapping?: Value;
  /** `attribute_condition`; undefined when unset. */
  readonly condition?: Value;
  /** Whether the provider is disabled (`disabled = true`). */
  readonly disabled: boolean;
}

function credentialKind(attributes: Record<string, Value>): CredentialKind {
  if (block(attributes.oidc)) return 'oidc';
  if (block(attributes.x509)) return 'x509';
  if (block(attributes.aws)) return 'aws';
  if (block(attributes.saml)) return 'saml';
  return 'unknown';
}

/** Every workload identity pool provider of a configuration. */
export function workloadIdentityProviders(model: TerraformModel): WorkloadIdentityProviderModel[] {
  return model.resourcesOfType(PROVIDER_TYPE).map((resource) => {
    const a = resource.attributes;
    const pool = a.workload_identity_pool_id;
    const poolAddress = isSymbol(pool) && pool.symbolic === 'ref' && model.resource(pool.address)?.type === POOL_TYPE ? pool.address : undefined;
    const oidc = block(a.oidc);
    return {
      resource,
      kind: credentialKind(a),
      ...(poolAddress ? { poolAddress } : {}),
      ...(typeof pool === 'string' ? { poolId: pool } : {}),
      ...(oidc ? { issuerUri: oidc.issuer_uri, allowedAudiences: oidc.allowed_audiences } : {}),
      ...(a.attribute_mapping !== undefined && a.attribute_mapping !== null ? { mapping: a.attribute_mapping } : {}),
      ...(a.attribute_condition !== undefined && a.attribute_condition !== null && a.attribute_condition !== '' ? { condition: a.attribute_condition } : {}),
      disabled: a.disabled === true,
    };
  });
}

/** What a provider's gate manifest declares, if it has one that reads. */
export interface GateDeclaration {
  /** The service account resources the identity may act as. */
  readonly accounts: readonly string[];
  readonly high: boolean;
  /** The declared SPIFFE ID and the `google.subject` it maps to. */
  readonly identity?: { readonly spiffeId: string; readonly subject: string };
}

/**
 * The provider's gate manifest, read for the rules. A manifest that does not read declares
 * nothing: the privilege then comes from the grants alone (discovery reports the bad manifest).
 */
export function gateDeclarationOf(provider: WorkloadIdentityProviderModel): GateDeclaration {
  const raw = provider.resource.comment[GATE_MANIFEST_METADATA_KEY];
  if (raw === undefined) return { accounts: [], high: false };
  try {
    const manifest = parseGateManifest(raw, provider.resource.address, 'gcp-workload-identity-federation');
    return { accounts: [...manifest.serviceAccounts], high: manifest.identity.privilege === PrivilegeTier.HIGH, identity: { spiffeId: manifest.identity.spiffeId, subject: manifest.subject } };
  } catch {
    return { accounts: [], high: false };
  }
}

/** The literal pool ID of a pool resource, if its configuration says it. */
export function poolIdOf(model: TerraformModel, poolAddress: string): string | undefined {
  const id = model.resource(poolAddress)?.attributes.workload_identity_pool_id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Text for a value that may hold Terraform references, with each reference replaced by a marker
 * that is a valid CEL identifier and can sit inside a CEL string literal.
 */
export function withPlaceholders(value: Value): { text: string; placeholders: Map<string, string> } | undefined {
  if (typeof value === 'string') return { text: value, placeholders: new Map() };
  if (!isSymbolicString(value)) return undefined;
  const placeholders = new Map<string, string>();
  const text = value.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const marker = `__attestgate_tf_${placeholders.size}__`;
      placeholders.set(marker, describeSymbol(part));
      return marker;
    })
    .join('');
  return { text, placeholders };
}

/** Whether the provider's condition constrains the subject; undefined when it cannot be known before apply. */
export function providerSubjectConstraint(provider: WorkloadIdentityProviderModel): SubjectJudgement {
  if (provider.condition === undefined) {
    return { holds: false, why: 'it has no attribute_condition, so every credential its issuer signs is accepted' };
  }
  const condition = withPlaceholders(provider.condition);
  if (!condition) return { holds: undefined, why: `its attribute_condition is ${describeValue(provider.condition)}, known only at apply` };
  let mapping: Record<string, string | undefined> | undefined;
  if (provider.mapping !== undefined) {
    if (provider.mapping === null || isSymbol(provider.mapping) || isSymbolicString(provider.mapping) || typeof provider.mapping !== 'object' || Array.isArray(provider.mapping)) {
      return { holds: undefined, why: `its attribute_mapping is ${describeValue(provider.mapping)}, known only at apply` };
    }
    mapping = Object.fromEntries(Object.entries(provider.mapping).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
  }
  return subjectConstraint({ condition: condition.text, kind: provider.kind, mapping, placeholders: condition.placeholders });
}

/** Where an IAM grant applies. */
export type GrantTarget =
  | { readonly kind: 'service-account'; readonly value: Value }
  | { readonly kind: 'project' | 'folder' | 'organization'; readonly value: Value }
  | { readonly kind: 'resource'; readonly type: string };

/** One (role, member) pair granted by an IAM resource. */
export interface IamGrant {
  readonly resource: TerraformResource;
  readonly target: GrantTarget;
  readonly role: Value;
  readonly member: Value;
  /** Where in the resource, as a slash path, e.g. `members/1`. */
  readonly location: string;
}

const IAM_RESOURCE = /^google_(.+)_iam_(member|binding|policy)$/;

function targetOf(resource: TerraformResource, scope: string): GrantTarget {
  const a = resource.attributes;
  if (scope === 'service_account') return { kind: 'service-account', value: a.service_account_id };
  if (scope === 'project') return { kind: 'project', value: a.project };
  if (scope === 'folder') return { kind: 'folder', value: a.folder };
  if (scope === 'organization') return { kind: 'organization', value: a.org_id };
  return { kind: 'resource', type: resource.type };
}

const unknownValue = (reason: string): TerraformSymbol => ({ symbolic: 'unknown', reason });

/** Every grant of every `google_*_iam_member|binding|policy` resource, policies read from JSON or a google_iam_policy data source. */
export function iamGrants(model: TerraformModel): IamGrant[] {
  const grants: IamGrant[] = [];
  for (const resource of model.resources) {
    const match = resource.mode === 'managed' ? IAM_RESOURCE.exec(resource.type) : null;
    if (!match) continue;
    const target = targetOf(resource, match[1]);
    const a = resource.attributes;
    if (match[2] === 'member') {
      grants.push({ resource, target, role: a.role, member: a.member, location: 'member' });
    } else if (match[2] === 'binding') {
      const members = a.members;
      if (Array.isArray(members)) members.forEach((member, i) => grants.push({ resource, target, role: a.role, member, location: `members/${i}` }));
      else grants.push({ resource, target, role: a.role, member: members ?? unknownValue('members not set'), location: 'members' });
    } else {
      for (const binding of policyBindings(model, a.policy_data)) {
        binding.members.forEach((member, i) => grants.push({ resource, target, role: binding.role, member, location: `policy_data/${binding.where}/members/${i}` }));
      }
    }
  }
  return grants;
}

function policyBindings(model: TerraformModel, policy: Value | undefined): Array<{ role: Value; members: Value[]; where: string }> {
  if (typeof policy === 'string') {
    try {
      const parsed = JSON.parse(policy) as { bindings?: Array<{ role?: unknown; members?: unknown }> };
      return (parsed.bindings ?? []).map((b, i) => ({
        role: typeof b.role === 'string' ? b.role : unknownValue('a policy binding without a role'),
        members: Array.isArray(b.members) ? b.members.filter((m): m is string => typeof m === 'string') : [],
        where: `bindings/${i}`,
      }));
    } catch {
      return [{ role: unknownValue('policy_data that is not JSON'), members: [unknownValue('policy_data that is not JSON')], where: 'bindings' }];
    }
  }
  if (isSymbol(policy) && policy.symbolic === 'ref' && policy.attribute === 'policy_data') {
    const source = model.resource(policy.address);
    if (source?.type === 'google_iam_policy') {
      return blocks(source.attributes.binding).map((b, i) => ({
        role: b.role,
        members: Array.isArray(b.members) ? b.members : [b.members ?? unknownValue('binding members not set')],
        where: `${policy.address}/binding/${i}`,
      }));
    }
  }
  const why = `policy_data ${describeValue(policy)}, known only at apply`;
  return [{ role: unknownValue(why), members: [unknownValue(why)], where: 'bindings' }];
}

/** A principal of a workload identity pool, read from an IAM member. */
export type PoolPrincipal = {
  readonly scope: 'subject' | 'group' | 'attribute' | 'whole-pool';
  /** The pool resource the member names through `${pool.name}` or `${pool.workload_identity_pool_id}`. */
  readonly poolAddress?: string;
  /** The pool ID, when literal. */
  readonly poolId?: string;
  /** The subject, group or attribute value (`attribute.<name>/<value>` for attributes). */
  readonly value?: string;
};

/** How a member reads: a pool principal, something else, or not known before apply. */
export type MemberReading = { readonly principal: PoolPrincipal } | { readonly other: string } | { readonly unknown: string };

const MARK = '\u0000';
const PRINCIPAL = new RegExp(
  `^(principal|principalSet)://iam\\.googleapis\\.com/(?:${MARK}(\\d+)${MARK}|projects/[^/]+/locations/[^/]+/workloadIdentityPools/(?:${MARK}(\\d+)${MARK}|([^/${MARK}]+)))/(.*)$`,
  's',
);

/** Reads a member such as `principal://iam.googleapis.com/${pool.name}/subject/spiffe://…` or `principalSet://…/*`. */
export function readMember(member: Value): MemberReading {
  const symbols: TerraformSymbol[] = [];
  let text: string;
  if (typeof member === 'string') text = member;
  else if (isSymbolicString(member)) {
    text = member.parts.map((p) => (typeof p === 'string' ? p : `${MARK}${symbols.push(p) - 1}${MARK}`)).join('');
  } else if (isSymbol(member)) {
    // `member` / `email` of a configured resource (a service account, a service identity) is that
    // resource's own identity, never a pool's principal set.
    if (member.symbolic === 'ref' && (member.attribute === 'member' || member.attribute === 'email')) return { other: describeValue(member) };
    return { unknown: describeValue(member) };
  } else {
    return { other: describeValue(member) };
  }
  if (!/^principal(Set)?:\/\//.test(text)) {
    return text.startsWith(MARK) ? { unknown: describeValue(member) } : { other: describeValue(member) };
  }
  const match = PRINCIPAL.exec(text);
  if (!match) return symbols.length > 0 ? { unknown: describeValue(member) } : { other: text };
  const [, type, nameMark, idMark, literalId, rest] = match;
  const poolSymbol = nameMark !== undefined ? symbols[Number(nameMark)] : idMark !== undefined ? symbols[Number(idMark)] : undefined;
  const expectedAttribute = nameMark !== undefined ? 'name' : 'workload_identity_pool_id';
  const pool: { poolAddress?: string; poolId?: string } = {};
  if (poolSymbol) {
    if (poolSymbol.symbolic !== 'ref' || poolSymbol.attribute !== expectedAttribute) return { unknown: describeValue(member) };
    pool.poolAddress = poolSymbol.address;
  } else if (literalId !== undefined) {
    pool.poolId = literalId;
  }
  const restText = rest.includes(MARK) ? undefined : rest;
  if (type === 'principalSet' && rest === '*') return { principal: { scope: 'whole-pool', ...pool } };
  if (type === 'principal' && rest.startsWith('subject/')) return { principal: { scope: 'subject', ...pool, ...(restText ? { value: restText.slice('subject/'.length) } : {}) } };
  if (type === 'principalSet' && rest.startsWith('group/')) return { principal: { scope: 'group', ...pool, ...(restText ? { value: restText.slice('group/'.length) } : {}) } };
  if (type === 'principalSet' && rest.startsWith('attribute.')) return { principal: { scope: 'attribute', ...pool, ...(restText ? { value: restText } : {}) } };
  return rest.includes(MARK) ? { unknown: describeValue(member) } : { other: text };
}

/**
 * Whether an IAM member read as a pool principal covers a federated identity of that pool: the
 * whole pool, its subject, or a group or attribute set it belongs to. A member whose value is not
 * known before apply covers nothing here; the issuance paths report it as unknown.
 */
export function poolPrincipalCovers(principal: PoolPrincipal, federated: { readonly subject: string; readonly principalSets: readonly string[] }): boolean {
  if (principal.scope === 'whole-pool') return true;
  if (principal.value === undefined) return false;
  if (principal.scope === 'subject') return principal.value === federated.subject;
  const tail = principal.scope === 'group' ? `/group/${principal.value}` : `/${principal.value}`;
  return federated.principalSets.some((set) => set.endsWith(tail));
}

/** Whether a principal belongs to a provider's pool. */
export function principalInPool(model: TerraformModel, principal: PoolPrincipal, provider: WorkloadIdentityProviderModel): boolean {
  if (principal.poolAddress && provider.poolAddress) return principal.poolAddress === provider.poolAddress;
  const providerPoolId = provider.poolId ?? (provider.poolAddress ? poolIdOf(model, provider.poolAddress) : undefined);
  const principalPoolId = principal.poolId ?? (principal.poolAddress ? poolIdOf(model, principal.poolAddress) : undefined);
  return providerPoolId !== undefined && providerPoolId === principalPoolId;
}

/** The service account resource a grant target or member names (`${sa.name}`, `${sa.email}`, `serviceAccount:${sa.email}`, `${sa.member}`). */
export function serviceAccountAddress(model: TerraformModel, value: Value | undefined): string | undefined {
  const isSa = (address: string) => model.resource(address)?.type === SERVICE_ACCOUNT_TYPE;
  if (isSymbol(value) && value.symbolic === 'ref' && isSa(value.address) && ['name', 'id', 'email', 'member'].includes(value.attribute ?? '')) return value.address;
  if (isSymbolicString(value) && value.parts.length === 2 && value.parts[0] === 'serviceAccount:') {
    const ref = value.parts[1];
    if (typeof ref !== 'string' && ref.symbolic === 'ref' && ref.attribute === 'email' && isSa(ref.address)) return ref.address;
  }
  return undefined;
}

/** Predefined roles that amount to broad write authority or to taking over other identities. */
const HIGH_PRIVILEGE_ROLES = new Set([
  'roles/owner',
  'roles/editor',
  WORKLOAD_IDENTITY_USER,
  'roles/iam.serviceAccountTokenCreator',
  'roles/iam.serviceAccountUser',
  'roles/iam.serviceAccountKeyAdmin',
  'roles/iam.securityAdmin',
  'roles/iam.roleAdmin',
  'roles/iam.organizationRoleAdmin',
  'roles/iam.workloadIdentityPoolAdmin',
  'roles/resourcemanager.projectIamAdmin',
  'roles/resourcemanager.folderIamAdmin',
  'roles/resourcemanager.organizationAdmin',
  'roles/resourcemanager.folderAdmin',
]);

/** Whether a role is high privilege: a basic write role, an impersonation or IAM-admin role, or any predefined `*.admin` role. */
export function isHighPrivilegeRole(role: string): boolean {
  return HIGH_PRIVILEGE_ROLES.has(role) || /^roles\/[A-Za-z0-9]+\.(admin|[A-Za-z0-9]*Admin)$/.test(role);
}
