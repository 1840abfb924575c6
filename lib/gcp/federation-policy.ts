import { AgentIdentity, MIN_REASON_LENGTH } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';
import { inspectCaBundle } from '../core/pki/ca-bundle';
import { SpiffeId } from '../core/spiffe-id';
import { issuerProblem } from '../model/terraform/oidc-issuer';
import { CredentialKind, subjectConstraint } from '../model/gcp/cel/condition-analysis';
import { ATTRIBUTE_CONDITION_MAX_LENGTH, CelSyntaxError, celString, parseCel } from '../model/gcp/cel/environment';
import { checkedJwks } from './private/jwks';
import { AwsSourceProps, OidcSourceProps, WorkloadIdentitySource, X509SourceProps } from './workload-identity-source';

/** GCP's limit on `google.subject`, in bytes. */
export const GOOGLE_SUBJECT_MAX_BYTES = 127;
/** GCP's limits on OIDC allowed audiences. */
export const MAX_ALLOWED_AUDIENCES = 10;
export const AUDIENCE_MAX_LENGTH = 256;
/** The custom attribute that keeps the full SPIFFE ID when `google.subject` holds a short form. */
export const FULL_SPIFFE_ID_ATTRIBUTE = 'attribute.spiffe_id';

/** The provider-side half of a GCP gate, derived from an identity and a source. */
export interface FederationPolicy {
  readonly credential: 'oidc' | 'x509' | 'aws';
  /** The `google.subject` the gate admits: the value after `/subject/` in the principal. */
  readonly subject: string;
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition: string;
  /** OIDC issuer, audiences and the checked JWKS (compact JSON). */
  readonly oidc?: { readonly issuerUri: string; readonly allowedAudiences: readonly string[]; readonly jwksJson?: string };
  readonly x509?: { readonly trustAnchors: readonly string[]; readonly intermediateCas: readonly string[] };
  readonly aws?: { readonly accountId: string };
}

export interface FederationPolicyOptions {
  /** Where the policy is built, for error messages (the construct path). */
  readonly where: string;
  /** A CEL expression ANDed to the generated condition (it can narrow, never widen). */
  readonly extraCondition?: string;
  /** Whether a value is a cdktf token, which is not checked at synth. */
  readonly isToken?: (value: string) => boolean;
}

/**
 * Derives the attribute mapping and the CEL attribute condition that admit exactly the
 * identity's credential through a source, and checks them as GCP will: the condition parses as
 * CEL, pins the subject (and, for OIDC, checks the audience), fits 4096 characters; the subject
 * fits 127 bytes (a longer SPIFFE ID maps its path as the subject and keeps the full ID in
 * `attribute.spiffe_id`, which the condition pins).
 *
 * @throws AttestGateError naming the field, the value and the fix
 */
export function federationPolicyFor(identity: AgentIdentity, source: WorkloadIdentitySource, options: FederationPolicyOptions): FederationPolicy {
  const { where } = options;
  const isToken = options.isToken ?? (() => false);
  const fail = (field: string, value: unknown, problem: string, fix: string): never => {
    throw new AttestGateError({ where, field, value, problem, fix });
  };
  let policy: Omit<FederationPolicy, 'attributeCondition'> & { conditions: string[] };
  switch (source.kind) {
    case 'oidc':
      policy = oidcPolicy(identity, source.props as OidcSourceProps, fail, isToken, where);
      break;
    case 'x509':
      policy = x509Policy(identity, source.props as X509SourceProps, fail, where);
      break;
    case 'aws':
      policy = awsPolicy(source.props as AwsSourceProps, fail);
      break;
    default:
      return fail('source', source, 'is not a WorkloadIdentitySource', 'use WorkloadIdentitySource.oidc(), .x509() or .aws()');
  }

  const parts = [...policy.conditions];
  if (options.extraCondition !== undefined) {
    try {
      parseCel(options.extraCondition);
    } catch (e) {
      fail('extraCondition', options.extraCondition, `is not valid CEL (${(e as CelSyntaxError).detail})`, 'fix the expression; it is ANDed to the generated condition');
    }
    parts.push(`(${options.extraCondition})`);
  }
  const attributeCondition = parts.join(' && ');
  checkAttributeCondition(attributeCondition, policy.credential, policy.attributeMapping, where);
  const { conditions: _conditions, ...rest } = policy;
  return { ...rest, attributeCondition };
}

