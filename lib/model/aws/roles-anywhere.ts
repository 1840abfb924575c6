import {
  ConditionEntry,
  PolicyDocumentModel,
  StatementModel,
  parseConditionOperator,
  parsePolicyDocument,
  statementCoversAction,
} from './iam-policy';
import { evaluateCondition } from './iam/evaluate-condition';
import { ContextKeys } from './iam/request-context';
import { TemplateSymbol, Value, describeValue, isSymbol, isSymbolicString } from './intrinsics';
import { TemplateModel, TemplateResource } from './template';

/**
 * What IAM Roles Anywhere means in a template: which roles it can issue sessions for, which
 * statements of their trust policies let it, and what those statements require. Shared by the
 * synth-time rules, the gate table and the conformance suite's discovery.
 */

export const ROLES_ANYWHERE_SERVICE = 'rolesanywhere.amazonaws.com';
export const TRUST_ANCHOR_TYPE = 'AWS::RolesAnywhere::TrustAnchor';
export const PROFILE_TYPE = 'AWS::RolesAnywhere::Profile';
export const CRL_TYPE = 'AWS::RolesAnywhere::CRL';
export const ROLE_TYPE = 'AWS::IAM::Role';

/** CreateSession needs all three: the role is assumed, tagged and given a source identity. */
export const ISSUANCE_ACTIONS = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] as const;

/** Every STS action that hands out credentials for a role. */
export const CREDENTIAL_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'] as const;

/** Prefixes of the session tags Roles Anywhere derives from the certificate. */
export const X509_TAG_PREFIX = 'aws:principaltag/x509';
const SUBJECT_TAG_PREFIXES = ['aws:principaltag/x509subject/', 'aws:principaltag/x509san/'];

/** A three-valued answer: yes, no, or cannot be judged at synth (with why). */
export type Judgement = { readonly holds: true } | { readonly holds: false; readonly why: string } | { readonly holds: undefined; readonly why: string };

const YES: Judgement = { holds: true };

/** A role whose trust policy lets Roles Anywhere in, with the statements that do. */
export interface RolesAnywhereTrust {
  readonly role: TemplateResource;
  readonly trustPolicy: PolicyDocumentModel & { readable: true };
  /** Allow statements naming Roles Anywhere (or `*`) as principal and covering an issuance action. */
  readonly statements: readonly StatementModel[];
}

/** The role's trust policy, read; or why it cannot be read. */
export function trustPolicyOf(role: TemplateResource): PolicyDocumentModel {
  return parsePolicyDocument(role.properties.AssumeRolePolicyDocument);
}

/** Whether a principal entry admits Roles Anywhere: `true`, `false`, or `undefined` if unknown. */
export function admitsRolesAnywhere(entry: { type: string; value: Value }): boolean | undefined {
  if (entry.type === '*' || (entry.type === 'AWS' && entry.value === '*')) return true;
  if (entry.type !== 'Service') return entry.type === '?' ? undefined : false;
  if (typeof entry.value === 'string') return entry.value === ROLES_ANYWHERE_SERVICE;
  return undefined;
}

/** Whether a statement is an Allow. `undefined` when its Effect is not known at synth. */
export function isAllow(statement: StatementModel): boolean | undefined {
  if (statement.effect === 'Allow') return true;
  if (statement.effect === 'Deny') return false;
  return undefined;
}

/** Finds every role in the template whose trust policy admits Roles Anywhere. */
export function rolesAnywhereTrusts(model: TemplateModel): RolesAnywhereTrust[] {
  const result: RolesAnywhereTrust[] = [];
  for (const role of model.resourcesOfType(ROLE_TYPE)) {
    const trustPolicy = trustPolicyOf(role);
    if (!trustPolicy.readable) continue;
    const statements = trustPolicy.statements.filter(
      (s) =>
        isAllow(s) !== false &&
        (s.principals?.some((p) => admitsRolesAnywhere(p) === true) ?? false) &&
        ISSUANCE_ACTIONS.some((a) => statementCoversAction(s, a) !== false),
    );
    if (statements.length > 0) result.push({ role, trustPolicy, statements });
  }
  return result;
}

