/**
 * CloudFormation intrinsic functions, resolved against a context.
 *
 * One resolver serves two masters: the synth-time rules resolve symbolically (a `Ref` to a
 * resource stays a reference they can follow, a `Ref` to a parameter becomes "cannot be judged"),
 * and the local emulator resolves concretely (a `Ref` becomes the physical ID it deployed).
 * This module imports no CDK: it reads the synthesized JSON.
 */

import { SymbolicString as GenericSymbolicString, describeSymbolicValue, isConcreteValue, isSymbolValue } from '../../core/symbolic-value';

/** A value the resolver could not make concrete. */
export type TemplateSymbol =
  | { readonly symbolic: 'ref'; readonly logicalId: string; readonly attribute?: string }
  /**
   * A resource of another stack of the same app, reached through a cross-stack reference
   * (`Fn::ImportValue` of its export, `Fn::GetStackOutput` of its output). A kind of its own, not
   * a `ref`: every reader that matches a `ref` by logical ID matches within one template, and a
   * resource of another template that happens to share the logical ID must not match.
   */
  | { readonly symbolic: 'stack-ref'; readonly template: string; readonly stack: string; readonly logicalId: string; readonly attribute?: string; readonly via: string }
  | { readonly symbolic: 'pseudo'; readonly name: string }
  | { readonly symbolic: 'parameter'; readonly name: string }
  | { readonly symbolic: 'unknown'; readonly reason: string };

/** A string built from literal text and template symbols, e.g. `arn:aws:iam::${AWS::AccountId}:root`. */
export class SymbolicString extends GenericSymbolicString<TemplateSymbol> {
  constructor(parts: ReadonlyArray<string | TemplateSymbol>) {
    super(parts, describeSymbol);
  }
}

/** A resolved template value: JSON, with symbols where the context had no concrete answer. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value } | TemplateSymbol | SymbolicString;

/** What the resolver asks of its caller. */
export interface IntrinsicContext {
  /** The value of `{ "Ref": name }`: a resource, a parameter or a pseudo parameter. */
  ref(name: string): Value;
  /** The value of `{ "Fn::GetAtt": [logicalId, attribute] }`. */
  getAtt(logicalId: string, attribute: string): Value;
  /** The truth of a template condition, or `undefined` when it cannot be known. */
  condition(name: string): boolean | undefined;
  /** The template's `Mappings` section. */
  readonly mappings?: Record<string, Record<string, Record<string, unknown>>>;
  /**
   * The value of `{ "Fn::ImportValue": name }`, the name resolved: what the stack of the same
   * account and Region that exports it gives. Without it, every import stays unknown.
   */
  importValue?(exportName: Value): Value;
  /** The value of `{ "Fn::GetStackOutput": { StackName, OutputName, Region?, RoleArn? } }`, resolved; without it, unknown. */
  stackOutput?(reference: Value): Value;
}

export const isSymbol = isSymbolValue as (value: unknown) => value is TemplateSymbol;

export function isSymbolicString(value: unknown): value is SymbolicString {
  return value instanceof SymbolicString;
}

/** Whether a resolved value is plain JSON all the way down (no symbols). */
export const isConcrete: (value: Value) => boolean = isConcreteValue;

export function describeSymbol(symbol: TemplateSymbol): string {
  switch (symbol.symbolic) {
    case 'ref':
      return symbol.attribute ? `${symbol.logicalId}.${symbol.attribute}` : symbol.logicalId;
    case 'stack-ref':
      return `${symbol.stack}/${symbol.attribute ? `${symbol.logicalId}.${symbol.attribute}` : symbol.logicalId} (through ${symbol.via})`;
    case 'pseudo':
      return symbol.name;
    case 'parameter':
      return `parameter ${symbol.name}`;
    case 'unknown':
      return symbol.reason;
  }
}

/** Renders any resolved value for a message. */
export function describeValue(value: Value): string {
  return describeSymbolicValue(value, describeSymbol);
}

const unknown = (reason: string): TemplateSymbol => ({ symbolic: 'unknown', reason });

