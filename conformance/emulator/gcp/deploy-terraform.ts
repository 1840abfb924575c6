import { CelSyntaxError, parseCel } from '../../../lib/model/gcp/cel/environment';
import { concreteGrants } from '../../../lib/model/gcp/iam-grants';
import { block } from '../../../lib/model/terraform/configuration';
import { Value } from '../../../lib/model/terraform/expressions';
import { AppliedConfiguration, AppliedResource } from '../../../lib/model/terraform/apply';
import { EmulatedProvider, GcpWorld, Jwks } from './world';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The GCP world built from configurations applied with the google provider's model
 * (`lib/model/gcp/google-provider`), with the checks GCP makes when it creates a provider.
 */

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
