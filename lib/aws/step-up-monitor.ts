import { Annotations, Aspects } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AgentIdentity } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';
import { MonitoringBill, monitoringBillNote } from '../model/aws/monitoring-billing';
import { STEP_UP_EVENT, STEP_UP_FIELDS } from '../step-up/events';
import { DEFAULT_STEP_UP_FAILURE_THRESHOLD, STEP_UP_CHALLENGE_OUTCOMES, StepUpFailureThreshold, checkFailureThreshold, checkMonitoredName } from '../step-up/failure-signal';
import { SignalTopic } from './signal-topic';

/** The CloudWatch namespace of the step-up metrics. */
export const STEP_UP_MONITOR_NAMESPACE = 'attestgate/StepUp';

/**
 * Operations one identity's alarm can count: its metric math reads two metrics per operation,
 * and an alarm may read at most 10.
 */
export const MAX_STEP_UP_OPERATIONS = 5;

/** Metric filters per identity; a log group takes 100. */
const FILTERS_PER_IDENTITY = 2;
const MAX_FILTERS_PER_LOG_GROUP = 100;

const field = (name: keyof typeof STEP_UP_FIELDS) => `$.${STEP_UP_FIELDS[name]}`;
const anyOf = (name: keyof typeof STEP_UP_FIELDS, values: readonly string[]) => `(${values.map((v) => `${field(name)} = "${v}"`).join(' || ')})`;

/**
 * The CloudWatch Logs pattern of one identity's decisions on the watched operations: its
 * challenges (`step-up`, `replayed`) or its successes (`allowed`). Written from the event's
 * field names (STEP_UP_FIELDS), so it follows the event the guard writes.
 */
export function stepUpFilterPattern(identity: string, operations: readonly string[], kind: 'challenges' | 'allowed'): string {
  const outcomes = kind === 'challenges' ? STEP_UP_CHALLENGE_OUTCOMES : ['allowed'];
  return `{ ${field('event')} = "${STEP_UP_EVENT}" && ${field('identity')} = "${identity}" && ${anyOf('outcome', outcomes)} && ${anyOf('operation', operations)} }`;
}

/**
 * The alarm's metric math: per operation, the challenges no success answered —
 * max(0, c − a) = (d + |d|) / 2, since metric math has no scalar max — summed over the
 * operations. The same signal as stepUpFailures(). FILL makes a missing success count 0.
 */
export function stepUpFailureExpression(operationCount: number): string {
  return Array.from({ length: operationCount }, (_, i) => {
    const d = `(FILL(c${i}, 0) - FILL(a${i}, 0))`;
    return `(${d} + ABS(${d})) / 2`;
  }).join(' + ');
}

export interface StepUpMonitorProps {
  /** The log group the step-up guard's decisions reach, one JSON object per line (`jsonLines`). */
  readonly logGroup: logs.ILogGroup;

  /**
   * The operations whose challenges count: the step-up policy's operations that demand more
   * than `attested` or a `max_age` (routine ones never challenge). 1 to 5.
   */
  readonly operations: readonly string[];

  /** Identities watched from the start; `addIdentity` adds more. A SPIFFE ID, a token subject, or an AgentIdentity (its SPIFFE ID). */
  readonly identities?: ReadonlyArray<string | AgentIdentity>;

  /**
   * Unanswered challenges of one identity in one period that raise its alarm.
   *
   * @default 3 in 300 seconds: a thief retrying a stolen routine token crosses it within
   *   minutes, while one failure — a network error between challenge and retry, an agent
   *   stopped mid-way — never does. At least 2.
   */
  readonly threshold?: StepUpFailureThreshold;

  /** @default - the stack's SignalTopic */
  readonly topic?: sns.ITopic;
}

/** An identity the monitor watches. */
export interface StepUpMonitoredIdentity {
  readonly identity: string;
  readonly challengeFilter: logs.CfnMetricFilter;
  readonly allowedFilter: logs.CfnMetricFilter;
  readonly alarm: cloudwatch.CfnAlarm;
}

/**
 * The step-up failure rate per identity on AWS: metric filters over the guard's decision events
 * in CloudWatch Logs and one alarm per identity.
 *
 * Why metric filters and not the embedded metric format: the signal is a difference between two
 * counts per operation (challenges not answered by a success), and EMF would have the resource
 * server compute it per process — each instance seeing only its own share, and a compromised one
 * reporting what it likes. Filters count what the log group received, across instances. Each
 * identity gets its own filters (the identity in the pattern), so a subject that was never
 * declared creates no metric, whatever tokens a trusted issuer signs; the operation and identity
 * are dimensions taken from the event.
 */
export class StepUpMonitor extends Construct {
  public readonly topic: sns.ITopic;
  public readonly threshold: StepUpFailureThreshold;
  public readonly operations: readonly string[];
  private readonly logGroup: logs.ILogGroup;
  private readonly watched: StepUpMonitoredIdentity[] = [];
  private readonly where: string;

