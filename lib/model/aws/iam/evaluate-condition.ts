import { ConditionOperator, parseConditionOperator } from './condition-operators';
import { VariableLookup } from './policy-string';
import { ContextKeys, ContextValue } from './request-context';

/** One `operator: { key: values }` entry of a statement's `Condition` block. */
export interface PolicyCondition {
  /** As written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  readonly key: string;
  /** The policy values (numbers and booleans as their JSON text); several values mean OR (NOR when negated). */
  readonly values: readonly string[];
}

/** Whether a condition holds for a request, and why. */
export interface ConditionResult {
  readonly holds: boolean;
  readonly reason: string;
}

/**
 * Evaluates one condition against the request's condition keys.
 *
 * - A misspelt or unknown operator never holds, so its statement does not apply. For an Allow
 *   that fails closed; for a Deny it means the Deny is skipped — IAM itself rejects such policies
 *   when they are written (MalformedPolicyDocument), so callers that load policies should refuse
 *   them up front with {@link parseConditionOperator}.
 * - `Null` holds for `"true"` when the key is absent and for `"false"` when it is present.
 * - Without a set qualifier: an absent key satisfies only negated operators and `...IfExists`;
 *   a multivalued key (an array) satisfies nothing, because IAM requires a set qualifier for it.
 * - `ForAllValues:` holds when the key is absent or empty, or when every request value satisfies
 *   the operator; `ForAnyValue:` holds when at least one does, and never for an absent or empty
 *   key — except that `IfExists` makes any operator hold for an absent key, as documented.
 * - A request value satisfies a positive operator when any policy value matches it, and a
 *   negated one when no policy value matches it (and every value could be compared).
 */
export function evaluateCondition(condition: PolicyCondition, keys: ContextKeys, variables: VariableLookup | undefined): ConditionResult {
  const operator = parseConditionOperator(condition.operator);
  const label = `${condition.operator} ${condition.key}`;
  if (operator === undefined) return { holds: false, reason: `${label}: unknown condition operator, so the condition never holds` };
  const value = keys.get(condition.key);
  const shown = value === undefined ? 'absent' : JSON.stringify(value);
  const verdict = (holds: boolean, why: string): ConditionResult => ({ holds, reason: `${label} = ${JSON.stringify(condition.values)}: ${holds ? 'holds' : 'fails'} (${why})` });

  if (operator.base.family === 'Null') {
    const wanted = value === undefined ? 'true' : 'false';
    return verdict(condition.values.some((v) => v.toLowerCase() === wanted), `key is ${value === undefined ? 'absent' : 'present'}`);
  }
  if (value === undefined) {
    if (operator.ifExists) return verdict(true, 'key is absent and the operator is ...IfExists');
    if (operator.qualifier === 'ForAllValues') return verdict(true, 'key is absent; ForAllValues holds for an absent key');
    if (operator.qualifier === 'ForAnyValue') return verdict(false, 'key is absent; ForAnyValue fails for an absent key');
    return verdict(operator.base.negated, `key is absent; an absent key satisfies only negated operators`);
  }
  const satisfies = (requestValue: string): boolean => satisfiesOperator(operator, requestValue, condition.values, variables);
  if (operator.qualifier === undefined) {
    if (typeof value !== 'string') return verdict(false, `key is multivalued (${shown}) and the operator has no ForAnyValue/ForAllValues qualifier`);
    return verdict(satisfies(value), `request value ${shown}`);
  }
  const requestValues: readonly string[] = typeof value === 'string' ? [value] : (value as readonly string[]);
  if (operator.qualifier === 'ForAllValues') return verdict(requestValues.every(satisfies), `request values ${shown}`);
  return verdict(requestValues.some(satisfies), `request values ${shown}`);
}

function satisfiesOperator(operator: ConditionOperator, requestValue: string, policyValues: readonly string[], variables: VariableLookup | undefined): boolean {
  const results = policyValues.map((policyValue) => operator.base.compare(requestValue, policyValue, variables));
  return operator.base.negated ? results.every((r) => r === false) : results.some((r) => r === true);
}

/** The variable lookup for a request: its condition keys. */
export const variablesOf =
  (keys: ContextKeys): VariableLookup =>
  (key: string): ContextValue | undefined =>
    keys.get(key);