/** Joins parts into a plain string when all are literal, else a SymbolicString. */
function concat(parts: ReadonlyArray<string | TemplateSymbol>): string | TemplateSymbol | SymbolicString {
  const merged: Array<string | TemplateSymbol> = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (typeof part === 'string' && typeof last === 'string') merged[merged.length - 1] = last + part;
    else if (part !== '') merged.push(part);
  }
  if (merged.length === 0) return '';
  // A string made of one part is that part: `Fn::Join ['', [GetAtt]]` is the attribute itself.
  if (merged.length === 1) return merged[0];
  return new SymbolicString(merged);
}

/** Turns a resolved value into string parts, for Join and Sub. */
function stringParts(value: Value): Array<string | TemplateSymbol> {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (isSymbolicString(value)) return [...value.parts];
  if (isSymbol(value)) return [value];
  return [unknown('a non-string value inside a string')];
}

/**
 * Resolves every intrinsic function in `value`. Unsupported or undecidable constructs become
 * `unknown` symbols; they are never guessed.
 */
/**
 * Not CloudFormation's: what a template translated from a Terraform plan (terraform-resources.ts)
 * writes for a value known only after apply, with why — resolved as unknown, never as a value.
 */
export const AFTER_APPLY_INTRINSIC = 'Attestgate::KnownAfterApply';

export function resolveIntrinsics(value: unknown, ctx: IntrinsicContext): Value {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, ctx));
  if (typeof value !== 'object') return unknown(`unsupported value ${String(value)}`);

  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0];
    if (fn === 'Ref' && typeof arg === 'string') return ctx.ref(arg);
    if (fn === 'Fn::GetAtt') return resolveGetAtt(arg, ctx);
    if (fn === 'Fn::Join') return resolveJoin(arg, ctx);
    if (fn === 'Fn::Sub') return resolveSub(arg, ctx);
    if (fn === 'Fn::Select') return resolveSelect(arg, ctx);
    if (fn === 'Fn::Split') return resolveSplit(arg, ctx);
    if (fn === 'Fn::If') return resolveIf(arg, ctx);
    if (fn === 'Fn::FindInMap') return resolveFindInMap(arg, ctx);
    if (fn === 'Fn::Base64') {
      const inner = resolveIntrinsics(arg, ctx);
      return typeof inner === 'string' ? Buffer.from(inner, 'utf8').toString('base64') : unknown('Fn::Base64 of a value not known at synth');
    }
    if (fn === AFTER_APPLY_INTRINSIC) return unknown(String(arg));
    if (fn === 'Fn::ImportValue') {
      const exportName = resolveIntrinsics(arg, ctx);
      return ctx.importValue ? ctx.importValue(exportName) : unknown(`an Fn::ImportValue from another stack (export ${describeValue(exportName)})`);
    }
    if (fn === 'Fn::GetStackOutput') {
      const reference = resolveIntrinsics(arg, ctx);
      return ctx.stackOutput ? ctx.stackOutput(reference) : unknown(`an Fn::GetStackOutput from another stack (${describeValue(reference)})`);
    }
    if (fn === 'Fn::GetAZs') return unknown('Fn::GetAZs');
    if (fn.startsWith('Fn::')) return unknown(`the intrinsic ${fn}`);
  }
  const result: { [key: string]: Value } = {};
  for (const [k, v] of entries) result[k] = resolveIntrinsics(v, ctx);
  return result;
}

function resolveGetAtt(arg: unknown, ctx: IntrinsicContext): Value {
  let logicalId: unknown;
  let attribute: unknown;
  if (typeof arg === 'string') {
    const dot = arg.indexOf('.');
    [logicalId, attribute] = dot === -1 ? [arg, ''] : [arg.slice(0, dot), arg.slice(dot + 1)];
  } else if (Array.isArray(arg) && arg.length === 2) {
    [logicalId, attribute] = arg;
    attribute = resolveIntrinsics(attribute, ctx);
  }
  if (typeof logicalId !== 'string' || typeof attribute !== 'string') return unknown('a malformed Fn::GetAtt');
  return ctx.getAtt(logicalId, attribute);
}

function resolveJoin(arg: unknown, ctx: IntrinsicContext): Value {
  if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return unknown('a malformed Fn::Join');
  const delimiter = arg[0];
  const list = resolveIntrinsics(arg[1], ctx);
  if (!Array.isArray(list)) return unknown('an Fn::Join over a list not known at synth');
  const parts: Array<string | TemplateSymbol> = [];
  list.forEach((item, i) => {
    if (i > 0) parts.push(delimiter);
    parts.push(...stringParts(item));
  });
  return concat(parts);
}

