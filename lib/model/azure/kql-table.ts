import { Evaluator, Expr, ExpressionParser, KqlCell, KqlError, KqlSchema, KqlType, Scalar, Token, stagesOf, tokenize, whereKeeps } from './kql-query';

/**
 * Kusto queries evaluated over many records — what a scheduled query rule's aggregating query
 * returns for a window of a table — where KqlQuery judges one record. Used to judge rules that
 * count (the step-up failure rate per identity) on the records a guard writes.
 *
 * The subset: one table, then `where` / `filter`, `extend name = expr, …` (with `parse_json`,
 * member access, `tostring`, `iff`, `+ -`, and KqlQuery's predicates), `summarize name =
 * count() | countif(p) | sum(x) | min(x) | max(x), … by col, …` (or `summarize by col, …`, the
 * distinct keys), `project col, …`. Anything else — `union`, `join`, `let`, `mv-expand`, `bin()`
 * or other expression keys, a dynamic key, an unnamed aggregate — throws KqlError.
 *
 * Kusto semantics kept (learn.microsoft.com, summarize operator and aggregation functions): over
 * no records, `summarize` without `by` returns one row (count, countif and sum 0; min and max
 * null) and with `by` none; nulls are ignored by every aggregate (a null countif predicate is not
 * counted); a string is never null, so a record without a string column groups with "".
 * An unnamed aggregate is refused rather than named `count_`/`countif_` as Kusto does: the rule's
 * measure column is named by the rule, and a guessed name would judge another column.
 */

export type KqlRow = Readonly<Record<string, KqlCell>>;

type Assignment = { readonly name: string; readonly expr: Expr };
type Aggregate = { readonly name: string; readonly fn: string; readonly arg?: Expr };
type Stage =
  | { readonly kind: 'where'; readonly predicate: Expr }
  | { readonly kind: 'extend'; readonly columns: readonly Assignment[] }
  | { readonly kind: 'summarize'; readonly aggregates: readonly Aggregate[]; readonly by: readonly string[] }
  | { readonly kind: 'project'; readonly columns: readonly string[] };

const AGGREGATES = new Set(['count', 'countif', 'sum', 'min', 'max']);

/** Splits a stage's tokens at top-level commas. */
function commaSeparated(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.text === '(') depth += 1;
    if (token.text === ')') depth -= 1;
    if (token.text === ',' && depth === 0) parts.push([]);
    else parts[parts.length - 1].push(token);
  }
  if (parts.some((p) => p.length === 0)) throw new KqlError('an empty item in a list');
  return parts;
}

function assignment(tokens: Token[], stage: string): { name?: string; body: Token[] } {
  if (tokens.length > 2 && tokens[0].kind === 'word' && tokens[1].text === '=') return { name: tokens[0].text, body: tokens.slice(2) };
  if (stage === 'extend') throw new KqlError('an extend column without a name (write name = expression)');
  return { body: tokens };
}

function parseStage(tokens: Token[]): Stage {
  const [head, ...body] = tokens;
  switch (head?.text) {
    case 'where':
    case 'filter':
      return { kind: 'where', predicate: new ExpressionParser(body).parseAll() };
    case 'extend':
      return {
        kind: 'extend',
        columns: commaSeparated(body).map((part) => {
          const { name, body: expr } = assignment(part, 'extend');
          return { name: name!, expr: new ExpressionParser(expr).parseAll() };
        }),
      };
    case 'summarize': {
      const byAt = body.findIndex((t) => t.kind === 'word' && t.text === 'by');
      if (byAt === 0 && body.length === 1) throw new KqlError('summarize by names no column');
      // `summarize by col` alone: the distinct values of the keys.
      const aggregateTokens = byAt < 0 ? body : body.slice(0, byAt);
      if (aggregateTokens.length === 0 && byAt < 0) throw new KqlError('summarize names no aggregate and no by column');
      const aggregates = (aggregateTokens.length === 0 ? [] : commaSeparated(aggregateTokens)).map((part): Aggregate => {
        const { name, body: call } = assignment(part, 'summarize');
        const expr = new ExpressionParser(call).parseAll();
        if (expr.kind !== 'call' || !AGGREGATES.has(expr.name)) throw new KqlError(`the aggregate ${call.map((t) => t.text).join('')} is not supported (count, countif, sum, min, max)`);
        if (name === undefined) throw new KqlError(`an unnamed aggregate (${expr.name}()): write name = ${expr.name}(…)`);
        if ((expr.name === 'count') !== (expr.args.length === 0)) throw new KqlError(`${expr.name}() takes ${expr.name === 'count' ? 'no' : 'one'} argument`);
        return { name, fn: expr.name, arg: expr.args[0] };
      });
      const by = byAt < 0 ? [] : commaSeparated(body.slice(byAt + 1)).map((part) => {
        if (part.length !== 1 || part[0].kind !== 'word') throw new KqlError(`summarize by ${part.map((t) => t.text).join('')} (an expression) is not supported: extend a column first`);
        return part[0].text;
      });
      return { kind: 'summarize', aggregates, by };
    }
    case 'project':
      return {
        kind: 'project',
        columns: commaSeparated(body).map((part) => {
          if (part.length !== 1 || part[0].kind !== 'word') throw new KqlError('project of an expression is not supported');
          return part[0].text;
        }),
      };
    default:
      throw new KqlError(`the ${head?.text ?? '(empty)'} operator is not supported over many records`);
  }
}

const cellOf = (value: Scalar): KqlCell => (value.type === 'null' ? null : (value.value as KqlCell));
/** A value's column type; a null whose type is unknown (JSON's) is typed by the column, or string. */
const typeOf = (value: Scalar): KqlType | undefined =>
  value.type === 'number' ? 'real' : value.type !== 'null' ? value.type : value.of === 'bool' ? 'bool' : value.of === 'number' ? 'real' : undefined;

