import * as net from 'node:net';

/**
 * Amazon EventBridge event-pattern matching, as the EventBridge User Guide documents it ("Event
 * patterns", "Comparison operators for use in event patterns"):
 *
 * - a pattern mirrors the event's structure; every key of the pattern must match (AND);
 * - a leaf is an array of matchers, any of which may match (OR); an event value that is an
 *   array matches when any of its elements does;
 * - matchers: a literal (string, number, boolean, `null`; type-sensitive), `prefix`, `suffix`
 *   (each optionally `{ "equals-ignore-case": … }`), `equals-ignore-case`, `wildcard` (`*`, with
 *   `\*` and `\\` escapes), `anything-but` (a value, a list, or `prefix`, `suffix`,
 *   `equals-ignore-case`, `wildcard`), `numeric` (one or two comparisons), `exists`, `cidr`;
 * - `$or` (at any level) holds two or more sub-patterns, at least one of which must match along
 *   with the other keys of its level;
 * - every matcher except `exists: false` needs the field to be present: `anything-but` does not
 *   match an absent field, which is why "not X, or absent" needs `$or` with `exists: false`.
 *
 * Where the documentation is silent, the choice made here is stated: an object inside an array
 * matches when one element matches the whole sub-pattern (no mixing of fields from different
 * elements); `exists` looks at leaves only, so an object-valued field neither exists nor is absent
 * for it (exists: true is false, exists: false is false).
 *
 * Malformed patterns throw an EventPatternError, as PutRule would reject them.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A pattern EventBridge would reject. */
export class EventPatternError extends Error {
  constructor(path: string, problem: string) {
    super(`event pattern ${path || '(root)'}: ${problem}`);
    this.name = 'EventPatternError';
  }
}

/** Whether an event (the whole EventBridge envelope: source, detail-type, detail, …) matches a pattern. */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new EventPatternError('', 'must be a JSON object');
  return matchObject(pattern, event, '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function matchObject(pattern: Record<string, unknown>, event: unknown, path: string): boolean {
  if (Object.keys(pattern).length === 0) throw new EventPatternError(path, 'an object in a pattern must not be empty');
  return Object.entries(pattern).every(([key, sub]) => {
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') return matchOr(sub, event, at);
    const value = isObject(event) ? event[key] : undefined;
    if (Array.isArray(sub)) return matchLeaf(sub, value, at);
    if (isObject(sub)) return matchNested(sub, value, at);
    throw new EventPatternError(at, `must be an array of matchers or an object, not ${JSON.stringify(sub)}`);
  });
}

function matchOr(alternatives: unknown, event: unknown, path: string): boolean {
  if (!Array.isArray(alternatives) || alternatives.length < 2 || !alternatives.every(isObject)) {
    throw new EventPatternError(path, '$or must be an array of at least two pattern objects');
  }
  // Every alternative is validated, not only the first that matches.
  const results = alternatives.map((alternative, i) => matchObject(alternative as Record<string, unknown>, event, `${path}[${i}]`));
  return results.some(Boolean);
}

function matchNested(pattern: Record<string, unknown>, value: unknown, path: string): boolean {
  if (Array.isArray(value)) {
    const elements = value.filter(isObject);
    // An absent object still has to be checked, so exists:false inside it can match and errors surface.
    if (elements.length === 0) return matchObject(pattern, undefined, path);
    return elements.map((element) => matchObject(pattern, element, path)).some(Boolean);
  }
  return matchObject(pattern, isObject(value) ? value : undefined, path);
}

/** A leaf: an array of matchers, any of which may match. */
function matchLeaf(matchers: unknown[], value: unknown, path: string): boolean {
  if (matchers.length === 0) throw new EventPatternError(path, 'a matcher array must not be empty');
  const compiled = matchers.map((m, i) => compileMatcher(m, `${path}[${i}]`));
  return compiled.some((matcher) => matcher(value));
}

type Matcher = (value: unknown) => boolean;

