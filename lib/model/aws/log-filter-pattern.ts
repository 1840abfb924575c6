/**
 * CloudWatch Logs filter patterns for JSON log events (`{ $.outcome = "step-up" && $.identity = "x" }`),
 * evaluated on one event: would a metric filter with this pattern count it? Used to judge whether
 * a metric filter really matches the events an application writes — as event-pattern.ts judges
 * EventBridge rules — instead of grepping the pattern for field names.
 *
 * Hand-written because AWS publishes no evaluator (TestMetricFilter is an API call). It covers
 * the JSON subset of "Filter pattern syntax" in the CloudWatch Logs User Guide:
 * - property selectors `$.a.b`, `$.list[0]`, `$.list[1].id` (names of letters, digits, `_`, `-`, `@`);
 * - `=` and `!=` with a string, quoted (`"…"`, `\"` and `\\` escaped) or bare (`123.123.*`),
 *   where `*` matches any run of characters;
 * - `=`, `!=`, `<`, `>`, `<=`, `>=` with a number (`-1`, `2.5`);
 * - `IS TRUE`, `IS FALSE`, `IS NULL`, `NOT EXISTS`;
 * - `&&` (binding tighter), `||`, parentheses.
 * A comparison on a property the event does not have, or of another JSON type, does not match
 * (`NOT EXISTS` is how a pattern asks for absence). Anything else — term and space-delimited
 * patterns, `%regex%`, `[*]` array selectors, scientific notation — throws FilterPatternError
 * naming what is not supported: a filter that cannot be judged is reported so, never counted.
 */

/** A pattern this evaluator cannot judge, or a malformed one. */
export class FilterPatternError extends Error {}

/** The longest filter pattern PutMetricFilter accepts. */
export const MAX_FILTER_PATTERN_LENGTH = 1024;

type Step = { readonly kind: 'key'; readonly name: string } | { readonly kind: 'index'; readonly index: number };
type Value = { readonly kind: 'string'; readonly text: string } | { readonly kind: 'number'; readonly value: number };
type Node =
  | { readonly kind: 'and' | 'or'; readonly left: Node; readonly right: Node }
  | { readonly kind: 'compare'; readonly selector: readonly Step[]; readonly op: string; readonly value: Value }
  | { readonly kind: 'is'; readonly selector: readonly Step[]; readonly test: 'TRUE' | 'FALSE' | 'NULL' | 'NOT EXISTS' };

const COMPARISON_OPERATORS = ['!=', '<=', '>=', '=', '<', '>'];
const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;

class Parser {
  private i = 0;

  constructor(private readonly text: string) {}

  public parse(): Node {
    this.skip();
    if (this.text[this.i] !== '{') throw new FilterPatternError('only JSON filter patterns `{ … }` are supported (not term or space-delimited patterns)');
    this.i += 1;
    const node = this.or();
    this.skip();
    if (this.text[this.i] !== '}') throw new FilterPatternError(`expected \`}\` at position ${this.i}, found ${this.describe()}`);
    this.i += 1;
    this.skip();
    if (this.i < this.text.length) throw new FilterPatternError(`unexpected text after the closing \`}\`: ${JSON.stringify(this.text.slice(this.i, this.i + 20))}`);
    return node;
  }