/** A parsed aggregating query. */
export class KqlTableQuery {
  /** @throws KqlError for a query this evaluator cannot judge */
  public static parse(text: string): KqlTableQuery {
    const tokens = tokenize(text);
    if (tokens.some((t) => t.text === ';') || tokens[0]?.text === 'let') throw new KqlError('let statements and multi-statement queries are not supported');
    const [source, ...rest] = stagesOf(tokens);
    if (source.length !== 1 || source[0].kind !== 'word' || source[0].text === 'union') throw new KqlError('the source is not one table name');
    return new KqlTableQuery(source[0].text, rest.map(parseStage));
  }

  private constructor(
    /** The table it reads. */
    public readonly table: string,
    private readonly stages: readonly Stage[],
  ) {}

  /**
   * The rows the query returns over records of its table.
   *
   * @throws KqlError for an expression it cannot judge, or a column the rows do not have
   */
  public run(schema: KqlSchema, records: readonly KqlRow[]): KqlRow[] {
    return this.result(schema, records).rows;
  }

  /**
   * The query's result: its columns (name → type, in order) and its rows. A scheduled query
   * rule's dimensions and measure must be columns of it.
   *
   * @throws KqlError for an expression it cannot judge, or a column the rows do not have
   */
  public result(schema: KqlSchema, records: readonly KqlRow[]): { readonly columns: KqlSchema; readonly rows: KqlRow[] } {
    let columns: Record<string, KqlType> = { ...schema };
    let rows: KqlRow[] = [...records];
    for (const stage of this.stages) {
      switch (stage.kind) {
        case 'where':
          // A null predicate (a comparison with a null number) drops the row, as in Kusto.
          rows = rows.filter((row) => whereKeeps(new Evaluator(columns, row).evaluate(stage.predicate)));
          break;
        case 'extend': {
          const next: Record<string, KqlType> = { ...columns };
          rows = rows.map((row) => {
            const out: Record<string, KqlCell> = { ...row };
            for (const { name, expr } of stage.columns) {
              // Each column may use the ones before it in the same extend.
              const value = new Evaluator(next, out).evaluate(expr);
              next[name] = typeOf(value) ?? next[name] ?? 'string';
              out[name] = cellOf(value);
            }
            return out;
          });
          for (const { name } of stage.columns) next[name] ??= 'string';
          columns = next;
          break;
        }
        case 'summarize':
          rows = this.summarize(stage, columns, rows);
          columns = Object.fromEntries([...stage.by.map((b) => [b, columns[b]] as const), ...stage.aggregates.map((a) => [a.name, 'long' as KqlType] as const)]);
          break;
        case 'project':
          for (const c of stage.columns) if (columns[c] === undefined) throw new KqlError(`the column ${c} does not exist`);
          rows = rows.map((row) => Object.fromEntries(stage.columns.map((c) => [c, row[c] ?? null])));
          columns = Object.fromEntries(stage.columns.map((c) => [c, columns[c]]));
          break;
      }
    }
    return { columns, rows };
  }

  private summarize(stage: Extract<Stage, { kind: 'summarize' }>, columns: KqlSchema, rows: readonly KqlRow[]): KqlRow[] {
    for (const b of stage.by) {
      if (columns[b] === undefined) throw new KqlError(`the column ${b} does not exist`);
      // Kusto refuses a dynamic group key; so does this evaluator, rather than group by JSON text.
      if (columns[b] === 'dynamic') throw new KqlError(`summarize by ${b}, a dynamic column, is not supported: convert it first (by ${b}s = tostring(${b}) in an extend)`);
    }
    const groups = new Map<string, { keys: KqlCell[]; rows: KqlRow[] }>();
    for (const row of rows) {
      // Read as Kusto reads the column: a missing string is "", a missing number null.
      const evaluator = new Evaluator(columns, row);
      const keys = stage.by.map((b) => cellOf(evaluator.evaluate({ kind: 'column', name: b })));
      const key = JSON.stringify(keys);
      const group = groups.get(key) ?? { keys, rows: [] };
      group.rows.push(row);
      groups.set(key, group);
    }
    // Without `by`, summarize returns one row even over no records.
    if (stage.by.length === 0 && groups.size === 0) groups.set('[]', { keys: [], rows: [] });
    return [...groups.values()].map(({ keys, rows: group }) => {
      const out: Record<string, KqlCell> = Object.fromEntries(stage.by.map((b, i) => [b, keys[i]]));
      for (const a of stage.aggregates) {
        const values = group.map((row) => (a.arg ? new Evaluator(columns, row).evaluate(a.arg) : ({ type: 'bool', value: true } as Scalar)));
        if (a.fn === 'count') out[a.name] = group.length;
        else if (a.fn === 'countif') {
          // A null predicate (a comparison with a missing number) is ignored, as in Kusto.
          if (values.some((v) => v.type !== 'bool' && v.type !== 'null')) throw new KqlError('countif() of a non-boolean');
          out[a.name] = values.filter((v) => v.type === 'bool' && v.value).length;
        } else {
          const numbers = values.filter((v) => v.type !== 'null').map((v) => {
            if (v.type !== 'number') throw new KqlError(`${a.fn}() of a ${v.type}`);
            return v.value;
          });
          out[a.name] = numbers.length === 0 ? (a.fn === 'sum' ? 0 : null) : a.fn === 'sum' ? numbers.reduce((x, y) => x + y, 0) : a.fn === 'min' ? Math.min(...numbers) : Math.max(...numbers);
        }
      }
      return out;
    });
  }
}