/**
 * Whether every issuance is forced through `requirement`.
 *
 * CreateSession succeeds only if all three issuance actions are allowed, each by some statement.
 * So a requirement holds for issuance when, for at least one of the three actions, every
 * statement that could allow it imposes the requirement. That reads split-statement trust
 * policies (as in the Roles Anywhere user guide) correctly.
 */
export function requiredForIssuance(trust: RolesAnywhereTrust, requirement: (s: StatementModel) => Judgement): Judgement {
  let undecided: Judgement | undefined;
  let firstFailure: Judgement | undefined;
  for (const action of ISSUANCE_ACTIONS) {
    const covering = trust.statements.filter((s) => statementCoversAction(s, action) !== false);
    const judgements = covering.map(requirement);
    const failed = judgements.find((j) => j.holds === false);
    const unknown = judgements.find((j) => j.holds === undefined);
    if (!failed && !unknown) return YES;
    if (failed) firstFailure ??= failed;
    else undecided ??= unknown;
  }
  return undecided ?? firstFailure ?? YES;
}

const lower = (s: string): string => s.toLowerCase();

/** Whether a value is a Roles Anywhere trust anchor: its ARN attribute, or a canonical ARN literal. */
export function trustAnchorReference(model: TemplateModel, value: Value): { anchor: string } | { notAnchor: string } | { unknown: string } {
  if (isSymbol(value)) {
    if (value.symbolic === 'ref' || value.symbolic === 'stack-ref') {
      // A trust anchor of another stack (through an export) is judged as one of this template:
      // the same resource type, the same attribute; its own stack's rules judge its CA and CRLs.
      const target = model.referencedResource(value);
      if (target?.type === TRUST_ANCHOR_TYPE && value.attribute === 'TrustAnchorArn') return { anchor: value.symbolic === 'ref' ? value.logicalId : `${value.stack}/${value.logicalId}` };
      return { notAnchor: `${describeValue(value)} is not the TrustAnchorArn of a trust anchor` };
    }
    return { unknown: describeValue(value) };
  }
  const text = typeof value === 'string' ? value : isSymbolicString(value) ? value : undefined;
  if (text === undefined) return { notAnchor: `${describeValue(value)} is not an ARN` };
  const literalParts = typeof text === 'string' ? [text] : text.parts.filter((p): p is string => typeof p === 'string');
  const symbols = typeof text === 'string' ? [] : text.parts.filter((p): p is TemplateSymbol => typeof p !== 'string');
  if (literalParts.some((p) => p.includes('*') || p.includes('?'))) return { notAnchor: `${describeValue(value)} is a wildcard, not one trust anchor` };
  const rendered = typeof text === 'string' ? text : text.toString();
  if (/:alias\/trust-anchor\//.test(rendered)) {
    return { notAnchor: `${rendered} is an alias ARN, which can be moved to another trust anchor; pin the canonical trust-anchor/<id> ARN` };
  }
  // Symbols inside the string may only be account, region and partition pseudo parameters.
  const opaque = symbols.find((s) => !(s.symbolic === 'pseudo' && ['AWS::AccountId', 'AWS::Region', 'AWS::Partition'].includes(s.name)));
  if (opaque) return { unknown: describeValue(value) };
  const sample = typeof text === 'string' ? text : text.parts.map((p) => (typeof p === 'string' ? p : p.symbolic === 'pseudo' && p.name === 'AWS::AccountId' ? '123456789012' : 'x')).join('');
  if (/^arn:[a-z0-9-]+:rolesanywhere:[^:]+:\d{12}:trust-anchor\/[A-Za-z0-9-]+$/.test(sample)) return { anchor: rendered };
  return { notAnchor: `${rendered} is not a trust-anchor ARN` };
}