  private or(): Node {
    let left = this.and();
    while (this.eat('||')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): Node {
    let left = this.primary();
    while (this.eat('&&')) left = { kind: 'and', left, right: this.primary() };
    return left;
  }

  private primary(): Node {
    if (this.eat('(')) {
      const node = this.or();
      if (!this.eat(')')) throw new FilterPatternError(`expected \`)\` at position ${this.i}, found ${this.describe()}`);
      return node;
    }
    const selector = this.selector();
    this.skip();
    const rest = this.text.slice(this.i);
    const keyword = /^(IS\s+(TRUE|FALSE|NULL)|NOT\s+EXISTS)\b/.exec(rest);
    if (keyword) {
      this.i += keyword[0].length;
      return { kind: 'is', selector, test: keyword[2] ? (keyword[2] as 'TRUE' | 'FALSE' | 'NULL') : 'NOT EXISTS' };
    }
    const op = COMPARISON_OPERATORS.find((o) => rest.startsWith(o));
    if (!op) throw new FilterPatternError(`expected an operator (=, !=, <, >, <=, >=, IS TRUE, IS FALSE, IS NULL, NOT EXISTS) at position ${this.i}, found ${this.describe()}`);
    this.i += op.length;
    const value = this.value();
    if (value.kind === 'string' && op !== '=' && op !== '!=') throw new FilterPatternError(`${op} compares numbers; ${JSON.stringify(value.text)} is not a number`);
    return { kind: 'compare', selector, op, value };
  }

  private selector(): Step[] {
    this.skip();
    if (this.text[this.i] !== '$') throw new FilterPatternError(`expected a property selector ($.name) at position ${this.i}, found ${this.describe()}`);
    this.i += 1;
    const steps: Step[] = [];
    for (;;) {
      const c = this.text[this.i];
      if (c === '.') {
        const name = /^[A-Za-z0-9_@-]+/.exec(this.text.slice(this.i + 1));
        if (!name) throw new FilterPatternError(`a property name must follow \`.\` at position ${this.i} (letters, digits, _, -, @)`);
        steps.push({ kind: 'key', name: name[0] });
        this.i += 1 + name[0].length;
      } else if (c === '[') {
        const index = /^\[([0-9]+)\]/.exec(this.text.slice(this.i));
        if (!index) throw new FilterPatternError(`only numeric array indexes ($.list[0]) are supported, at position ${this.i}: ${JSON.stringify(this.text.slice(this.i, this.i + 8))}`);
        steps.push({ kind: 'index', index: Number(index[1]) });
        this.i += index[0].length;
      } else break;
    }
    if (steps.length === 0) throw new FilterPatternError(`the selector at position ${this.i} names no property`);
    return steps;
  }

  private value(): Value {
    this.skip();
    const c = this.text[this.i];
    if (c === '"') {
      let text = '';
      this.i += 1;
      while (this.i < this.text.length && this.text[this.i] !== '"') {
        if (this.text[this.i] === '\\') {
          const next = this.text[this.i + 1];
          if (next !== '"' && next !== '\\') throw new FilterPatternError(`the escape \\${next ?? ''} is not supported (only \\" and \\\\)`);
          text += next;
          this.i += 2;
        } else {
          text += this.text[this.i];
          this.i += 1;
        }
      }
      if (this.i >= this.text.length) throw new FilterPatternError('a quoted string is not closed');
      this.i += 1;
      return { kind: 'string', text };
    }
    if (c === '%') throw new FilterPatternError('regular expressions (%…%) are not supported by this evaluator');
    const bare = /^[^\s()&|}"]+/.exec(this.text.slice(this.i));
    if (!bare) throw new FilterPatternError(`expected a value at position ${this.i}, found ${this.describe()}`);
    this.i += bare[0].length;
    if (NUMBER.test(bare[0])) return { kind: 'number', value: Number(bare[0]) };
    if (/^-?[0-9.]+[eE]/.test(bare[0])) throw new FilterPatternError(`scientific notation (${bare[0]}) is not supported`);
    return { kind: 'string', text: bare[0] };
  }

  private eat(token: string): boolean {
    this.skip();
    if (!this.text.startsWith(token, this.i)) return false;
    this.i += token.length;
    return true;
  }

  private skip(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i])) this.i += 1;
  }

  private describe(): string {
    return this.i >= this.text.length ? 'the end of the pattern' : JSON.stringify(this.text.slice(this.i, this.i + 12));
  }
}

/** The value a selector (`$.a.b[0]`) picks from a parsed event; undefined when absent. */
export function selectJsonProperty(event: unknown, selector: string): unknown {
  const parsed = new Parser(`{ ${selector} NOT EXISTS }`).parse();
  if (parsed.kind !== 'is') throw new FilterPatternError(`${JSON.stringify(selector)} is not a property selector`);
  return select(event, parsed.selector);
}

function select(event: unknown, steps: readonly Step[]): unknown {
  let value: unknown = event;
  for (const step of steps) {
    if (step.kind === 'key') {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.prototype.hasOwnProperty.call(value, step.name)) return undefined;
      value = (value as Record<string, unknown>)[step.name];
    } else {
      if (!Array.isArray(value) || step.index >= value.length) return undefined;
      value = value[step.index];
    }
  }
  return value;
}

const glob = (pattern: string) => new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*')}$`);

function evaluate(node: Node, event: unknown): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, event) && evaluate(node.right, event);
    case 'or':
      return evaluate(node.left, event) || evaluate(node.right, event);
    case 'is': {
      const value = select(event, node.selector);
      if (node.test === 'NOT EXISTS') return value === undefined;
      return node.test === 'NULL' ? value === null : value === (node.test === 'TRUE');
    }
    case 'compare': {
      const value = select(event, node.selector);
      if (node.value.kind === 'string') {
        if (typeof value !== 'string') return false;
        const equal = node.value.text.includes('*') ? glob(node.value.text).test(value) : value === node.value.text;
        return node.op === '=' ? equal : !equal;
      }
      if (typeof value !== 'number') return false;
      const n = node.value.value;
      switch (node.op) {
        case '=':
          return value === n;
        case '!=':
          return value !== n;
        case '<':
          return value < n;
        case '>':
          return value > n;
        case '<=':
          return value <= n;
        default:
          return value >= n;
      }
    }
  }
}

/** A parsed JSON filter pattern. */
export class LogFilterPattern {
  /** Parses a pattern; throws FilterPatternError on one it cannot judge or that CloudWatch Logs would refuse. */
  public static parse(text: string): LogFilterPattern {
    if (typeof text !== 'string') throw new FilterPatternError('the filter pattern is not a string');
    if (text.length > MAX_FILTER_PATTERN_LENGTH) throw new FilterPatternError(`the filter pattern is ${text.length} characters; CloudWatch Logs accepts at most ${MAX_FILTER_PATTERN_LENGTH}`);
    return new LogFilterPattern(new Parser(text).parse());
  }

  private constructor(private readonly root: Node) {}

  /**
   * Whether a log event's message matches. A message that is not a JSON object matches no JSON
   * pattern, as in CloudWatch Logs.
   */
  public matches(message: string | Record<string, unknown>): boolean {
    let event: unknown = message;
    if (typeof message === 'string') {
      try {
        event = JSON.parse(message);
      } catch {
        return false;
      }
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event)) return false;
    return evaluate(this.root, event);
  }
}
