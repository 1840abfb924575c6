/**
 * Google Cloud filters, evaluated: the Logging query language (log-based metrics, log-match
 * alert conditions, sinks) and Cloud Monitoring's time-series filters (alert conditions). Used to
 * judge whether a detection signal would fire for a gate's log entry — as aws-signals evaluates
 * EventBridge patterns — instead of grepping for names.
 *
 * Hand-written because no maintained JavaScript implementation of either language exists (npm
 * has none; Google ships parsers only inside its services). It covers comparisons (`=` `!=` `:`
 * `=~` `!~` `<` `<=` `>` `>=`), `AND` / `OR` / `NOT` / `-` / implicit AND, parenthesized value
 * lists (`field=("a" OR "b")`), `field:*`, and Monitoring's `starts_with`, `ends_with`,
 * `has_substring`, `one_of` and `monitoring.regex.full_match`. Anything else — a global
 * restriction, `log_id()`, `sample()`, timestamps — throws FilterError: a signal that cannot be
 * judged is reported as such, never counted.
 */

/** A filter this evaluator cannot judge, or a malformed one. */
export class FilterError extends Error {}

export type FilterDialect = 'logging' | 'monitoring';

type Operator = '=' | '!=' | ':' | '=~' | '!~' | '<' | '<=' | '>' | '>=';
type ValueNode = { readonly text: string; readonly quoted: boolean } | { readonly list: readonly ValueNode[]; readonly join: 'OR' | 'AND' } | { readonly call: string; readonly args: readonly string[] };
type FilterNode =
  | { readonly and: readonly FilterNode[] }
  | { readonly or: readonly FilterNode[] }
  | { readonly not: FilterNode }
  | { readonly field: readonly string[]; readonly op: Operator; readonly value: ValueNode };

/** `spaced`: whitespace came before it — `f(` is a call, `0 (` a value and then a group. */
type Token = { readonly kind: 'word' | 'string' | 'op' | '(' | ')' | ','; readonly text: string; readonly spaced?: boolean };

const OPERATORS: readonly Operator[] = ['=~', '!~', '!=', '<=', '>=', '=', '<', '>', ':'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, text: c, spaced: i > 0 && /\s/.test(text[i - 1]) });
      i += 1;
    } else if (c === '"') {
      let value = '';
      i += 1;
      while (i < text.length && text[i] !== '"') {
        // \" and \\ are escapes; any other backslash stays, so regexes keep theirs.
        if (text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
          value += text[i + 1];
          i += 2;
        } else {
          value += text[i];
          i += 1;
        }
      }
      if (i >= text.length) throw new FilterError('a quoted string is not closed');
      tokens.push({ kind: 'string', text: value });
      i += 1;
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (op) {
        tokens.push({ kind: 'op', text: op });
        i += op.length;
      } else {
        const start = i;
        while (i < text.length && !/[\s()",=<>!:~]/.test(text[i])) i += 1;
        if (i === start) throw new FilterError(`unexpected character ${JSON.stringify(c)}`);
        tokens.push({ kind: 'word', text: text.slice(start, i) });
      }
    }
  }
  return tokens;
}

