import * as crypto from 'node:crypto';
import { CelSyntaxError, parseCel } from '../../../lib/model/gcp/cel/environment';
import { block, blocks } from '../../../lib/model/terraform/configuration';
import { Value, isConcrete } from '../../../lib/model/terraform/expressions';
import { TerraformSource } from '../../discovery/terraform-sources';
import { AppliedConfiguration, AppliedResource, TerraformProviderModel, applyTerraform } from '../terraform/deploy-terraform';
import { EmulatedProvider, GcpWorld, Jwks, derivedUniqueId } from './world';

/**
 * The google provider's side of "applying" Terraform JSON: the attributes it computes (pool and
 * provider `name`, service account `email`/`name`/`member`/`unique_id`, IAM resource `id`s,
 * `google_project` and `google_iam_policy` data), and the GCP world built from the result.
 * Used by the local emulator and, with the user's project numbers, to resolve live gates.
 */

export interface GoogleApplyOptions {
  /** The number of a project ID; undefined leaves names that need it unknown (a live target without --gcp-project-number). */
  readonly projectNumberOf: (projectId: string) => string | undefined;
  /** The project of resources that name none, when the configuration's google provider names none either. */
  readonly defaultProject: string;
  /** Values for Terraform variables. */
  readonly variables?: Readonly<Record<string, string>>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The `project` of a configuration's default (unaliased) google provider block, when literal or a variable with a value. */
export function providerProject(source: TerraformSource, variables: Readonly<Record<string, string>> = {}): string | undefined {
  const providers = source.model.configuration.provider;
  const google = isObject(providers) ? providers.google : Array.isArray(providers) ? providers.map((p) => (isObject(p) ? p.google : undefined)).find(Boolean) : undefined;
  const candidates = (Array.isArray(google) ? google : [google]).filter(isObject);
  const project = (candidates.find((p) => p.alias === undefined) ?? candidates[0])?.project;
  if (typeof project !== 'string') return undefined;
  const variable = /^\$\{\s*var\.([A-Za-z0-9_-]+)\s*\}$/.exec(project);
  if (!variable) return project.includes('${') ? undefined : project;
  const declared = source.model.configuration.variable;
  const defaults = (Array.isArray(declared) ? declared : [declared]).filter(isObject).map((v) => v[variable[1]]);
  const fallback = defaults.find((d) => isObject(d) && typeof d.default === 'string') as { default: string } | undefined;
  return variables[variable[1]] ?? fallback?.default;
}

const unknownNumber = (projectId: string): Value => ({ symbolic: 'unknown', reason: `the number of project "${projectId}" (pass the project number)` });

/** The provider model of the google provider for one configuration. */
export function googleProviderModel(options: GoogleApplyOptions & { readonly configurationProject?: string }): TerraformProviderModel {
  const projectOf = (configured: Readonly<Record<string, Value>>, key = 'project'): string => {
    const p = configured[key];
    return typeof p === 'string' ? p : (options.configurationProject ?? options.defaultProject);
  };
  const poolName = (project: string, poolId: Value): Value => {
    const number = options.projectNumberOf(project);
    if (number === undefined) return unknownNumber(project);
    return typeof poolId === 'string' ? `projects/${number}/locations/global/workloadIdentityPools/${poolId}` : { symbolic: 'unknown', reason: 'a pool ID not known at apply' };
  };
  return {
    computed(type, _address, configured): Record<string, Value> | undefined {
      const project = projectOf(configured);
      switch (type) {
        case 'google_iam_workload_identity_pool': {
          // A literal `name` (an imported or hand-written resource) is kept as written.
          const name = typeof configured.name === 'string' ? configured.name : poolName(project, configured.workload_identity_pool_id);
          return { project, name, id: `projects/${project}/locations/global/workloadIdentityPools/${String(configured.workload_identity_pool_id)}`, state: 'ACTIVE' };
        }
        case 'google_iam_workload_identity_pool_provider': {
          const pool = poolName(project, configured.workload_identity_pool_id);
          const providerId = configured.workload_identity_pool_provider_id;
          const name = typeof configured.name === 'string' ? configured.name : typeof pool === 'string' && typeof providerId === 'string' ? `${pool}/providers/${providerId}` : pool;
          return { project, name, id: `projects/${project}/locations/global/workloadIdentityPools/${String(configured.workload_identity_pool_id)}/providers/${String(providerId)}`, state: 'ACTIVE' };
        }
        case 'google_service_account': {
          const email = `${String(configured.account_id)}@${project}.iam.gserviceaccount.com`;
          const name = `projects/${project}/serviceAccounts/${email}`;
          return { project, email, name, id: name, member: `serviceAccount:${email}`, unique_id: derivedUniqueId(email) };
        }
        default:
          if (/^google_.+_iam_(member|binding|policy)$/.test(type)) {
            const scope: Record<string, Value> = type.startsWith('google_project_') ? { project } : {};
            const id = [configured.service_account_id ?? configured.project ?? project, configured.role, configured.member].filter((v) => typeof v === 'string').join('/');
            return { ...scope, id, etag: `BwY${crypto.createHash('sha256').update(id).digest('base64url').slice(0, 8)}=` };
          }
          return undefined;
      }
    },
    data(type, _address, configured): Record<string, Value> | undefined {
      if (type === 'google_project') {
        const project = projectOf(configured, 'project_id');
        return { project_id: project, name: project, number: options.projectNumberOf(project) ?? unknownNumber(project), id: `projects/${project}` };
      }
      if (type === 'google_client_config') return { project: options.configurationProject ?? options.defaultProject, region: '', zone: '' };
      if (type === 'google_iam_policy') {
        const bindings = blocks(configured.binding).map((b) => ({
          role: b.role,
          members: Array.isArray(b.members) ? b.members : [],
          ...(block(b.condition) ? { condition: block(b.condition) } : {}),
        }));
        if (!bindings.every((b) => isConcrete(b as unknown as Value))) return undefined;
        return { policy_data: JSON.stringify({ bindings }) };
      }
      return undefined;
    },
  };
}

/** Applies each configuration with its own default project (its google provider's `project`). */
export function applyGcpTerraform(sources: readonly TerraformSource[], options: GoogleApplyOptions): AppliedConfiguration[] {
  return sources.flatMap((source) =>
    applyTerraform([source], googleProviderModel({ ...options, configurationProject: providerProject(source, options.variables) }), options.variables ?? {}),
  );
}

/** Where an IAM grant applies: a service account (by email) or a project. */
export type ConcreteGrantTarget = { readonly kind: 'service-account'; readonly email: string } | { readonly kind: 'project'; readonly project: string };

export interface ConcreteGrant {
  readonly target: ConcreteGrantTarget;
  readonly role: string;
  readonly member: string;
  readonly condition?: string;
  /** `<stack>/<address>` */
  readonly origin: string;
}

/** The email in a `service_account_id`: `projects/{p}/serviceAccounts/{email}`, or the email itself. */
export function serviceAccountEmailOf(id: Value | undefined): string | undefined {
  if (typeof id !== 'string') return undefined;
  const match = /^(?:projects\/[^/]+\/serviceAccounts\/)?([^/@\s]+@[^/\s]+)$/.exec(id);
  return match?.[1];
}

function policyBindings(policyData: Value | undefined): Array<Record<string, unknown>> | undefined {
  if (typeof policyData !== 'string') return undefined;
  try {
    const parsed = JSON.parse(policyData) as { bindings?: unknown };
    return Array.isArray(parsed.bindings) ? parsed.bindings.filter(isObject) : [];
  } catch {
    return undefined;
  }
}

/**
 * Every grant of the service account and project IAM resources of applied configurations
 * (`_member`, `_binding`, `_policy`), with why a resource could not be read.
 */
export function concreteGrants(configurations: readonly AppliedConfiguration[]): { grants: ConcreteGrant[]; problems: Array<{ origin: string; problem: string }> } {
  const grants: ConcreteGrant[] = [];
  const problems: Array<{ origin: string; problem: string }> = [];
  for (const configuration of configurations) {
    const skipped = new Set(configuration.problems.map((p) => p.address));
    for (const resource of configuration.resources.values()) {
      const match = /^google_(service_account|project)_iam_(member|binding|policy)$/.exec(resource.type);
      if (!match || skipped.has(resource.address)) continue;
      const origin = `${configuration.stackName}/${resource.address}`;
      const a = resource.attributes;
      let target: ConcreteGrantTarget;
      if (match[1] === 'service_account') {
        const email = serviceAccountEmailOf(a.service_account_id);
        if (!email) {
          problems.push({ origin, problem: `service_account_id ${JSON.stringify(a.service_account_id)} names no service account` });
          continue;
        }
        target = { kind: 'service-account', email };
      } else {
        target = { kind: 'project', project: String(a.project) };
      }
      const conditionOf = (c: unknown): string | undefined => {
        const b = Array.isArray(c) ? c[0] : c;
        return isObject(b) && typeof b.expression === 'string' ? b.expression : undefined;
      };
      const add = (role: unknown, member: unknown, condition: unknown) => {
        if (typeof role !== 'string' || typeof member !== 'string') return;
        const expression = conditionOf(condition);
        grants.push({ target, role, member, ...(expression !== undefined ? { condition: expression } : {}), origin });
      };
      if (match[2] === 'member') add(a.role, a.member, a.condition);
      else if (match[2] === 'binding') (Array.isArray(a.members) ? a.members : []).forEach((m) => add(a.role, m, a.condition));
      else {
        const bindings = policyBindings(a.policy_data);
        if (!bindings) problems.push({ origin, problem: 'policy_data is not JSON with bindings' });
        for (const b of bindings ?? []) (Array.isArray(b.members) ? b.members : []).forEach((m) => add(b.role, m, b.condition));
      }
    }
  }
  return { grants, problems };
}

/** GCP accepts RSA and EC P-256 keys in an uploaded JWKS. */
function jwksProblem(text: string): { jwks: Jwks } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { problem: `oidc.jwks_json is not JSON (${(e as Error).message})` };
  }
  if (!isObject(parsed) || !Array.isArray(parsed.keys) || parsed.keys.length === 0) return { problem: 'oidc.jwks_json has no "keys"' };
  for (const key of parsed.keys) {
    if (!isObject(key) || !(key.kty === 'RSA' || (key.kty === 'EC' && key.crv === 'P-256'))) {
      return { problem: `oidc.jwks_json holds a ${isObject(key) ? `${String(key.kty)}${key.crv ? ` ${String(key.crv)}` : ''}` : 'malformed'} key; GCP accepts RSA and EC P-256 only` };
    }
  }
  return { jwks: { keys: parsed.keys as Jwks['keys'] } };
}

