import { LogFilterPattern, selectJsonProperty } from './log-filter-pattern';

/**
 * CloudWatch Logs metric filters and the CloudWatch alarms over their metrics, evaluated on a
 * batch of log events taken as one period: which metric data the filters publish, and whether an
 * alarm's statistic (or metric math expression) crosses its threshold. Used to judge whether an
 * alarm would fire on what an attack writes, as the other advisories run EventBridge patterns.
 *
 * It covers the `Sum` statistic, alarms on one metric or on metric math made of metric IDs,
 * numbers, `+ - * /`, parentheses, `ABS(x)` and `FILL(x, n)` — the shape StepUpMonitor writes.
 * Anything else throws MetricAlarmError: an alarm that cannot be judged is reported so.
 */

export class MetricAlarmError extends Error {}

/** A metric filter as AWS::Logs::MetricFilter declares it (concrete values only). */
export interface MetricFilterDeclaration {
  readonly filterPattern: string;
  readonly metricTransformations: ReadonlyArray<{
    readonly metricNamespace: string;
    readonly metricName: string;
    readonly metricValue: string;
    readonly dimensions?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  }>;
}

/** One metric's identity: namespace, name and dimensions. */
export interface MetricKey {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

const keyOf = (m: MetricKey) => JSON.stringify([m.namespace, m.metricName, Object.entries(m.dimensions).sort(([a], [b]) => a.localeCompare(b))]);

/** The sums the filters publish for the events (one period). */
export class MetricData {
  private readonly sums = new Map<string, number>();

  public add(metric: MetricKey, value: number): void {
    this.sums.set(keyOf(metric), (this.sums.get(keyOf(metric)) ?? 0) + value);
  }

