import { ContextValue } from './request-context';

/**
 * Policy strings: IAM wildcards (`*`, `?`) and policy variables (`${aws:username}`,
 * `${aws:PrincipalTag/team, 'default'}`, and the escapes `${*}`, `${?}`, `${$}`).
 *
 * Hand-written rather than taken from a glob library: IAM's `*` crosses `/` and `.`, which
 * path-oriented globbers (minimatch, picomatch) treat specially, and the substituted text of a
 * variable must stay literal even when it contains `*` or `?`.
 */

/** One piece of a resolved policy string. */
export type PatternPart = { readonly literal: string } | { readonly wildcard: '*' | '?' };

/** A policy string with its variables substituted, or why that was impossible. */
export type ResolvedPattern = { readonly parts: readonly PatternPart[] } | { readonly unresolved: string };

/** Looks up a condition key for variable substitution (`undefined`: absent). */
export type VariableLookup = (key: string) => ContextValue | undefined;

const ESCAPES: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' };

/**
 * Substitutes the variables of `raw` and splits it into literals and wildcards.
 *
 * `variables` is `undefined` when the policy's language version predates variables (no
 * `Version`, or `2008-10-17`): then `${...}` is plain text. With `wildcards: false` (StringEquals,
 * Bool, ...) `*` and `?` are plain text too.
 *
 * A variable whose key is absent and has no default, or whose key is multivalued, cannot be
 * substituted; IAM documents that such a value never matches.
 */
export function resolvePolicyString(raw: string, options: { readonly variables: VariableLookup | undefined; readonly wildcards: boolean }): ResolvedPattern {
  const parts: PatternPart[] = [];
  let text = '';
  const flush = (): void => {
    if (text !== '') parts.push({ literal: text });
    text = '';
  };
  const variables = options.variables;
  for (let i = 0; i < raw.length; ) {
    const ch = raw[i];
    if (options.wildcards && (ch === '*' || ch === '?')) {
      flush();
      parts.push({ wildcard: ch });
      i += 1;
      continue;
    }
    const close = ch === '$' && raw[i + 1] === '{' ? raw.indexOf('}', i + 2) : -1;
    if (variables === undefined || close === -1) {
      text += ch;
      i += 1;
      continue;
    }
    const body = raw.slice(i + 2, close);
    i = close + 1;
    if (body in ESCAPES) {
      text += ESCAPES[body];
      continue;
    }
    const substituted = substitute(body, variables);
    if (typeof substituted !== 'string') return substituted;
    text += substituted;
  }
  flush();
  return { parts };
}

function substitute(body: string, variables: VariableLookup): string | { unresolved: string } {
  // The documented syntax for a default is `${key, 'default'}`: a comma, a space, a quoted value.
  const split = body.split(', ');
  const key = split[0].trim();
  const quoted = split.length === 2 && split[1].length >= 2 && split[1].startsWith("'") && split[1].endsWith("'") ? split[1].slice(1, -1) : undefined;
  const value = key === '' ? undefined : variables(key);
  if (typeof value === 'string') return value;
  if (value !== undefined) return { unresolved: `\${${key}} is a multivalued key, which cannot be a policy variable` };
  if (quoted !== undefined) return quoted;
  return { unresolved: `\${${key}} is absent from the request and has no default` };
}

const ANY_RUN = Symbol('*');
const ANY_ONE = Symbol('?');
type Token = string | typeof ANY_RUN | typeof ANY_ONE;

/** Whether `input` matches the resolved pattern; `*` matches any run of characters, `?` exactly one. */
export function matchesPattern(parts: readonly PatternPart[], input: string, options: { readonly ignoreCase: boolean }): boolean {
  // Most policy values have no wildcard (StringEquals, ArnEquals, an action named in full): one
  // literal, or none. Its code points equal the input's exactly when the strings are equal, so
  // that is the whole answer when case counts and a sufficient one when it does not (the emulator
  // matches every request's trust policy; splitting both into code points was most of its cost).
  if (parts.length <= 1) {
    const only = parts[0];
    if (only === undefined) return input === '';
    if ('literal' in only && only.literal === input) return true;
    if ('literal' in only && !options.ignoreCase) return false;
  }
  // Code points, so that `?` is one character; then the classic two-pointer match that
  // backtracks only to the most recent `*`.
  const pattern = parts.flatMap((part): Token[] => ('wildcard' in part ? [part.wildcard === '*' ? ANY_RUN : ANY_ONE] : Array.from(part.literal)));
  const chars = Array.from(input);
  const same = options.ignoreCase ? (a: string, b: string) => a === b || a.toLowerCase() === b.toLowerCase() : (a: string, b: string) => a === b;
  let p = 0;
  let s = 0;
  let star = -1;
  let starInput = 0;
  while (s < chars.length) {
    const token = pattern[p];
    if (token === ANY_RUN) {
      star = p;
      starInput = s;
      p += 1;
    } else if (token === ANY_ONE || (typeof token === 'string' && same(token, chars[s]))) {
      p += 1;
      s += 1;
    } else if (star !== -1) {
      p = star + 1;
      starInput += 1;
      s = starInput;
    } else {
      return false;
    }
  }
  while (pattern[p] === ANY_RUN) p += 1;
  return p === pattern.length;
}

/** The resolved pattern as text (wildcards kept), for explanations. */
export function describePattern(parts: readonly PatternPart[]): string {
  return parts.map((part) => ('wildcard' in part ? part.wildcard : part.literal)).join('');
}
