import { ConditionEntry, parseConditionOperator } from '../../lib/model/aws/iam-policy';
import { admittedBesides } from '../../lib/model/aws/declared-certificate';
import { AwsGate } from './discover-gates';

/** What a correctly attested certificate for a gate carries. */
export interface ExpectedIdentity {
  readonly subject: Record<string, string>;
  readonly sanUris: readonly string[];
  readonly sanDns: readonly string[];
  /** Issuer attributes the gate pins; the signing CA must have them. */
  readonly issuer: Record<string, string>;
  /** Where it came from: the gate manifest (intent) or the trust policy (brownfield). */
  readonly source: 'manifest' | 'trust-policy';
  /**
   * What the gate admits for each certificate attribute (`x509Subject/CN`, `x509SAN/URI`, …):
   * exact values and StringLike patterns. Mutations pick values outside them.
   */
  readonly admitted: ReadonlyMap<string, ReadonlyArray<{ readonly value: string; readonly like: boolean }>>;
  /**
   * Other values of the subject CN and the SAN URI that some Roles Anywhere statement admits
   * besides the identity's (a StringLike pattern, a second value, a case-insensitive operator):
   * the wrong-CN and wrong-SAN probes send the first, so a gate admitting more than one identity
   * FAILs instead of being proven with a value it happens to refuse.
   */
  readonly admittedBesides: { readonly cn: readonly string[]; readonly sanUri: readonly string[] };
}

/** Whether a value satisfies an IAM StringLike pattern (`*`, `?`). */
function likeMatches(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(value);
}

/**
 * The first candidate the gate would not admit for an attribute; the last candidate when every
 * one is admitted (the probe then shows the gate admits it).
 */
export function valueOutside(identity: ExpectedIdentity, attribute: string, candidates: readonly string[]): string {
  const admitted = identity.admitted.get(attribute.toLowerCase()) ?? [];
  return candidates.find((c) => !admitted.some((a) => (a.like ? likeMatches(a.value, c) : a.value === c))) ?? candidates[candidates.length - 1];
}

/** A value that satisfies a StringLike pattern: `*` becomes `probe`, `?` becomes `x`. */
function satisfy(pattern: string, like: boolean): string {
  return like ? pattern.replace(/\*/g, 'probe').replace(/\?/g, 'x') : pattern;
}

/** RDN attribute names as certificates spell them: IAM condition keys are case-insensitive (`…/x509Subject/cn`). */
const RDN = new Map(['CN', 'O', 'OU', 'C', 'ST', 'L'].map((k) => [k.toLowerCase(), k]));
const rdn = (attribute: string) => RDN.get(attribute.toLowerCase()) ?? attribute;

/**
 * A Deny statement's requirement, read as the positive condition it amounts to: denying every
 * value but X (`StringNotEquals`/`StringNotLike`, not `…IfExists`) requires X.
 */
function asRequirement(condition: ConditionEntry): ConditionEntry | undefined {
  const { base, ifExists, qualifier } = parseConditionOperator(condition.operator);
  if (ifExists || qualifier !== undefined) return undefined;
  if (base === 'StringNotEquals') return { ...condition, operator: 'StringEquals' };
  if (base === 'StringNotLike') return { ...condition, operator: 'StringLike' };
  return undefined;
}

/**
 * The identity the positive control certificate must carry. From the gate manifest when there
 * is one; otherwise from the positive conditions of the trust policy (StringEquals/StringLike on
 * x509 tags and sts:SourceIdentity) and the values its Deny statements carve out, choosing the
 * first allowed value of each.
 */
export function expectedIdentityOf(gate: AwsGate): ExpectedIdentity {
  const admitted = new Map<string, Array<{ value: string; like: boolean }>>();
  const requirements = [...gate.attributeConditions, ...gate.denyConditions.flatMap((c) => asRequirement(c) ?? [])];
  for (const condition of requirements) {
    const { base, ifExists, qualifier } = parseConditionOperator(condition.operator);
    if (ifExists || qualifier === 'ForAllValues' || (base !== 'StringEquals' && base !== 'StringLike')) continue;
    const key = condition.key.replace(/^aws:principaltag\//i, '').toLowerCase();
    for (const v of condition.values) if (typeof v === 'string') (admitted.get(key) ?? admitted.set(key, []).get(key)!).push({ value: v, like: base === 'StringLike' });
  }
  if (gate.manifest) {
    const id = gate.manifest.identity;
    return { subject: { ...id.subject }, sanUris: [id.sanUri], sanDns: [], issuer: { ...(id.issuingCa ?? {}) }, source: 'manifest', admitted, admittedBesides: besides(gate, id.subject.CN, id.sanUri) };
  }
  const subject: Record<string, string> = {};
  const issuer: Record<string, string> = {};
  const sanUris: string[] = [];
  const sanDns: string[] = [];
  for (const condition of requirements) {
    const value = positiveValue(condition);
    if (value === undefined) continue;
    const key = condition.key.replace(/^aws:principaltag\//i, '');
    const [field, ...rest] = key.split('/');
    const attribute = rest.join('/');
    if (/^x509subject$/i.test(field)) subject[rdn(attribute)] ??= value;
    else if (/^x509issuer$/i.test(field)) issuer[rdn(attribute)] ??= value;
    else if (/^x509san$/i.test(field) && /^uri$/i.test(attribute)) sanUris.length === 0 && sanUris.push(value);
    else if (/^x509san$/i.test(field) && /^dns$/i.test(attribute)) sanDns.length === 0 && sanDns.push(value);
    else if (/^sts:sourceidentity$/i.test(condition.key) && value.startsWith('CN=')) subject.CN ??= value.slice(3);
  }
  if (Object.keys(subject).length === 0) subject.CN = 'attestgate-probe';
  return { subject, sanUris, sanDns, issuer, source: 'trust-policy', admitted, admittedBesides: besides(gate, subject.CN, sanUris[0]) };
}

function positiveValue(condition: ConditionEntry): string | undefined {
  const { base, ifExists, qualifier } = parseConditionOperator(condition.operator);
  if (ifExists || qualifier === 'ForAllValues') return undefined;
  if (base !== 'StringEquals' && base !== 'StringLike' && base !== 'StringEqualsIgnoreCase') return undefined;
  const first = condition.values.find((v): v is string => typeof v === 'string');
  return first === undefined ? undefined : satisfy(first, base === 'StringLike');
}

/**
 * What the gate's statements admit besides the identity's CN and SAN URI (any statement suffices).
 * The SPIFFE ID in the URI SAN names the workload; a CN admitted besides the identity's is another
 * workload only when the SAN does not pin it — with the SAN pinned exactly, another CN carries
 * the same SPIFFE ID, which only that workload is issued.
 */
function besides(gate: AwsGate, cn: string | undefined, sanUri: string | undefined): ExpectedIdentity['admittedBesides'] {
  const union = (key: string, value: string | undefined) =>
    value === undefined ? [] : [...new Set(gate.attestationStatements.flatMap((conditions) => admittedBesides(key, value, conditions, gate.id)))];
  const sans = union('aws:PrincipalTag/x509SAN/URI', sanUri);
  return { cn: gate.sanUriPinned && sans.length === 0 ? [] : union('aws:PrincipalTag/x509Subject/CN', cn), sanUri: sans };
}
