/**
 * PromQL as Cloud Monitoring runs it in alerting conditions (`condition_prometheus_query_language`),
 * evaluated on time series built from log entries: does the query return a series at an instant?
 * Used to judge whether a step-up alert would fire — as the GCP advisories run Logging filters —
 * instead of grepping the query for names.
 *
 * Hand-written: the JavaScript PromQL packages parse (for editors) but do not evaluate. It covers
 * the subset attestgate's monitors write and the common hand-written variants of it: number
 * literals; vector selectors by metric name (`logging_googleapis_com:user_x`, or the UTF-8 form
 * `{"logging.googleapis.com/user/x"}`) with `=` `!=` `=~` `!~` matchers; range selectors in `s`,
 * `m`, `h`; `increase`, `rate`, `sum_over_time`, `count_over_time`; `clamp_min`, `clamp_max`;
 * `sum`, `min`, `max`, `count` with `by`/`without`; `+ - * /`, comparisons (filtering, or with
 * `bool`), `and`, `or`, `unless`, with `on(…)`/`ignoring(…)`, one-to-one. Anything else —
 * `group_left`, `offset`, `@`, subqueries, other functions — throws PromQlError: a condition
 * that cannot be judged is reported as such, never counted.
 *
 * Cloud Monitoring counts log-based metrics as DELTA points. `increase(x[r])` is taken here as
 * the sum of the points in (t − r, t] — what Monarch computes for a delta metric — not
 * Prometheus's extrapolation of a cumulative counter; `rate` is that sum over r seconds.
 */

/** A query this evaluator cannot judge, or a malformed one. */
export class PromQlError extends Error {}

export type Labels = Readonly<Record<string, string>>;

/** One stored point of a series: a delta (the count of entries) at a time. */
export interface PromSample {
  readonly labels: Labels;
  readonly timeMs: number;
  readonly value: number;
}

/** A series of the instant vector a query returns. */
export interface PromSeries {
  readonly labels: Labels;
  readonly value: number;
}

type Matcher = { readonly label: string; readonly op: '=' | '!=' | '=~' | '!~'; readonly value: string };
type Matching = { readonly on: boolean; readonly labels: readonly string[] } | undefined;
type Node =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'selector'; readonly matchers: readonly Matcher[]; readonly rangeMs?: number }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Node[] }
  | { readonly kind: 'aggregate'; readonly op: string; readonly by: boolean; readonly labels: readonly string[]; readonly arg: Node }
  | { readonly kind: 'binary'; readonly op: string; readonly bool: boolean; readonly matching: Matching; readonly left: Node; readonly right: Node };

type Token = { readonly kind: 'ident' | 'string' | 'number' | 'duration' | 'punct'; readonly text: string };

const PUNCT = ['==', '!=', '>=', '<=', '=~', '!~', '{', '}', '(', ')', '[', ']', ',', '=', '>', '<', '+', '-', '*', '/'];
const AGGREGATES = new Set(['sum', 'min', 'max', 'count']);
const RANGE_FUNCTIONS = new Set(['increase', 'rate', 'sum_over_time', 'count_over_time']);
const COMPARISONS = new Set(['==', '!=', '>=', '<=', '>', '<']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const c = text[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (c === '"' || c === "'") {
      let value = '';
      i += 1;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') {
          value += text[i + 1] === 'n' ? '\n' : text[i + 1];
          i += 2;
        } else value += text[i++];
      }
      if (i >= text.length) throw new PromQlError('a string is not closed');
      i += 1;
      tokens.push({ kind: 'string', text: value });
    } else if (c === '`') {
      throw new PromQlError('raw strings (`…`) are not supported');
    } else if (/^[0-9]+[smhd]\b/.test(rest) && tokens[tokens.length - 1]?.text === '[') {
      const match = /^[0-9]+[smhd]/.exec(rest)![0];
      tokens.push({ kind: 'duration', text: match });
      i += match.length;
    } else if (/[0-9.]/.test(c)) {
      const match = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?/i.exec(rest);
      if (!match) throw new PromQlError(`unexpected character ${JSON.stringify(c)}`);
      tokens.push({ kind: 'number', text: match[0] });
      i += match[0].length;
    } else if (/[A-Za-z_:]/.test(c)) {
      const match = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(rest)![0];
      tokens.push({ kind: 'ident', text: match });
      i += match.length;
    } else {
      const punct = PUNCT.find((p) => text.startsWith(p, i));
      if (!punct) throw new PromQlError(`unexpected character ${JSON.stringify(c)}`);
      tokens.push({ kind: 'punct', text: punct });
      i += punct.length;
    }
  }
  return tokens;
}

