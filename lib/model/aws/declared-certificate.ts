import { DistinguishedName, RDN_KEYS } from '../../core/distinguished-name';
import { ConditionEntry, parseConditionOperator } from './iam-policy';
import { evaluateCondition } from './iam/evaluate-condition';
import { ContextKeys } from './iam/request-context';

/** The certificate a declared identity presents, as far as a Roles Anywhere gate checks it. */
export interface DeclaredCertificate {
  readonly subject: DistinguishedName;
  readonly sanUri: string;
  readonly issuingCa?: DistinguishedName;
}

/**
 * The session tags Roles Anywhere derives from the declared certificate, keyed by the condition
 * key that checks each (`aws:PrincipalTag/x509Subject/CN`): every subject RDN, the SAN URI (the
 * SPIFFE ID) and every issuer RDN the identity declares. A gate pins each with StringEquals.
 */
export function declaredCertificateTags(certificate: DeclaredCertificate): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const key of RDN_KEYS) {
    if (certificate.subject[key] !== undefined) tags[`aws:PrincipalTag/x509Subject/${key}`] = certificate.subject[key]!;
  }
  tags['aws:PrincipalTag/x509SAN/URI'] = certificate.sanUri;
  for (const key of RDN_KEYS) {
    if (certificate.issuingCa?.[key] !== undefined) tags[`aws:PrincipalTag/x509Issuer/${key}`] = certificate.issuingCa[key]!;
  }
  return tags;
}

/** A value that satisfies a StringLike pattern: `*` and `?` become `x`. */
const satisfying = (pattern: string) => pattern.replace(/[*?]/g, 'x');

/** Whether every condition on `key` holds for a request carrying `candidate` (undefined: without the key). */
function admitsTag(key: string, conditions: readonly ConditionEntry[], candidate: string | undefined, where: string): boolean {
  const onKey = conditions.filter((c) => c.key.toLowerCase() === key.toLowerCase());
  return (
    onKey.length > 0 &&
    onKey.every((c) => evaluateCondition({ operator: c.operator, key: c.key, values: c.values.map(String) }, new ContextKeys(candidate === undefined ? {} : { [key]: candidate }, where), undefined).holds)
  );
}

/**
 * Values of a certificate tag besides `value` that a statement's conditions admit, judged with
 * the IAM condition evaluator: any value written in the conditions (patterns filled), and near
 * variants of `value` (suffix, prefix, case) — what a StringLike, a second value or a
 * case-insensitive operator lets in beyond one identity.
 */
export function admittedBesides(key: string, value: string, conditions: readonly ConditionEntry[], where = 'a certificate'): string[] {
  const onKey = conditions.filter((c) => c.key.toLowerCase() === key.toLowerCase());
  if (onKey.some((c) => c.values.some((v) => typeof v === 'object' && v !== null))) return [];
  const written = onKey.filter((c) => !parseConditionOperator(c.operator).base.startsWith('Null')).flatMap((c) => c.values.map((v) => satisfying(String(v))));
  const variants = [`${value}x`, `x${value}`, value.toUpperCase(), value.toLowerCase(), 'attestgate-other'];
  return [...new Set([...written, ...variants])].filter((candidate) => candidate !== value && admitsTag(key, conditions, candidate, where));
}

/**
 * Where one statement's conditions no longer pin the declared certificate, judged with the IAM
 * condition evaluator: a declared tag not required (a certificate without it is admitted), the
 * declared value refused (the gate refuses its own agent), or other values admitted besides it —
 * any value written in the conditions, and near variants of the declared one (case, prefix,
 * suffix). Empty when every declared tag is pinned to exactly its value.
 */
export function certificateTagDrift(declared: Readonly<Record<string, string>>, conditions: readonly ConditionEntry[], where: string): string[] {
  const drift: string[] = [];
  for (const [key, value] of Object.entries(declared)) {
    const tag = key.replace(/^aws:PrincipalTag\//i, '');
    const onKey = conditions.filter((c) => c.key.toLowerCase() === key.toLowerCase());
    const unknown = onKey.find((c) => c.values.some((v) => typeof v === 'object' && v !== null));
    if (unknown) {
      drift.push(`${where}: ${tag} is compared with a value not known at synth, so the declared ${JSON.stringify(value)} cannot be confirmed`);
      continue;
    }
    const admits = (candidate: string | undefined): boolean => admitsTag(key, conditions, candidate, where);
    if (!admits(value)) {
      drift.push(
        onKey.length === 0
          ? `${where}: ${tag} is declared ${JSON.stringify(value)} but the trust policy does not check it`
          : `${where}: ${tag} is declared ${JSON.stringify(value)} but the trust policy refuses it (${onKey.map((c) => `${c.operator} ${JSON.stringify(c.values)}`).join('; ')})`,
      );
      continue;
    }
    if (admits(undefined)) {
      drift.push(`${where}: ${tag} is declared ${JSON.stringify(value)} but a certificate without it is admitted too`);
      continue;
    }
    const others = admittedBesides(key, value, conditions, where);
    if (others.length > 0) drift.push(`${where}: ${tag} admits values besides the declared ${JSON.stringify(value)}, e.g. ${others.slice(0, 3).map((o) => JSON.stringify(o)).join(', ')}`);
  }
  return drift;
}

export const URI_SAN_KEY = 'aws:PrincipalTag/x509SAN/URI';
export const COMMON_NAME_KEY = 'aws:PrincipalTag/x509Subject/CN';

/** The first value a statement requires of a tag with StringEquals, if any. */
export function requiredValue(key: string, conditions: readonly ConditionEntry[]): string | undefined {
  return conditions
    .find((c) => c.key.toLowerCase() === key.toLowerCase() && parseConditionOperator(c.operator).base === 'StringEquals' && !parseConditionOperator(c.operator).ifExists)
    ?.values.find((v): v is string => typeof v === 'string');
}

/**
 * Whether a statement admits exactly one URI SAN — the SPIFFE ID that names the workload: a
 * StringEquals on it, and nothing in its conditions admitting another value.
 */
export function exactUriSan(conditions: readonly ConditionEntry[]): { holds: true } | { holds: false; why: string } {
  const value = requiredValue(URI_SAN_KEY, conditions);
  if (value === undefined) return { holds: false, why: 'no exact URI SAN condition' };
  return admittedBesides(URI_SAN_KEY, value, conditions).length === 0 ? { holds: true } : { holds: false, why: 'the URI SAN admits other values' };
}
