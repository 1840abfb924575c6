import { Value, describeValue, isSymbol, isSymbolicString } from './intrinsics';

/** One principal of a statement, e.g. `{ type: 'Service', value: 'rolesanywhere.amazonaws.com' }`. */
export interface PrincipalEntry {
  /** `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for the bare wildcard principal. */
  readonly type: string;
  readonly value: Value;
}

/** One condition of a statement: `operator` applied to `key` with `values`. */
export interface ConditionEntry {
  /** The full operator, e.g. `ForAnyValue:StringNotLikeIfExists`. */
  readonly operator: string;
  readonly key: string;
  readonly values: readonly Value[];
}

/** A statement, normalised: lists are lists, principals are entries. */
export interface StatementModel {
  readonly index: number;
  /** `Allow`, `Deny`, or a symbol when not known at synth. */
  readonly effect: Value;
  /** Principals; `undefined` when the statement uses NotPrincipal or has none. */
  readonly principals?: readonly PrincipalEntry[];
  readonly notPrincipals?: readonly PrincipalEntry[];
  readonly actions?: readonly Value[];
  readonly notActions?: readonly Value[];
  readonly conditions: readonly ConditionEntry[];
  /** The statement as resolved, for reports. */
  readonly raw: Value;
}

/** A policy document that could be read, or why it could not. */
export type PolicyDocumentModel =
  | { readonly readable: true; readonly statements: readonly StatementModel[] }
  | { readonly readable: false; readonly reason: string };

const asList = (value: Value | undefined): Value[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

function parsePrincipals(value: Value | undefined): PrincipalEntry[] | undefined {
  if (value === undefined) return undefined;
  if (value === '*') return [{ type: '*', value: '*' }];
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isSymbol(value) || isSymbolicString(value)) {
    return [{ type: '?', value }];
  }
  return Object.entries(value).flatMap(([type, v]) => asList(v).map((entry) => ({ type, value: entry })));
}

function parseConditions(value: Value | undefined): ConditionEntry[] | string {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value) || isSymbol(value) || isSymbolicString(value)) {
    return `its Condition block is ${describeValue(value)}`;
  }
  const result: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (block === null || typeof block !== 'object' || Array.isArray(block) || isSymbol(block) || isSymbolicString(block)) {
      return `its ${operator} condition is ${describeValue(block)}`;
    }
    for (const [key, v] of Object.entries(block)) result.push({ operator, key, values: asList(v) });
  }
  return result;
}

/** Reads a (resolved) IAM policy document. */
export function parsePolicyDocument(document: Value | undefined): PolicyDocumentModel {
  if (document === undefined || document === null) return { readable: true, statements: [] };
  let doc: Value = document;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc) as Value;
    } catch {
      return { readable: false, reason: 'the policy is a string that is not JSON' };
    }
  }
  if (isSymbol(doc) || isSymbolicString(doc)) return { readable: false, reason: `the policy is ${describeValue(doc)}` };
  if (typeof doc !== 'object' || Array.isArray(doc)) return { readable: false, reason: 'the policy is not an object' };
  const statements: StatementModel[] = [];
  const list = asList((doc as Record<string, Value>).Statement);
  for (const [index, s] of list.entries()) {
    if (s === null || typeof s !== 'object' || Array.isArray(s) || isSymbol(s) || isSymbolicString(s)) {
      return { readable: false, reason: `statement ${index} is ${describeValue(s)}` };
    }
    const statement = s as Record<string, Value>;
    const conditions = parseConditions(statement.Condition);
    if (typeof conditions === 'string') return { readable: false, reason: `statement ${index}: ${conditions}` };
    statements.push({
      index,
      effect: statement.Effect ?? null,
      principals: parsePrincipals(statement.Principal),
      notPrincipals: parsePrincipals(statement.NotPrincipal),
      actions: statement.Action === undefined ? undefined : asList(statement.Action),
      notActions: statement.NotAction === undefined ? undefined : asList(statement.NotAction),
      conditions,
      raw: statement,
    });
  }
  return { readable: true, statements };
}

/** IAM wildcard match (`*` any run, `?` one character), case-insensitive as IAM actions are. */
export function iamWildcardMatch(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(value);
}

/**
 * Whether a statement's Action/NotAction covers an action: `true`, `false`, or `undefined`
 * when an entry is not known at synth.
 */
export function statementCoversAction(statement: StatementModel, action: string): boolean | undefined {
  if (statement.actions !== undefined) {
    let unknownEntry = false;
    for (const a of statement.actions) {
      if (typeof a === 'string') {
        if (iamWildcardMatch(a, action)) return true;
      } else unknownEntry = true;
    }
    return unknownEntry ? undefined : false;
  }
  if (statement.notActions !== undefined) {
    let unknownEntry = false;
    for (const a of statement.notActions) {
      if (typeof a === 'string') {
        if (iamWildcardMatch(a, action)) return false;
      } else unknownEntry = true;
    }
    return unknownEntry ? undefined : true;
  }
  return false;
}

/** Splits a condition operator into its parts: set qualifier, base operator, IfExists. */
export function parseConditionOperator(operator: string): { qualifier?: 'ForAnyValue' | 'ForAllValues'; base: string; ifExists: boolean } {
  let rest = operator;
  let qualifier: 'ForAnyValue' | 'ForAllValues' | undefined;
  const colon = rest.indexOf(':');
  if (colon !== -1) {
    const prefix = rest.slice(0, colon);
    if (prefix === 'ForAnyValue' || prefix === 'ForAllValues') qualifier = prefix;
    rest = rest.slice(colon + 1);
  }
  const ifExists = rest.endsWith('IfExists');
  return { qualifier, base: ifExists ? rest.slice(0, -'IfExists'.length) : rest, ifExists };
}

/** Base operators that match when the value differs: on an absent key they evaluate true. */
export const NEGATED_OPERATORS = new Set([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'ArnNotEquals',
  'ArnNotLike',
  'NumericNotEquals',
  'NotIpAddress',
]);

/** Whether an operator is negated (including `…IfExists` and set-qualified forms). */
export function isNegatedOperator(operator: string): boolean {
  return NEGATED_OPERATORS.has(parseConditionOperator(operator).base);
}
