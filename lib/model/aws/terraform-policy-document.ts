import { AttestGateError } from '../../core/errors';
import { TerraformResource, blocks } from '../terraform/configuration';
import { Value, describeValue, isSymbol, isSymbolicString } from '../terraform/expressions';
import { AFTER_APPLY_INTRINSIC } from './intrinsics';

/**
 * The JSON policy a `data.aws_iam_policy_document` renders, evaluated from its configuration.
 *
 * A plan records the rendered `json`; a Terraform JSON configuration holds only the blocks, so
 * this renders them as the AWS provider does (internal/service/iam: data_source_…_policy_document
 * and iam_policy_model.go):
 *
 * - `effect` defaults to Allow; `version` to 2012-10-17; `policy_id` becomes `Id`;
 * - `principals` / `not_principals` blocks of the same `type` are merged into one list, and a lone
 *   `{ type = "*", identifiers = ["*"] }` renders as `"Principal": "*"`;
 * - `condition` blocks with the same `test` and `variable` are merged into ONE condition whose
 *   values are appended — IAM ORs a condition's values, so two such blocks admit either value,
 *   they do not require both;
 * - `&{…}` in resources, identifiers and condition values becomes the IAM policy variable `${…}`;
 * - the merge: `source_policy_documents` in order (a Sid repeated among them is refused), then the
 *   document's own statements, then `override_policy_documents` in order — a statement with a Sid
 *   replaces the earlier one with the same Sid, any other is appended.
 *
 * What cannot be evaluated before apply — a `dynamic` block, a list given by an expression, an
 * operator or Sid from a variable, a source document that is not known — makes the part (or, where
 * the merge depends on it, the whole document) an unknown with its reason: the rules then say they
 * cannot judge it; nothing is guessed. A document Terraform itself refuses (an effect other than
 * Allow/Deny, a repeated Sid) is an error naming the data source and the field.
 */

type Json = Record<string, unknown>;

/** What an unevaluable part becomes: the marker the template model resolves to an unknown with its reason. */
export const unresolved = (reason: string): Json => ({ [AFTER_APPLY_INTRINSIC]: reason });

const isUnresolved = (value: unknown): boolean => value !== null && typeof value === 'object' && AFTER_APPLY_INTRINSIC in (value as object);

/** What the evaluator asks of the translation it serves. */
export interface PolicyDocumentContext {
  /** The configuration's name, for errors. */
  readonly where: string;
  /** A configuration value as template JSON (references as Ref / Fn::GetAtt, unknowns as markers). */
  templateValue(value: Value | undefined): unknown;
  /** A value that should hold a whole policy document (a source or override entry), as a template JSON object or a marker. */
  documentOf(value: Value | undefined, where: string): unknown;
}

/** Whether an object is a literal policy statement list entry, not a symbol. */
const isBlock = (value: Value | undefined): value is Record<string, Value> =>
  value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value) && !isSymbol(value) && !isSymbolicString(value);

/** `&{aws:username}` → `${aws:username}`, as the provider does for resources, identifiers and condition values. */
const policyVariables = (value: unknown): unknown => (typeof value === 'string' ? value.replace(/&\{/g, '${') : value);

/** A list argument (a set of strings in the provider's schema) as template JSON; an expression for the whole list stays unknown. */
function stringList(value: Value | undefined, where: string, ctx: PolicyDocumentContext, variables: boolean): unknown[] | Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return unresolved(`${where} is ${describeValue(value)}, a list not known before apply`);
  return value.map((item) => (variables ? policyVariables(ctx.templateValue(item)) : ctx.templateValue(item)));
}

/** The Principal (or NotPrincipal) of a statement from its blocks. */
function principalsOf(value: Value | undefined, where: string, ctx: PolicyDocumentContext): unknown {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) && !isBlock(value)) return unresolved(`${where} is ${describeValue(value)}, not blocks known before apply`);
  const list = blocks(value);
  if (list.length === 0) return undefined;
  const merged = new Map<string, unknown[]>();
  for (const [i, principal] of list.entries()) {
    const at = `${where}[${i}]`;
    if (typeof principal.type !== 'string') return unresolved(`${at}.type is ${describeValue(principal.type)}, not known before apply`);
    const identifiers = stringList(principal.identifiers, `${at}.identifiers`, ctx, true);
    if (identifiers === undefined) continue;
    if (!Array.isArray(identifiers)) return unresolved(`${at}.identifiers: ${String((identifiers as Json)[AFTER_APPLY_INTRINSIC])}`);
    merged.set(principal.type, [...(merged.get(principal.type) ?? []), ...identifiers]);
  }
  if (merged.size === 1 && merged.has('*')) {
    const ids = merged.get('*')!;
    if (ids.length === 1 && ids[0] === '*') return '*';
  }
  return Object.fromEntries(merged);
}

