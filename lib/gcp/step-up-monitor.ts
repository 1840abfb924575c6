import { LoggingMetric } from '@cdktf/provider-google/lib/logging-metric';
import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { Lazy, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AgentIdentity } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';
import { logBasedMetricType } from '../model/gcp/log-based-metric';
import { promQlMetricName } from '../model/gcp/promql';
import { STEP_UP_EVENT, STEP_UP_FIELDS } from '../step-up/events';
import { DEFAULT_STEP_UP_FAILURE_THRESHOLD, STEP_UP_CHALLENGE_OUTCOMES, StepUpFailureThreshold, checkFailureThreshold, checkMonitoredName } from '../step-up/failure-signal';
import { FederationMonitor } from './federation-monitor';

/** A Logging filter may be 20,000 characters. */
export const MAX_LOGGING_FILTER_LENGTH = 20_000;

/** The metric labels the monitor extracts from each decision: what the alert groups by. */
export const STEP_UP_METRIC_LABELS = { identity: 'identity', operation: 'operation' } as const;

const field = (name: keyof typeof STEP_UP_FIELDS) => `jsonPayload.${STEP_UP_FIELDS[name]}`;
const anyOf = (values: readonly string[]) => `(${values.map((v) => `"${v}"`).join(' OR ')})`;

/**
 * The Logging filter of the watched identities' decisions on the watched operations, as Cloud
 * Logging stores the guard's `jsonLines` (a JSON line on stdout becomes the entry's
 * `jsonPayload`): their challenges (`step-up`, `replayed`) or their successes (`allowed`).
 * Written from STEP_UP_FIELDS, so it follows the event the guard writes.
 */
export function stepUpLogFilter(resourceType: string, identities: readonly string[], operations: readonly string[], kind: 'challenges' | 'allowed'): string {
  return [
    `resource.type="${resourceType}"`,
    `${field('event')}="${STEP_UP_EVENT}"`,
    `${field('outcome')}=${anyOf(kind === 'challenges' ? STEP_UP_CHALLENGE_OUTCOMES : ['allowed'])}`,
    `${field('operation')}=${anyOf(operations)}`,
    `${field('identity')}=${anyOf(identities)}`,
  ].join('\n');
}

/**
 * The alert's PromQL: per identity, Σ over operations of max(0, challenges − successes) in the
 * period — the signal stepUpFailures() computes — compared with the threshold. `or C` keeps an
 * operation with challenges and no success at all (the subtraction has no series for it);
 * `clamp_min(…, 0)` keeps an operation with more successes than challenges from offsetting
 * another's failures. One series per identity, so each opens its own incident.
 */
export function stepUpAlertQuery(challengeMetric: string, allowedMetric: string, resourceType: string, threshold: StepUpFailureThreshold): string {
  const count = (metric: string) =>
    `sum by (${STEP_UP_METRIC_LABELS.identity}, ${STEP_UP_METRIC_LABELS.operation}) (increase(${promQlMetricName(logBasedMetricType(metric))}{monitored_resource="${resourceType}"}[${threshold.periodSeconds}s]))`;
  const c = count(challengeMetric);
  return [
    `sum by (${STEP_UP_METRIC_LABELS.identity}) (`,
    '  clamp_min(',
    `    (${c}`,
    `      - on (${STEP_UP_METRIC_LABELS.identity}, ${STEP_UP_METRIC_LABELS.operation}) ${count(allowedMetric)})`,
    `    or ${c},`,
    '    0))',
    `>= ${threshold.failures}`,
  ].join('\n');
}

export interface StepUpMonitorProps {
  /**
   * The monitored resource type of the entries the guard's decisions arrive as — where the
   * resource server runs: `cloud_run_revision`, `k8s_container`, `gce_instance`,
   * `cloud_function`, `gae_app`. Log-based metrics take the type of each entry, and PromQL
   * needs one named (`monitored_resource`) when a metric has several.
   */
  readonly resourceType: string;

