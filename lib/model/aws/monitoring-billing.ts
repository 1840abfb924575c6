/**
 * What a monitor adds that AWS bills every month, counted so that a monitor can say so at synth.
 * Prices are not stated: they vary by Region and change, and the pricing page is where they are.
 * The billing units are the pricing page's: CloudWatch bills an alarm per alarm metric it
 * evaluates (a metric math alarm counts each metric it reads), a metric filter's output per
 * custom metric (each distinct dimension value is its own metric, billed once it has data),
 * and log groups by the data ingested and stored.
 */

/** The CloudWatch pricing page: alarms, custom metrics and logs, per Region. */
export const CLOUDWATCH_PRICING_URL = 'https://aws.amazon.com/cloudwatch/pricing/';

/** The EventBridge pricing page. */
export const EVENTBRIDGE_PRICING_URL = 'https://aws.amazon.com/eventbridge/pricing/';

/** The billable resources one monitor adds. */
export interface MonitoringBill {
  /** The identities (roles, SPIFFE IDs) the monitor watches. */
  readonly identities: number;
  /** Alarms evaluating one metric each. */
  readonly singleMetricAlarms: number;
  /** Alarms over metric math, and the metrics each reads. */
  readonly metricMathAlarms?: { readonly count: number; readonly metricsEach: number };
  /** Alarms over a Metrics Insights query (counted by the metrics the query analyses). */
  readonly metricsInsightsAlarms?: number;
  /** Metric filters written. */
  readonly metricFilters: number;
  /** The most custom metrics the filters can publish once every watched identity has data. */
  readonly customMetricsAtMost: number;
  /** EventBridge rules written. */
  readonly eventRules?: number;
  /** Log groups written (billed by data ingested and stored). */
  readonly logGroups?: number;
}

/** The alarm metrics of a bill's alarms, except Metrics Insights alarms (counted by their query). */
export function alarmMetricsOf(bill: MonitoringBill): number {
  return bill.singleMetricAlarms + (bill.metricMathAlarms ? bill.metricMathAlarms.count * bill.metricMathAlarms.metricsEach : 0);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The synth-time note of a monitor: what it adds that is billed monthly, in the pricing page's
 * units, and where the prices are.
 */
export function monitoringBillNote(monitor: string, bill: MonitoringBill): string {
  const alarms = bill.singleMetricAlarms + (bill.metricMathAlarms?.count ?? 0) + (bill.metricsInsightsAlarms ?? 0);
  const parts = [
    `${plural(alarms, 'CloudWatch alarm')} evaluating ${plural(alarmMetricsOf(bill), 'alarm metric')}` +
      (bill.metricMathAlarms ? ` (${plural(bill.metricMathAlarms.count, 'metric math alarm')} reading ${bill.metricMathAlarms.metricsEach} metrics each)` : '') +
      (bill.metricsInsightsAlarms ? `, plus ${plural(bill.metricsInsightsAlarms, 'Metrics Insights query alarm')} counted by the metrics its query analyses` : ''),
    `${plural(bill.metricFilters, 'metric filter')} publishing up to ${plural(bill.customMetricsAtMost, 'custom metric')} (one per dimension value, once it has data)`,
  ];
  if (bill.eventRules) parts.push(`${plural(bill.eventRules, 'EventBridge rule')}`);
  if (bill.logGroups) parts.push(`${plural(bill.logGroups, 'log group')} (billed by data ingested and stored)`);
  return (
    `${monitor} watches ${plural(bill.identities, 'identity', 'identities')} and adds what AWS bills monthly: ${parts.join('; ')}. ` +
    `CloudWatch bills alarms per alarm metric per month and custom metrics per metric per month; prices by Region: ${CLOUDWATCH_PRICING_URL}` +
    (bill.eventRules ? ` (EventBridge: ${EVENTBRIDGE_PRICING_URL})` : '') +
    '.'
  );
}