/** The Condition of a statement from its blocks: same test and variable merged, values appended (ORed). */
function conditionsOf(value: Value | undefined, where: string, ctx: PolicyDocumentContext): unknown {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) && !isBlock(value)) return unresolved(`${where} is ${describeValue(value)}, not blocks known before apply`);
  const list = blocks(value);
  if (list.length === 0) return undefined;
  const merged: Record<string, Record<string, unknown[]>> = {};
  for (const [i, condition] of list.entries()) {
    const at = `${where}[${i}]`;
    if (typeof condition.test !== 'string') return unresolved(`${at}.test is ${describeValue(condition.test)}, not known before apply`);
    if (typeof condition.variable !== 'string') return unresolved(`${at}.variable is ${describeValue(condition.variable)}, not known before apply`);
    const values = stringList(condition.values, `${at}.values`, ctx, true);
    if (!Array.isArray(values)) return unresolved(values === undefined ? `${at} has no values` : `${at}.values: ${String((values as Json)[AFTER_APPLY_INTRINSIC])}`);
    const byKey = (merged[condition.test] ??= {});
    byKey[condition.variable] = [...(byKey[condition.variable] ?? []), ...values];
  }
  return merged;
}

/** An object without its undefined entries: the fields a resource or statement leaves out. */
export function without<T extends Json>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/** One `statement` block as the JSON statement the provider renders. */
function statementOf(statement: Record<string, Value>, where: string, ctx: PolicyDocumentContext): Json {
  const effect = statement.effect === undefined || statement.effect === null ? 'Allow' : statement.effect;
  if (typeof effect === 'string' && effect !== 'Allow' && effect !== 'Deny') {
    throw new AttestGateError({ where: ctx.where, field: `${where}.effect`, value: effect, problem: 'is neither Allow nor Deny, which the AWS provider refuses', fix: 'write effect = "Allow" (the default) or "Deny"' });
  }
  const list = (key: string, variables: boolean) => {
    const v = stringList(statement[key], `${where}.${key}`, ctx, variables);
    return Array.isArray(v) && v.length === 0 ? undefined : v;
  };
  return without({
    Sid: statement.sid === undefined || statement.sid === null ? undefined : ctx.templateValue(statement.sid),
    Effect: ctx.templateValue(effect),
    Action: list('actions', false),
    NotAction: list('not_actions', false),
    Resource: list('resources', true),
    NotResource: list('not_resources', true),
    Principal: principalsOf(statement.principals, `${where}.principals`, ctx),
    NotPrincipal: principalsOf(statement.not_principals, `${where}.not_principals`, ctx),
    Condition: conditionsOf(statement.condition, `${where}.condition`, ctx),
  });
}

/** The Sid a merge compares: '' for none, undefined when it is not known before apply. */
function sidOf(statement: unknown): string | undefined {
  if (statement === null || typeof statement !== 'object' || Array.isArray(statement)) return undefined;
  const sid = (statement as Json).Sid;
  if (sid === undefined || sid === null || sid === '') return '';
  return typeof sid === 'string' ? sid : undefined;
}

interface Merged {
  version?: unknown;
  id?: unknown;
  statements: unknown[];
}

/**
 * The provider's IAMPolicyDoc.Merge: adopts a newer Version and a given Id; a statement with a Sid
 * replaces the existing statement with that Sid, any other is appended.
 *
 * @returns a reason when a Sid the merge compares is not known before apply
 */
function merge(into: Merged, document: Json, where: string): string | undefined {
  if (typeof document.Id === 'string' && document.Id !== '') into.id = document.Id;
  if (typeof document.Version === 'string' && (typeof into.version !== 'string' || document.Version > into.version)) into.version = document.Version;
  const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement === undefined ? [] : [document.Statement];
  for (const statement of statements) {
    const sid = sidOf(statement);
    if (sid === undefined) return `${where}: a statement's Sid is not known before apply, so which statement it replaces is not known`;
    const existing = sid === '' ? -1 : into.statements.findIndex((s) => sidOf(s) === sid);
    if (existing === -1) into.statements.push(statement);
    else into.statements[existing] = statement;
  }
  return undefined;
}