/** The SourceArn conditions of a statement that pin it to specific trust anchors. */
export function sourceArnPin(model: TemplateModel, statement: StatementModel): Judgement & { anchors?: string[] } {
  const conditions = statement.conditions.filter((c) => lower(c.key) === 'aws:sourcearn');
  if (conditions.length === 0) return { holds: false, why: `statement ${statement.index} has no aws:SourceArn condition` };
  let verdict: Judgement = { holds: false, why: '' };
  for (const condition of conditions) {
    const { qualifier, base } = parseConditionOperator(condition.operator);
    if (qualifier === 'ForAllValues' || !['ArnEquals', 'ArnLike', 'StringEquals', 'StringLike'].includes(base)) {
      verdict = { holds: false, why: `statement ${statement.index} uses ${condition.operator} on aws:SourceArn, which does not pin a trust anchor` };
      continue;
    }
    const references = condition.values.map((v) => trustAnchorReference(model, v));
    const notAnchor = references.find((r): r is { notAnchor: string } => 'notAnchor' in r);
    const unknown = references.find((r): r is { unknown: string } => 'unknown' in r);
    if (condition.values.length === 0) continue;
    if (notAnchor) {
      verdict = { holds: false, why: `statement ${statement.index}: ${notAnchor.notAnchor}` };
      continue;
    }
    if (unknown) {
      verdict = { holds: undefined, why: `statement ${statement.index} pins aws:SourceArn to ${unknown.unknown}, which is not known at synth` };
      continue;
    }
    return { holds: true, anchors: references.map((r) => (r as { anchor: string }).anchor) };
  }
  return verdict;
}

/** Whether a positive condition requires a certificate-identity attribute (subject, SAN or source identity). */
export function certificateIdentityCondition(statement: StatementModel): Judgement {
  let verdict: Judgement = {
    holds: false,
    why: `statement ${statement.index} has no StringEquals or StringLike condition on an aws:PrincipalTag/x509Subject/…, x509SAN/… or sts:SourceIdentity key`,
  };
  for (const condition of statement.conditions) {
    const key = lower(condition.key);
    if (!SUBJECT_TAG_PREFIXES.some((p) => key.startsWith(p)) && key !== 'sts:sourceidentity') continue;
    const { qualifier, base, ifExists } = parseConditionOperator(condition.operator);
    if (ifExists || qualifier === 'ForAllValues') continue;
    if (!['StringEquals', 'StringLike', 'StringEqualsIgnoreCase'].includes(base)) continue;
    if (condition.values.some((v) => !(typeof v === 'string'))) {
      verdict = { holds: undefined, why: `statement ${statement.index} compares ${condition.key} with ${describeValue(condition.values as Value)}, which is not known at synth` };
      continue;
    }
    const values = condition.values as string[];
    if (values.length === 0) continue;
    if (base === 'StringLike' && values.some((v) => /^[*?]*$/.test(v))) {
      verdict = { holds: false, why: `statement ${statement.index} matches ${condition.key} with a bare wildcard, which any certificate meets` };
      continue;
    }
    return YES;
  }
  return verdict;
}

/** Whether a condition entry constrains an x509 session tag. */
export function isX509Condition(condition: ConditionEntry): boolean {
  return lower(condition.key).startsWith(X509_TAG_PREFIX);
}

/**
 * Whether a condition holds for a request without its key, as IAM evaluates it (the model's
 * evaluator: negated operators, `…IfExists` and `ForAllValues` hold; `ForAnyValue` and positive
 * operators fail). A `Null` check whose value is not known at synth is taken to hold: it cannot
 * be shown to require the key.
 */