const stringRecord = (value: Value | undefined): Record<string, string> =>
  isObject(value) ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};

/** The provider as GCP would create it, or why GCP refuses to create it. */
function providerOf(resource: AppliedResource, origin: string): EmulatedProvider | { problem: string } {
  const a = resource.attributes;
  const oidc = block(a.oidc);
  const kind = oidc ? 'oidc' : block(a.x509) ? 'x509' : block(a.aws) ? 'aws' : block(a.saml) ? 'saml' : 'unknown';
  const attributeMapping = stringRecord(a.attribute_mapping);
  const condition = typeof a.attribute_condition === 'string' && a.attribute_condition !== '' ? a.attribute_condition : undefined;
  if (condition !== undefined) {
    try {
      parseCel(condition);
    } catch (e) {
      return { problem: `attribute_condition is not valid CEL (${e instanceof CelSyntaxError ? e.detail : (e as Error).message})` };
    }
  }
  for (const [key, expression] of Object.entries(attributeMapping)) {
    try {
      parseCel(expression);
    } catch (e) {
      return { problem: `attribute_mapping["${key}"] is not valid CEL (${e instanceof CelSyntaxError ? e.detail : (e as Error).message})` };
    }
  }
  let oidcModel: EmulatedProvider['oidc'];
  if (oidc) {
    const issuerUri = oidc.issuer_uri;
    if (typeof issuerUri !== 'string' || !issuerUri.startsWith('https://')) return { problem: `oidc.issuer_uri ${JSON.stringify(issuerUri)} is not an https URL` };
    if (!('google.subject' in attributeMapping)) return { problem: 'an OIDC provider must map google.subject' };
    let jwks: Jwks | undefined;
    if (typeof oidc.jwks_json === 'string' && oidc.jwks_json !== '') {
      const read = jwksProblem(oidc.jwks_json);
      if ('problem' in read) return read;
      jwks = read.jwks;
    }
    const audiences = Array.isArray(oidc.allowed_audiences) ? oidc.allowed_audiences.filter((x): x is string => typeof x === 'string') : [];
    oidcModel = { issuerUri, allowedAudiences: audiences, ...(jwks ? { jwks } : {}) };
  }
  const name = String(a.name);
  return {
    name,
    id: String(a.workload_identity_pool_provider_id),
    poolName: name.replace(/\/providers\/[^/]+$/, ''),
    disabled: a.disabled === true,
    kind,
    ...(oidcModel ? { oidc: oidcModel } : {}),
    attributeMapping,
    ...(condition !== undefined ? { attributeCondition: condition } : {}),
    origin,
  };
}

