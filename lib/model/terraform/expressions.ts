/**
 * Terraform JSON string templates (`"principal://…/${google_iam_workload_identity_pool.p.name}/subject/x"`),
 * resolved against a context.
 *
 * As with lib/model/aws/intrinsics, one resolver serves the synth-time rules (a reference
 * to a resource of the configuration stays a reference they can follow; a variable or a function
 * call becomes "cannot be judged") and, later, the emulator (which answers references with what
 * it deployed). Only plain references are understood; any other expression is reported as such,
 * never guessed. This module imports no cdktf: it reads the synthesized JSON.
 */

import { SymbolicString as GenericSymbolicString, describeSymbolicValue, isConcreteValue, isSymbolValue } from '../../core/symbolic-value';

/** A value the resolver could not make concrete. */
export type TerraformSymbol =
  /** A resource or data source of the configuration, e.g. `google_service_account.sa` + `email`. */
  | { readonly symbolic: 'ref'; readonly address: string; readonly attribute?: string }
  /** An input variable: its value is set at plan time. */
  | { readonly symbolic: 'variable'; readonly name: string }
  | { readonly symbolic: 'unknown'; readonly reason: string };

/** A string built from literal text and symbols. */
export class SymbolicString extends GenericSymbolicString<TerraformSymbol> {
  constructor(parts: ReadonlyArray<string | TerraformSymbol>) {
    super(parts, describeSymbol);
  }
}

/** A resolved configuration value: JSON, with symbols where the context had no concrete answer. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value } | TerraformSymbol | SymbolicString;

/** What the resolver asks of its caller. */
export interface ExpressionContext {
  /** The value of a reference, given as its traversal, e.g. `['var', 'project']`. */
  reference(traversal: readonly string[]): Value;
}

/** One piece of a template: literal text or the source of an interpolation / directive. */
export type TemplatePart = { readonly literal: string } | { readonly interpolation: string } | { readonly directive: string };

export const isSymbol = isSymbolValue as (value: unknown) => value is TerraformSymbol;

export function isSymbolicString(value: unknown): value is SymbolicString {
  return value instanceof SymbolicString;
}

/** Whether a resolved value is plain JSON all the way down. */
export const isConcrete: (value: Value) => boolean = isConcreteValue;

export function describeSymbol(symbol: TerraformSymbol): string {
  switch (symbol.symbolic) {
    case 'ref':
      return symbol.attribute ? `${symbol.address}.${symbol.attribute}` : symbol.address;
    case 'variable':
      return `var.${symbol.name}`;
    case 'unknown':
      return symbol.reason;
  }
}

/** Renders any resolved value for a message. */
export function describeValue(value: Value | undefined): string {
  if (value === undefined) return '(unset)';
  return describeSymbolicValue(value, describeSymbol);
}

/**
 * Splits a Terraform template string into literal text, `${…}` interpolations and `%{…}`
 * directives. `$${` and `%%{` are the escapes for a literal `${` and `%{`.
 *
 * @throws Error for an interpolation that is never closed
 */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const two = text.slice(i, i + 2);
    const three = text.slice(i, i + 3);
    if (three === '$${' || three === '%%{') {
      literal += three.slice(1);
      i += 3;
    } else if (two === '${' || two === '%{') {
      if (literal) parts.push({ literal });
      literal = '';
      const end = endOfExpression(text, i + 2);
      const source = text.slice(i + 2, end);
      parts.push(two === '${' ? { interpolation: source } : { directive: source });
      i = end + 1;
    } else {
      literal += text[i];
      i += 1;
    }
  }
  if (literal) parts.push({ literal });
  return parts;
}

/**
 * The index of the `}` that closes an expression starting at `start`, skipping nested braces
 * and quoted strings (which may hold templates of their own).
 */
function endOfExpression(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = endOfQuoted(text, i + 1) + 1;
      continue;
    }
    if (c === '{') depth += 1;
    if (c === '}') {
      if (depth === 0) return i;
      depth -= 1;
    }
    i += 1;
  }
  throw new Error(`unclosed interpolation in ${JSON.stringify(text)}`);
}

/** The index of the `"` that closes a quoted string whose content starts at `start`. */
function endOfQuoted(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '"') return i;
    if ((c === '$' || c === '%') && text[i + 1] === '{') {
      i = endOfExpression(text, i + 2) + 1;
      continue;
    }
    i += 1;
  }
  throw new Error(`unclosed string in ${JSON.stringify(text)}`);
}

