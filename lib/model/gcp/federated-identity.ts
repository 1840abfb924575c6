import { CelSyntaxError, evaluateCel } from './cel/environment';

/**
 * What a workload identity pool provider makes of a verified credential: the attribute mapping
 * (CEL over `assertion`), then the attribute condition (CEL over `assertion`, `google` and
 * `attribute`), then the principal and principal sets the federated token stands for. The STS
 * emulator decides with it; the probes use it to predict which claims a condition admits.
 */

export const WORKLOAD_IDENTITY_USER_ROLE = 'roles/iam.workloadIdentityUser';
export const TOKEN_CREATOR_ROLE = 'roles/iam.serviceAccountTokenCreator';
/** Roles that carry iam.serviceAccounts.getAccessToken. */
export const IMPERSONATION_ROLES: ReadonlySet<string> = new Set([WORKLOAD_IDENTITY_USER_ROLE, TOKEN_CREATOR_ROLE]);

/** What a federated token stands for: the pool principal and the principal sets it belongs to. */
export interface FederatedPrincipal {
  readonly poolName: string;
  readonly providerName: string;
  readonly subject: string;
  /** `principal://iam.googleapis.com/<pool>/subject/<google.subject>` */
  readonly principal: string;
  /** The whole pool (`…/*`), `…/group/<g>` and `…/attribute.<name>/<value>` sets. */
  readonly principalSets: readonly string[];
  readonly attributes: Readonly<Record<string, string | readonly string[]>>;
}

/** A refusal in the STS's OAuth shape. */
export interface StsRejection {
  readonly status: number;
  readonly error: string;
  readonly description: string;
}

export interface MappedAttributes {
  readonly subject: string;
  readonly groups: readonly string[];
  /** Custom attributes by name (without the `attribute.` prefix). */
  readonly attributes: Readonly<Record<string, string | readonly string[]>>;
}

/** GCP's limit on `google.subject`. */
export const SUBJECT_MAX_BYTES = 127;

export const CONDITION_REJECTED = 'The given credential is rejected by the attribute condition.';

const rejection = (status: number, error: string, description: string): StsRejection => ({ status, error, description });

/** A CEL value as plain JS: strings stay, CEL lists (iterable) become arrays; anything else is returned as is. */
function plain(value: unknown): unknown {
  if (typeof value === 'string' || value === null || typeof value !== 'object') return value;
  if (Symbol.iterator in (value as object)) return [...(value as Iterable<unknown>)].map(plain);
  return value;
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

function evaluate(expression: string, bindings: Parameters<typeof evaluateCel>[1]): { value: unknown } | { error: string } {
  try {
    const outcome = evaluateCel(expression, bindings);
    return 'error' in outcome ? outcome : { value: plain(outcome.value) };
  } catch (e) {
    return { error: e instanceof CelSyntaxError ? e.detail : (e as Error).message };
  }
}

/**
 * Applies an attribute mapping to a verified credential's claims. `google.subject` must map to a
 * string of at most 127 bytes; `google.groups` to a list of strings. A custom attribute whose
 * expression fails (a missing claim) is left unset — GCP does not document the case; a condition
 * that reads it then fails, and fails closed.
 */
export function mapAttributes(mapping: Readonly<Record<string, string>>, assertion: Readonly<Record<string, unknown>>): MappedAttributes | StsRejection {
  const subjectExpression = mapping['google.subject'];
  const subject = subjectExpression === undefined ? { error: 'no mapping' } : evaluate(subjectExpression, { assertion });
  if ('error' in subject || typeof subject.value !== 'string') {
    return rejection(400, 'unauthorized_client', "The mapped attribute 'google.subject' must be of type STRING.");
  }
  if (Buffer.byteLength(subject.value, 'utf8') > SUBJECT_MAX_BYTES) {
    return rejection(400, 'invalid_request', `The size of mapped attribute google.subject exceeds the ${SUBJECT_MAX_BYTES} bytes limit. Either modify your attribute mapping or the incoming assertion to produce a mapped attribute that is less than ${SUBJECT_MAX_BYTES} bytes.`);
  }
  let groups: string[] = [];
  if (mapping['google.groups'] !== undefined) {
    const mapped = evaluate(mapping['google.groups'], { assertion });
    if (!('error' in mapped)) {
      if (!isStringList(mapped.value)) return rejection(400, 'unauthorized_client', "The mapped attribute 'google.groups' must be of type LIST of STRING.");
      groups = mapped.value;
    }
  }
  const attributes: Record<string, string | readonly string[]> = {};
  for (const [key, expression] of Object.entries(mapping)) {
    if (!key.startsWith('attribute.')) continue;
    const mapped = evaluate(expression, { assertion });
    if ('error' in mapped) continue;
    if (typeof mapped.value !== 'string' && !isStringList(mapped.value)) {
      return rejection(400, 'unauthorized_client', `The mapped attribute '${key}' must be of type STRING or LIST of STRING.`);
    }
    attributes[key.slice('attribute.'.length)] = mapped.value;
  }
  return { subject: subject.value, groups, attributes };
}

/** Whether the attribute condition admits a credential: only a boolean `true` does; an error or any other value rejects. */
export function conditionAdmits(condition: string | undefined, assertion: Readonly<Record<string, unknown>>, mapped: MappedAttributes): boolean {
  if (condition === undefined) return true;
  const outcome = evaluate(condition, { assertion, google: { subject: mapped.subject, groups: mapped.groups }, attribute: { ...mapped.attributes } });
  return !('error' in outcome) && outcome.value === true;
}

export const principalOf = (poolName: string, subject: string): string => `principal://iam.googleapis.com/${poolName}/subject/${subject}`;
export const wholePoolOf = (poolName: string): string => `principalSet://iam.googleapis.com/${poolName}/*`;

/** The principal sets of a federated identity: the whole pool, its groups and each attribute value. */
export function principalSetsOf(poolName: string, mapped: MappedAttributes): string[] {
  const base = `principalSet://iam.googleapis.com/${poolName}`;
  return [
    wholePoolOf(poolName),
    ...mapped.groups.map((g) => `${base}/group/${g}`),
    ...Object.entries(mapped.attributes).flatMap(([name, value]) => (typeof value === 'string' ? [value] : value).map((v) => `${base}/attribute.${name}/${v}`)),
  ];
}

/**
 * Mapping, then condition, then the principal: what a provider makes of verified claims, or the
 * STS's refusal.
 */
export function federate(
  provider: { readonly name: string; readonly poolName: string; readonly attributeMapping: Readonly<Record<string, string>>; readonly attributeCondition?: string },
  assertion: Readonly<Record<string, unknown>>,
): FederatedPrincipal | StsRejection {
  const mapped = mapAttributes(provider.attributeMapping, assertion);
  if ('error' in mapped) return mapped;
  if (!conditionAdmits(provider.attributeCondition, assertion, mapped)) return rejection(400, 'unauthorized_client', CONDITION_REJECTED);
  return {
    poolName: provider.poolName,
    providerName: provider.name,
    subject: mapped.subject,
    principal: principalOf(provider.poolName, mapped.subject),
    principalSets: principalSetsOf(provider.poolName, mapped),
    attributes: mapped.attributes,
  };
}

export function isRejection(value: unknown): value is StsRejection {
  return typeof value === 'object' && value !== null && 'error' in value && 'description' in value;
}
