import { AttestGateError } from '../../../core/errors';
import { PolicyCondition } from './evaluate-condition';
import { PolicyPrincipal, parsePrincipalElement } from './principal';

/** One statement of a resource policy, checked and normalised (single values become lists). */
export interface PolicyStatement {
  /** Position in the `Statement` list (0 for a lone statement object). */
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** Exactly one of `principals` and `notPrincipals` is set. */
  readonly principals?: readonly PolicyPrincipal[];
  readonly notPrincipals?: readonly PolicyPrincipal[];
  /** Exactly one of `actions` and `notActions` is set. */
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  /** At most one of `resources` and `notResources` is set; trust policies normally have neither. */
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  readonly conditions: readonly PolicyCondition[];
}

/** A resource policy (e.g. a role trust policy), checked and normalised. */
export interface PolicyDocument {
  /**
   * Whether `${...}` are policy variables: only with `"Version": "2012-10-17"`. Without a
   * `Version`, or with `2008-10-17`, IAM treats them as literal text.
   */
  readonly variablesEnabled: boolean;
  readonly statements: readonly PolicyStatement[];
}

const VERSIONS = ['2012-10-17', '2008-10-17'];
const DOCUMENT_FIELDS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Reads a resource policy given as parsed JSON (or JSON text) and checks its structure the way
 * IAM does when the policy is written. Throws {@link AttestGateError} naming the statement and
 * element for a malformed policy. Condition operators are not checked here: an unknown one only
 * makes its statement not apply (see {@link evaluateCondition}).
 */
export function parsePolicyDocument(policy: unknown, where = 'resource policy'): PolicyDocument {
  let document = policy;
  if (typeof document === 'string') {
    try {
      document = JSON.parse(document) as unknown;
    } catch (error) {
      throw new AttestGateError({ where, field: 'policy', value: policy, problem: `is not JSON (${(error as Error).message})`, fix: 'give the policy document as JSON' });
    }
  }
  if (!isObject(document)) {
    throw new AttestGateError({ where, field: 'policy', value: document, problem: 'is not a JSON object', fix: 'give a policy document: {"Version": "2012-10-17", "Statement": [...]}' });
  }
  for (const field of Object.keys(document)) {
    if (!DOCUMENT_FIELDS.has(field)) {
      throw new AttestGateError({ where, field, value: document[field], problem: 'is not a policy element', fix: 'use only Version, Id and Statement at the top level' });
    }
  }
  const version = document.Version;
  if (version !== undefined && !VERSIONS.includes(version as string)) {
    throw new AttestGateError({ where, field: 'Version', value: version, problem: 'is not a policy language version', fix: 'use "2012-10-17"' });
  }
  const raw = document.Statement;
  if (raw === undefined) {
    throw new AttestGateError({ where, field: 'Statement', value: raw, problem: 'is missing', fix: 'add a Statement list' });
  }
  const list = Array.isArray(raw) ? raw : [raw];
  return { variablesEnabled: version === '2012-10-17', statements: list.map((statement, index) => parseStatement(statement, index, where)) };
}

function parseStatement(statement: unknown, index: number, where: string): PolicyStatement {
  const at = `Statement[${index}]`;
  const fail = (field: string, value: unknown, problem: string, fix: string): never => {
    throw new AttestGateError({ where, field: `${at}${field === '' ? '' : `.${field}`}`, value, problem, fix });
  };
  if (!isObject(statement)) return fail('', statement, 'is not an object', 'write each statement as a JSON object');
  for (const field of Object.keys(statement)) {
    if (!STATEMENT_FIELDS.has(field)) fail(field, statement[field], 'is not a statement element', `use only ${[...STATEMENT_FIELDS].join(', ')}`);
  }
  const { Sid: sid, Effect: effect } = statement;
  if (sid !== undefined && typeof sid !== 'string') fail('Sid', sid, 'is not a string', 'give the statement ID as a string');
  if (effect !== 'Allow' && effect !== 'Deny') fail('Effect', effect, 'is not "Allow" or "Deny"', 'write "Effect": "Allow" or "Effect": "Deny" (case-sensitive)');
  const eitherOf = (a: string, b: string, required: boolean): void => {
    const count = Number(statement[a] !== undefined) + Number(statement[b] !== undefined);
    if (count > 1) fail(b, statement[b], `is given together with ${a}`, `keep only one of ${a} and ${b}`);
    if (required && count === 0) fail(a, undefined, `is missing (and so is ${b})`, `a resource policy statement needs ${a} or ${b}`);
  };
  eitherOf('Principal', 'NotPrincipal', true);
  eitherOf('Action', 'NotAction', true);
  eitherOf('Resource', 'NotResource', false);
  const strings = (field: string): string[] | undefined => {
    const value = statement[field];
    if (value === undefined) return undefined;
    const values = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'string' && v !== '')) {
      return fail(field, value, 'is not a non-empty string or list of strings', `list the ${field.replace(/^Not/, '').toLowerCase()}s as strings`);
    }
    return values as string[];
  };
  const principal = (field: string): PolicyPrincipal[] | undefined =>
    statement[field] === undefined ? undefined : parsePrincipalElement(statement[field], where, `${at}.${field}`);
  return {
    index,
    effect: effect as 'Allow' | 'Deny',
    conditions: parseConditions(statement.Condition, fail),
    ...(sid === undefined ? {} : { sid: sid as string }),
    ...optional('principals', principal('Principal')),
    ...optional('notPrincipals', principal('NotPrincipal')),
    ...optional('actions', strings('Action')),
    ...optional('notActions', strings('NotAction')),
    ...optional('resources', strings('Resource')),
    ...optional('notResources', strings('NotResource')),
  };
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } => (value === undefined ? {} : ({ [key]: value } as { [P in K]?: V }));

function parseConditions(block: unknown, fail: (field: string, value: unknown, problem: string, fix: string) => never): PolicyCondition[] {
  if (block === undefined) return [];
  const shape = 'write Condition as {"<operator>": {"<key>": "<value>" or ["<value>", ...]}}';
  if (!isObject(block)) return fail('Condition', block, 'is not an object', shape);
  const conditions: PolicyCondition[] = [];
  for (const [operator, keys] of Object.entries(block)) {
    if (!isObject(keys)) fail(`Condition.${operator}`, keys, 'is not an object of condition keys', shape);
    for (const [key, raw] of Object.entries(keys as Record<string, unknown>)) {
      const values = Array.isArray(raw) ? raw : [raw];
      // IAM accepts JSON numbers and booleans as condition values ("Bool": {"aws:SecureTransport": true}).
      if (!values.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
        fail(`Condition.${operator}.${key}`, raw, 'is not a string, number, boolean or a list of them', shape);
      }
      conditions.push({ operator, key, values: values.map(String) });
    }
  }
  return conditions;
}
