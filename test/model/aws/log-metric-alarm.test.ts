import { MetricAlarmError, MetricData, alarmBreaches, evaluateMetricMath, publishMetrics } from '../../../lib/model/aws/log-metric-alarm';

describe('evaluateMetricMath', () => {
  const metrics: Record<string, number | undefined> = { m1: 4, m2: 6, none: undefined };
  const of = (e: string) => evaluateMetricMath(e, (id) => metrics[id]);

  test('arithmetic with precedence, unary minus, ABS and FILL', () => {
    expect(of('m1 + m2 * 2')).toBe(16);
    expect(of('(m1 - m2 + ABS(m1 - m2)) / 2')).toBe(0);
    expect(of('(m2 - m1 + ABS(m2 - m1)) / 2')).toBe(2);
    expect(of('-m1 + 1')).toBe(-3);
    expect(of('FILL(none, 0) + m1')).toBe(4);
  });

  test('a metric without data makes the result no data, unless filled', () => {
    expect(of('none + 1')).toBeUndefined();
    expect(of('m1 / 0')).toBeUndefined();
  });

  test('what it does not support is named', () => {
    expect(() => of('MAX([m1, m2])')).toThrow(MetricAlarmError);
    expect(() => of('SEARCH(m1)')).toThrow(/SEARCH\(\) is not supported/);
    expect(() => of('m1 +')).toThrow(/ends too early/);
    expect(() => of('m1 m2')).toThrow(/unexpected/);
  });
});

describe('publishMetrics and alarmBreaches', () => {
  const filter = {
    filterPattern: '{ $.outcome = "step-up" }',
    metricTransformations: [{ metricNamespace: 'ns', metricName: 'C', metricValue: '1', dimensions: [{ key: 'Who', value: '$.identity' }] }],
  };
  const events = [{ outcome: 'step-up', identity: 'a' }, { outcome: 'step-up', identity: 'a' }, { outcome: 'step-up' }, { outcome: 'allowed', identity: 'a' }];

  test('filters publish per dimension value; an event without the dimension’s field publishes nothing', () => {
    const data = publishMetrics([filter], events);
    expect(data.sum({ namespace: 'ns', metricName: 'C', dimensions: { Who: 'a' } })).toBe(2);
    expect(data.sum({ namespace: 'ns', metricName: 'C', dimensions: {} })).toBeUndefined();
  });

  test('a single-metric alarm and a metric math alarm compare their value with the threshold', () => {
    const data = publishMetrics([filter], events);
    const simple = { comparisonOperator: 'GreaterThanOrEqualToThreshold', threshold: 2, statistic: 'Sum', namespace: 'ns', metricName: 'C', dimensions: [{ name: 'Who', value: 'a' }] };
    expect(alarmBreaches(simple, data)).toBe(true);
    expect(alarmBreaches({ ...simple, threshold: 3 }, data)).toBe(false);
    expect(alarmBreaches({ ...simple, dimensions: [{ name: 'Who', value: 'b' }] }, data)).toBe(false);
    const math = {
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 3,
      metrics: [
        { id: 'c', returnData: false, metricStat: { metric: { namespace: 'ns', metricName: 'C', dimensions: [{ name: 'Who', value: 'a' }] }, stat: 'Sum' } },
        { id: 'e', expression: 'c * 2', returnData: true },
      ],
    };
    expect(alarmBreaches(math, data)).toBe(true);
    expect(() => alarmBreaches({ ...simple, statistic: 'Average' }, data)).toThrow(/only Sum/);
    expect(() => alarmBreaches({ ...math, comparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold' }, new MetricData())).toThrow(MetricAlarmError);
  });
});