class Parser {
  private position = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly dialect: FilterDialect,
  ) {}

  public parse(): FilterNode {
    if (this.tokens.length === 0) throw new FilterError('the filter is empty');
    const node = this.and();
    if (this.peek()) throw new FilterError(`unexpected ${JSON.stringify(this.peek()!.text)}`);
    return node;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.position + offset];
  }

  private next(): Token {
    const token = this.tokens[this.position++];
    if (!token) throw new FilterError('the filter ends too early');
    return token;
  }

  private isKeyword(token: Token | undefined, keyword: string): boolean {
    return token?.kind === 'word' && token.text === keyword;
  }

  // Google's precedence, unlike most languages': NOT, then OR, then AND — `a AND b OR c` is
  // `a AND (b OR c)` (Logging query language reference, "Boolean operators"; AIP-160 alike).
  private and(): FilterNode {
    const terms = [this.or()];
    for (;;) {
      const token = this.peek();
      if (!token || token.kind === ')') break;
      if (this.isKeyword(token, 'AND')) this.next();
      terms.push(this.or());
    }
    return terms.length === 1 ? terms[0] : { and: terms };
  }

  private or(): FilterNode {
    const terms = [this.unary()];
    while (this.isKeyword(this.peek(), 'OR')) {
      this.next();
      terms.push(this.unary());
    }
    return terms.length === 1 ? terms[0] : { or: terms };
  }

  private unary(): FilterNode {
    const token = this.peek();
    if (this.isKeyword(token, 'NOT')) {
      this.next();
      return { not: this.unary() };
    }
    if (token?.kind === 'word' && token.text.startsWith('-') && token.text.length > 1) {
      // `-field=value` negates; split the minus off the field.
      this.tokens[this.position] = { kind: 'word', text: token.text.slice(1) };
      return { not: this.unary() };
    }
    if (token?.kind === '(') {
      this.next();
      const inner = this.and();
      if (this.next().kind !== ')') throw new FilterError('a parenthesis is not closed');
      return inner;
    }
    return this.comparison();
  }

  private comparison(): FilterNode {
    const field = this.next();
    if (field.kind !== 'word') throw new FilterError(`${JSON.stringify(field.text)} is a global restriction (a value without a field), which this evaluator does not judge`);
    if (this.peek()?.kind === '(' && !this.peek()!.spaced) throw new FilterError(`the function ${field.text}() is not supported`);
    const op = this.peek();
    if (op?.kind !== 'op') throw new FilterError(`${JSON.stringify(field.text)} is a global restriction (a value without a field), which this evaluator does not judge`);
    this.next();
    return { field: fieldPath(field.text, this.dialect), op: op.text as Operator, value: this.value() };
  }

  private value(): ValueNode {
    const token = this.next();
    if (token.kind === 'string') return { text: token.text, quoted: true };
    if (token.kind === '(') {
      const list = [this.value()];
      let join: 'OR' | 'AND' = 'OR';
      while (this.peek()?.kind !== ')') {
        const keyword = this.next();
        if (!this.isKeyword(keyword, 'OR') && !this.isKeyword(keyword, 'AND')) throw new FilterError(`expected OR or AND in a value list, found ${JSON.stringify(keyword.text)}`);
        if (list.length > 1 && keyword.text !== join) throw new FilterError('a value list mixes OR and AND');
        join = keyword.text as 'OR' | 'AND';
        list.push(this.value());
      }
      this.next();
      return { list, join };
    }
    if (token.kind === 'word' && this.peek()?.kind === '(' && !this.peek()!.spaced) {
      if (this.dialect !== 'monitoring') throw new FilterError(`the function ${token.text}() is not supported`);
      this.next();
      const args: string[] = [];
      while (this.peek()?.kind !== ')') {
        const arg = this.next();
        if (arg.kind !== 'string' && arg.kind !== 'word') throw new FilterError(`unexpected ${JSON.stringify(arg.text)} in ${token.text}()`);
        args.push(arg.text);
        if (this.peek()?.kind === ',') this.next();
      }
      this.next();
      return { call: token.text, args };
    }
    if (token.kind === 'word') return { text: token.text, quoted: false };
    throw new FilterError(`unexpected ${JSON.stringify(token.text)} where a value belongs`);
  }
}

/** Monitoring writes `metric.label.x` for the `metric.labels` map; both spellings are accepted. */
function fieldPath(text: string, dialect: FilterDialect): string[] {
  if (text.includes('"')) throw new FilterError(`quoted field segments (${text}) are not supported`);
  const path = text.split('.');
  if (dialect === 'monitoring' && path.length === 3 && (path[0] === 'metric' || path[0] === 'resource') && path[1] === 'label') path[1] = 'labels';
  return path;
}

/** A parsed filter. */
export class GoogleFilter {
  /** @throws FilterError for a filter this evaluator cannot judge */
  public static parse(text: string, dialect: FilterDialect): GoogleFilter {
    return new GoogleFilter(new Parser(tokenize(text), dialect).parse(), dialect);
  }

  private constructor(
    private readonly root: FilterNode,
    private readonly dialect: FilterDialect,
  ) {}

