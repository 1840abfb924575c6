import { KqlCell, KqlError, KqlSchema } from './kql-query';
import { KqlRow, KqlTableQuery } from './kql-table';

/**
 * A scheduled query rule's criteria (azurerm_monitor_scheduled_query_rules_alert_v2), evaluated
 * on the records of one window: which dimension combinations it alerts for. As Azure Monitor
 * does: the query's rows are split by the dimensions, each split's rows aggregated
 * (`Count` of rows, or `Total`/`Average`/`Minimum`/`Maximum` of the measure column), and the
 * aggregate compared with the threshold.
 */

export interface ScheduledQueryCriterion {
  readonly query: string;
  readonly timeAggregationMethod: string;
  readonly metricMeasureColumn?: string;
  readonly operator: string;
  readonly threshold: number;
  readonly dimensions?: ReadonlyArray<{ readonly name: string; readonly operator?: string; readonly values?: readonly string[] }>;
}

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
  if (!compare) throw new KqlError(`the operator ${criterion.operator} is not one a scheduled query rule takes`);
  const rows = KqlTableQuery.parse(criterion.query).run(schema, records);
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
    if (criterion.timeAggregationMethod === 'Count') value = group.length;
    else {
      if (criterion.metricMeasureColumn === undefined) throw new KqlError(`${criterion.timeAggregationMethod} needs a measure column`);
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