/**
 * Checks an attribute condition as the gate needs it: it parses as CEL (with @bufbuild/cel, the
 * grammar GCP uses), fits GCP's 4096 characters, and constrains the subject (see
 * condition-analysis.ts). Applied to every condition attestgate generates.
 *
 * @throws AttestGateError naming the condition and what is wrong with it
 */
export function checkAttributeCondition(condition: string, credential: CredentialKind, mapping: Readonly<Record<string, string>>, where: string): void {
  const fail = (problem: string, fix: string): never => {
    throw new AttestGateError({ where, field: 'attributeCondition', value: condition, problem, fix });
  };
  if (condition.length > ATTRIBUTE_CONDITION_MAX_LENGTH) fail(`is ${condition.length} characters, more than the ${ATTRIBUTE_CONDITION_MAX_LENGTH} GCP accepts`, 'shorten extraCondition or the audiences');
  try {
    parseCel(condition);
  } catch (e) {
    fail(`is not valid CEL (${(e as CelSyntaxError).detail})`, 'fix the expression');
  }
  const judgement = subjectConstraint({ condition, kind: credential, mapping });
  if (judgement.holds !== true) fail(`does not constrain the subject (${judgement.why})`, 'pin the subject with == a literal, in a literal list, or a prefix that ends its host');
}

type Fail = (field: string, value: unknown, problem: string, fix: string) => never;