function holdsWithoutKey(condition: ConditionEntry): boolean {
  const literal = condition.values.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
  if (!literal) return parseConditionOperator(condition.operator).base === 'Null' || evaluateCondition({ operator: condition.operator, key: condition.key, values: ['?'] }, NO_KEYS, undefined).holds;
  return evaluateCondition({ operator: condition.operator, key: condition.key, values: condition.values.map(String) }, NO_KEYS, undefined).holds;
}

const NO_KEYS = new ContextKeys({}, 'a request without the attribute');

/**
 * Conditions on x509 tags that a certificate without that attribute satisfies, when every other
 * condition of the statement on the same key does too (no presence check, no positive operator).
 */
export function absentAttributeLoopholes(statement: StatementModel): ConditionEntry[] {
  return statement.conditions.filter(
    (c) =>
      isX509Condition(c) &&
      parseConditionOperator(c.operator).base !== 'Null' &&
      statement.conditions.filter((other) => lower(other.key) === lower(c.key)).every(holdsWithoutKey),
  );
}

/** Principals other than Roles Anywhere that a statement lets obtain credentials for the role. */
export function otherCredentialPrincipals(statement: StatementModel): Judgement & { principals?: string[] } {
  if (isAllow(statement) === false) return { holds: false, why: 'a Deny statement' };
  const issuesCredentials = CREDENTIAL_ACTIONS.map((a) => statementCoversAction(statement, a));
  if (!issuesCredentials.some((x) => x !== false)) return { holds: false, why: 'no credential action' };
  if (statement.notPrincipals !== undefined) {
    return { holds: true, principals: [`everyone except ${statement.notPrincipals.map((p) => `${p.type}:${describeValue(p.value)}`).join(', ')} (NotPrincipal)`] };
  }
  const others: string[] = [];
  let unknown: string | undefined;
  for (const p of statement.principals ?? []) {
    if (p.type === 'Service' && p.value === ROLES_ANYWHERE_SERVICE) continue;
    if (p.type === '?' || (typeof p.value !== 'string' && !(isSymbol(p.value) || isSymbolicString(p.value)))) {
      unknown = describeValue(p.value);
      continue;
    }
    others.push(p.type === '*' ? '* (anyone)' : `${p.type}: ${describeValue(p.value)}`);
  }
  if (others.length > 0) return { holds: true, principals: others };
  if (unknown) return { holds: undefined, why: `statement ${statement.index} names principal ${unknown}, which is not known at synth` };
  return { holds: false, why: 'only Roles Anywhere' };
}

/**
 * A profile that lists a role, wherever in the app it is: one of the role's template lists it
 * by `Fn::GetAtt Role.Arn`; one of another stack by a cross-stack reference to that role (an
 * import of its ARN, a `stack-ref`) — a profile need not live in its role's stack.
 */
export interface ProfileOfRole {
  readonly profile: TemplateResource;
  /** The model the profile is a resource of. */
  readonly model: TemplateModel;
  /** How paths name it: its logical ID in the role's template; `<stack>/<logical ID>` in another. */
  readonly ref: string;
}

export function profilesOfRole(model: TemplateModel, roleLogicalId: string): ProfileOfRole[] {
  const local = model
    .resourcesOfType(PROFILE_TYPE)
    .filter((profile) => {
      const arns = profile.properties.RoleArns;
      return Array.isArray(arns) && arns.some((a) => isSymbol(a) && a.symbolic === 'ref' && a.logicalId === roleLogicalId);
    })
    .map((profile) => ({ profile, model, ref: profile.logicalId }));
  return [...local, ...(profilesOfOtherStacks(model).get(roleLogicalId) ?? [])];
}

/** Per model: the profiles of the app's other templates that list one of its roles, by the role's logical ID (read once: every role of every stack asks). */
const OTHER_STACKS_PROFILES = new WeakMap<TemplateModel, Map<string, ProfileOfRole[]>>();

