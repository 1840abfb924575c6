import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import { Lazy, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AgentIdentity } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';
import { STEP_UP_EVENT, STEP_UP_FIELDS } from '../step-up/events';
import { DEFAULT_STEP_UP_FAILURE_THRESHOLD, STEP_UP_CHALLENGE_OUTCOMES, StepUpFailureThreshold, checkFailureThreshold, checkMonitoredName } from '../step-up/failure-signal';
import { EVALUATION_FREQUENCIES, SignInMonitor } from './sign-in-monitor';

/** The column of the query's result the rule measures: unanswered challenges per identity. */
export const STEP_UP_FAILURES_COLUMN = 'failures';
/** The query's identity column: the rule's dimension, one alert per identity. */
export const STEP_UP_IDENTITY_COLUMN = 'identity';

const list = (values: readonly string[]) => `(${values.map((v) => `"${v}"`).join(', ')})`;
const member = (name: keyof typeof STEP_UP_FIELDS) => `tostring(e.${STEP_UP_FIELDS[name]})`;

/**
 * The rule's KQL: the guard's JSON lines parsed from `column` of `table`; the watched
 * identities' challenges and successes counted per identity and operation; per operation
 * max(0, challenges − successes); summed per identity. The signal stepUpFailures() computes,
 * written from STEP_UP_FIELDS.
 */
export function stepUpFailureQuery(table: string, column: string, identities: readonly string[], operations: readonly string[]): string {
  return [
    table,
    `| extend e = parse_json(${column})`,
    `| extend ${STEP_UP_IDENTITY_COLUMN} = ${member('identity')}, operation = ${member('operation')}, outcome = ${member('outcome')}`,
    `| where ${member('event')} == "${STEP_UP_EVENT}" and ${STEP_UP_IDENTITY_COLUMN} in ${list(identities)} and operation in ${list(operations)}`,
    `| summarize challenges = countif(outcome in ${list(STEP_UP_CHALLENGE_OUTCOMES)}), allowed = countif(outcome == "allowed") by ${STEP_UP_IDENTITY_COLUMN}, operation`,
    '| extend unanswered = iff(challenges > allowed, challenges - allowed, 0)',
    `| summarize ${STEP_UP_FAILURES_COLUMN} = sum(unanswered) by ${STEP_UP_IDENTITY_COLUMN}`,
  ].join('\n');
}

export interface StepUpMonitorProps {
  /** Where the rule goes. */
  readonly resourceGroupName: string;
  readonly location: string;

  /**
   * The table the resource server's stdout reaches in the workspace, and its string column
   * holding each line: Container Apps `ContainerAppConsoleLogs_CL` / `Log_s` (or
   * `ContainerAppConsoleLogs` / `Log`), App Service `AppServiceConsoleLogs` /
   * `ResultDescription`, or a custom table of the Logs Ingestion API.
   */
  readonly table: string;
  readonly column: string;

  /** The operations whose challenges count: the step-up policy's operations that demand more than `attested` or a `max_age`. At least 1. */
  readonly operations: readonly string[];

  /** Identities watched from the start; `addIdentity` adds more. A SPIFFE ID, a token subject, or an AgentIdentity (its SPIFFE ID). */
  readonly identities?: ReadonlyArray<string | AgentIdentity>;

  /**
   * Unanswered challenges of one identity in one window that raise its alert. The period is the
   * rule's window and frequency: 5, 10, 15, 30, 45 or 60 minutes.
   *
   * @default 3 in 300 seconds: a thief retrying a stolen routine token crosses it within
   *   minutes, while one failure never does. At least 2.
   */
  readonly threshold?: StepUpFailureThreshold;

  /** The Log Analytics workspace the table is in. @default - the stack's SignInMonitor's */
  readonly workspaceId?: string;

  /** The action group to notify. @default - the stack's SignInMonitor's */
  readonly actionGroupId?: string;
}

const nameSafe = (text: string, max: number) => text.replace(/[^A-Za-z0-9-]+/g, '-').slice(0, max);

