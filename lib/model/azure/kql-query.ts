/**
 * Kusto (KQL) queries of Azure Monitor log alert rules, evaluated on one record: does the record
 * reach the query's result? Used to judge whether a scheduled query rule would fire for a gate's
 * sign-in — as aws-signals evaluates EventBridge patterns — instead of grepping for names.
 *
 * Hand-written because no JavaScript implementation of KQL is published (Microsoft ships the
 * parser for .NET only). It covers what alert queries over sign-in logs use: a table or
 * `union [isfuzzy=…] T1, T2` (names may hold `*`), then `where` / `filter` stages with `and`,
 * `or`, `not()`, `==` `!=` `=~` `!~` `<` `<=` `>` `>=`, `in` `!in` `in~` `!in~`, `has`,
 * `contains`, `startswith`, `endswith` (each with `!` and `_cs` forms), `has_any`,
 * `matches regex`, and `isempty`, `isnotempty`, `isnull`, `isnotnull`, `tostring`, `tolower`,
 * `toupper`. Stages after the filters (`project`, `summarize`, …) keep a record that reached
 * them; a filter after such a stage, a `let`, a join or an unknown function throws KqlError:
 * a rule that cannot be judged is reported as such, never counted.
 *
 * Nulls follow Kusto ("Null values", Kusto query language reference): `==` of a null and a value
 * is false and `!=` true, of two nulls null; `<` `<=` `>` `>=` and arithmetic with a null are
 * null; `and`, `or` and `not()` are three-valued (null or true is true, null and false is false);
 * `where` drops a record whose predicate is null; `isnull()` is true of it. A string is never null.
 */

/** A query this evaluator cannot judge, or a malformed one. */
export class KqlError extends Error {}

export type KqlType = 'string' | 'long' | 'real' | 'bool' | 'datetime' | 'dynamic' | 'guid';
/** Column types of a table, as its reference lists them. */
export type KqlSchema = Readonly<Record<string, KqlType>>;
export type Scalar =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  /**
   * A missing value. `of` is its type where the evaluator knows it: a null bool (a comparison
   * with a null number, a bool column's null) or a null number (a number column's, arithmetic
   * on one); a null from JSON (a member the object lacks) has none.
   */
  | { readonly type: 'null'; readonly of?: 'bool' | 'number' }
  /** A parsed JSON value (parse_json): read through member access and tostring(). */
  | { readonly type: 'dynamic'; readonly value: unknown };
/** A cell of a record: a scalar column's value, or a dynamic column's JSON. */
export type KqlCell = string | number | boolean | null | Readonly<Record<string, unknown>> | readonly unknown[];

export type Expr =
  | { readonly kind: 'literal'; readonly value: Scalar }
  | { readonly kind: 'column'; readonly name: string }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: 'binary'; readonly op: string; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'list'; readonly op: string; readonly left: Expr; readonly items: readonly Expr[] }
  | { readonly kind: 'member'; readonly base: Expr; readonly name: string };

export type Token = { readonly kind: 'word' | 'string' | 'number' | 'punct'; readonly text: string };

const FILTER_STAGES = new Set(['where', 'filter']);
const PASSING_STAGES = new Set(['project', 'project-away', 'project-keep', 'project-rename', 'project-reorder', 'extend', 'summarize', 'order', 'sort', 'top', 'take', 'limit', 'distinct', 'count', 'render', 'sample']);
const STRING_OPERATORS = ['has', 'has_cs', 'contains', 'contains_cs', 'startswith', 'startswith_cs', 'endswith', 'endswith_cs'];
const WORD_OPERATORS = new Set([...STRING_OPERATORS, ...STRING_OPERATORS.map((o) => `!${o}`), 'in', '!in', 'in~', '!in~', 'has_any', 'matches']);
const PUNCT = ['==', '!=', '=~', '!~', '<=', '>=', '<', '>', '(', ')', '[', ']', '{', '}', ',', '|', ';', ':', '=', '-', '+', '/', '%', '.'];

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (c === '"' || c === "'" || ((c === '@' || c === 'h' || c === 'H') && (text[i + 1] === '"' || text[i + 1] === "'"))) {
      // "…" and '…' with backslash escapes; @"…" verbatim; h"…" obfuscated (same value).
      const verbatim = c === '@';
      if (c !== '"' && c !== "'") i += 1;
      const quote = text[i];
      let value = '';
      i += 1;
      while (i < text.length && text[i] !== quote) {
        if (!verbatim && text[i] === '\\') {
          const next = text[i + 1];
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
        } else {
          value += text[i];
          i += 1;
        }
      }
      if (i >= text.length) throw new KqlError('a string literal is not closed');
      tokens.push({ kind: 'string', text: value });
      i += 1;
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(text.slice(i))!;
      tokens.push({ kind: 'number', text: match[0] });
      i += match[0].length;
    } else if (c === '!' && /[a-z]/.test(text[i + 1] ?? '')) {
      const match = /^![a-z_~]+/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', text: match[0] });
      i += match[0].length;
    } else if (/[A-Za-z_$*]/.test(c)) {
      const match = /^[A-Za-z_$*][A-Za-z0-9_$*~-]*/.exec(text.slice(i))!;
      // `project-away` and `in~` are words; a trailing `-` is a minus.
      const word = match[0].replace(/-+$/, '');
      tokens.push({ kind: 'word', text: word });
      i += word.length;
    } else {
      const punct = PUNCT.find((p) => text.startsWith(p, i));
      if (!punct) throw new KqlError(`unexpected character ${JSON.stringify(c)}`);
      tokens.push({ kind: 'punct', text: punct });
      i += punct.length;
    }
  }
  return tokens;
}

