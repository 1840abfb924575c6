import { CelExpr, parseCel } from './environment';
import { celChildren, pathOf, stringConstant } from './condition-analysis';
import { parseExtractTemplate } from './extract';

/**
 * The literals a workload identity provider's attribute condition tests claims with, by claim
 * and by how: compared (`==`, `in [...]`), required as a prefix (`startsWith`, a regex anchored
 * with `^`), a suffix (`endsWith`), a substring (`contains`) or a pattern (`matches`). Read
 * through the attribute mapping: a condition on `attribute.x` or `google.subject` mapped from a
 * bare `assertion.<claim>` counts for that claim, and one mapped through
 * `assertion.<claim>.extract('<template>')` is kept with its template, because the value tested is
 * only part of the claim (what makes an extract lossy).
 *
 * The probes use these to pick inputs and the subject search (admitted-subjects.ts) to derive
 * the subjects a condition admits; neither reads a verdict from them.
 */
export interface ConditionLiterals {
  /** Claim → literal values it is compared with (`==`, `in [...]`). */
  readonly values: Map<string, string[]>;
  /** Claim → literal prefixes it must start with. */
  readonly prefixes: Map<string, string[]>;
  /** Claim → literal suffixes (`endsWith`). */
  readonly suffixes: Map<string, string[]>;
  /** Claim → literal substrings (`contains`). */
  readonly substrings: Map<string, string[]>;
  /** Claim → RE2 patterns (`matches`). */
  readonly patterns: Map<string, string[]>;
  /** Claim → values an extract of it is compared with, with the template (`attribute.agent == 'x'` where `attribute.agent` is `assertion.sub.extract('/agent/{n}')`). */
  readonly extracted: Map<string, Array<{ readonly template: string; readonly value: string }>>;
}

/** An attribute mapped from a claim: bare (`assertion.sub`) or through one extract. */
export type Alias = { readonly claim: string; readonly template?: string };

/** The claim a mapping expression reads, bare or through `.extract('<template>')`; undefined for anything else. */
export function aliasOf(expression: string): Alias | undefined {
  let expr: CelExpr;
  try {
    expr = parseCel(expression).expr;
  } catch {
    return undefined;
  }
  const claimOf = (e: CelExpr) => {
    const path = pathOf(e);
    return path?.startsWith('assertion.') && !path.slice('assertion.'.length).includes('.') ? path.slice('assertion.'.length) : undefined;
  };
  const bare = claimOf(expr);
  if (bare) return { claim: bare };
  const kind = expr.exprKind;
  if (kind.case === 'callExpr' && kind.value.function === 'extract' && kind.value.target && kind.value.args.length === 1) {
    const claim = claimOf(kind.value.target);
    const template = stringConstant(kind.value.args[0]);
    if (claim === undefined || template === undefined) return undefined;
    try {
      parseExtractTemplate(template);
    } catch {
      return undefined;
    }
    return { claim, template };
  }
  return undefined;
}

/**
 * The subject a pattern is written for when it is `^`, literal characters and `$`: the one string
 * it matches — or, where it leaves a `.` unescaped, the string it was plainly meant to match (the
 * dot read as a dot), which the subject search then mutates at each dot. Undefined for anything
 * else (classes, alternatives, quantifiers).
 */
export function patternLiteral(pattern: string | undefined): string | undefined {
  if (pattern === undefined || !pattern.startsWith('^') || !pattern.endsWith('$') || /(^|[^\\])(\\\\)*\\\$$/.test(pattern)) return undefined;
  let literal = '';
  for (let i = 1; i < pattern.length - 1; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined || !/[\\.\-/:^$|?*+()[\]{}]/.test(next)) return undefined;
      literal += next;
      i += 1;
    } else if (/[\^$|?*+()[\]{}]/.test(c)) return undefined;
    else literal += c;
  }
  return literal;
}

export function conditionLiterals(condition: string | undefined, mapping: Readonly<Record<string, string>>): ConditionLiterals {
  const literals: ConditionLiterals = { values: new Map(), prefixes: new Map(), suffixes: new Map(), substrings: new Map(), patterns: new Map(), extracted: new Map() };
  if (condition === undefined) return literals;
  const aliases = new Map<string, Alias>();
  for (const [key, expression] of Object.entries(mapping)) {
    const alias = aliasOf(expression);
    if (alias) aliases.set(key, alias);
  }
  const aliasAt = (expr: CelExpr): Alias | undefined => {
    const path = pathOf(expr);
    if (path === undefined) return undefined;
    const alias = aliases.get(path);
    if (alias) return alias;
    return path.startsWith('assertion.') && !path.slice('assertion.'.length).includes('.') ? { claim: path.slice('assertion.'.length) } : undefined;
  };
  const add = <T>(into: Map<string, T[]>, claim: string, value: T, same: (a: T, b: T) => boolean = (a, b) => a === b) => {
    const list = into.get(claim) ?? [];
    if (!list.some((v) => same(v, value))) list.push(value);
    into.set(claim, list);
  };
  const compared = (target: CelExpr, value: string | undefined) => {
    const alias = aliasAt(target);
    if (!alias || value === undefined) return;
    if (alias.template === undefined) add(literals.values, alias.claim, value);
    else add(literals.extracted, alias.claim, { template: alias.template, value }, (a, b) => a.template === b.template && a.value === b.value);
  };
  const tested = (into: Map<string, string[]>, target: CelExpr | undefined, literal: CelExpr | undefined) => {
    const alias = target ? aliasAt(target) : undefined;
    const value = literal ? stringConstant(literal) : undefined;
    // A test on an extracted part says nothing about where in the claim it sits; the bare claim's tests are what constrain it.
    if (alias && alias.template === undefined && value !== undefined) add(into, alias.claim, value);
  };
  let ast: CelExpr;
  try {
    ast = parseCel(condition).expr;
  } catch {
    return literals;
  }
  const walk = (expr: CelExpr) => {
    const kind = expr.exprKind;
    if (kind.case === 'callExpr') {
      const { function: fn, args, target } = kind.value;
      if (fn === '_==_' && args.length === 2) {
        compared(args[0], stringConstant(args[1]));
        compared(args[1], stringConstant(args[0]));
      } else if (fn === '@in' && args.length === 2 && args[1].exprKind.case === 'listExpr') {
        for (const element of args[1].exprKind.value.elements) compared(args[0], stringConstant(element));
      } else if (fn === 'startsWith' && args.length === 1) tested(literals.prefixes, target, args[0]);
      else if (fn === 'endsWith' && args.length === 1) tested(literals.suffixes, target, args[0]);
      else if (fn === 'contains' && args.length === 1) tested(literals.substrings, target, args[0]);
      else if (fn === 'matches') {
        const [subject, pattern] = target ? [target, args[0]] : [args[0], args[1]];
        tested(literals.patterns, subject, pattern);
        // `^<literal>$` is an equality written as a regex (with its dots as the search's first suspects).
        if (subject && pattern) compared(subject, patternLiteral(stringConstant(pattern)));
      }
    }
    celChildren(expr).forEach(walk);
  };
  walk(ast);
  return literals;
}
