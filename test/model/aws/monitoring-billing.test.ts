import { CLOUDWATCH_PRICING_URL, EVENTBRIDGE_PRICING_URL, alarmMetricsOf, monitoringBillNote } from '../../../lib/model/aws/monitoring-billing';

describe('monitoring bill', () => {
  test('a metric math alarm counts every metric it reads; a Metrics Insights alarm is left to its query', () => {
    expect(alarmMetricsOf({ identities: 3, singleMetricAlarms: 3, metricsInsightsAlarms: 1, metricFilters: 2, customMetricsAtMost: 6 })).toBe(3);
    expect(alarmMetricsOf({ identities: 3, singleMetricAlarms: 0, metricMathAlarms: { count: 3, metricsEach: 4 }, metricFilters: 6, customMetricsAtMost: 12 })).toBe(12);
  });

  test('the note names the monitor, the counts in the pricing page’s units, and the pages; EventBridge only when there are rules', () => {
    const one = monitoringBillNote("StepUpMonitor 'Tools/StepUp'", { identities: 1, singleMetricAlarms: 0, metricMathAlarms: { count: 1, metricsEach: 2 }, metricFilters: 2, customMetricsAtMost: 2 });
    expect(one).toBe(
      "StepUpMonitor 'Tools/StepUp' watches 1 identity and adds what AWS bills monthly: 1 CloudWatch alarm evaluating 2 alarm metrics (1 metric math alarm reading 2 metrics each); " +
        '2 metric filters publishing up to 2 custom metrics (one per dimension value, once it has data). ' +
        `CloudWatch bills alarms per alarm metric per month and custom metrics per metric per month; prices by Region: ${CLOUDWATCH_PRICING_URL}.`,
    );
    const withRules = monitoringBillNote('M', { identities: 2, singleMetricAlarms: 2, metricFilters: 2, customMetricsAtMost: 4, eventRules: 5, logGroups: 1 });
    expect(withRules).toContain('; 5 EventBridge rules; 1 log group (billed by data ingested and stored)');
    expect(withRules).toContain(EVENTBRIDGE_PRICING_URL);
  });
});
