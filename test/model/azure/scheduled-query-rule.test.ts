import { KqlError, KqlSchema } from '../../../lib/model/azure/kql-query';
import { KqlRow } from '../../../lib/model/azure/kql-table';
import { ScheduledQueryCriterion, scheduledQueryAlerts, scheduledQueryWindow } from '../../../lib/model/azure/scheduled-query-rule';

const schema: KqlSchema = { Who: 'string', Op: 'string', Failures: 'long', Host: 'string' };
// One row per (identity, operation), as a summarizing query returns them.
const records: KqlRow[] = [
  { Who: 'a', Op: 'destroy', Failures: 2, Host: 'h1' },
  { Who: 'a', Op: 'rotate', Failures: 2, Host: 'h2' },
  { Who: 'b', Op: 'destroy', Failures: 3, Host: 'h1' },
  { Who: 'c', Op: 'destroy', Failures: 1, Host: 'h1' },
];
const criterion = (over: Partial<ScheduledQueryCriterion> = {}): ScheduledQueryCriterion => ({
  query: 'T',
  timeAggregationMethod: 'Total',
  metricMeasureColumn: 'Failures',
  operator: 'GreaterThanOrEqual',
  threshold: 3,
  dimensions: [{ name: 'Who', operator: 'Include', values: ['*'] }],
  ...over,
});
const alerts = (over: Partial<ScheduledQueryCriterion> = {}, rows: readonly KqlRow[] = records) => scheduledQueryAlerts(criterion(over), schema, rows);

describe('scheduledQueryAlerts: split by dimensions', () => {
  test('one alert per value of the dimension whose aggregate crosses the threshold', () => {
    // a: 2 + 2 across two rows (Total), b: 3, c: 1.
    expect(alerts()).toEqual([{ Who: 'a' }, { Who: 'b' }]);
  });

  test('two dimensions split by their combination', () => {
    expect(alerts({ dimensions: [{ name: 'Who' }, { name: 'Op' }], threshold: 2 })).toEqual([
      { Who: 'a', Op: 'destroy' },
      { Who: 'a', Op: 'rotate' },
      { Who: 'b', Op: 'destroy' },
    ]);
  });

  test('listed values keep only those; * keeps every value; an operator defaults to Include', () => {
    expect(alerts({ dimensions: [{ name: 'Who', values: ['b', 'c'] }] })).toEqual([{ Who: 'b' }]);
    expect(alerts({ dimensions: [{ name: 'Who', values: ['*', 'c'] }] })).toEqual([{ Who: 'a' }, { Who: 'b' }]);
  });

  test('without dimensions the whole result is one series: one alert with no dimension values', () => {
    expect(alerts({ dimensions: [] })).toEqual([{}]);
    expect(alerts({ dimensions: [], threshold: 9 })).toEqual([]);
  });

  test('a dimension that is not a column of the result, Exclude, or another operator is refused', () => {
    expect(() => alerts({ query: 'T | project Who, Failures', dimensions: [{ name: 'Host' }] })).toThrow(new KqlError("the dimension Host is not a column of the query's result"));
    // Checked on the result's columns, not its rows: an empty window does not hide it.
    expect(() => alerts({ dimensions: [{ name: 'Nope' }] }, [])).toThrow(/the dimension Nope is not a column/);
    expect(() => alerts({ dimensions: [{ name: 'Who', operator: 'Exclude', values: ['c'] }] })).toThrow(new KqlError('Exclude dimensions are not supported'));
    expect(() => alerts({ dimensions: [{ name: 'Who', operator: 'Between' }] })).toThrow(new KqlError('the dimension operator Between is neither Include nor Exclude'));
  });
});