  /**
   * Whether a log entry (Logging) or a time series `{ metric: { type, labels }, resource: { type,
   * labels } }` (Monitoring) matches.
   *
   * @throws FilterError for a comparison it cannot judge (a timestamp, a bad regex)
   */
  public matches(subject: unknown): boolean {
    return this.evaluate(this.root, subject);
  }

  private evaluate(node: FilterNode, subject: unknown): boolean {
    if ('and' in node) return node.and.every((n) => this.evaluate(n, subject));
    if ('or' in node) return node.or.some((n) => this.evaluate(n, subject));
    if ('not' in node) return !this.evaluate(node.not, subject);
    const values = valuesAt(subject, node.field);
    return this.compare(values, node.op, node.value);
  }

  private compare(values: unknown[], op: Operator, value: ValueNode): boolean {
    if ('list' in value) {
      const results = value.list.map((v) => this.compare(values, op, v));
      return value.join === 'OR' ? results.some(Boolean) : results.every(Boolean);
    }
    if ('call' in value) return this.call(values, op, value);
    if (op === ':' && value.text === '*' && !value.quoted) return values.length > 0;
    // A repeated field matches when any element does; a missing field matches nothing.
    return values.some((v) => this.compareOne(v, op, value.text));
  }

  private compareOne(actual: unknown, op: Operator, expected: string): boolean {
    if (actual !== null && typeof actual === 'object') throw new FilterError(`a comparison with a message or map value (${op} ${JSON.stringify(expected)}) is not supported`);
    const text = String(actual);
    // Logging compares strings regardless of case; Monitoring exactly.
    const fold = (s: string) => (this.dialect === 'logging' ? s.toLowerCase() : s);
    switch (op) {
      case '=':
        return numeric(text, expected) ? Number(text) === Number(expected) : fold(text) === fold(expected);
      case '!=':
        return numeric(text, expected) ? Number(text) !== Number(expected) : fold(text) !== fold(expected);
      case ':':
        return fold(text).includes(fold(expected));
      case '=~':
        return regex(expected).test(text);
      case '!~':
        return !regex(expected).test(text);
      default: {
        if (!numeric(text, expected)) throw new FilterError(`${op} on a non-number (${JSON.stringify(text)} ${op} ${JSON.stringify(expected)}) is not supported`);
        const [a, b] = [Number(text), Number(expected)];
        return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
      }
    }
  }

  private call(values: unknown[], op: Operator, value: { call: string; args: readonly string[] }): boolean {
    if (op !== '=' && op !== '!=') throw new FilterError(`${value.call}() with ${op} is not supported`);
    const test = (actual: unknown): boolean => {
      const text = String(actual);
      const [arg] = value.args;
      switch (value.call) {
        case 'starts_with':
          return text.startsWith(arg);
        case 'ends_with':
          return text.endsWith(arg);
        case 'has_substring':
          return text.includes(arg);
        case 'one_of':
          return value.args.includes(text);
        case 'monitoring.regex.full_match':
          return regex(`^(?:${arg})$`).test(text);
        default:
          throw new FilterError(`the function ${value.call}() is not supported`);
      }
    };
    const matched = values.some(test);
    return op === '=' ? matched : values.length > 0 && !matched;
  }
}

const numeric = (a: string, b: string) => a.trim() !== '' && b.trim() !== '' && !Number.isNaN(Number(a)) && !Number.isNaN(Number(b));

function regex(pattern: string): RegExp {
  // RE2 writes case-insensitivity as a (?i) prefix; JavaScript as a flag.
  const insensitive = pattern.startsWith('(?i)');
  try {
    return new RegExp(insensitive ? pattern.slice(4) : pattern, insensitive ? 'i' : '');
  } catch (e) {
    throw new FilterError(`the regular expression ${JSON.stringify(pattern)} is not one this evaluator understands (${(e as Error).message})`);
  }
}

/** The values at a path; arrays on the way fan out (a repeated field matches when any element does). */
function valuesAt(subject: unknown, path: readonly string[]): unknown[] {
  let current: unknown[] = [subject];
  for (const step of path) {
    current = current.flatMap((v) => {
      if (v === null || typeof v !== 'object') return [];
      const next = (v as Record<string, unknown>)[step];
      if (next === undefined || next === null) return [];
      return Array.isArray(next) ? next : [next];
    });
  }
  return current;
}