  constructor(scope: Construct, id: string, props: StepUpMonitorProps) {
    super(scope, id);
    this.where = `StepUpMonitor '${this.node.path}'`;
    if (!props || !props.logGroup) {
      throw new AttestGateError({ where: this.where, field: 'logGroup', value: props?.logGroup, problem: 'is missing', fix: 'give the log group the step-up guard writes its decisions to (jsonLines on stdout, shipped to CloudWatch Logs)' });
    }
    const operations = props.operations;
    if (!Array.isArray(operations) || operations.length === 0 || operations.length > MAX_STEP_UP_OPERATIONS) {
      throw new AttestGateError({
        where: this.where,
        field: 'operations',
        value: operations,
        problem: `is not a list of 1 to ${MAX_STEP_UP_OPERATIONS} operation names (an alarm reads at most 10 metrics, two per operation)`,
        fix: 'list the step-up operations of the policy; for more, create another StepUpMonitor for the rest',
      });
    }
    this.operations = [...new Set(operations.map((o, i) => checkMonitoredName(o, this.where, `operations[${i}]`)))];
    this.threshold = checkFailureThreshold(props.threshold ?? DEFAULT_STEP_UP_FAILURE_THRESHOLD, this.where);
    this.logGroup = props.logGroup;
    this.topic = props.topic ?? SignalTopic.of(this).topic;
    for (const identity of props.identities ?? []) this.addIdentity(identity);
    // Said at synth, when every identity has been added: one alarm per identity is a monthly bill.
    Aspects.of(this).add({
      visit: (node) => {
        if (node === this) Annotations.of(this).addInfo(monitoringBillNote(this.where, this.bill));
      },
    });
  }

  /** What the monitor adds that AWS bills monthly, for the identities watched so far. */
  public get bill(): MonitoringBill {
    const identities = this.watched.length;
    return {
      identities,
      singleMetricAlarms: 0,
      metricMathAlarms: { count: identities, metricsEach: 2 * this.operations.length },
      metricFilters: identities * FILTERS_PER_IDENTITY,
      // Each filter counts one identity's decisions, by Operation: one metric per watched operation.
      customMetricsAtMost: identities * FILTERS_PER_IDENTITY * this.operations.length,
    };
  }

  /** The identities watched so far. */
  public get identities(): readonly StepUpMonitoredIdentity[] {
    return this.watched;
  }

  /** Watches an identity: its challenges and successes on the operations, and its alarm. */
  public addIdentity(identity: string | AgentIdentity): StepUpMonitoredIdentity {
    const name = checkMonitoredName(identity instanceof AgentIdentity ? identity.spiffeId.toString() : identity, this.where, 'identity');
    const existing = this.watched.find((w) => w.identity === name);
    if (existing) return existing;
    if ((this.watched.length + 1) * FILTERS_PER_IDENTITY > MAX_FILTERS_PER_LOG_GROUP) {
      throw new AttestGateError({ where: this.where, field: 'identity', value: name, problem: `would take the log group past its ${MAX_FILTERS_PER_LOG_GROUP} metric filters`, fix: 'send the decisions of other identities to another log group with its own StepUpMonitor' });
    }
    const scope = new Construct(this, `Identity${this.watched.length + 1}`);
    const filter = (id: string, kind: 'challenges' | 'allowed') =>
      new logs.CfnMetricFilter(scope, id, {
        logGroupName: this.logGroup.logGroupName,
        filterPattern: stepUpFilterPattern(name, this.operations, kind),
        metricTransformations: [
          {
            metricNamespace: STEP_UP_MONITOR_NAMESPACE,
            metricName: kind === 'challenges' ? 'StepUpChallenges' : 'StepUpAllowed',
            metricValue: '1',
            dimensions: [
              { key: 'Identity', value: field('identity') },
              { key: 'Operation', value: field('operation') },
            ],
          },
        ],
      });
    const challengeFilter = filter('Challenges', 'challenges');
    const allowedFilter = filter('Allowed', 'allowed');
    const metric = (id: string, metricName: string, operation: string): cloudwatch.CfnAlarm.MetricDataQueryProperty => ({
      id,
      returnData: false,
      metricStat: {
        metric: { namespace: STEP_UP_MONITOR_NAMESPACE, metricName, dimensions: [{ name: 'Identity', value: name }, { name: 'Operation', value: operation }] },
        period: this.threshold.periodSeconds,
        stat: 'Sum',
      },
    });
    const alarm = new cloudwatch.CfnAlarm(scope, 'Alarm', {
      alarmDescription: `attestgate: ${name} failed ${this.threshold.failures} or more step-up challenges in ${this.threshold.periodSeconds / 60} min without answering them (operations ${this.operations.join(', ')}). Its routine token may be held by someone who cannot re-attest as the workload.`,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: this.threshold.failures,
      evaluationPeriods: 1,
      treatMissingData: 'notBreaching',
      alarmActions: [this.topic.topicArn],
      metrics: [
        ...this.operations.flatMap((op, i) => [metric(`c${i}`, 'StepUpChallenges', op), metric(`a${i}`, 'StepUpAllowed', op)]),
        { id: 'failures', label: `Unanswered step-up challenges of ${name}`, expression: stepUpFailureExpression(this.operations.length), returnData: true },
      ],
    });
    alarm.node.addDependency(challengeFilter, allowedFilter);
    const watched = { identity: name, challengeFilter, allowedFilter, alarm };
    this.watched.push(watched);
    return watched;
  }
}