  /**
   * The operations whose challenges count: the step-up policy's operations that demand more
   * than `attested` or a `max_age` (routine ones never challenge). At least 1.
   */
  readonly operations: readonly string[];

  /** Identities watched from the start; `addIdentity` adds more. A SPIFFE ID, a token subject, or an AgentIdentity (its SPIFFE ID). */
  readonly identities?: ReadonlyArray<string | AgentIdentity>;

  /**
   * Unanswered challenges of one identity in one period that open an incident.
   *
   * @default 3 in 300 seconds: a thief retrying a stolen routine token crosses it within
   *   minutes, while one failure — a network error between challenge and retry, an agent
   *   stopped mid-way — never does. At least 2.
   */
  readonly threshold?: StepUpFailureThreshold;

  /** @default - the google provider's project */
  readonly project?: string;

  /**
   * Notification channels (`projects/<p>/notificationChannels/<id>`) the alert notifies.
   *
   * @default - the channels of the stack's FederationMonitor for the project (created with its
   *   defaults, a Pub/Sub topic, if the stack has none)
   */
  readonly notificationChannels?: string[];
}

const nameSafe = (text: string, max: number) => text.replace(/[^A-Za-z0-9_]+/g, '_').slice(0, max);

/**
 * The step-up failure rate per identity on GCP: two log-based metrics over the guard's decision
 * events in Cloud Logging — challenges and successes of the watched identities on the watched
 * operations, labelled by identity and operation — and one alert policy whose PromQL condition
 * opens an incident per identity with `threshold.failures` unanswered challenges in the period.
 *
 * Why PromQL and not a threshold condition: the signal is a difference of two metrics per
 * operation, floored at zero, then summed per identity; a threshold condition compares one
 * aligned metric with a constant and cannot subtract (MQL could, but Google deprecated it for
 * new alerting). Cloud Monitoring documents PromQL alerting conditions on any metric, log-based
 * ones included, named `logging_googleapis_com:user_<name>`. The identities are in the filter,
 * so a subject that was never declared creates no series, whatever tokens a trusted issuer signs.
 */
export class StepUpMonitor extends Construct {
  public readonly threshold: StepUpFailureThreshold;
  public readonly operations: readonly string[];
  public readonly resourceType: string;
  public readonly challengeMetric: LoggingMetric;
  public readonly allowedMetric: LoggingMetric;
  public readonly alertPolicy: MonitoringAlertPolicy;
  public readonly notificationChannels: string[];
  private readonly watched: string[] = [];
  private readonly where: string;