const DURATION_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  public parse(): Node {
    if (this.tokens.length === 0) throw new PromQlError('the query is empty');
    const node = this.binary(0);
    if (this.peek()) throw new PromQlError(`unexpected ${JSON.stringify(this.peek()!.text)}`);
    return node;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.position + offset];
  }

  private next(): Token {
    const token = this.tokens[this.position++];
    if (!token) throw new PromQlError('the query ends too early');
    return token;
  }

  private expect(text: string): void {
    const token = this.next();
    if (token.text !== text) throw new PromQlError(`expected ${JSON.stringify(text)}, found ${JSON.stringify(token.text)}`);
  }

  // Prometheus's precedence, lowest first; all left-associative.
  private static readonly LEVELS: ReadonlyArray<readonly string[]> = [['or'], ['and', 'unless'], ['==', '!=', '>=', '<=', '>', '<'], ['+', '-'], ['*', '/']];

  private binary(level: number): Node {
    if (level >= Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const token = this.peek();
      if (!token || !Parser.LEVELS[level].includes(token.text) || token.kind === 'string') break;
      this.next();
      let bool = false;
      if (this.peek()?.text === 'bool') {
        if (!COMPARISONS.has(token.text)) throw new PromQlError(`bool after ${token.text}`);
        this.next();
        bool = true;
      }
      let matching: Matching;
      if (this.peek()?.text === 'on' || this.peek()?.text === 'ignoring') {
        const on = this.next().text === 'on';
        matching = { on, labels: this.labelList() };
      }
      if (this.peek()?.text === 'group_left' || this.peek()?.text === 'group_right') throw new PromQlError(`${this.peek()!.text} (many-to-one matching) is not supported`);
      left = { kind: 'binary', op: token.text, bool, matching, left, right: this.binary(level + 1) };
    }
    return left;
  }

  private unary(): Node {
    if (this.peek()?.text === '-') {
      this.next();
      return { kind: 'binary', op: '*', bool: false, matching: undefined, left: { kind: 'number', value: -1 }, right: this.unary() };
    }
    const node = this.primary();
    if (this.peek()?.text === 'offset' || this.peek()?.text === '@') throw new PromQlError(`${this.peek()!.text} modifiers are not supported`);
    return node;
  }

  private labelList(): string[] {
    this.expect('(');
    const labels: string[] = [];
    while (this.peek()?.text !== ')') {
      const label = this.next();
      if (label.kind !== 'ident' && label.kind !== 'string') throw new PromQlError(`expected a label name, found ${JSON.stringify(label.text)}`);
      labels.push(label.text);
      if (this.peek()?.text === ',') this.next();
    }
    this.next();
    return labels;
  }

  private primary(): Node {
    const token = this.next();
    if (token.kind === 'number') return { kind: 'number', value: Number(token.text) };
    if (token.text === '(') {
      const inner = this.binary(0);
      this.expect(')');
      return inner;
    }
    if (token.text === '{') return this.selector([]);
    if (token.kind !== 'ident') throw new PromQlError(`unexpected ${JSON.stringify(token.text)}`);
    if (AGGREGATES.has(token.text) && (this.peek()?.text === '(' || this.peek()?.text === 'by' || this.peek()?.text === 'without')) return this.aggregate(token.text);
    if (this.peek()?.text === '(') {
      this.next();
      const args: Node[] = [];
      while (this.peek()?.text !== ')') {
        args.push(this.binary(0));
        if (this.peek()?.text === ',') this.next();
      }
      this.next();
      return this.call(token.text, args);
    }
    if (this.peek()?.text === '{') {
      this.next();
      return this.selector([{ label: '__name__', op: '=', value: token.text }]);
    }
    return this.range({ kind: 'selector', matchers: [{ label: '__name__', op: '=', value: token.text }] });
  }

  private call(name: string, args: Node[]): Node {
    if (RANGE_FUNCTIONS.has(name)) {
      if (args.length !== 1 || args[0].kind !== 'selector' || args[0].rangeMs === undefined) throw new PromQlError(`${name}() takes one range selector (a subquery is not supported)`);
    } else if (name === 'clamp_min' || name === 'clamp_max') {
      if (args.length !== 2 || args[1].kind !== 'number') throw new PromQlError(`${name}() takes a vector and a number`);
    } else {
      throw new PromQlError(`the function ${name}() is not supported`);
    }
    return { kind: 'call', name, args };
  }

  private aggregate(op: string): Node {
    let by = true;
    let labels: string[] = [];
    let grouped = false;
    const grouping = () => {
      if (this.peek()?.text === 'by' || this.peek()?.text === 'without') {
        by = this.next().text === 'by';
        labels = this.labelList();
        grouped = true;
      }
    };
    grouping();
    this.expect('(');
    const arg = this.binary(0);
    if (this.peek()?.text === ',') throw new PromQlError(`${op}() with a parameter is not supported`);
    this.expect(')');
    if (!grouped) grouping();
    return { kind: 'aggregate', op, by, labels, arg };
  }

  private selector(matchers: Matcher[]): Node {
    while (this.peek()?.text !== '}') {
      const first = this.next();
      if (first.kind === 'string' && (this.peek()?.text === ',' || this.peek()?.text === '}')) {
        // The UTF-8 form: a quoted metric name alone.
        matchers.push({ label: '__name__', op: '=', value: promQlMetricName(first.text) });
      } else {
        if (first.kind !== 'ident' && first.kind !== 'string') throw new PromQlError(`expected a label name, found ${JSON.stringify(first.text)}`);
        const op = this.next().text;
        if (op !== '=' && op !== '!=' && op !== '=~' && op !== '!~') throw new PromQlError(`expected a label matcher, found ${JSON.stringify(op)}`);
        const value = this.next();
        if (value.kind !== 'string') throw new PromQlError(`a label value must be quoted (${first.text}${op}${value.text})`);
        // `__name__="logging.googleapis.com/user/x"` names the same metric as its PromQL spelling.
        matchers.push({ label: first.text, op, value: first.text === '__name__' && op === '=' ? promQlMetricName(value.text) : value.text });
      }
      if (this.peek()?.text === ',') this.next();
    }
    this.next();
    return this.range({ kind: 'selector', matchers });
  }

  private range(node: Extract<Node, { kind: 'selector' }>): Node {
    if (!node.matchers.some((m) => m.label === '__name__' && m.op === '=')) throw new PromQlError('a selector without an exact metric name (Cloud Monitoring requires one)');
    if (this.peek()?.text !== '[') return node;
    this.next();
    const duration = this.next();
    if (duration.kind !== 'duration') throw new PromQlError(`expected a duration like 5m, found ${JSON.stringify(duration.text)}`);
    if (this.peek()?.text.startsWith(':')) throw new PromQlError('subqueries ([range:step]) are not supported');
    this.expect(']');
    return { ...node, rangeMs: Number(duration.text.slice(0, -1)) * DURATION_MS[duration.text.slice(-1)] };
  }
}

