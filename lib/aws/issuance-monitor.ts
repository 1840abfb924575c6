import { Annotations, ArnFormat, Aspects, Duration, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { AttestGateError } from '../core/errors';
import { SignalMonitoring } from '../core/signal-monitoring';
import { MonitoringBill, monitoringBillNote } from '../model/aws/monitoring-billing';
import { ROLES_ANYWHERE_SERVICE } from '../model/aws/roles-anywhere';
import { SignalTopic } from './signal-topic';
import { CachedLogicalIdCfnAlarm } from './private/cached-logical-id';

/** The detail-type of every CloudTrail record EventBridge receives. */
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** The CloudWatch namespace of the per-identity CreateSession metrics. */
export const ISSUANCE_MONITOR_NAMESPACE = 'attestgate/IssuanceMonitor';

/**
 * Roles per EventBridge rule. PutRule caps a pattern at 4096 characters; each role is one
 * `equals-ignore-case` entry of up to ~230 characters (a 200-character ARN), so 12 roles and the
 * rest of the pattern stay under the cap. More roles get more rules.
 */
export const ROLES_PER_RULE = 12;

/** IAM calls that change who may assume a role, or what it may do once assumed. */
export const IAM_ROLE_CHANGE_EVENTS = [
  'UpdateAssumeRolePolicy',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'PutRolePolicy',
  'DeleteRolePolicy',
  'PutRolePermissionsBoundary',
  'DeleteRolePermissionsBoundary',
  'UpdateRole',
  'DeleteRole',
] as const;

/**
 * Roles Anywhere calls that change which certificates can get sessions: trust anchors (a new CA),
 * profiles (which roles, how long), attribute mappings (which certificate fields become the tags
 * the trust policy checks), CRLs (what is revoked) and expiry notifications.
 */
export const ROLES_ANYWHERE_CHANGE_EVENTS = [
  'CreateTrustAnchor',
  'UpdateTrustAnchor',
  'DeleteTrustAnchor',
  'EnableTrustAnchor',
  'DisableTrustAnchor',
  'CreateProfile',
  'UpdateProfile',
  'DeleteProfile',
  'EnableProfile',
  'DisableProfile',
  'PutAttributeMapping',
  'DeleteAttributeMapping',
  'ImportCrl',
  'UpdateCrl',
  'DeleteCrl',
  'EnableCrl',
  'DisableCrl',
  'PutNotificationSettings',
  'ResetNotificationSettings',
] as const;

/** IAM role names are unique regardless of case, so a role is matched regardless of case too. */
const ignoringCase = (values: readonly string[]) => values.map((value) => ({ 'equals-ignore-case': value }));

/**
 * AssumeRole, AssumeRoleWithSAML or AssumeRoleWithWebIdentity of a gated role not performed by
 * Roles Anywhere: credentials issued (`errorCode` absent) or attempted (present) without the
 * certificate. `anything-but` does not match an absent field, and an IAM user's or a role's
 * record has no `invokedBy`, hence the `$or` with `exists: false`.
 */
export function unattestedAssumeRolePattern(roleArns: readonly string[], outcome: 'issued' | 'attempted'): Record<string, unknown> {
  return {
    source: ['aws.sts'],
    'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
    detail: {
      eventSource: ['sts.amazonaws.com'],
      eventName: [{ prefix: 'AssumeRole' }],
      requestParameters: { roleArn: ignoringCase(roleArns) },
      errorCode: [{ exists: outcome === 'attempted' }],
      $or: [{ userIdentity: { invokedBy: [{ 'anything-but': ROLES_ANYWHERE_SERVICE }] } }, { userIdentity: { invokedBy: [{ exists: false }] } }],
    },
  };
}

/** A change to a gated role's trust policy, permissions, boundary or session length (IAM, us-east-1). */
export function gatedRoleChangePattern(roleNames: readonly string[]): Record<string, unknown> {
  return {
    source: ['aws.iam'],
    'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
    detail: { eventSource: ['iam.amazonaws.com'], eventName: [...IAM_ROLE_CHANGE_EVENTS], requestParameters: { roleName: ignoringCase(roleNames) } },
  };
}

/**
 * Any Roles Anywhere configuration change in the account and Region. UpdateCrl by a CRL import
 * function is its routine work and is left out — by that function's role only, and a record
 * without a session issuer (an IAM user) still matches.
 */
export function rolesAnywhereChangePattern(crlUpdaterRoleArns: readonly string[]): Record<string, unknown> {
  const base = { source: ['aws.rolesanywhere'], 'detail-type': [CLOUDTRAIL_DETAIL_TYPE] };
  if (crlUpdaterRoleArns.length === 0) {
    return { ...base, detail: { eventSource: [ROLES_ANYWHERE_SERVICE], eventName: [...ROLES_ANYWHERE_CHANGE_EVENTS] } };
  }
  const issuer = (matcher: unknown) => ({ eventName: ['UpdateCrl'], userIdentity: { sessionContext: { sessionIssuer: { arn: [matcher] } } } });
  return {
    ...base,
    detail: {
      eventSource: [ROLES_ANYWHERE_SERVICE],
      $or: [{ eventName: ROLES_ANYWHERE_CHANGE_EVENTS.filter((e) => e !== 'UpdateCrl') }, issuer({ 'anything-but': [...crlUpdaterRoleArns] }), issuer({ exists: false })],
    },
  };
}

/**
 * Every Roles Anywhere CreateSession naming a gated role, successful or not. The eventSource
 * filter matters: S3 Express One Zone logs a `CreateSession` of its own.
 */
export function createSessionPattern(roleArns: readonly string[]): Record<string, unknown> {
  return {
    source: ['aws.rolesanywhere'],
    'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
    detail: { eventSource: [ROLES_ANYWHERE_SERVICE], eventName: ['CreateSession'], requestParameters: { roleArn: ignoringCase(roleArns) } },
  };
}

/**
 * The former AWS name of SignalMonitoring, which every cloud's gate takes (`forHighPrivilege()`,
 * `enabled()`, `disabled(reason)`): one name per thing.
 *
 * @deprecated use SignalMonitoring
 */
export const IssuanceMonitoring = SignalMonitoring;
/** @deprecated use SignalMonitoring */
export type IssuanceMonitoring = SignalMonitoring;

export interface IssuanceMonitorProps {
  /**
   * Where alarms and detections go.
   *
   * @default - the stack's SignalTopic (encrypted, TLS only)
   */
  readonly topic?: sns.ITopic;

  /**
   * Failed CreateSession calls for one role within `evaluationPeriod` that raise its alarm.
   *
   * @default 1
   */
  readonly failuresPerIdentityThreshold?: number;

  /**
   * Failed CreateSession calls in the account and Region (AWS/RolesAnywhere Failure) within
   * `evaluationPeriod` that raise the account-wide alarm.
   *
   * @default 1
   */
  readonly accountFailureThreshold?: number;

  /** @default Duration.minutes(5) */
  readonly evaluationPeriod?: Duration;

  /**
   * How long the CreateSession records of gated roles are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** A role the monitor watches. */
export interface MonitoredRole {
  readonly roleArn: string;
  readonly roleName: string;
  /** Raised when CreateSession for this role fails `failuresPerIdentityThreshold` times in a period. */
  readonly failureAlarm: cloudwatch.CfnAlarm;
}

/** The registrations of one stack: its monitor and the roles allowed to UpdateCrl routinely. */
interface StackRegistry {
  monitor?: IssuanceMonitor;
  readonly crlUpdaters: string[];
}
const registries = new WeakMap<Stack, StackRegistry>();
const registryOf = (scope: IConstruct): StackRegistry => {
  const stack = Stack.of(scope);
  let registry = registries.get(stack);
  if (!registry) registries.set(stack, (registry = { crlUpdaters: [] }));
  return registry;
};

/** A CloudWatch Logs log group as a rule target, with no custom resource (the stock target brings one). */
class LogGroupTarget implements events.IRuleTarget {
  constructor(private readonly logGroup: logs.LogGroup) {}

  public bind(): events.RuleTargetConfig {
    // EventBridge wants the log group ARN without the `:*` suffix GetAtt Arn carries.
    return { arn: Stack.of(this.logGroup).formatArn({ service: 'logs', resource: 'log-group', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: this.logGroup.logGroupName }) };
  }
}

/** The rules of up to ROLES_PER_RULE roles. */
interface RoleChunk {
  readonly roleArns: string[];
  readonly roleNames: string[];
}

/**
 * Tells someone when a gated role is used or changed outside the gate. One per stack
 * (`IssuanceMonitor.of(stack)`); AttestedRole registers high-privilege identities by default,
 * `addRole` registers any other role (a brownfield `CfnRole`, an imported `iam.IRole`).
 *
 * For the roles it watches, EventBridge rules on CloudTrail records notify the topic of:
 * - **unattested issuance**: an AssumeRole* of the role not performed by Roles Anywhere —
 *   credentials issued without the certificate (and, in a second rule, denied attempts);
 * - **gate changes**: IAM changes to the role's trust policy, policies, boundary or session
 *   length; any Roles Anywhere trust-anchor, profile, attribute-mapping, CRL or notification
 *   change in the account and Region (UpdateCrl by a CrlImportSchedule excepted).
 * CloudWatch alarms cover failed issuance:
 * - per role, failed CreateSession calls (a metric filter over the role's CreateSession records,
 *   dimension RoleArn — one role per identity, so this is the per-identity failure count);
 * - account-wide, `AWS/RolesAnywhere` `Failure` for CreateSession. That metric has no trust-anchor
 *   dimension (only Operation and ErrorType), so no finer alarm is possible from it.
 *
 * EventBridge receives CloudTrail records only while a trail logs management events, and IAM
 * records (and STS calls to the global endpoint) arrive in us-east-1 only: watch the same roles
 * from a stack in us-east-1 too (`addRole` by ARN), or route those events here.
 */
export class IssuanceMonitor extends Construct {
  /** The stack's monitor, created with defaults on first use. */
  public static of(scope: IConstruct): IssuanceMonitor {
    return registryOf(scope).monitor ?? new IssuanceMonitor(Stack.of(scope), 'AttestgateIssuanceMonitor');
  }

  /**
   * Lets a role call UpdateCrl without a notification — the CRL import function's role, whose
   * every update is verified first. Every other UpdateCrl is still reported.
   */
  public static allowCrlUpdatesBy(scope: IConstruct, roleArn: string): void {
    registryOf(scope).crlUpdaters.push(roleArn);
  }

  public readonly topic: sns.ITopic;
  /** The CreateSession records of watched roles, as EventBridge delivered them. */
  public readonly createSessionLog: logs.LogGroup;
  /** `AWS/RolesAnywhere` `Failure` (CreateSession) in the account and Region. */
  public readonly accountFailureAlarm: cloudwatch.Alarm;
  /** Any Roles Anywhere configuration change. */
  public readonly rolesAnywhereChangeRule: events.Rule;
  private readonly monitored: MonitoredRole[] = [];
  /** The same roles by ARN: a stack's roles are added one by one, each looked up first. */
  private readonly monitoredByArn = new Map<string, MonitoredRole>();
  private readonly chunks: RoleChunk[] = [];
  private readonly rulesOfChunks: events.Rule[] = [];
  private readonly failureThreshold: number;
  private readonly period: Duration;

  constructor(scope: Construct, id: string, props: IssuanceMonitorProps = {}) {
    super(scope, id);
    const where = `IssuanceMonitor '${this.node.path}'`;
    const registry = registryOf(this);
    if (registry.monitor) {
      throw new AttestGateError({
        where,
        field: 'construction',
        value: registry.monitor.node.path,
        problem: 'is a second IssuanceMonitor in this stack; a stack has one, shared by its roles',
        fix: 'create yours before the first high-privilege AttestedRole, or use IssuanceMonitor.of(stack)',
      });
    }
    registry.monitor = this;
    this.period = props.evaluationPeriod ?? Duration.minutes(5);
    const seconds = this.period.toSeconds();
    if (seconds < 60 || seconds % 60 !== 0 || seconds > 86_400) {
      throw new AttestGateError({ where, field: 'evaluationPeriod', value: `${seconds} s`, problem: 'is not a whole number of minutes from 1 minute to 1 day', fix: 'use e.g. Duration.minutes(5)' });
    }
    this.failureThreshold = positiveInteger(where, 'failuresPerIdentityThreshold', props.failuresPerIdentityThreshold ?? 1);
    const accountThreshold = positiveInteger(where, 'accountFailureThreshold', props.accountFailureThreshold ?? 1);
    this.topic = props.topic ?? SignalTopic.of(this).topic;
    const action = new cwActions.SnsAction(this.topic);

    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region) || stack.region !== 'us-east-1') {
      Annotations.of(this).addWarningV2(
        '@attestgate/aws:globalEventsInUsEast1',
        'IAM changes to gated roles, and AssumeRole calls to the global STS endpoint, reach EventBridge in us-east-1 only. ' +
          `This stack's region is ${Token.isUnresolved(stack.region) ? 'decided at deployment' : stack.region}: watch the same roles from an IssuanceMonitor in a us-east-1 stack (addRole with iam.Role.fromRoleArn), or route those events here.`,
      );
    }

    // EventBridge requires a CloudWatch Logs target's name to start with /aws/events/.
    this.createSessionLog = new logs.LogGroup(this, 'CreateSessionLog', {
      logGroupName: `/aws/events/attestgate/${stack.stackName}/create-session`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    this.createSessionLog.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.createSessionLog.logGroupArn],
      }),
    );
    const roleArnDimension = { RoleArn: '$.detail.requestParameters.roleArn' };
    this.createSessionLog.addMetricFilter('Calls', {
      metricNamespace: ISSUANCE_MONITOR_NAMESPACE,
      metricName: 'CreateSessionCalls',
      filterPattern: logs.FilterPattern.stringValue('$.detail.eventName', '=', 'CreateSession'),
      metricValue: '1',
      dimensions: roleArnDimension,
    });
    this.createSessionLog.addMetricFilter('Failures', {
      metricNamespace: ISSUANCE_MONITOR_NAMESPACE,
      metricName: 'CreateSessionFailures',
      filterPattern: logs.FilterPattern.all(logs.FilterPattern.stringValue('$.detail.eventName', '=', 'CreateSession'), logs.FilterPattern.exists('$.detail.errorCode')),
      metricValue: '1',
      dimensions: roleArnDimension,
    });

    this.accountFailureAlarm = new cloudwatch.MathExpression({
      // Metrics Insights sums Failure over every ErrorType; the metric has no TrustAnchorArn dimension.
      expression: `SELECT SUM(Failure) FROM SCHEMA("AWS/RolesAnywhere", ErrorType, Operation) WHERE Operation = 'CreateSession'`,
      label: 'Roles Anywhere CreateSession failures',
      period: this.period,
      usingMetrics: {},
    }).createAlarm(this, 'AccountFailureAlarm', {
      alarmDescription: 'attestgate: Roles Anywhere refused CreateSession in this account and Region (AWS/RolesAnywhere Failure). Someone presented a certificate that is not attested: wrong CA, revoked, expired, or a bad signature.',
      threshold: accountThreshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.accountFailureAlarm.addAlarmAction(action);

    this.rolesAnywhereChangeRule = this.cloudTrailRule(this, 'RolesAnywhereChanged', 'attestgate: a Roles Anywhere trust anchor, profile, attribute mapping, CRL or notification setting changed', () =>
      rolesAnywhereChangePattern(registry.crlUpdaters),
    );
    this.rolesAnywhereChangeRule.addTarget(new targets.SnsTopic(this.topic));

    // Said at synth, when every role has registered: one alarm per role is a monthly bill that
    // grows with the identities, and whoever declares 1,000 of them should see it before deploying.
    Aspects.of(this).add({
      visit: (node) => {
        if (node === this) Annotations.of(this).addInfo(monitoringBillNote(`IssuanceMonitor '${this.node.path}'`, this.bill));
      },
    });
  }

  /** What the monitor adds that AWS bills monthly, for the roles watched so far. */
  public get bill(): MonitoringBill {
    const roles = this.monitored.length;
    return {
      identities: roles,
      singleMetricAlarms: roles,
      metricsInsightsAlarms: 1,
      // CreateSessionCalls and CreateSessionFailures, each by RoleArn: the log group receives the records of watched roles only.
      metricFilters: 2,
      customMetricsAtMost: 2 * roles,
      eventRules: this.rules.length,
      logGroups: 1,
    };
  }

  /** The roles watched so far. */
  public get roles(): readonly MonitoredRole[] {
    return this.monitored;
  }

  /** Every EventBridge rule of the monitor. */
  public get rules(): readonly events.Rule[] {
    return [this.rolesAnywhereChangeRule, ...this.rulesOfChunks];
  }

  /**
   * Watches a role: unattested AssumeRole, changes to it, and its failed CreateSession calls.
   * Give a brownfield `iam.CfnRole`, any `iam.IRole` (`iam.Role.fromRoleArn` for a role of
   * another stack), or an AttestedRole (done for high-privilege identities by default).
   */
  public addRole(role: iam.IRole | iam.CfnRole): MonitoredRole {
    const roleArn = role instanceof iam.CfnRole ? role.attrArn : role.roleArn;
    const roleName = role instanceof iam.CfnRole ? role.ref : role.roleName;
    const existing = this.monitoredByArn.get(roleArn);
    if (existing) return existing;

    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || chunk.roleArns.length >= ROLES_PER_RULE) chunk = this.openChunk();
    chunk.roleArns.push(roleArn);
    chunk.roleNames.push(roleName);

    // An L1 alarm: the L2 Alarm costs ~0.5 ms more synth per role (measured at 100 identities).
    // Its logical ID, a hash of its path, is computed once per synth (see CachedLogicalIdCfnAlarm).
    const failureAlarm = new CachedLogicalIdCfnAlarm(this, `FailureAlarm${Names.uniqueId(role)}`, {
      alarmDescription: `attestgate: Roles Anywhere refused CreateSession for ${roleArn}: a certificate for this identity was refused (wrong CA, revoked, expired, wrong subject) — a stolen or forged credential may be being tried.`,
      namespace: ISSUANCE_MONITOR_NAMESPACE,
      metricName: 'CreateSessionFailures',
      dimensions: [{ name: 'RoleArn', value: roleArn }],
      statistic: 'Sum',
      period: this.period.toSeconds(),
      threshold: this.failureThreshold,
      evaluationPeriods: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [this.topic.topicArn],
    });
    const monitoredRole = { roleArn, roleName, failureAlarm };
    this.monitored.push(monitoredRole);
    this.monitoredByArn.set(roleArn, monitoredRole);
    return monitoredRole;
  }

  private openChunk(): RoleChunk {
    const chunk: RoleChunk = { roleArns: [], roleNames: [] };
    this.chunks.push(chunk);
    const scope = new Construct(this, `Roles${this.chunks.length}`);
    const topicTarget = new targets.SnsTopic(this.topic);
    const issued = this.cloudTrailRule(scope, 'UnattestedIssuance', 'attestgate: credentials were issued for a gated role without Roles Anywhere — no certificate was checked', () =>
      unattestedAssumeRolePattern(chunk.roleArns, 'issued'),
    );
    const attempted = this.cloudTrailRule(scope, 'UnattestedAttempt', 'attestgate: someone tried to assume a gated role without Roles Anywhere (denied)', () =>
      unattestedAssumeRolePattern(chunk.roleArns, 'attempted'),
    );
    const changed = this.cloudTrailRule(scope, 'GatedRoleChanged', 'attestgate: the trust policy, permissions or session length of a gated role changed', () => gatedRoleChangePattern(chunk.roleNames));
    for (const rule of [issued, attempted, changed]) rule.addTarget(topicTarget);
    const sessions = this.cloudTrailRule(scope, 'CreateSessionRecords', 'attestgate: CreateSession records of gated roles, for the per-identity failure metrics', () => createSessionPattern(chunk.roleArns));
    sessions.addTarget(new LogGroupTarget(this.createSessionLog));
    this.rulesOfChunks.push(issued, attempted, changed, sessions);
    return chunk;
  }

  /**
   * An EventBridge rule over CloudTrail records. Its pattern is rendered at synth, when every
   * role has registered. Its state includes read-only management events: EventBridge classes
   * STS AssumeRole among them (its documentation's example for that state is AssumeRole), and
   * a rule in the plain ENABLED state would never see it.
   */
  private cloudTrailRule(scope: Construct, id: string, description: string, pattern: () => Record<string, unknown>): events.Rule {
    const initial = pattern();
    const rule = new events.Rule(scope, id, {
      description,
      eventPattern: { source: initial.source as string[], detailType: [CLOUDTRAIL_DETAIL_TYPE] },
    });
    const cfn = rule.node.defaultChild as events.CfnRule;
    cfn.eventPattern = Lazy.any({ produce: pattern });
    cfn.state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
    return rule;
  }
}

function positiveInteger(where: string, field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new AttestGateError({ where, field, value, problem: 'is not a positive whole number', fix: 'use 1 to alarm on the first failure' });
  }
  return value;
}