function profilesOfOtherStacks(model: TemplateModel): Map<string, ProfileOfRole[]> {
  let index = OTHER_STACKS_PROFILES.get(model);
  if (index) return index;
  index = new Map();
  for (const other of model.app?.others(model.name) ?? []) {
    for (const profile of other.resourcesOfType(PROFILE_TYPE)) {
      const arns = profile.properties.RoleArns;
      if (!Array.isArray(arns)) continue;
      const roles = new Set(arns.filter((a): a is Extract<TemplateSymbol, { symbolic: 'stack-ref' }> => isSymbol(a) && a.symbolic === 'stack-ref' && a.template === model.name && a.attribute === 'Arn').map((a) => a.logicalId));
      for (const role of roles) index.set(role, [...(index.get(role) ?? []), { profile, model: other, ref: `${model.app!.stackLabel(other.name)}/${profile.logicalId}` }]);
    }
  }
  OTHER_STACKS_PROFILES.set(model, index);
  return index;
}

/**
 * The CRLs attached to a trust anchor of the template, with whether each is enabled: those of the
 * template, and, when it is read with the app's other templates, those of other stacks that attach
 * to it through an import of its ARN (a CRL need not live in its anchor's stack).
 */
export function crlsOfTrustAnchor(model: TemplateModel, anchorLogicalId: string): Array<{ crl: TemplateResource; enabled: boolean | undefined }> {
  const local = model.resourcesOfType(CRL_TYPE).filter((crl) => {
    const arn = crl.properties.TrustAnchorArn;
    return isSymbol(arn) && arn.symbolic === 'ref' && arn.logicalId === anchorLogicalId;
  });
  const imported = (model.app?.others(model.name) ?? []).flatMap((other) =>
    other.resourcesOfType(CRL_TYPE).filter((crl) => {
      const arn = crl.properties.TrustAnchorArn;
      return isSymbol(arn) && arn.symbolic === 'stack-ref' && arn.template === model.name && arn.logicalId === anchorLogicalId && arn.attribute === 'TrustAnchorArn';
    }),
  );
  return [...local, ...imported]
    .map((crl) => {
      const enabled = crl.properties.Enabled;
      // The default of Enabled is not documented; only an explicit true counts (docs/emulator.md, divergences).
      return { crl, enabled: enabled === true || enabled === 'true' ? true : enabled === undefined || enabled === false || enabled === 'false' ? false : undefined };
    });
}

/** The API default of a profile's DurationSeconds and of a role's MaxSessionDuration. */
export const DEFAULT_SESSION_SECONDS = 3600;

/**
 * The longest session Roles Anywhere can issue for a role: for each profile listing it,
 * min(profile DurationSeconds, role MaxSessionDuration); the role's own maximum when no profile
 * given lists it (a profile elsewhere may). `undefined` with a reason when a value is
 * not known at synth.
 */
export function maxRolesAnywhereSession(model: TemplateModel, role: TemplateResource): { seconds: number } | { unknown: string } {
  const asSeconds = (value: Value | undefined, what: string): number | string => {
    if (value === undefined || value === null) return DEFAULT_SESSION_SECONDS;
    const n = typeof value === 'string' ? Number(value) : value;
    return typeof n === 'number' && Number.isFinite(n) ? n : `${what} is ${describeValue(value)}`;
  };
  const roleMax = asSeconds(role.properties.MaxSessionDuration, `${role.logicalId} MaxSessionDuration`);
  if (typeof roleMax === 'string') return { unknown: roleMax };
  const profiles = profilesOfRole(model, role.logicalId).map((p) => p.profile);
  if (profiles.length === 0) return { seconds: roleMax };
  let longest = 0;
  for (const profile of profiles) {
    const duration = asSeconds(profile.properties.DurationSeconds, `${profile.logicalId} DurationSeconds`);
    if (typeof duration === 'string') return { unknown: duration };
    longest = Math.max(longest, Math.min(duration, roleMax));
  }
  return { seconds: longest };
}