const TRAVERSAL = /^\s*([A-Za-z_][\w-]*)((?:\s*\.\s*[A-Za-z_][\w-]*|\s*\.\s*\d+|\s*\[\s*\d+\s*\]|\s*\[\s*"[^"\\]*"\s*\])*)\s*$/;
const STEP = /\.\s*([A-Za-z_][\w-]*|\d+)|\[\s*(\d+)\s*\]|\[\s*"([^"\\]*)"\s*\]/g;

/**
 * The steps of a plain reference such as `google_service_account.sa.email` or
 * `local.roles[0]`; `undefined` for any other expression (a function call, an operator, a
 * splat, a conditional).
 */
export function parseTraversal(expression: string): string[] | undefined {
  const match = TRAVERSAL.exec(expression);
  if (!match) return undefined;
  const steps = [match[1]];
  for (const step of match[2].matchAll(STEP)) steps.push(step[1] ?? step[2] ?? step[3]);
  return steps;
}

const unknown = (reason: string): TerraformSymbol => ({ symbolic: 'unknown', reason });

/** Turns a resolved value into string parts, for template concatenation. */
function stringParts(value: Value): Array<string | TerraformSymbol> {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (isSymbolicString(value)) return [...value.parts];
  if (isSymbol(value)) return [value];
  return [unknown('a non-string value inside a string template')];
}

/** Joins parts into a plain string when all are literal, else a SymbolicString. */
export function concatenate(parts: ReadonlyArray<string | TerraformSymbol>): string | SymbolicString {
  const merged: Array<string | TerraformSymbol> = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (typeof part === 'string' && typeof last === 'string') merged[merged.length - 1] = last + part;
    else if (part !== '') merged.push(part);
  }
  if (merged.length === 0) return '';
  if (merged.length === 1 && typeof merged[0] === 'string') return merged[0];
  return new SymbolicString(merged);
}

/**
 * Resolves a template string. A template that is one interpolation and nothing else keeps the
 * referenced value's type (as Terraform does); anything else becomes a string.
 */
export function resolveTemplate(text: string, ctx: ExpressionContext): Value {
  if (!text.includes('{')) return text;
  let parts: TemplatePart[];
  try {
    parts = parseTemplate(text);
  } catch (e) {
    return unknown((e as Error).message);
  }
  const resolved = parts.map((part): Value => {
    if ('literal' in part) return part.literal;
    if ('directive' in part) return unknown(`the template directive %{${part.directive.trim()}}`);
    const traversal = parseTraversal(part.interpolation);
    return traversal ? ctx.reference(traversal) : unknown(`the expression \${${part.interpolation.trim()}}`);
  });
  if (parts.length === 1 && 'interpolation' in parts[0]) return resolved[0];
  return concatenate(resolved.flatMap(stringParts));
}

/**
 * Resolves every template string in a JSON value. `"//"` keys are comments in Terraform JSON
 * and are dropped at every level.
 */
export function resolveValue(value: unknown, ctx: ExpressionContext): Value {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'string') return resolveTemplate(value, ctx);
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, ctx));
  if (typeof value !== 'object') return unknown(`unsupported value ${String(value)}`);
  const result: { [key: string]: Value } = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // JSON has no undefined; a JavaScript object handed in directly may, and it means absent.
    if (k !== '//' && v !== undefined) result[k] = resolveValue(v, ctx);
  }
  return result;
}

/** The text of a resolved value when it is a plain string. */
export function literalString(value: Value | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Whether a value refers to an attribute of the resource at `address`, e.g. `uami.principal_id`. */
export function refersTo(value: Value | undefined, address: string, attribute?: string): boolean {
  return isSymbol(value) && value.symbolic === 'ref' && value.address === address && (attribute === undefined || value.attribute === attribute);
}

/** Every resource address a value refers to, for implicit dependencies. */
export function referencedAddresses(value: Value | undefined, into: Set<string> = new Set()): Set<string> {
  if (value === undefined || value === null) return into;
  if (isSymbol(value)) {
    if (value.symbolic === 'ref') into.add(value.address);
  } else if (isSymbolicString(value)) {
    for (const part of value.parts) if (typeof part !== 'string') referencedAddresses(part, into);
  } else if (Array.isArray(value)) {
    for (const item of value) referencedAddresses(item, into);
  } else if (typeof value === 'object') {
    for (const item of Object.values(value)) referencedAddresses(item, into);
  }
  return into;
}