type Value = { readonly scalar: number } | { readonly vector: PromSeries[] };

const withoutName = (labels: Labels): Labels => Object.fromEntries(Object.entries(labels).filter(([k]) => k !== '__name__'));
const pickLabels = (labels: Labels, names: readonly string[], keep: boolean): Labels =>
  Object.fromEntries(Object.entries(labels).filter(([k]) => k !== '__name__' && names.includes(k) === keep));
const signature = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

function anchored(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    throw new PromQlError(`the regular expression ${JSON.stringify(pattern)} is not one this evaluator understands (${(e as Error).message})`);
  }
}

function matches(labels: Labels, matcher: Matcher): boolean {
  const actual = labels[matcher.label] ?? '';
  switch (matcher.op) {
    case '=':
      return actual === matcher.value;
    case '!=':
      return actual !== matcher.value;
    case '=~':
      return anchored(matcher.value).test(actual);
    case '!~':
      return !anchored(matcher.value).test(actual);
  }
}

function arithmetic(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    default:
      return a / b;
  }
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a < b;
  }
}

/** A parsed query. */
export class PromQuery {
  /** @throws PromQlError for a query this evaluator cannot judge */
  public static parse(text: string): PromQuery {
    return new PromQuery(new Parser(tokenize(text)).parse());
  }

