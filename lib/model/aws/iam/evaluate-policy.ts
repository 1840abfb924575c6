import { arnMatches } from './arn-pattern';
import { evaluateCondition, variablesOf } from './evaluate-condition';
import { PolicyDocument, PolicyStatement, parsePolicyDocument } from './policy-document';
import { VariableLookup, matchesPattern, resolvePolicyString } from './policy-string';
import { describePrincipal, principalMatches } from './principal';
import { ContextKeys, RequestContext, checkRequest } from './request-context';

/**
 * The outcome of a resource policy for a request: a matching Deny statement wins, otherwise a
 * matching Allow statement allows, otherwise the request is implicitly denied.
 */
export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface Evaluation {
  readonly decision: Decision;
  /** Indices (in `Statement` order) of the statements, Allow or Deny, that apply to the request. */
  readonly matchedStatements: number[];
  /** One line per statement saying whether it applies and, if not, the first element that did not match; then the decision. */
  readonly explanation: string[];
}

export interface EvaluateOptions {
  /** Names the policy in errors and explanations, e.g. `trust policy of role deployer`. */
  readonly where?: string;
}

/**
 * Evaluates a resource policy — for the emulator, a role's trust policy — against one request,
 * as IAM does for the resource-policy side of an authorization: principal, action, resource and
 * every condition of a statement must match for it to apply; an applying Deny overrides any Allow.
 *
 * `policy` is the parsed JSON document (or its JSON text). A structurally malformed policy throws
 * an {@link AttestGateError}; so does a malformed request. The account-level side of a
 * cross-account request (the caller's own identity policies) is not part of this decision.
 */
export function evaluateResourcePolicy(policy: unknown, request: RequestContext, options: EvaluateOptions = {}): Evaluation {
  return evaluatePolicyDocument(parsePolicyDocument(policy, options.where), request, options);
}

/** {@link evaluateResourcePolicy} for a policy read once with {@link parsePolicyDocument}. */
export function evaluatePolicyDocument(document: PolicyDocument, request: RequestContext, options: EvaluateOptions = {}): Evaluation {
  const where = options.where ?? 'resource policy';
  checkRequest(request, where);
  const keys = new ContextKeys(request.context, where);
  const variables = document.variablesEnabled ? variablesOf(keys) : undefined;
  const explanation: string[] = [];
  const matchedStatements: number[] = [];
  let allows: number | undefined;
  let denies: number | undefined;
  for (const statement of document.statements) {
    const mismatch = firstMismatch(statement, request, keys, variables);
    const label = `Statement ${statement.index}${statement.sid ? ` (Sid "${statement.sid}")` : ''} ${statement.effect}`;
    if (mismatch !== undefined) {
      explanation.push(`${label}: does not apply: ${mismatch}`);
      continue;
    }
    explanation.push(`${label}: applies`);
    matchedStatements.push(statement.index);
    if (statement.effect === 'Deny') denies ??= statement.index;
    else allows ??= statement.index;
  }
  let decision: Decision;
  if (denies !== undefined) {
    decision = 'ExplicitDeny';
    explanation.push(`Decision: ExplicitDeny (statement ${denies} denies)`);
  } else if (allows !== undefined) {
    decision = 'Allow';
    explanation.push(`Decision: Allow (statement ${allows} allows and no statement denies)`);
  } else {
    decision = 'ImplicitDeny';
    explanation.push('Decision: ImplicitDeny (no statement allows)');
  }
  return { decision, matchedStatements, explanation };
}

/** Why a statement does not apply to the request, or `undefined` when it does. */
function firstMismatch(statement: PolicyStatement, request: RequestContext, keys: ContextKeys, variables: VariableLookup | undefined): string | undefined {
  const who = `${request.principal.type} ${request.principal.id}`;
  if (statement.principals !== undefined && !statement.principals.some((p) => principalMatches(p, request.principal))) {
    return `Principal [${statement.principals.map(describePrincipal).join(', ')}] does not cover ${who}`;
  }
  if (statement.notPrincipals !== undefined) {
    const excluded = statement.notPrincipals.find((p) => principalMatches(p, request.principal));
    if (excluded !== undefined) return `NotPrincipal ${describePrincipal(excluded)} covers ${who}`;
  }
  if (statement.actions !== undefined && !statement.actions.some((a) => actionMatches(a, request.action))) {
    return `Action ${JSON.stringify(statement.actions)} does not cover ${request.action}`;
  }
  if (statement.notActions !== undefined) {
    const excluded = statement.notActions.find((a) => actionMatches(a, request.action));
    if (excluded !== undefined) return `NotAction ${JSON.stringify(excluded)} covers ${request.action}`;
  }
  const resource = request.resource;
  if (statement.resources !== undefined && !statement.resources.some((r) => resourceMatches(r, resource, variables) === true)) {
    return `Resource ${JSON.stringify(statement.resources)} does not cover ${resource ?? 'the request, which names no resource'}`;
  }
  if (statement.notResources !== undefined) {
    // Like a negated condition operator: an entry that cannot be compared (a policy variable that
    // cannot be substituted) does not count as "not this resource".
    const excluded = statement.notResources.find((r) => resourceMatches(r, resource, variables) !== false);
    if (excluded !== undefined) return `NotResource ${JSON.stringify(excluded)} covers ${resource ?? 'the request'} or cannot be compared with it`;
  }
  for (const condition of statement.conditions) {
    const result = evaluateCondition(condition, keys, variables);
    if (!result.holds) return `Condition ${result.reason}`;
  }
  return undefined;
}

/** Actions match case-insensitively, with `*` and `?` wildcards and no policy variables. */
function actionMatches(pattern: string, action: string): boolean {
  const resolved = resolvePolicyString(pattern, { variables: undefined, wildcards: true });
  return 'parts' in resolved && matchesPattern(resolved.parts, action, { ignoreCase: true });
}

/**
 * `"*"` covers every resource (also a request that names none); any other entry is an ARN pattern
 * matched component by component, with policy variables only in the resource component.
 * `undefined` when a variable of the pattern cannot be substituted or the resource is not an ARN.
 */
function resourceMatches(pattern: string, resource: string | undefined, variables: VariableLookup | undefined): boolean | undefined {
  if (pattern === '*') return true;
  if (resource === undefined) return false;
  return arnMatches(pattern, resource, { variables, variablesOnlyInResource: true });
}