/** The leaf values of a field: its elements when it is an array; nothing when absent or an object. */
function leafValues(value: unknown): unknown[] {
  if (value === undefined || isObject(value)) return [];
  if (Array.isArray(value)) return value.filter((v) => !isObject(v) && !Array.isArray(v));
  return [value];
}

const anyLeaf =
  (test: (leaf: unknown) => boolean): Matcher =>
  (value) =>
    leafValues(value).some(test);

function compileMatcher(matcher: unknown, path: string): Matcher {
  if (matcher === null || typeof matcher === 'string' || typeof matcher === 'number' || typeof matcher === 'boolean') {
    return anyLeaf((leaf) => leaf === matcher);
  }
  if (!isObject(matcher)) throw new EventPatternError(path, `${JSON.stringify(matcher)} is not a matcher`);
  const keys = Object.keys(matcher);
  if (keys.length !== 1) throw new EventPatternError(path, `a matcher object has exactly one operator, found ${JSON.stringify(keys)}`);
  const [operator] = keys;
  const operand = matcher[operator];
  switch (operator) {
    case 'prefix':
      return stringMatcher(path, operand, (leaf, text) => leaf.startsWith(text), (leaf, text) => leaf.toLowerCase().startsWith(text.toLowerCase()));
    case 'suffix':
      return stringMatcher(path, operand, (leaf, text) => leaf.endsWith(text), (leaf, text) => leaf.toLowerCase().endsWith(text.toLowerCase()));
    case 'equals-ignore-case': {
      const text = requireString(operand, path, operator);
      return anyLeaf((leaf) => typeof leaf === 'string' && leaf.toLowerCase() === text.toLowerCase());
    }
    case 'wildcard': {
      const regex = wildcardRegex(requireString(operand, path, operator), path);
      return anyLeaf((leaf) => typeof leaf === 'string' && regex.test(leaf));
    }
    case 'anything-but':
      return anythingBut(operand, path);
    case 'numeric':
      return numericMatcher(operand, path);
    case 'exists':
      if (typeof operand !== 'boolean') throw new EventPatternError(path, 'exists takes true or false');
      return operand ? (value) => leafValues(value).length > 0 : (value) => value === undefined;
    case 'cidr':
      return cidrMatcher(operand, path);
    default:
      throw new EventPatternError(path, `unknown operator ${JSON.stringify(operator)}`);
  }
}

function requireString(operand: unknown, path: string, operator: string): string {
  if (typeof operand !== 'string') throw new EventPatternError(path, `${operator} takes a string, not ${JSON.stringify(operand)}`);
  return operand;
}

