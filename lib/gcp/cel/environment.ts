import type * as Cel from '@bufbuild/cel';
import { extract } from './extract';

/**
 * The CEL environment of GCP workload identity federation: standard CEL (via @bufbuild/cel,
 * which uses RE2 for `matches()` as Google does) plus Google's `string.extract(template)`.
 * The synth-time validation, the rules and the local emulator share it. No cdktf imports.
 *
 * @bufbuild/cel is loaded on first use, not at import: the rule catalog reaches this module, and
 * an AWS-only synth should not pay the ~150 ms the library takes to load.
 */
let library: typeof Cel | undefined;
function cel(): typeof Cel {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  library ??= require('@bufbuild/cel') as typeof Cel;
  return library;
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

/**
 * Parses an expression with the real CEL grammar.
 *
 * @throws CelSyntaxError with the parser's position and message
 */
export function parseCel(expression: string): CelAst {
  try {
    return cel().parse(expression);
  } catch (e) {
    throw new CelSyntaxError(expression, (e as Error).message);
  }
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