  private constructor(private readonly root: Node) {}

  /**
   * The series the query returns at `atMs` over the stored samples (each labelled with
   * `__name__`). A scalar result is refused: an alerting condition needs a vector.
   *
   * @throws PromQlError for what it cannot judge (many-to-many matching, an instant selector)
   */
  public evaluate(samples: readonly PromSample[], atMs: number): PromSeries[] {
    const result = this.node(this.root, samples, atMs);
    if ('scalar' in result) throw new PromQlError('the query returns a number, not series; an alerting condition needs series');
    return result.vector;
  }

  private node(node: Node, samples: readonly PromSample[], atMs: number): Value {
    switch (node.kind) {
      case 'number':
        return { scalar: node.value };
      case 'selector':
        throw new PromQlError('an instant selector of a delta metric (log-based metrics are deltas): use increase(…[range]) or sum_over_time(…[range])');
      case 'call':
        return this.call(node, samples, atMs);
      case 'aggregate':
        return this.aggregate(node, this.vector(node.arg, samples, atMs));
      case 'binary':
        return this.binary(node, this.node(node.left, samples, atMs), this.node(node.right, samples, atMs));
    }
  }

  private vector(node: Node, samples: readonly PromSample[], atMs: number): PromSeries[] {
    const value = this.node(node, samples, atMs);
    if ('scalar' in value) throw new PromQlError('a number where series belong');
    return value.vector;
  }

  private call(node: Extract<Node, { kind: 'call' }>, samples: readonly PromSample[], atMs: number): Value {
    if (node.name === 'clamp_min' || node.name === 'clamp_max') {
      const bound = (node.args[1] as { value: number }).value;
      return { vector: this.vector(node.args[0], samples, atMs).map((s) => ({ labels: withoutName(s.labels), value: node.name === 'clamp_min' ? Math.max(s.value, bound) : Math.min(s.value, bound) })) };
    }
    const selector = node.args[0] as Extract<Node, { kind: 'selector' }>;
    const rangeMs = selector.rangeMs!;
    const series = new Map<string, { labels: Labels; sum: number; count: number }>();
    for (const sample of samples) {
      if (!(sample.timeMs > atMs - rangeMs && sample.timeMs <= atMs) || !selector.matchers.every((m) => matches(sample.labels, m))) continue;
      const key = signature(sample.labels);
      const entry = series.get(key) ?? { labels: sample.labels, sum: 0, count: 0 };
      entry.sum += sample.value;
      entry.count += 1;
      series.set(key, entry);
    }
    const value = (e: { sum: number; count: number }) => (node.name === 'count_over_time' ? e.count : node.name === 'rate' ? e.sum / (rangeMs / 1000) : e.sum);
    return { vector: [...series.values()].map((e) => ({ labels: withoutName(e.labels), value: value(e) })) };
  }

  private aggregate(node: Extract<Node, { kind: 'aggregate' }>, input: PromSeries[]): Value {
    const groups = new Map<string, { labels: Labels; values: number[] }>();
    for (const s of input) {
      const labels = pickLabels(s.labels, node.labels, node.by);
      const key = signature(labels);
      const group = groups.get(key) ?? { labels, values: [] };
      group.values.push(s.value);
      groups.set(key, group);
    }
    const reduce = (values: number[]) =>
      node.op === 'sum' ? values.reduce((a, b) => a + b, 0) : node.op === 'count' ? values.length : node.op === 'min' ? Math.min(...values) : Math.max(...values);
    return { vector: [...groups.values()].map((g) => ({ labels: g.labels, value: reduce(g.values) })) };
  }