describe('scheduledQueryAlerts: aggregation', () => {
  test.each([
    ['Count', undefined, 2, [{ Who: 'a' }]],
    ['Total', 'Failures', 4, [{ Who: 'a' }]],
    ['Average', 'Failures', 2, [{ Who: 'a' }, { Who: 'b' }]],
    ['Minimum', 'Failures', 2, [{ Who: 'a' }, { Who: 'b' }]],
    ['Maximum', 'Failures', 3, [{ Who: 'b' }]],
  ])('%s (measure %s) >= %d', (method, measure, threshold, expected) => {
    expect(alerts({ timeAggregationMethod: method as string, metricMeasureColumn: measure as string | undefined, threshold: threshold as number })).toEqual(expected);
  });

  test('Count counts rows, so a measure column with it is refused; the others need one that is a number of the result', () => {
    expect(() => alerts({ timeAggregationMethod: 'Count' })).toThrow(new KqlError('Count counts rows: a measure column (Failures) cannot be given with it'));
    expect(() => alerts({ metricMeasureColumn: undefined })).toThrow(new KqlError('Total needs a measure column'));
    expect(() => alerts({ query: 'T | project Who', metricMeasureColumn: 'Failures' })).toThrow(new KqlError("the measure column Failures is not a column of the query's result"));
    expect(() => alerts({ metricMeasureColumn: 'Host' })).toThrow(new KqlError('the measure column Host is a string, not a number'));
    expect(() => alerts({ timeAggregationMethod: 'Median' })).toThrow(/the aggregation Median is not one a scheduled query rule takes \(Count, Total, Average, Minimum, Maximum\)/);
  });

  test('the measure of a summarizing query is its aggregate', () => {
    const query = 'T | summarize n = sum(Failures) by Who';
    expect(alerts({ query, metricMeasureColumn: 'n', timeAggregationMethod: 'Maximum' })).toEqual([{ Who: 'a' }, { Who: 'b' }]);
  });
});

describe('scheduledQueryAlerts: threshold operators', () => {
  test.each([
    ['GreaterThan', 3, []],
    ['GreaterThanOrEqual', 3, [{ Who: 'b' }]],
    ['LessThan', 3, [{ Who: 'a' }, { Who: 'c' }]],
    ['LessThanOrEqual', 1, [{ Who: 'c' }]],
    ['Equal', 1, [{ Who: 'c' }]],
  ])('%s %d', (operator, threshold, expected) => {
    // Maximum per identity: a 2, b 3, c 1.
    expect(alerts({ operator: operator as string, threshold: threshold as number, timeAggregationMethod: 'Maximum' })).toEqual(expected);
  });

  test('an operator or threshold Azure would not take is refused', () => {
    expect(() => alerts({ operator: 'Equals' })).toThrow(/the operator Equals is not one a scheduled query rule takes \(GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual, Equal\)/);
    expect(() => alerts({ threshold: Number.NaN })).toThrow(new KqlError('the threshold NaN is not a number'));
  });
});

describe('scheduledQueryWindow: the periods Azure takes', () => {
  test('frequencies from PT1M to P1D; windows from PT5M to P2D, or PT1M to PT6H when evaluated every minute', () => {
    expect(scheduledQueryWindow('PT5M', 'PT5M')).toEqual({ frequencySeconds: 300, windowSeconds: 300 });
    expect(scheduledQueryWindow('PT1M', 'PT1M')).toEqual({ frequencySeconds: 60, windowSeconds: 60 });
    expect(scheduledQueryWindow('PT15M', 'PT1H')).toEqual({ frequencySeconds: 900, windowSeconds: 3600 });
    expect(scheduledQueryWindow('P1D', 'P2D')).toEqual({ frequencySeconds: 86_400, windowSeconds: 172_800 });
  });

  test('other values are refused, naming the allowed ones', () => {
    expect(() => scheduledQueryWindow('PT2M', 'PT5M')).toThrow(/the evaluation frequency PT2M is not one a scheduled query rule takes \(PT1M, PT5M/);
    expect(() => scheduledQueryWindow('PT5M', 'PT1M')).toThrow(/the window PT1M is not one a rule evaluated every PT5M takes \(PT5M, /);
    expect(() => scheduledQueryWindow('PT1M', 'P1D')).toThrow(/the window P1D is not one a rule evaluated every PT1M takes \(PT1M, .*PT6H\)/);
    expect(() => scheduledQueryWindow('PT5M', '5m')).toThrow(KqlError);
  });
});