/** Splits tokens at top-level `|`. */
export function stagesOf(tokens: Token[]): Token[][] {
  const stages: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === 'punct' && token.text === '(') depth += 1;
    if (token.kind === 'punct' && token.text === ')') depth -= 1;
    if (token.kind === 'punct' && token.text === '|' && depth === 0) stages.push([]);
    else stages[stages.length - 1].push(token);
  }
  return stages;
}

export class ExpressionParser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  public parseAll(): Expr {
    const expr = this.or();
    if (this.position < this.tokens.length) throw new KqlError(`unexpected ${JSON.stringify(this.tokens[this.position].text)}`);
    return expr;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private next(): Token {
    const token = this.tokens[this.position++];
    if (!token) throw new KqlError('the expression ends too early');
    return token;
  }

  private expect(text: string): void {
    const token = this.next();
    if (token.text !== text) throw new KqlError(`expected ${JSON.stringify(text)}, found ${JSON.stringify(token.text)}`);
  }

  private or(): Expr {
    let left = this.and();
    while (this.peek()?.kind === 'word' && this.peek()!.text === 'or') {
      this.next();
      left = { kind: 'binary', op: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Expr {
    let left = this.comparison();
    while (this.peek()?.kind === 'word' && this.peek()!.text === 'and') {
      this.next();
      left = { kind: 'binary', op: 'and', left, right: this.comparison() };
    }
    return left;
  }

  private comparison(): Expr {
    const left = this.additive();
    const token = this.peek();
    if (!token) return left;
    if (token.kind === 'punct' && ['==', '!=', '=~', '!~', '<', '<=', '>', '>='].includes(token.text)) {
      this.next();
      return { kind: 'binary', op: token.text, left, right: this.additive() };
    }
    if (token.kind === 'word' && WORD_OPERATORS.has(token.text)) {
      this.next();
      if (['in', '!in', 'in~', '!in~', 'has_any'].includes(token.text)) {
        this.expect('(');
        const items: Expr[] = [];
        while (this.peek()?.text !== ')') {
          items.push(this.primary());
          if (this.peek()?.text === ',') this.next();
        }
        this.expect(')');
        return { kind: 'list', op: token.text, left, items };
      }
      if (token.text === 'matches') {
        const regex = this.next();
        if (regex.text !== 'regex') throw new KqlError('expected "matches regex"');
        return { kind: 'binary', op: 'matches regex', left, right: this.primary() };
      }
      return { kind: 'binary', op: token.text, left, right: this.primary() };
    }
    return left;
  }

  private additive(): Expr {
    let left = this.primary();
    while (this.peek()?.kind === 'punct' && (this.peek()!.text === '+' || this.peek()!.text === '-')) {
      const op = this.next().text;
      left = { kind: 'binary', op, left, right: this.primary() };
    }
    return left;
  }

  private primary(): Expr {
    let expr = this.operand();
    // Member access on a dynamic value: e.identity.
    while (this.peek()?.text === '.') {
      this.next();
      const name = this.next();
      if (name.kind !== 'word') throw new KqlError(`expected a member name after ".", found ${JSON.stringify(name.text)}`);
      expr = { kind: 'member', base: expr, name: name.text };
    }
    return expr;
  }

  private operand(): Expr {
    const token = this.next();
    if (token.kind === 'string') return { kind: 'literal', value: { type: 'string', value: token.text } };
    if (token.kind === 'number') return { kind: 'literal', value: { type: 'number', value: Number(token.text) } };
    if (token.kind === 'punct' && token.text === '(') {
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (token.kind === 'punct' && token.text === '-' && this.peek()?.kind === 'number') {
      return { kind: 'literal', value: { type: 'number', value: -Number(this.next().text) } };
    }
    if (token.kind === 'word') {
      if (token.text === 'true' || token.text === 'false') return { kind: 'literal', value: { type: 'bool', value: token.text === 'true' } };
      if (this.peek()?.text === '(') {
        this.next();
        const args: Expr[] = [];
        while (this.peek()?.text !== ')') {
          args.push(this.or());
          if (this.peek()?.text === ',') this.next();
        }
        this.expect(')');
        return { kind: 'call', name: token.text, args };
      }
      return { kind: 'column', name: token.text };
    }
    throw new KqlError(`unexpected ${JSON.stringify(token.text)}`);
  }
}

/** A parsed query. */
export class KqlQuery {
  /** @throws KqlError for a query this evaluator cannot judge */
  public static parse(text: string): KqlQuery {
    const tokens = tokenize(text);
    if (tokens.some((t) => t.kind === 'punct' && t.text === ';') || tokens[0]?.text === 'let') throw new KqlError('let statements and multi-statement queries are not supported');
    const [source, ...rest] = stagesOf(tokens);
    if (source.length === 0) throw new KqlError('the query names no table');
    const tables = tablesOf(source);
    const filters: Expr[] = [];
    let passed = false;
    for (const stage of rest) {
      const [head, ...body] = stage;
      if (!head) throw new KqlError('an empty stage');
      if (FILTER_STAGES.has(head.text)) {
        if (passed) throw new KqlError(`a ${head.text} after a shaping stage (project, summarize, …) is not supported`);
        filters.push(new ExpressionParser(body).parseAll());
      } else if (PASSING_STAGES.has(head.text)) {
        // `take 0` keeps nothing; any other shaping stage keeps a record that reached it.
        if ((head.text === 'take' || head.text === 'limit') && body.length === 1 && body[0].text === '0') filters.push({ kind: 'literal', value: { type: 'bool', value: false } });
        passed = true;
      } else {
        throw new KqlError(`the ${head.text} operator is not supported`);
      }
    }
    return new KqlQuery(tables, filters);
  }

  private constructor(
    /** Table name patterns (`*` a wildcard). */
    private readonly tables: readonly RegExp[],
    private readonly filters: readonly Expr[],
  ) {}

  /** Whether the query reads a table. */
  public reads(table: string): boolean {
    return this.tables.some((t) => t.test(table));
  }

  /**
   * Whether a record of `table` reaches the query's result. Columns missing from the record are
   * empty (strings) or null; a column the schema does not know fails the query, as in Kusto.
   *
   * @throws KqlError for an expression it cannot judge (a type mismatch, an unknown function)
   */
  public keeps(table: string, schema: KqlSchema, record: Readonly<Record<string, KqlCell>>): boolean {
    if (!this.reads(table)) return false;
    const evaluator = new Evaluator(schema, record);
    return this.filters.every((f) => whereKeeps(evaluator.evaluate(f)));
  }
}

function tablesOf(source: Token[]): RegExp[] {
  const glob = (name: string) => new RegExp(`^${name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  if (source[0].text !== 'union') {
    if (source.length !== 1 || source[0].kind !== 'word') throw new KqlError('the source is not a table name');
    return [glob(source[0].text)];
  }
  const names: RegExp[] = [];
  let i = 1;
  // Parameters: kind=inner|outer, isfuzzy=true|false, withsource=Column.
  while (source[i + 1]?.text === '=') i += 3;
  for (; i < source.length; i++) {
    const token = source[i];
    if (token.text === ',') continue;
    if (token.kind !== 'word') throw new KqlError(`union of ${JSON.stringify(token.text)} (a subquery or expression) is not supported`);
    names.push(glob(token.text));
  }
  if (names.length === 0) throw new KqlError('the union names no table');
  return names;
}

const str = (value: string): Scalar => ({ type: 'string', value });
const bool = (value: boolean): Scalar => ({ type: 'bool', value });
const NULL_BOOL: Scalar = { type: 'null', of: 'bool' };
const NULL_NUMBER: Scalar = { type: 'null', of: 'number' };

/** A bool, a null bool (Kusto's answer to a comparison with null), or undefined for anything else. */
function truth(value: Scalar): boolean | null | undefined {
  if (value.type === 'bool') return value.value;
  return value.type === 'null' && value.of === 'bool' ? null : undefined;
}

/**
 * Whether `where` keeps a record, given its predicate's value: true keeps it; false and a null
 * bool drop it (Kusto treats null as false there); anything else is not a predicate.
 */
export function whereKeeps(result: Scalar): boolean {
  const value = truth(result);
  if (value === undefined) throw new KqlError('a where predicate is not boolean');
  return value === true;
}

export class Evaluator {
  constructor(
    private readonly schema: KqlSchema,
    private readonly record: Readonly<Record<string, KqlCell>>,
  ) {}

  public evaluate(expr: Expr): Scalar {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'column':
        return this.column(expr.name);
      case 'call':
        return this.call(expr.name, expr.args.map((a) => this.evaluate(a)));
      case 'list':
        return this.list(expr.op, this.evaluate(expr.left), expr.items.map((i) => this.evaluate(i)));
      case 'binary':
        return this.binary(expr);
      case 'member': {
        const base = this.evaluate(expr.base);
        if (base.type === 'null') return base;
        if (base.type !== 'dynamic') throw new KqlError(`member access (.${expr.name}) on a ${base.type}`);
        return dynamic(base.value !== null && typeof base.value === 'object' && !Array.isArray(base.value) ? (base.value as Record<string, unknown>)[expr.name] : undefined);
      }
    }
  }

  private column(name: string): Scalar {
    const type = this.schema[name];
    if (type === undefined) throw new KqlError(`the column ${name} does not exist in the table`);
    const value = this.record[name];
    if (type === 'string' || type === 'guid') return str(value === null || value === undefined ? '' : String(value));
    if (value === null || value === undefined) return type === 'bool' ? NULL_BOOL : type === 'long' || type === 'real' ? NULL_NUMBER : { type: 'null' };
    if (type === 'bool') return bool(Boolean(value));
    if (type === 'long' || type === 'real') return { type: 'number', value: Number(value) };
    if (type === 'dynamic') return dynamic(value);
    throw new KqlError(`comparisons on ${type} columns (${name}) are not supported`);
  }

  private call(name: string, args: Scalar[]): Scalar {
    const [arg] = args;
    const text = (s: Scalar) =>
      s.type === 'null' ? '' : s.type === 'string' ? s.value : s.type === 'dynamic' ? (typeof s.value === 'string' ? s.value : JSON.stringify(s.value)) : String(s.value);
    switch (name) {
      case 'isempty':
        return bool(arg.type === 'null' || (arg.type === 'string' && arg.value === ''));
      case 'isnotempty':
        return bool(!(arg.type === 'null' || (arg.type === 'string' && arg.value === '')));
      case 'isnull':
        return bool(arg.type === 'null');
      case 'isnotnull':
        return bool(arg.type !== 'null');
      case 'tostring':
        return str(text(arg));
      case 'tolower':
        return str(text(arg).toLowerCase());
      case 'toupper':
        return str(text(arg).toUpperCase());
      case 'not': {
        const value = truth(arg);
        if (value === undefined) throw new KqlError('not() of a non-boolean');
        return value === null ? NULL_BOOL : bool(!value);
      }
      case 'parse_json':
      case 'todynamic': {
        if (arg.type !== 'string') return arg.type === 'dynamic' ? arg : { type: 'null' };
        // Kusto keeps a string that is not JSON as a dynamic string.
        try {
          return dynamic(JSON.parse(arg.value));
        } catch {
          return dynamic(arg.value);
        }
      }
      case 'iff':
      case 'iif':
        if (args.length !== 3 || arg.type !== 'bool') throw new KqlError(`${name}() takes a boolean and two values`);
        return arg.value ? args[1] : args[2];
      default:
        throw new KqlError(`the function ${name}() is not supported`);
    }
  }

  private list(op: string, left: Scalar, items: Scalar[]): Scalar {
    if (op === 'has_any') return bool(items.some((i) => hasTerm(stringOf(left, op), stringOf(i, op), false)));
    const insensitive = op.endsWith('~');
    const found = items.some((i) => equal(left, i, insensitive));
    return bool(op.startsWith('!') ? !found : found);
  }

  private binary(expr: Extract<Expr, { kind: 'binary' }>): Scalar {
    if (expr.op === 'and' || expr.op === 'or') {
      const [left, right] = [truth(this.evaluate(expr.left)), truth(this.evaluate(expr.right))];
      if (left === undefined || right === undefined) throw new KqlError(`${expr.op} of a non-boolean`);
      // Three-valued: false decides an and, true an or, whatever the other side; else null is null.
      const decisive = expr.op !== 'and';
      if (left === decisive || right === decisive) return bool(decisive);
      return left === null || right === null ? NULL_BOOL : bool(!decisive);
    }
    const left = this.evaluate(expr.left);
    const right = this.evaluate(expr.right);
    // Two nulls are neither equal nor unequal: a null bool.
    if (['==', '!=', '=~', '!~'].includes(expr.op) && left.type === 'null' && right.type === 'null') return NULL_BOOL;
    // A comparison or arithmetic of a null and a number is null (of a null and a string, refused below).
    const withNull = (left.type === 'null' || right.type === 'null') && [left, right].every((v) => v.type === 'null' || v.type === 'number');
    switch (expr.op) {
      case '==':
        return bool(equal(left, right, false));
      case '!=':
        return bool(!equal(left, right, false));
      case '=~':
        return bool(equal(left, right, true));
      case '!~':
        return bool(!equal(left, right, true));
      case '+':
      case '-':
        if (withNull) return NULL_NUMBER;
        if (left.type !== 'number' || right.type !== 'number') throw new KqlError(`${expr.op} between ${left.type} and ${right.type} is not supported`);
        return { type: 'number', value: expr.op === '+' ? left.value + right.value : left.value - right.value };
      case '<':
      case '<=':
      case '>':
      case '>=': {
        if (withNull) return NULL_BOOL;
        if (left.type !== 'number' || right.type !== 'number') throw new KqlError(`${expr.op} between ${left.type} and ${right.type} is not supported`);
        const [a, b] = [left.value, right.value];
        return bool(expr.op === '<' ? a < b : expr.op === '<=' ? a <= b : expr.op === '>' ? a > b : a >= b);
      }
      case 'matches regex':
        try {
          return bool(new RegExp(stringOf(right, expr.op)).test(stringOf(left, expr.op)));
        } catch (e) {
          if (e instanceof KqlError) throw e;
          throw new KqlError(`the regular expression ${JSON.stringify(stringOf(right, expr.op))} is not one this evaluator understands`);
        }
      default: {
        const negated = expr.op.startsWith('!');
        const op = negated ? expr.op.slice(1) : expr.op;
        const caseSensitive = op.endsWith('_cs');
        const base = caseSensitive ? op.slice(0, -3) : op;
        const fold = (s: string) => (caseSensitive ? s : s.toLowerCase());
        const [haystack, needle] = [fold(stringOf(left, expr.op)), fold(stringOf(right, expr.op))];
        const result =
          base === 'has' ? hasTerm(haystack, needle, true) : base === 'contains' ? haystack.includes(needle) : base === 'startswith' ? haystack.startsWith(needle) : haystack.endsWith(needle);
        return bool(negated ? !result : result);
      }
    }
  }
}

/** A JSON value as Kusto types it: numbers, strings and booleans of a dynamic compare as dynamic. */
function dynamic(value: unknown): Scalar {
  return value === undefined || value === null ? { type: 'null' } : { type: 'dynamic', value };
}

function stringOf(value: Scalar, op: string): string {
  if (value.type !== 'string') throw new KqlError(`${op} on a ${value.type} is not supported`);
  return value.value;
}

/** Kusto's equality: strings exactly (or regardless of case), numbers by value, no coercion. */
function equal(a: Scalar, b: Scalar, insensitive: boolean): boolean {
  if (a.type === 'null' || b.type === 'null') return false;
  if (a.type === 'dynamic' || b.type === 'dynamic') throw new KqlError('comparing a dynamic value: convert it first (tostring(e.field))');
  if (a.type !== b.type) throw new KqlError(`cannot compare a ${a.type} with a ${b.type}`);
  if (a.type === 'string' && b.type === 'string') return insensitive ? a.value.toLowerCase() === b.value.toLowerCase() : a.value === b.value;
  return a.value === (b as typeof a).value;
}

/** `has`: the needle as a whole term — bounded by non-alphanumeric characters or the ends. */
function hasTerm(haystack: string, needle: string, folded: boolean): boolean {
  const [h, n] = folded ? [haystack, needle] : [haystack.toLowerCase(), needle.toLowerCase()];
  if (n === '') return true;
  let index = h.indexOf(n);
  while (index >= 0) {
    const before = index === 0 ? '' : h[index - 1];
    const after = h[index + n.length] ?? '';
    if (!/[a-z0-9]/i.test(before) && !/[a-z0-9]/i.test(after)) return true;
    index = h.indexOf(n, index + 1);
  }
  return false;
}