  private binary(node: Extract<Node, { kind: 'binary' }>, left: Value, right: Value): Value {
    const comparison = COMPARISONS.has(node.op);
    const set = node.op === 'and' || node.op === 'or' || node.op === 'unless';
    if ('scalar' in left && 'scalar' in right) {
      if (set) throw new PromQlError(`${node.op} between numbers`);
      return { scalar: comparison ? Number(compare(node.op, left.scalar, right.scalar)) : arithmetic(node.op, left.scalar, right.scalar) };
    }
    if ('scalar' in left || 'scalar' in right) {
      if (set) throw new PromQlError(`${node.op} with a number`);
      const vector = 'vector' in left ? left.vector : (right as { vector: PromSeries[] }).vector;
      const scalar = 'scalar' in left ? left.scalar : (right as { scalar: number }).scalar;
      const pair = (v: number): [number, number] => ('scalar' in left ? [scalar, v] : [v, scalar]);
      if (comparison && !node.bool) return { vector: vector.filter((s) => compare(node.op, ...pair(s.value))) };
      return {
        vector: vector.map((s) => ({ labels: withoutName(s.labels), value: comparison ? Number(compare(node.op, ...pair(s.value))) : arithmetic(node.op, ...pair(s.value)) })),
      };
    }
    const key = (labels: Labels) => signature(node.matching ? pickLabels(labels, node.matching.labels, node.matching.on) : withoutName(labels));
    if (set) {
      const rightKeys = new Set(right.vector.map((s) => key(s.labels)));
      if (node.op === 'and') return { vector: left.vector.filter((s) => rightKeys.has(key(s.labels))) };
      if (node.op === 'unless') return { vector: left.vector.filter((s) => !rightKeys.has(key(s.labels))) };
      const leftKeys = new Set(left.vector.map((s) => key(s.labels)));
      return { vector: [...left.vector, ...right.vector.filter((s) => !leftKeys.has(key(s.labels)))] };
    }
    // One-to-one: each side's series must be unique per matching key, as Prometheus demands.
    const index = (vector: PromSeries[], side: string) => {
      const map = new Map<string, PromSeries>();
      for (const s of vector) {
        const k = key(s.labels);
        if (map.has(k)) throw new PromQlError(`many-to-many matching: two series on the ${side} of ${node.op} share the labels ${k} (aggregate them first)`);
        map.set(k, s);
      }
      return map;
    };
    const rights = index(right.vector, 'right');
    index(left.vector, 'left');
    const out: PromSeries[] = [];
    for (const l of left.vector) {
      const r = rights.get(key(l.labels));
      if (!r) continue;
      // Prometheus keeps the `on` labels only (or drops the `ignoring` ones), and drops the name.
      const labels = node.matching ? pickLabels(l.labels, node.matching.labels, node.matching.on) : withoutName(l.labels);
      if (comparison) {
        if (node.bool) out.push({ labels, value: Number(compare(node.op, l.value, r.value)) });
        else if (compare(node.op, l.value, r.value)) out.push(l);
      } else out.push({ labels, value: arithmetic(node.op, l.value, r.value) });
    }
    return { vector: out };
  }
}

/**
 * A Cloud Monitoring metric type as PromQL names it: the first `/` becomes `:`, every other
 * character but letters, digits, `_` and `:` becomes `_` (`logging.googleapis.com/user/x` →
 * `logging_googleapis_com:user_x`), per Google's "Mapping Cloud Monitoring metrics to PromQL".
 */
export function promQlMetricName(metricType: string): string {
  if (!metricType.includes('/')) return metricType;
  return metricType.replace('/', ':').replace(/[^A-Za-z0-9_:]/g, '_');
}
