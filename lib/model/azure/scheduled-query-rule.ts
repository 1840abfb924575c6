import { KqlCell, KqlError, KqlSchema } from './kql-query';
import { KqlRow, KqlTableQuery } from './kql-table';

/**
 * A scheduled query rule's criteria (azurerm_monitor_scheduled_query_rules_alert_v2), evaluated
 * on the records of one window: which dimension combinations it alerts for. As Azure Monitor
 * does: the query's rows are split by the dimensions, each split's rows aggregated
 * (`Count` of rows, or `Total`/`Average`/`Minimum`/`Maximum` of the measure column), and the
 * aggregate compared with the threshold.
 *
 * Checked as Azure Monitor checks a rule (Microsoft.Insights/scheduledQueryRules 2021-08-01+,
 * azurerm_monitor_scheduled_query_rules_alert_v2): the operator is one of Equal, GreaterThan,
 * GreaterThanOrEqual, LessThan, LessThanOrEqual; the aggregation one of Count, Total, Average,
 * Minimum, Maximum, with a measure column for all but Count and none for Count; dimensions and
 * the measure are columns of the query's result, the measure a number. One window is judged:
 * `scheduledQueryWindow` says which windows and frequencies a rule may have.
 */

export interface ScheduledQueryCriterion {
  readonly query: string;
  readonly timeAggregationMethod: string;
  readonly metricMeasureColumn?: string;
  readonly operator: string;
  readonly threshold: number;
  readonly dimensions?: ReadonlyArray<{ readonly name: string; readonly operator?: string; readonly values?: readonly string[] }>;
}

const AGGREGATIONS: readonly string[] = ['Count', 'Total', 'Average', 'Minimum', 'Maximum'];

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  GreaterThan: (a, b) => a > b,
  GreaterThanOrEqual: (a, b) => a >= b,
  LessThan: (a, b) => a < b,
  LessThanOrEqual: (a, b) => a <= b,
  Equal: (a, b) => a === b,
};

/**
 * The dimension values (one record per alert) the criterion fires for on `records` of the
 * query's table, read with `schema`.
 *
 * @throws KqlError for a query or criterion this evaluator cannot judge
 */