/** prefix/suffix: a string, or `{ "equals-ignore-case": string }`. */
function stringMatcher(path: string, operand: unknown, exact: (leaf: string, text: string) => boolean, ignoringCase: (leaf: string, text: string) => boolean): Matcher {
  if (typeof operand === 'string') return anyLeaf((leaf) => typeof leaf === 'string' && exact(leaf, operand));
  if (isObject(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string') {
    const text = operand['equals-ignore-case'];
    return anyLeaf((leaf) => typeof leaf === 'string' && ignoringCase(leaf, text));
  }
  throw new EventPatternError(path, `takes a string or { "equals-ignore-case": string }, not ${JSON.stringify(operand)}`);
}

/** A list of strings, or of numbers, as anything-but accepts them. */
function stringsOrNumbers(operand: unknown, path: string): Array<string | number> {
  const list = Array.isArray(operand) ? operand : [operand];
  if (list.length === 0) throw new EventPatternError(path, 'anything-but must not be an empty list');
  const allStrings = list.every((v) => typeof v === 'string');
  const allNumbers = list.every((v) => typeof v === 'number');
  if (!allStrings && !allNumbers) throw new EventPatternError(path, 'anything-but takes strings only or numbers only');
  return list as Array<string | number>;
}

function anythingBut(operand: unknown, path: string): Matcher {
  if (!isObject(operand)) {
    const excluded = stringsOrNumbers(operand, path);
    return anyLeaf((leaf) => !excluded.includes(leaf as string | number));
  }
  const keys = Object.keys(operand);
  if (keys.length !== 1) throw new EventPatternError(path, `anything-but takes one operator, found ${JSON.stringify(keys)}`);
  const [operator] = keys;
  const inner = operand[operator];
  const texts = (Array.isArray(inner) ? inner : [inner]) as unknown[];
  if (texts.length === 0 || !texts.every((t) => typeof t === 'string')) {
    throw new EventPatternError(path, `anything-but ${operator} takes a string or a list of strings`);
  }
  const strings = texts as string[];
  let excluded: (leaf: string) => boolean;
  switch (operator) {
    case 'prefix':
      excluded = (leaf) => strings.some((t) => leaf.startsWith(t));
      break;
    case 'suffix':
      excluded = (leaf) => strings.some((t) => leaf.endsWith(t));
      break;
    case 'equals-ignore-case':
      excluded = (leaf) => strings.some((t) => leaf.toLowerCase() === t.toLowerCase());
      break;
    case 'wildcard': {
      const regexes = strings.map((t) => wildcardRegex(t, path));
      excluded = (leaf) => regexes.some((r) => r.test(leaf));
      break;
    }
    default:
      throw new EventPatternError(path, `anything-but does not take ${JSON.stringify(operator)}`);
  }
  // Only strings can be excluded by a string operator; any other present value is "anything but".
  return anyLeaf((leaf) => typeof leaf !== 'string' || !excluded(leaf));
}

/** `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash. */
function wildcardRegex(text: string, path: string): RegExp {
  let source = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') throw new EventPatternError(path, `wildcard ${JSON.stringify(text)} has an invalid escape`);
      source += `\\${next}`;
      i++;
    } else if (c === '*') {
      if (text[i + 1] === '*') throw new EventPatternError(path, `wildcard ${JSON.stringify(text)} has consecutive wildcard characters`);
      source += '.*';
    } else {
      source += c.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

const NUMERIC_OPERATORS = ['=', '<', '<=', '>', '>='] as const;

function numericMatcher(operand: unknown, path: string): Matcher {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0 || operand.length > 4) {
    throw new EventPatternError(path, 'numeric takes one or two [operator, number] pairs');
  }
  const tests: Array<(n: number) => boolean> = [];
  const kinds: string[] = [];
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i];
    const bound = operand[i + 1];
    if (!NUMERIC_OPERATORS.includes(op) || typeof bound !== 'number') {
      throw new EventPatternError(path, `numeric ${JSON.stringify(operand)} is not [operator, number, …] with operators ${NUMERIC_OPERATORS.join(' ')}`);
    }
    kinds.push(op === '=' ? 'equal' : op.startsWith('<') ? 'upper' : 'lower');
    tests.push(
      {
        '=': (n: number) => n === bound,
        '<': (n: number) => n < bound,
        '<=': (n: number) => n <= bound,
        '>': (n: number) => n > bound,
        '>=': (n: number) => n >= bound,
      }[op as (typeof NUMERIC_OPERATORS)[number]],
    );
  }
  if (kinds.length === 2 && !(kinds.includes('lower') && kinds.includes('upper'))) {
    throw new EventPatternError(path, 'a numeric range needs one lower and one upper bound');
  }
  return anyLeaf((leaf) => typeof leaf === 'number' && tests.every((t) => t(leaf)));
}

function cidrMatcher(operand: unknown, path: string): Matcher {
  const text = requireString(operand, path, 'cidr');
  const [address, prefixText] = text.split('/');
  const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
  const prefix = Number(prefixText);
  if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 'ipv4' ? 32 : 128)) {
    throw new EventPatternError(path, `cidr ${JSON.stringify(text)} is not an IPv4 or IPv6 CIDR block`);
  }
  const block = new net.BlockList();
  block.addSubnet(address, prefix, family);
  return anyLeaf((leaf) => {
    if (typeof leaf !== 'string') return false;
    const type = net.isIPv4(leaf) ? 'ipv4' : net.isIPv6(leaf) ? 'ipv6' : undefined;
    return type !== undefined && block.check(leaf, type);
  });
}
