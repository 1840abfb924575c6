import * as path from 'node:path';
import type * as Cel from '@bufbuild/cel';
import { extract } from './extract';

/**
 * The CEL environment of GCP workload identity federation: standard CEL (via @bufbuild/cel,
 * which uses RE2 for `matches()` as Google does) plus Google's `string.extract(template)`.
 * The synth-time validation, the rules and the local emulator share it. No cdktf imports.
 *
 * @bufbuild/cel is loaded on first use, not at import: the rule catalog reaches this module, and
 * an AWS-only synth should not pay for it.
 */
let library: typeof Cel | undefined;
function cel(): typeof Cel {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  library ??= require('@bufbuild/cel') as typeof Cel;
  return library;
}

/**
 * The parser alone. The package entry also loads the evaluator, the standard library and the
 * protobuf runtime: ~120 ms, more than a whole synth of the examples (bench/synth-tf), while
 * synth only parses. The parser module (4 files, ~7 ms) is not in the package's exports map, so
 * it is loaded by file path next to the resolved entry; the version is pinned, the fallback is
 * the package entry (same function), and test/gcp/cel/environment.test.ts checks both agree.
 */
let parser: typeof Cel.parse | undefined;
function celParse(): typeof Cel.parse {
  if (!parser) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      parser = (require(path.join(path.dirname(require.resolve('@bufbuild/cel')), 'parse.js')) as { parse: typeof Cel.parse }).parse;
    } catch {
      parser = cel().parse;
    }
    if (typeof parser !== 'function') parser = cel().parse;
  }
  return parser;
}

/** A parsed CEL expression. */
export type CelAst = ReturnType<typeof Cel.parse>;
/** A node of a parsed expression (cel.expr.Expr). */
export type CelExpr = CelAst['expr'];

/** GCP's limit on an attribute condition. */
export const ATTRIBUTE_CONDITION_MAX_LENGTH = 4096;

/** A CEL expression that does not parse. */
export class CelSyntaxError extends Error {
  constructor(
    public readonly expression: string,
    /** The parser's message, e.g. `<input>:1:15: found = but expecting end of input`. */
    public readonly detail: string,
  ) {
    super(`${detail} in ${JSON.stringify(expression)}`);
    this.name = 'CelSyntaxError';
  }
}

/** Parses by expression text: a parse costs ~1 ms, and a gate's condition is read by the construct, the rules and discovery. */
const parsed = new Map<string, CelAst | CelSyntaxError>();
const PARSE_CACHE_LIMIT = 10_000;

/**
 * Parses an expression with the real CEL grammar. The result is shared: do not modify it.
 *
 * @throws CelSyntaxError with the parser's position and message
 */
export function parseCel(expression: string): CelAst {
  let result = parsed.get(expression);
  if (result === undefined) {
    try {
      result = celParse()(expression);
    } catch (e) {
      result = new CelSyntaxError(expression, (e as Error).message);
    }
    if (parsed.size >= PARSE_CACHE_LIMIT) parsed.clear();
    parsed.set(expression, result);
  }
  if (result instanceof CelSyntaxError) throw result;
  return result;
}

let environment: Cel.CelEnv | undefined;

/** The WIF environment: standard functions plus `extract`. */
export function wifCelEnvironment(): Cel.CelEnv {
  if (!environment) {
    const { celEnv, celMethod, CelScalar } = cel();
    const extractMethod = celMethod('extract', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (this: string, template: string) {
      return extract(this, template);
    });
    environment = celEnv({ funcs: [extractMethod] });
  }
  return environment;
}

/** What GCP binds when it evaluates mappings and conditions. */
export interface WifCelBindings {
  /** The credential as JSON: OIDC claims, AWS `arn`/`account`/`userid`, X.509 fields. */
  readonly assertion: unknown;
  /** `google.subject`, `google.groups` — mapped attributes (conditions only). */
  readonly google?: Record<string, unknown>;
  /** `attribute.<name>` — mapped custom attributes (conditions only). */
  readonly attribute?: Record<string, unknown>;
}

/** An evaluation result: a value, or the CEL error the expression produced. */
export type CelOutcome = { readonly value: unknown } | { readonly error: string };

/**
 * Evaluates an expression in the WIF environment. JSON numbers are CEL doubles, as in GCP.
 *
 * @throws CelSyntaxError when the expression does not parse
 */
export function evaluateCel(expression: string | CelAst, bindings: WifCelBindings): CelOutcome {
  const ast = typeof expression === 'string' ? parseCel(expression) : expression;
  const { plan, isCelError } = cel();
  const evaluate = plan(wifCelEnvironment(), ast) as (ctx: Record<string, unknown>) => unknown;
  const result = evaluate({ assertion: bindings.assertion, google: bindings.google ?? {}, attribute: bindings.attribute ?? {} } as Record<string, unknown>);
  return isCelError(result) ? { error: result.message } : { value: result };
}

/** A CEL string literal for `value`, single-quoted with `\` and `'` (and control characters) escaped. */
export function celString(value: string): string {
  const escaped = value.replace(/[\\'\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === "'") return "\\'";
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `'${escaped}'`;
}