export function scheduledQueryAlerts(criterion: ScheduledQueryCriterion, schema: KqlSchema, records: readonly KqlRow[]): Array<Record<string, KqlCell>> {
  const compare = COMPARE[criterion.operator];
  if (!compare) throw new KqlError(`the operator ${criterion.operator} is not one a scheduled query rule takes (${Object.keys(COMPARE).join(', ')})`);
  if (!AGGREGATIONS.includes(criterion.timeAggregationMethod)) throw new KqlError(`the aggregation ${criterion.timeAggregationMethod} is not one a scheduled query rule takes (${AGGREGATIONS.join(', ')})`);
  if (typeof criterion.threshold !== 'number' || !Number.isFinite(criterion.threshold)) throw new KqlError(`the threshold ${String(criterion.threshold)} is not a number`);
  const counting = criterion.timeAggregationMethod === 'Count';
  if (counting && criterion.metricMeasureColumn !== undefined) throw new KqlError(`Count counts rows: a measure column (${criterion.metricMeasureColumn}) cannot be given with it`);
  if (!counting && criterion.metricMeasureColumn === undefined) throw new KqlError(`${criterion.timeAggregationMethod} needs a measure column`);
  const { columns, rows } = KqlTableQuery.parse(criterion.query).result(schema, records);
  if (!counting) {
    const type = columns[criterion.metricMeasureColumn!];
    if (type === undefined) throw new KqlError(`the measure column ${criterion.metricMeasureColumn} is not a column of the query's result`);
    if (type !== 'long' && type !== 'real') throw new KqlError(`the measure column ${criterion.metricMeasureColumn} is a ${type}, not a number`);
  }
  for (const d of criterion.dimensions ?? []) {
    if (columns[d.name] === undefined) throw new KqlError(`the dimension ${d.name} is not a column of the query's result`);
    if (d.operator !== undefined && d.operator !== 'Include' && d.operator !== 'Exclude') throw new KqlError(`the dimension operator ${d.operator} is neither Include nor Exclude`);
  }
  const split = (criterion.dimensions ?? []).filter((d) => (d.operator ?? 'Include') === 'Include');
  if ((criterion.dimensions ?? []).some((d) => d.operator === 'Exclude')) throw new KqlError('Exclude dimensions are not supported');
  const groups = new Map<string, KqlRow[]>();
  for (const row of rows) {
    // A dimension listing values keeps only those; `*` keeps every value.
    if (!split.every((d) => !d.values || d.values.includes('*') || d.values.includes(String(row[d.name])))) continue;
    const key = JSON.stringify(split.map((d) => row[d.name] ?? null));
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const measure = (row: KqlRow): number => {
    const value = row[criterion.metricMeasureColumn!];
    if (typeof value !== 'number') throw new KqlError(`the measure column ${criterion.metricMeasureColumn} is not a number in the query's result`);
    return value;
  };
  const out: Array<Record<string, KqlCell>> = [];
  for (const group of groups.values()) {
    let value: number;
    if (counting) value = group.length;
    else {
      const values = group.map(measure);
      switch (criterion.timeAggregationMethod) {
        case 'Total':
          value = values.reduce((a, b) => a + b, 0);
          break;
        case 'Average':
          value = values.reduce((a, b) => a + b, 0) / values.length;
          break;
        case 'Minimum':
          value = Math.min(...values);
          break;
        case 'Maximum':
          value = Math.max(...values);
          break;
        default:
          throw new KqlError(`the aggregation ${criterion.timeAggregationMethod} is not supported`);
      }
    }
    if (compare(value, criterion.threshold)) out.push(Object.fromEntries(split.map((d) => [d.name, group[0][d.name] ?? null])));
  }
  return out;
}

/** Evaluation frequencies a rule may have (ISO 8601), in seconds. */
const FREQUENCIES: Readonly<Record<string, number>> = {
  PT1M: 60, PT5M: 300, PT10M: 600, PT15M: 900, PT30M: 1800, PT45M: 2700,
  PT1H: 3600, PT2H: 7200, PT3H: 10_800, PT4H: 14_400, PT5H: 18_000, PT6H: 21_600, P1D: 86_400,
};
/** Windows a rule evaluated every minute may have; other rules take PT5M to P2D. */
const MINUTE_WINDOWS = ['PT1M', 'PT5M', 'PT10M', 'PT15M', 'PT30M', 'PT45M', 'PT1H', 'PT2H', 'PT3H', 'PT4H', 'PT5H', 'PT6H'];
const WINDOWS = ['PT5M', 'PT10M', 'PT15M', 'PT30M', 'PT45M', 'PT1H', 'PT2H', 'PT3H', 'PT4H', 'PT5H', 'PT6H', 'P1D', 'P2D'];
const WINDOW_SECONDS: Readonly<Record<string, number>> = { ...FREQUENCIES, P2D: 172_800 };

/**
 * A rule's evaluation frequency and window (`evaluation_frequency`, `window_duration`), in
 * seconds, checked against the values Azure Monitor takes: a frequency of PT1M to P1D, and a
 * window of PT1M to PT6H for a rule evaluated every minute, PT5M to P2D otherwise.
 *
 * @throws KqlError naming a value Azure would refuse
 */
export function scheduledQueryWindow(evaluationFrequency: string, windowDuration: string): { readonly frequencySeconds: number; readonly windowSeconds: number } {
  const frequencySeconds = FREQUENCIES[evaluationFrequency];
  if (frequencySeconds === undefined) throw new KqlError(`the evaluation frequency ${evaluationFrequency} is not one a scheduled query rule takes (${Object.keys(FREQUENCIES).join(', ')})`);
  const allowed = evaluationFrequency === 'PT1M' ? MINUTE_WINDOWS : WINDOWS;
  if (!allowed.includes(windowDuration)) throw new KqlError(`the window ${windowDuration} is not one a rule evaluated every ${evaluationFrequency} takes (${allowed.join(', ')})`);
  return { frequencySeconds, windowSeconds: WINDOW_SECONDS[windowDuration] };
}