/** google.subject for a SPIFFE-ID-valued claim: the ID itself, or its path when the ID is over 127 bytes. */
function spiffeSubject(claim: string, id: string, fail: Fail, field: string): { subject: string; mapping: Record<string, string> } {
  if (Buffer.byteLength(id, 'utf8') <= GOOGLE_SUBJECT_MAX_BYTES) return { subject: id, mapping: { 'google.subject': claim } };
  let spiffe: SpiffeId | undefined;
  try {
    spiffe = SpiffeId.parse(id);
  } catch {
    return fail(field, id, `is ${Buffer.byteLength(id, 'utf8')} bytes; google.subject holds at most ${GOOGLE_SUBJECT_MAX_BYTES}`, 'use a shorter URI');
  }
  const short = spiffe.path.slice(1);
  if (short.length === 0 || Buffer.byteLength(short, 'utf8') > GOOGLE_SUBJECT_MAX_BYTES) {
    fail(field, id, `is ${Buffer.byteLength(id, 'utf8')} bytes and its path alone is still over the ${GOOGLE_SUBJECT_MAX_BYTES} bytes google.subject holds`, 'shorten the SPIFFE ID path');
  }
  // The short form is only the principal's name; the condition pins the full ID (extract does not anchor).
  return {
    subject: short,
    mapping: { 'google.subject': `${claim}.extract(${celString(`spiffe://${spiffe.trustDomain}/{path}`)})`, [FULL_SPIFFE_ID_ATTRIBUTE]: claim },
  };
}

function oidcPolicy(identity: AgentIdentity, props: OidcSourceProps, fail: Fail, isToken: (v: string) => boolean, where: string) {
  const reason = props.issuerTrailingSlashReason;
  if (reason !== undefined && reason.trim().length < MIN_REASON_LENGTH) {
    fail('issuerTrailingSlashReason', reason, `is shorter than ${MIN_REASON_LENGTH} characters`, 'say why the issuer’s `iss` ends with "/", e.g. where its discovery document says so');
  }
  if (!isToken(props.issuerUri)) {
    const problem = issuerProblem(props.issuerUri, { trailingSlashAllowed: reason !== undefined });
    if (problem) fail('issuerUri', props.issuerUri, problem.problem, problem.fix);
  }
  const audiences = props.allowedAudiences;
  if (!Array.isArray(audiences) || audiences.length === 0) {
    fail('allowedAudiences', audiences, 'is empty; the condition checks the audience so a token minted for another relying party is refused', 'list the audience(s) the agent requests its token for, e.g. ["gcp"]');
  }
  if (audiences.length > MAX_ALLOWED_AUDIENCES) fail('allowedAudiences', audiences, `holds ${audiences.length} audiences; GCP accepts at most ${MAX_ALLOWED_AUDIENCES}`, 'keep the ones the agent uses');
  for (const audience of audiences) {
    if (typeof audience !== 'string' || audience.length === 0 || audience.length > AUDIENCE_MAX_LENGTH) {
      fail('allowedAudiences', audience, `is not a string of 1–${AUDIENCE_MAX_LENGTH} characters`, 'use a short audience such as "gcp"');
    }
    if (audience.includes('*')) fail('allowedAudiences', audience, 'contains "*"; audiences are compared exactly', 'list each audience');
  }
  if (new Set(audiences).size !== audiences.length) fail('allowedAudiences', audiences, 'lists an audience twice', 'remove the duplicate');
  const { subject, mapping } = spiffeSubject('assertion.sub', identity.spiffeId.toString(), fail, 'identity.spiffeId');
  const list = `[${audiences.map(celString).join(', ')}]`;
  return {
    credential: 'oidc' as const,
    subject,
    attributeMapping: mapping,
    conditions: [
      `assertion.sub == ${celString(identity.spiffeId.toString())}`,
      // `aud` is a string or a list (go-jose writes one audience as a string); either must match.
      `(assertion.aud in ${list} || assertion.aud.exists(a, a in ${list}))`,
    ],
    oidc: {
      issuerUri: props.issuerUri,
      allowedAudiences: [...audiences],
      ...(props.jwks !== undefined ? { jwksJson: checkedJwks(props.jwks, where) } : {}),
    },
  };
}

const X509_MAPPABLE: ReadonlyArray<[key: 'CN' | 'O' | 'OU', field: string]> = [
  ['CN', 'cn'],
  ['O', 'o'],
  ['OU', 'ou'],
];

function x509Policy(identity: AgentIdentity, props: X509SourceProps, fail: Fail, where: string) {
  const anchors = props.trustAnchors;
  if (!Array.isArray(anchors) || anchors.length === 0 || anchors.length > 3) {
    fail('trustAnchors', anchors, 'must hold 1–3 CA certificates (GCP’s limit)', 'give the PEM certificate(s) of the CA that issues the agent’s certificate');
  }
  anchors.forEach((pem, i) => inspectCaBundle(pem, { where, field: `trustAnchors[${i}]`, limits: { maxCertificates: 1, maxPemLength: 32768 } }));
  const intermediates = props.intermediateCas ?? [];
  if (intermediates.length > 10) fail('intermediateCas', `${intermediates.length} certificates`, 'holds more than the 10 GCP accepts', 'keep the intermediates of the agent’s chain only');
  intermediates.forEach((pem, i) => inspectCaBundle(pem, { where, field: `intermediateCas[${i}]`, limits: { maxCertificates: 1, maxPemLength: 32768 } }));
  const { subject, mapping } = spiffeSubject('assertion.san.uri', identity.sanUri, fail, 'identity.sanUri');
  // GCP exposes only cn, o and ou of the subject and issuer DNs; those the identity names are required.
  const conditions = [`assertion.san.uri == ${celString(identity.sanUri)}`];
  for (const [key, field] of X509_MAPPABLE) {
    if (identity.subject[key] !== undefined) conditions.push(`assertion.subject.dn.${field} == ${celString(identity.subject[key]!)}`);
  }
  for (const [key, field] of X509_MAPPABLE) {
    if (identity.issuingCa?.[key] !== undefined) conditions.push(`assertion.issuer.dn.${field} == ${celString(identity.issuingCa[key]!)}`);
  }
  return { credential: 'x509' as const, subject, attributeMapping: mapping, conditions, x509: { trustAnchors: [...anchors], intermediateCas: [...intermediates] } };
}

function awsPolicy(props: AwsSourceProps, fail: Fail) {
  if (typeof props.accountId !== 'string' || !/^\d{12}$/.test(props.accountId)) fail('accountId', props.accountId, 'is not a 12-digit AWS account ID', 'give the account of the AWS role');
  if (typeof props.roleName !== 'string' || !/^[\w+=,.@-]{1,64}$/.test(props.roleName)) fail('roleName', props.roleName, 'is not an IAM role name (1–64 of letters, digits and +=,.@_-)', 'give the role name, not its ARN');
  const partition = props.partition ?? 'aws';
  if (!['aws', 'aws-cn', 'aws-us-gov'].includes(partition)) fail('partition', partition, 'is not aws, aws-cn or aws-us-gov', 'use the role’s partition');
  const roleSessions = `arn:${partition}:sts::${props.accountId}:assumed-role/${props.roleName}/`;
  return {
    credential: 'aws' as const,
    // The role's sessions share one subject: the assumed-role ARN without the session name.
    subject: roleSessions.slice(0, -1),
    attributeMapping: {
      'google.subject': "assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/')",
      'attribute.aws_arn': 'assertion.arn',
    },
    conditions: [`assertion.account == ${celString(props.accountId)}`, `assertion.arn.startsWith(${celString(roleSessions)})`],
    aws: { accountId: props.accountId },
  };
}