  constructor(scope: Construct, id: string, props: StepUpMonitorProps) {
    super(scope, id);
    this.where = `StepUpMonitor '${this.node.path}'`;
    const fail = (field: string, value: unknown, problem: string, fix: string): never => {
      throw new AttestGateError({ where: this.where, field, value, problem, fix });
    };
    if (!props || typeof props.resourceType !== 'string' || !/^[a-z][a-z0-9_]{0,62}$/.test(props.resourceType)) {
      fail('resourceType', props?.resourceType, 'is not a monitored resource type', 'name where the resource server runs and its stdout reaches Cloud Logging, e.g. "cloud_run_revision" or "k8s_container"');
    }
    if (!Array.isArray(props.operations) || props.operations.length === 0) {
      fail('operations', props.operations, 'is not a non-empty list of operation names', 'list the step-up operations of the policy, e.g. ["destroy-stack"]');
    }
    this.operations = [...new Set(props.operations.map((o, i) => checkMonitoredName(o, this.where, `operations[${i}]`)))];
    this.threshold = checkFailureThreshold(props.threshold ?? DEFAULT_STEP_UP_FAILURE_THRESHOLD, this.where);
    this.resourceType = props.resourceType;
    this.notificationChannels = props.notificationChannels ?? FederationMonitor.of(this, props.project).notificationChannels;
    if (this.notificationChannels.length === 0) fail('notificationChannels', props.notificationChannels, 'is empty: the alert would notify no one', 'give at least one channel, or leave it out to use the FederationMonitor’s');

    const base = `attestgate/${nameSafe(TerraformStack.of(this).node.id, 40)}/${nameSafe(id, 40)}`;
    const metricName = (kind: 'challenges' | 'allowed') => `${base}/step_up_${kind}`;
    const metric = (metricId: string, kind: 'challenges' | 'allowed', description: string) =>
      new LoggingMetric(this, metricId, {
        project: props.project,
        name: metricName(kind),
        description,
        filter: Lazy.stringValue({ produce: () => stepUpLogFilter(this.resourceType, this.watched, this.operations, kind) }),
        labelExtractors: { [STEP_UP_METRIC_LABELS.identity]: `EXTRACT(${field('identity')})`, [STEP_UP_METRIC_LABELS.operation]: `EXTRACT(${field('operation')})` },
        metricDescriptor: {
          metricKind: 'DELTA',
          valueType: 'INT64',
          unit: '1',
          labels: [
            { key: STEP_UP_METRIC_LABELS.identity, valueType: 'STRING', description: 'The verified identity (token subject)' },
            { key: STEP_UP_METRIC_LABELS.operation, valueType: 'STRING', description: 'The step-up operation' },
          ],
        },
      });
    this.challengeMetric = metric('Challenges', 'challenges', 'attestgate: step-up challenges (insufficient_user_authentication, or a replayed fresh token) of the watched identities, per identity and operation');
    this.allowedMetric = metric('Allowed', 'allowed', 'attestgate: step-up operations allowed to the watched identities, per identity and operation');
    const t = this.threshold;
    this.alertPolicy = new MonitoringAlertPolicy(this, 'Alert', {
      project: props.project,
      displayName: `attestgate: unanswered step-up challenges per identity (${base})`,
      combiner: 'OR',
      severity: 'ERROR',
      notificationChannels: this.notificationChannels,
      documentation: {
        content: `An identity (label \`identity\`) failed ${t.failures} or more step-up challenges in ${t.periodSeconds / 60} min without answering them (operations ${this.operations.join(', ')}). Its routine token may be held by someone who cannot re-attest as the workload.`,
        mimeType: 'text/markdown',
      },
      alertStrategy: { autoClose: '1800s' },
      conditions: [
        {
          displayName: 'Unanswered step-up challenges of one identity',
          conditionPrometheusQueryLanguage: {
            query: stepUpAlertQuery(metricName('challenges'), metricName('allowed'), this.resourceType, t),
            duration: '0s',
            evaluationInterval: '60s',
          },
        },
      ],
      // A PromQL condition is validated against the metrics: they must exist first.
      dependsOn: [this.challengeMetric, this.allowedMetric],
    });
    this.node.addValidation({
      validate: () => (this.watched.length === 0 ? [`${this.where}: watches no identity; its metric filters would match nothing. Fix: give identities, or call addIdentity`] : []),
    });
    for (const identity of props.identities ?? []) this.addIdentity(identity);
  }

  /** The identities watched so far. */
  public get identities(): readonly string[] {
    return [...this.watched];
  }

  /** Watches an identity: its challenges and successes on the operations are counted, and alerted. */
  public addIdentity(identity: string | AgentIdentity): string {
    const name = checkMonitoredName(identity instanceof AgentIdentity ? identity.spiffeId.toString() : identity, this.where, 'identity');
    if (this.watched.includes(name)) return name;
    const length = stepUpLogFilter(this.resourceType, [...this.watched, name], this.operations, 'challenges').length;
    if (length > MAX_LOGGING_FILTER_LENGTH) {
      throw new AttestGateError({ where: this.where, field: 'identity', value: name, problem: `would make the metrics' Logging filter ${length} characters, over the ${MAX_LOGGING_FILTER_LENGTH} Logging allows`, fix: 'watch the other identities with another StepUpMonitor' });
    }
    this.watched.push(name);
    return name;
  }
}
