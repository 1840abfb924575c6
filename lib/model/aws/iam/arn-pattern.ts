import { VariableLookup, matchesPattern, resolvePolicyString } from './policy-string';

/** Number of colon-separated components of an ARN: arn, partition, service, region, account, resource. */
const ARN_COMPONENTS = 6;

/**
 * Splits an ARN into its six components; the resource (last) component keeps any further colons.
 * `undefined` when the value has fewer than six components, i.e. is not an ARN.
 *
 * With `variablesAtomic`, colons inside `${...}` do not split, so that `${aws:SourceAccount}` can
 * stand for the account component of a policy value.
 */
export function splitArn(value: string, variablesAtomic = false): string[] | undefined {
  const components: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length && components.length < ARN_COMPONENTS - 1; i += 1) {
    if (variablesAtomic && value[i] === '$' && value[i + 1] === '{') {
      const close = value.indexOf('}', i + 2);
      if (close !== -1) {
        i = close;
        continue;
      }
    }
    if (value[i] === ':') {
      components.push(value.slice(start, i));
      start = i + 1;
    }
  }
  if (components.length < ARN_COMPONENTS - 1) return undefined;
  components.push(value.slice(start));
  return components;
}

/**
 * Matches an ARN against a policy ARN pattern component by component, as the ARN condition
 * operators and the `Resource` element do: `*` and `?` never match across a colon except in the
 * resource component, and matching is case-sensitive.
 *
 * `true`/`false` when both are ARNs and the pattern's variables resolve; `undefined` when either is
 * not an ARN or a variable of a compared component cannot be resolved (the value cannot be
 * compared, which makes the comparison fail whether or not the operator is negated).
 */
export function arnMatches(
  pattern: string,
  value: string,
  options: { readonly variables: VariableLookup | undefined; readonly variablesOnlyInResource?: boolean },
): boolean | undefined {
  const patternComponents = splitArn(pattern, options.variables !== undefined);
  const valueComponents = splitArn(value);
  if (patternComponents === undefined || valueComponents === undefined) return undefined;
  for (let i = 0; i < ARN_COMPONENTS; i += 1) {
    const variables = options.variablesOnlyInResource && i < ARN_COMPONENTS - 1 ? undefined : options.variables;
    // Components are compared in order and a mismatch ends the comparison, so a variable in a
    // later component that cannot be resolved does not matter once an earlier component differs.
    const resolved = resolvePolicyString(patternComponents[i], { variables, wildcards: true });
    if ('unresolved' in resolved) return undefined;
    if (!matchesPattern(resolved.parts, valueComponents[i], { ignoreCase: false })) return false;
  }
  return true;
}