/** A whole policy document from a source or override entry; why not, when it is not a known document. */
function knownDocument(value: Value | undefined, where: string, ctx: PolicyDocumentContext): Json | string {
  const document = ctx.documentOf(value, where);
  if (isUnresolved(document)) return String((document as Json)[AFTER_APPLY_INTRINSIC]);
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return `${where} is not a JSON policy document`;
  return document as Json;
}

/**
 * The policy document a `data.aws_iam_policy_document` renders, as template JSON; an unknown
 * marker with the reason when it cannot be evaluated before apply.
 *
 * @throws AttestGateError for a document the AWS provider refuses (a repeated Sid, an effect other than Allow/Deny)
 */
export function renderPolicyDocument(data: TerraformResource, ctx: PolicyDocumentContext): unknown {
  const a = data.attributes;
  const at = data.address;
  // Terraform JSON writes dynamic blocks under "dynamic"; they expand only at plan.
  if (a.dynamic !== undefined) return unresolved(`${at} builds blocks with dynamic, which Terraform expands only at plan`);
  const into: Merged = { statements: [] };
  const lists: Array<['source_json' | 'source_policy_documents' | 'override_policy_documents' | 'override_json', Value | undefined]> = [
    ['source_json', a.source_json],
    ['source_policy_documents', a.source_policy_documents],
    ['override_policy_documents', a.override_policy_documents],
    ['override_json', a.override_json],
  ];
  const entries = (key: (typeof lists)[number][0]): Array<{ value: Value; where: string }> | string => {
    const value = lists.find(([k]) => k === key)![1];
    if (value === undefined || value === null || value === '') return [];
    if (key === 'source_json' || key === 'override_json') return [{ value, where: `${at}.${key}` }];
    if (!Array.isArray(value)) return `${at}.${key} is ${describeValue(value)}, a list not known before apply`;
    return value.map((v, i) => ({ value: v, where: `${at}.${key}[${i}]` }));
  };

  // Sources first: their Sids must be unique among them.
  const seen = new Set<string>();
  for (const key of ['source_json', 'source_policy_documents'] as const) {
    const list = entries(key);
    if (typeof list === 'string') return unresolved(list);
    for (const { value, where } of list) {
      const document = knownDocument(value, where, ctx);
      if (typeof document === 'string') return unresolved(`${at} merges ${document}`);
      if (key === 'source_policy_documents') {
        const statements = Array.isArray(document.Statement) ? document.Statement : [];
        for (const [i, statement] of statements.entries()) {
          const sid = sidOf(statement);
          if (sid === undefined || sid === '') continue;
          if (seen.has(sid)) {
            throw new AttestGateError({
              where: ctx.where,
              field: `${where}.Statement[${i}].Sid`,
              value: sid,
              problem: 'repeats a Sid of an earlier source document, which the AWS provider refuses ("duplicate Sid … in source_policy_documents")',
              fix: 'give each statement of the source documents its own Sid, or remove the Sid',
            });
          }
          seen.add(sid);
        }
      }
      const problem = merge(into, document, where);
      if (problem) return unresolved(problem);
    }
  }

  const own = a.statement;
  if (own !== undefined && own !== null && !Array.isArray(own) && !isBlock(own)) return unresolved(`${at}.statement is ${describeValue(own)}, not blocks known before apply`);
  const statements = blocks(own).map((s, i) => statementOf(s, `${at}.statement[${i}]`, ctx));
  const sids = new Set<string>();
  for (const [i, statement] of statements.entries()) {
    const sid = sidOf(statement);
    if (sid === undefined || sid === '') continue;
    if (sids.has(sid)) {
      throw new AttestGateError({ where: ctx.where, field: `${at}.statement[${i}].sid`, value: sid, problem: 'repeats the Sid of an earlier statement, which the AWS provider refuses', fix: 'give each statement its own sid, or remove it' });
    }
    sids.add(sid);
  }
  const version = a.version === undefined || a.version === null ? '2012-10-17' : ctx.templateValue(a.version);
  const problem = merge(into, without({ Version: version, Id: a.policy_id === undefined || a.policy_id === null ? undefined : ctx.templateValue(a.policy_id), Statement: statements }), at);
  if (problem) return unresolved(problem);

  for (const key of ['override_policy_documents', 'override_json'] as const) {
    const list = entries(key);
    if (typeof list === 'string') return unresolved(list);
    for (const { value, where } of list) {
      const document = knownDocument(value, where, ctx);
      if (typeof document === 'string') return unresolved(`${at} merges ${document}`);
      const overridden = merge(into, document, where);
      if (overridden) return unresolved(overridden);
    }
  }
  return without({ Version: into.version, Id: into.id, Statement: into.statements });
}