  /** The metric's Sum, or undefined when nothing was published (no data). */
  public sum(metric: MetricKey): number | undefined {
    return this.sums.get(keyOf(metric));
  }
}

/**
 * Runs metric filters over log events. A dimension whose field an event lacks publishes nothing
 * for it (CloudWatch Logs needs every dimension's value); a `$.field` metric value must be a number.
 */
export function publishMetrics(filters: readonly MetricFilterDeclaration[], events: ReadonlyArray<Record<string, unknown>>): MetricData {
  const data = new MetricData();
  for (const filter of filters) {
    const pattern = LogFilterPattern.parse(filter.filterPattern);
    for (const event of events) {
      if (!pattern.matches(event)) continue;
      for (const t of filter.metricTransformations) {
        const dimensions: Record<string, string> = {};
        let complete = true;
        for (const d of t.dimensions ?? []) {
          const value = d.value.startsWith('$') ? selectJsonProperty(event, d.value) : d.value;
          if (typeof value !== 'string' && typeof value !== 'number') complete = false;
          else dimensions[d.key] = String(value);
        }
        const value = t.metricValue.startsWith('$') ? selectJsonProperty(event, t.metricValue) : Number(t.metricValue);
        if (!complete || typeof value !== 'number' || Number.isNaN(value)) continue;
        data.add({ namespace: t.metricNamespace, metricName: t.metricName, dimensions }, value);
      }
    }
  }
  return data;
}

/** An alarm as AWS::CloudWatch::Alarm declares it (concrete values only). */
export interface AlarmDeclaration {
  readonly comparisonOperator: string;
  readonly threshold: number;
  readonly statistic?: string;
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensions?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly metrics?: ReadonlyArray<{
    readonly id: string;
    readonly expression?: string;
    readonly returnData?: boolean;
    readonly metricStat?: { readonly metric: { readonly namespace: string; readonly metricName: string; readonly dimensions?: ReadonlyArray<{ readonly name: string; readonly value: string }> }; readonly stat: string };
  }>;
}

const dims = (list: ReadonlyArray<{ readonly name: string; readonly value: string }> | undefined) => Object.fromEntries((list ?? []).map((d) => [d.name, d.value]));

const COMPARISONS = ['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'];

/** Whether the alarm's value for the period crosses its threshold (no data: it does not). */
export function alarmBreaches(alarm: AlarmDeclaration, data: MetricData): boolean {
  if (!COMPARISONS.includes(alarm.comparisonOperator)) throw new MetricAlarmError(`the comparison ${alarm.comparisonOperator} is not supported (anomaly-detection bands are not judged)`);
  const value = alarmValue(alarm, data);
  if (value === undefined) return false;
  switch (alarm.comparisonOperator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= alarm.threshold;
    case 'GreaterThanThreshold':
      return value > alarm.threshold;
    case 'LessThanThreshold':
      return value < alarm.threshold;
    default:
      return value <= alarm.threshold;
  }
}

function alarmValue(alarm: AlarmDeclaration, data: MetricData): number | undefined {
  if (alarm.metrics === undefined) {
    if (alarm.statistic !== 'Sum') throw new MetricAlarmError(`the statistic ${alarm.statistic ?? '(extended)'} is not supported; only Sum`);
    return data.sum({ namespace: alarm.namespace ?? '', metricName: alarm.metricName ?? '', dimensions: dims(alarm.dimensions) });
  }
  const values = new Map<string, number | undefined>();
  for (const m of alarm.metrics) {
    if (!m.metricStat) continue;
    if (m.metricStat.stat !== 'Sum') throw new MetricAlarmError(`metric ${m.id}: the statistic ${m.metricStat.stat} is not supported; only Sum`);
    values.set(m.id, data.sum({ namespace: m.metricStat.metric.namespace, metricName: m.metricStat.metric.metricName, dimensions: dims(m.metricStat.metric.dimensions) }));
  }
  const returned = alarm.metrics.filter((m) => m.returnData !== false);
  if (returned.length !== 1) throw new MetricAlarmError(`an alarm's metrics must return exactly one time series; ${returned.length} do`);
  const out = returned[0];
  if (out.metricStat) return values.get(out.id);
  if (out.expression === undefined) throw new MetricAlarmError(`metric ${out.id} has neither a metric nor an expression`);
  const expressions = new Map(alarm.metrics.filter((m) => m.expression !== undefined && m !== out).map((m) => [m.id, m.expression!]));
  return evaluateMetricMath(out.expression, (id) => {
    if (values.has(id)) return values.get(id);
    const nested = expressions.get(id);
    if (nested === undefined) throw new MetricAlarmError(`the expression names ${id}, which is not a metric of the alarm`);
    return evaluateMetricMath(nested, () => {
      throw new MetricAlarmError(`expression ${id} refers to another expression; only one level is supported`);
    });
  });
}

/**
 * Evaluates a metric math expression for one period. A metric without data is undefined, and so
 * is arithmetic on it — unless FILL gives it a value, as in CloudWatch.
 */
export function evaluateMetricMath(expression: string, metric: (id: string) => number | undefined): number | undefined {
  const tokens = expression.match(/\s*([A-Za-z_][A-Za-z0-9_]*|[0-9]+(?:\.[0-9]+)?|[-+*/(),]|\S)/g)?.map((t) => t.trim()) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const expect = (t: string) => {
    if (tokens[i] !== t) throw new MetricAlarmError(`expected ${t} in ${JSON.stringify(expression)}, found ${tokens[i] ?? 'the end'}`);
    i += 1;
  };
  const sum = (): number | undefined => {
    let left = product();
    while (peek() === '+' || peek() === '-') {
      const op = tokens[i++];
      const right = product();
      left = left === undefined || right === undefined ? undefined : op === '+' ? left + right : left - right;
    }
    return left;
  };
  const product = (): number | undefined => {
    let left = unary();
    while (peek() === '*' || peek() === '/') {
      const op = tokens[i++];
      const right = unary();
      left = left === undefined || right === undefined ? undefined : op === '*' ? left * right : right === 0 ? undefined : left / right;
    }
    return left;
  };
  const unary = (): number | undefined => {
    if (peek() === '-') {
      i += 1;
      const v = unary();
      return v === undefined ? undefined : -v;
    }
    return primary();
  };
  const primary = (): number | undefined => {
    const t = tokens[i++];
    if (t === undefined) throw new MetricAlarmError(`${JSON.stringify(expression)} ends too early`);
    if (t === '(') {
      const v = sum();
      expect(')');
      return v;
    }
    if (/^[0-9]/.test(t)) return Number(t);
    if (t === 'ABS' || t === 'FILL') {
      expect('(');
      const v = sum();
      if (t === 'ABS') {
        expect(')');
        return v === undefined ? undefined : Math.abs(v);
      }
      expect(',');
      const fill = sum();
      expect(')');
      return v ?? fill;
    }
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === '(') throw new MetricAlarmError(`the function ${t}() is not supported (only ABS and FILL)`);
      return metric(t);
    }
    throw new MetricAlarmError(`unexpected ${JSON.stringify(t)} in ${JSON.stringify(expression)}`);
  };
  const value = sum();
  if (i < tokens.length) throw new MetricAlarmError(`unexpected ${JSON.stringify(tokens[i])} in ${JSON.stringify(expression)}`);
  return value;
}