/**
 * The step-up failure rate per identity on Azure: one scheduled query rule over the guard's
 * decision events in Log Analytics, whose query summarizes per identity and operation, then per
 * identity, and whose criteria alert (dimension `identity`, one alert each) at
 * `threshold.failures` unanswered challenges in the window.
 *
 * Why one query, not a log metric: Azure Monitor has no log-based metrics to subtract; the
 * difference is computed by the query, across every instance whose logs reach the workspace.
 * The identities are in the query, so a subject that was never declared raises nothing.
 */
export class StepUpMonitor extends Construct {
  public readonly threshold: StepUpFailureThreshold;
  public readonly operations: readonly string[];
  public readonly rule: MonitorScheduledQueryRulesAlertV2;
  private readonly watched: string[] = [];
  private readonly where: string;

  constructor(scope: Construct, id: string, props: StepUpMonitorProps) {
    super(scope, id);
    this.where = `StepUpMonitor '${this.node.path}'`;
    const fail = (field: string, value: unknown, problem: string, fix: string): never => {
      throw new AttestGateError({ where: this.where, field, value, problem, fix });
    };
    for (const field of ['table', 'column'] as const) {
      if (typeof props?.[field] !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(props[field])) {
        fail(field, props?.[field], 'is not a Log Analytics table or column name', 'name where the resource server’s stdout lands, e.g. table "ContainerAppConsoleLogs_CL" and column "Log_s"');
      }
    }
    if (!Array.isArray(props.operations) || props.operations.length === 0) fail('operations', props.operations, 'is not a non-empty list of operation names', 'list the step-up operations of the policy, e.g. ["destroy-stack"]');
    this.operations = [...new Set(props.operations.map((o, i) => checkMonitoredName(o, this.where, `operations[${i}]`)))];
    this.threshold = checkFailureThreshold(props.threshold ?? DEFAULT_STEP_UP_FAILURE_THRESHOLD, this.where);
    const minutes = this.threshold.periodSeconds / 60;
    if (!(EVALUATION_FREQUENCIES as readonly number[]).includes(minutes)) {
      fail('threshold.periodSeconds', this.threshold.periodSeconds, `is not a window a scheduled query rule takes (${EVALUATION_FREQUENCIES.join(', ')} minutes)`, 'use 300');
    }
    const signIns = () => SignInMonitor.of(this, { resourceGroupName: props.resourceGroupName, location: props.location });
    const workspaceId = props.workspaceId ?? signIns().workspaceId;
    const actionGroupId = props.actionGroupId ?? signIns().actionGroupId;
    const t = this.threshold;
    this.rule = new MonitorScheduledQueryRulesAlertV2(this, 'Rule', {
      name: nameSafe(`attestgate-step-up-${TerraformStack.of(this).node.id}-${id}`, 260),
      displayName: `attestgate: unanswered step-up challenges per identity (${id})`,
      description: `attestgate: an identity failed ${t.failures} or more step-up challenges in ${minutes} min without answering them (operations ${this.operations.join(', ')}). Its routine token may be held by someone who cannot re-attest as the workload.`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      scopes: [workspaceId],
      severity: 1,
      evaluationFrequency: `PT${minutes}M`,
      windowDuration: `PT${minutes}M`,
      // A custom table exists only once its first record arrives.
      skipQueryValidation: true,
      criteria: [
        {
          query: Lazy.stringValue({ produce: () => stepUpFailureQuery(props.table, props.column, this.watched, this.operations) }),
          timeAggregationMethod: 'Total',
          metricMeasureColumn: STEP_UP_FAILURES_COLUMN,
          operator: 'GreaterThanOrEqual',
          threshold: t.failures,
          dimension: [{ name: STEP_UP_IDENTITY_COLUMN, operator: 'Include', values: ['*'] }],
          failingPeriods: { minimumFailingPeriodsToTriggerAlert: 1, numberOfEvaluationPeriods: 1 },
        },
      ],
      action: { actionGroups: [actionGroupId] },
    });
    this.node.addValidation({
      validate: () => (this.watched.length === 0 ? [`${this.where}: watches no identity; its query would match nothing. Fix: give identities, or call addIdentity`] : []),
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
    if (!this.watched.includes(name)) this.watched.push(name);
    return name;
  }
}