/** Builds the world from applied configurations; returns what could not be deployed and why. */
export function deployGcpWorld(world: GcpWorld, configurations: readonly AppliedConfiguration[]): Array<{ origin: string; problem: string }> {
  const problems: Array<{ origin: string; problem: string }> = [];
  for (const configuration of configurations) {
    const skipped = new Set(configuration.problems.map((p) => p.address));
    for (const p of configuration.problems) problems.push({ origin: `${configuration.stackName}/${p.address}`, problem: p.problem });
    for (const resource of configuration.resources.values()) {
      if (skipped.has(resource.address)) continue;
      const origin = `${configuration.stackName}/${resource.address}`;
      const a = resource.attributes;
      if (resource.type === 'google_iam_workload_identity_pool') {
        world.pools.set(String(a.name), { name: String(a.name), id: String(a.workload_identity_pool_id), project: String(a.project), disabled: a.disabled === true, origin });
      } else if (resource.type === 'google_iam_workload_identity_pool_provider') {
        const provider = providerOf(resource, origin);
        if ('problem' in provider) problems.push({ origin, problem: provider.problem });
        else world.providers.set(provider.name, provider);
      } else if (resource.type === 'google_service_account') {
        const email = String(a.email);
        world.serviceAccounts.set(email, { email, name: String(a.name), uniqueId: String(a.unique_id), project: String(a.project), disabled: a.disabled === true, origin });
      }
    }
  }
  const { grants, problems: grantProblems } = concreteGrants(configurations);
  problems.push(...grantProblems);
  for (const grant of grants) {
    const list = grant.target.kind === 'service-account' ? world.grantsOn(grant.target.email) : world.grantsOnProject(grant.target.project);
    list.push({ role: grant.role, member: grant.member, ...(grant.condition !== undefined ? { condition: grant.condition } : {}), origin: grant.origin });
  }
  return problems;
}