function resolveSub(arg: unknown, ctx: IntrinsicContext): Value {
  let template: unknown = arg;
  let variables: Record<string, Value> = {};
  if (Array.isArray(arg)) {
    if (arg.length !== 2) return unknown('a malformed Fn::Sub');
    template = arg[0];
    const vars = resolveIntrinsics(arg[1], ctx);
    if (vars === null || typeof vars !== 'object' || Array.isArray(vars) || isSymbol(vars) || isSymbolicString(vars)) {
      return unknown('Fn::Sub variables not known at synth');
    }
    variables = vars as Record<string, Value>;
  }
  if (typeof template !== 'string') return unknown('a malformed Fn::Sub');
  const parts: Array<string | TemplateSymbol> = [];
  const pattern = /\$\{(!?)([^}]*)\}/g;
  let last = 0;
  for (const match of template.matchAll(pattern)) {
    parts.push(template.slice(last, match.index));
    last = (match.index ?? 0) + match[0].length;
    const [, literal, name] = match;
    if (literal === '!') {
      parts.push(`\${${name}}`);
    } else if (name in variables) {
      parts.push(...stringParts(variables[name]));
    } else if (name.includes('.') && !name.startsWith('AWS::')) {
      const dot = name.indexOf('.');
      parts.push(...stringParts(ctx.getAtt(name.slice(0, dot), name.slice(dot + 1))));
    } else {
      parts.push(...stringParts(ctx.ref(name)));
    }
  }
  parts.push(template.slice(last));
  return concat(parts);
}

function resolveSelect(arg: unknown, ctx: IntrinsicContext): Value {
  if (!Array.isArray(arg) || arg.length !== 2) return unknown('a malformed Fn::Select');
  const index = resolveIntrinsics(arg[0], ctx);
  const list = resolveIntrinsics(arg[1], ctx);
  const i = typeof index === 'string' ? Number(index) : index;
  if (typeof i !== 'number' || !Array.isArray(list)) return unknown('an Fn::Select not known at synth');
  return i >= 0 && i < list.length ? list[i] : unknown('an Fn::Select index out of range');
}

function resolveSplit(arg: unknown, ctx: IntrinsicContext): Value {
  if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return unknown('a malformed Fn::Split');
  const source = resolveIntrinsics(arg[1], ctx);
  if (typeof source !== 'string') return unknown('an Fn::Split of a value not known at synth');
  return source.split(arg[0]);
}

function resolveIf(arg: unknown, ctx: IntrinsicContext): Value {
  if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return unknown('a malformed Fn::If');
  const truth = ctx.condition(arg[0]);
  if (truth === undefined) return unknown(`condition ${arg[0]}, which depends on deploy-time input`);
  const chosen = resolveIntrinsics(truth ? arg[1] : arg[2], ctx);
  // AWS::NoValue removes the property; represent it as an absent (null) value.
  return isSymbol(chosen) && chosen.symbolic === 'pseudo' && chosen.name === 'AWS::NoValue' ? null : chosen;
}

function resolveFindInMap(arg: unknown, ctx: IntrinsicContext): Value {
  if (!Array.isArray(arg) || arg.length < 3) return unknown('a malformed Fn::FindInMap');
  const [map, top, second] = arg.slice(0, 3).map((a) => resolveIntrinsics(a, ctx));
  if (typeof map !== 'string' || typeof top !== 'string' || typeof second !== 'string') return unknown('an Fn::FindInMap key not known at synth');
  const found = ctx.mappings?.[map]?.[top]?.[second];
  if (found === undefined) return unknown(`mapping ${map}.${top}.${second}, which does not exist`);
  // Mapping values are literal strings or lists of strings; they are not resolved, so a mapping
  // whose value looks up itself cannot make the resolver recurse forever.
  const literal = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  if (literal(found) || (Array.isArray(found) && found.every(literal))) return found as Value;
  return unknown(`mapping ${map}.${top}.${second}, which is not a string or a list of strings (CloudFormation allows nothing else in Mappings)`);
}
