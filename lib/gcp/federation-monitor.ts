import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { IamWorkloadIdentityPoolProvider } from '@cdktf/provider-google/lib/iam-workload-identity-pool-provider';
import { LoggingMetric } from '@cdktf/provider-google/lib/logging-metric';
import { MonitoringAlertPolicy, MonitoringAlertPolicyConditions } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import { ProjectIamAuditConfig } from '@cdktf/provider-google/lib/project-iam-audit-config';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Annotations, Lazy, TerraformResource, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { MIN_REASON_LENGTH } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';

/** The STS method every token exchange is logged under (v1, and the v1beta clients still call). */
export const STS_EXCHANGE_METHODS = ['google.identity.sts.v1.SecurityTokenService.ExchangeToken', 'google.identity.sts.v1beta.SecurityTokenService.ExchangeToken'] as const;

/**
 * IAM Credentials methods that hand out a credential of a service account. The audit catalog
 * names them bare (`GenerateAccessToken`); some entries carry the qualified gRPC name, so both.
 */
export const CREDENTIAL_METHODS = ['GenerateAccessToken', 'GenerateIdToken', 'SignBlob', 'SignJwt'].flatMap((m) => [m, `google.iam.credentials.v1.IAMCredentials.${m}`]);

/** IAM admin methods that let someone obtain a service account's credentials without its gate. */
export const SERVICE_ACCOUNT_BYPASS_METHODS = [
  'google.iam.admin.v1.SetIAMPolicy',
  'google.iam.admin.v1.CreateServiceAccountKey',
  'google.iam.admin.v1.UploadServiceAccountKey',
  'google.iam.admin.v1.EnableServiceAccountKey',
  'google.iam.admin.v1.UndeleteServiceAccount',
  'google.iam.admin.v1.EnableServiceAccount',
] as const;

/**
 * Watched service accounts (or providers) per log-match alert policy. A Logging filter may be
 * 20,000 characters; one account's clause is ~400 once Terraform fills in its email and the
 * principal, so 20 accounts and the rest of the filter stay well under.
 */
export const WATCHED_PER_POLICY = 20;

/** Data Access audit logs the signals need; Admin Activity logs are always on. */
export const AUDIT_LOG_SERVICES: ReadonlyArray<{ readonly service: string; readonly logTypes: readonly string[] }> = [
  // ExchangeToken is an ADMIN_READ method.
  { service: 'sts.googleapis.com', logTypes: ['ADMIN_READ'] },
  // iamcredentials logs cannot be enabled on their own: they follow iam.googleapis.com. Google's
  // catalogs disagree on whether GenerateAccessToken is ADMIN_READ or DATA_READ, so both.
  { service: 'iam.googleapis.com', logTypes: ['ADMIN_READ', 'DATA_READ'] },
];

const quote = (value: string) => `"${value}"`;
const anyOf = (values: readonly string[]) => `(${values.map(quote).join(' OR ')})`;

/** Failed STS token exchanges (any provider of the project), labelled by provider. */
export function exchangeFailureFilter(): string {
  return ['protoPayload.serviceName="sts.googleapis.com"', `protoPayload.methodName=${anyOf(STS_EXCHANGE_METHODS)}`, 'protoPayload.status.code>0'].join('\n');
}

/** Refused requests for a service account's credentials (any account of the project), labelled by account. */
export function impersonationFailureFilter(): string {
  return ['protoPayload.serviceName="iamcredentials.googleapis.com"', `protoPayload.methodName=${anyOf(CREDENTIAL_METHODS)}`, 'protoPayload.status.code>0'].join('\n');
}

/** A service account the monitor watches, and the one principal its gate lets through. */
export interface WatchedServiceAccount {
  readonly email: string;
  readonly principal: string;
}

/**
 * Credentials of a watched service account issued, or made issuable, outside its gate: a
 * successful credential call by any principal but the gate's, or an IAM change that lets
 * someone do that (policy, key, re-enabled account).
 */
export function serviceAccountBypassFilter(accounts: readonly WatchedServiceAccount[]): string {
  const issued = accounts.map((a) => `(resource.labels.email_id=${quote(a.email)} AND NOT protoPayload.authenticationInfo.principalSubject=${quote(a.principal)})`);
  return [
    '(',
    '  protoPayload.serviceName="iamcredentials.googleapis.com"',
    `  protoPayload.methodName=${anyOf(CREDENTIAL_METHODS)}`,
    '  NOT protoPayload.status.code>0',
    `  (${issued.join(' OR ')})`,
    ') OR (',
    '  protoPayload.serviceName="iam.googleapis.com"',
    `  protoPayload.methodName=${anyOf(SERVICE_ACCOUNT_BYPASS_METHODS)}`,
    `  resource.labels.email_id=${anyOf(accounts.map((a) => a.email))}`,
    ')',
  ].join('\n');
}

/**
 * A change to a watched pool or provider: created, updated, deleted or restored — including a
 * second provider added to the pool, whose principals then match the pool's bindings too.
 * Regexes use `[.]`, not `\.`: the filter is Terraform JSON, then a quoted Logging string.
 */
export function gateChangeFilter(poolIds: readonly string[]): string {
  return [
    'protoPayload.serviceName="iam.googleapis.com"',
    'protoPayload.methodName=~"^google[.]iam[.]v1[.]WorkloadIdentityPools[.](Create|Update|Delete|Undelete)WorkloadIdentityPool"',
    `protoPayload.resourceName=~"/workloadIdentityPools/(${poolIds.join('|')})(/|$)"`,
  ].join('\n');
}

export interface FederationMonitorProps {
  /**
   * The project whose audit logs are watched: where the gates' pools and service accounts are.
   *
   * @default - the google provider's project
   */
  readonly project?: string;

  /**
   * Existing notification channels (`projects/<p>/notificationChannels/<id>`) to notify.
   *
   * @default - none; see `email`, else a Pub/Sub topic is created
   */
  readonly notificationChannels?: string[];

  /**
   * An address to notify by email (a channel is created for it).
   *
   * @default - none; without channels either, a Pub/Sub topic `attestgate-signals-<stack>` is
   *   created and notified — subscribe to it
   */
  readonly email?: string;

  /**
   * Failures within `evaluationPeriodSeconds` at one provider (or for one service account) that
   * raise an alert.
   *
   * @default 1
   */
  readonly failuresPerIdentityThreshold?: number;

  /** A whole number of minutes, in seconds, from 60 to 86,400. @default 300 */
  readonly evaluationPeriodSeconds?: number;

  /**
   * Why the monitor must not write the project's Data Access audit configuration for
   * sts.googleapis.com and iam.googleapis.com (at least 10 characters) — e.g. it is set at the
   * organization, or by another configuration. `google_project_iam_audit_config` is
   * authoritative per service: it would replace that configuration's exemptions.
   *
   * @default - the monitor enables ADMIN_READ (and, for IAM, DATA_READ) logs on the project
   */
  readonly auditLogsConfiguredElsewhereReason?: string;
}

/** The log-match policy of up to WATCHED_PER_POLICY watched things, and what it watches. */
interface Chunk<T> {
  readonly items: T[];
  readonly policy: MonitoringAlertPolicy;
}

const registries = new WeakMap<TerraformStack, Map<string, FederationMonitor>>();
const registryOf = (scope: IConstruct): Map<string, FederationMonitor> => {
  const stack = TerraformStack.of(scope);
  let registry = registries.get(stack);
  if (!registry) registries.set(stack, (registry = new Map()));
  return registry;
};
const projectKey = (project: string | undefined) => project ?? '';

/**
 * `${type.name.attribute}` of a resource of the monitor's stack: what cdktf writes for the
 * attribute's token, without the token — each token captures a full stack trace, which at 100
 * gates cost more than the rest of the monitor. A resource of another stack keeps its token, so
 * cdktf can wire the cross-stack reference.
 */
function referenceTo(stack: TerraformStack, resource: TerraformResource, attribute: string, token: () => string): string {
  return TerraformStack.of(resource) === stack ? `\${${resource.terraformResourceType}.${resource.friendlyUniqueId}.${attribute}}` : token();
}

/** Names of metrics, topics and policies: unique per stack, within the characters GCP allows. */
const nameSafe = (text: string, max: number) => text.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, max);

/**
 * Tells someone when a gated identity's credentials are refused, issued outside the gate, or the
 * gate changes — from the project's Cloud Audit Logs. One per stack and project
 * (`FederationMonitor.of(scope, project)`); AttestedWorkloadIdentityProvider and
 * AttestedServiceAccount register high-privilege identities by default; `addProvider` and
 * `addServiceAccount` register any other (brownfield) provider or service account.
 *
 * It creates:
 * - Data Access audit logs for sts.googleapis.com (ADMIN_READ: ExchangeToken) and
 *   iam.googleapis.com (which carries iamcredentials.googleapis.com), unless configured elsewhere;
 * - log-based metrics of failed token exchanges, labelled by provider (the entry's
 *   `resourceName`), and of refused credential calls, labelled by service account — with an alert
 *   policy each, one time series per provider or account: the per-identity failure rate;
 * - per 20 watched service accounts, a log-match alert on credentials issued to any principal
 *   but the gate's (a token without the attested credential), and on new keys, IAM policy changes
 *   and re-enabling of those accounts;
 * - per 20 watched providers, a log-match alert on their pools, and providers in them, created, changed, deleted or
 *   restored in them;
 * - the notification channel: the ones given, an email channel, or a Pub/Sub topic.
 *
 * The metrics count every provider and service account of the project, not only gated ones.
 */
export class FederationMonitor extends Construct {
  /** The monitor of a project in the stack, created with defaults on first use. */
  public static of(scope: IConstruct, project?: string): FederationMonitor {
    const registry = registryOf(scope);
    const existing = registry.get(projectKey(project));
    if (existing) return existing;
    const stack = TerraformStack.of(scope);
    return new FederationMonitor(stack, `AttestgateFederationMonitor${registry.size === 0 ? '' : registry.size + 1}`, { project });
  }

  public readonly project?: string;
  /** The project the monitor reads its ID and number from. */
  public readonly projectData: DataGoogleProject;
  /** The Data Access audit configuration written, unless configured elsewhere. */
  public readonly auditConfigs: ProjectIamAuditConfig[] = [];
  public readonly exchangeFailureMetric: LoggingMetric;
  public readonly impersonationFailureMetric: LoggingMetric;
  public readonly exchangeFailureAlert: MonitoringAlertPolicy;
  public readonly impersonationFailureAlert: MonitoringAlertPolicy;
  /** What every alert notifies. */
  public readonly notificationChannels: string[];
  /** The Pub/Sub topic notified when no channel or email is given. */
  public readonly topic?: PubsubTopic;
  private readonly accountChunks: Array<Chunk<WatchedServiceAccount>> = [];
  private readonly poolChunks: Array<Chunk<string>> = [];
  private readonly providers = new Set<IamWorkloadIdentityPoolProvider>();
  private readonly accounts = new Set<ServiceAccount>();
  private readonly stackName: string;

  constructor(scope: Construct, id: string, props: FederationMonitorProps = {}) {
    super(scope, id);
    const where = `FederationMonitor '${this.node.path}'`;
    const registry = registryOf(this);
    const key = projectKey(props.project);
    const existing = registry.get(key);
    if (existing) {
      throw new AttestGateError({
        where,
        field: 'project',
        value: props.project ?? '(the provider default)',
        problem: `already has a FederationMonitor in this stack (${existing.node.path}); a stack has one per project, shared by its gates`,
        fix: 'create yours before the first high-privilege gate, or use FederationMonitor.of(stack, project)',
      });
    }
    const threshold = props.failuresPerIdentityThreshold ?? 1;
    if (!Number.isInteger(threshold) || threshold < 1) {
      throw new AttestGateError({ where, field: 'failuresPerIdentityThreshold', value: threshold, problem: 'is not a positive whole number', fix: 'use 1 to alert on the first failure' });
    }
    const period = props.evaluationPeriodSeconds ?? 300;
    if (!Number.isInteger(period) || period < 60 || period % 60 !== 0 || period > 86_400) {
      throw new AttestGateError({ where, field: 'evaluationPeriodSeconds', value: period, problem: 'is not a whole number of minutes from 60 to 86,400 seconds', fix: 'use e.g. 300' });
    }
    const reason = props.auditLogsConfiguredElsewhereReason;
    if (reason !== undefined && reason.trim().length < MIN_REASON_LENGTH) {
      throw new AttestGateError({ where, field: 'auditLogsConfiguredElsewhereReason', value: reason, problem: `is shorter than ${MIN_REASON_LENGTH} characters`, fix: 'say where the Data Access audit logs are enabled, e.g. "organization audit config, SEC-12"' });
    }
    if (props.email !== undefined && !Token.isUnresolved(props.email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.email)) {
      throw new AttestGateError({ where, field: 'email', value: props.email, problem: 'is not an email address', fix: 'give the address to notify, e.g. "security@example.com"' });
    }
    if (registry.size > 0 && (key === '' || registry.has(''))) {
      Annotations.of(this).addWarning(
        `A second FederationMonitor in this stack, for ${key === '' ? "the google provider's default project" : `project ${props.project}`}, beside ${[...registry.values()].map((m) => m.node.path).join(', ')}. ` +
          'If they are the same project, their audit configurations and metrics collide: give the gates and service accounts the same explicit project.',
      );
    }
    registry.set(key, this);
    this.project = props.project;
    this.stackName = nameSafe(TerraformStack.of(this).node.id, 40);
    const project = props.project;

    this.projectData = new DataGoogleProject(this, 'Project', { ...(project !== undefined ? { projectId: project } : {}) });
    if (reason === undefined) {
      for (const { service, logTypes } of AUDIT_LOG_SERVICES) {
        this.auditConfigs.push(
          new ProjectIamAuditConfig(this, `AuditLogs-${service.split('.')[0]}`, {
            project: this.projectData.projectId,
            service,
            auditLogConfig: logTypes.map((logType) => ({ logType })),
          }),
        );
      }
    } else {
      this.node.addMetadata('attestgate:auditLogsConfiguredElsewhere', reason.trim());
    }

    this.notificationChannels = [...(props.notificationChannels ?? [])];
    if (props.email !== undefined) {
      const channel = new MonitoringNotificationChannel(this, 'EmailChannel', {
        project,
        type: 'email',
        displayName: `attestgate signals (${this.stackName})`,
        labels: { email_address: props.email },
      });
      this.notificationChannels.push(channel.id);
    }
    if (this.notificationChannels.length === 0) this.topic = this.createTopic(project);

    const metricKind = { metricKind: 'DELTA', valueType: 'INT64', unit: '1' };
    this.exchangeFailureMetric = new LoggingMetric(this, 'ExchangeFailures', {
      project,
      name: `attestgate/${this.stackName}/sts_exchange_failures`,
      description: 'attestgate: STS token exchanges refused (wrong issuer, audience, subject, signature or a failed attribute condition), per workload identity pool provider',
      filter: exchangeFailureFilter(),
      labelExtractors: { provider: 'EXTRACT(protoPayload.resourceName)' },
      metricDescriptor: { ...metricKind, labels: [{ key: 'provider', valueType: 'STRING', description: 'The provider resource name' }] },
    });
    this.impersonationFailureMetric = new LoggingMetric(this, 'ImpersonationFailures', {
      project,
      name: `attestgate/${this.stackName}/impersonation_failures`,
      description: 'attestgate: refused requests for a service account’s credentials (generateAccessToken and kin), per service account',
      filter: impersonationFailureFilter(),
      labelExtractors: { service_account: 'EXTRACT(resource.labels.email_id)' },
      metricDescriptor: { ...metricKind, labels: [{ key: 'service_account', valueType: 'STRING', description: 'The service account email' }] },
    });

    const thresholdCondition = (metric: LoggingMetric, label: string, displayName: string): MonitoringAlertPolicyConditions => ({
      displayName,
      conditionThreshold: {
        filter: `metric.type="logging.googleapis.com/user/${metric.name}"`,
        comparison: 'COMPARISON_GE',
        thresholdValue: threshold,
        duration: '0s',
        // One series per provider or account: each opens its own incident.
        aggregations: [{ alignmentPeriod: `${period}s`, perSeriesAligner: 'ALIGN_SUM', crossSeriesReducer: 'REDUCE_SUM', groupByFields: [`metric.label.${label}`] }],
        trigger: { count: 1 },
      },
    });
    this.exchangeFailureAlert = this.policy('ExchangeFailureAlert', {
      displayName: `attestgate: failed token exchanges per provider (${this.stackName})`,
      documentation:
        'Workload identity federation refused a token exchange at a provider (label `provider`): an OIDC token, certificate or AWS credential was presented that the provider does not accept — wrong issuer, audience or subject, a bad signature, or a failed attribute condition. A stolen or forged credential may be being tried.',
      conditions: [thresholdCondition(this.exchangeFailureMetric, 'provider', 'Failed STS token exchanges at one provider')],
    });
    this.impersonationFailureAlert = this.policy('ImpersonationFailureAlert', {
      displayName: `attestgate: refused service account credentials (${this.stackName})`,
      documentation:
        'IAM refused to issue credentials of a service account (label `service_account`): a principal without roles/iam.workloadIdentityUser or roles/iam.serviceAccountTokenCreator on it asked for a token. Someone may be probing for a way around the gate.',
      conditions: [thresholdCondition(this.impersonationFailureMetric, 'service_account', 'Refused credential requests for one service account')],
    });
  }

  /** The providers watched so far. */
  public get watchedProviders(): readonly IamWorkloadIdentityPoolProvider[] {
    return [...this.providers];
  }

  /** The service accounts watched so far. */
  public get watchedServiceAccounts(): readonly ServiceAccount[] {
    return [...this.accounts];
  }

  /** Every alert policy of the monitor. */
  public get alertPolicies(): readonly MonitoringAlertPolicy[] {
    return [this.exchangeFailureAlert, this.impersonationFailureAlert, ...this.accountChunks.map((c) => c.policy), ...this.poolChunks.map((c) => c.policy)];
  }

  /**
   * Watches a provider: changes to it and to its pool (a second provider added to the pool, say).
   * Its failed exchanges are counted with every provider's. Done for high-privilege gates.
   */
  public addProvider(provider: IamWorkloadIdentityPoolProvider): void {
    if (this.providers.has(provider)) return;
    this.providers.add(provider);
    const poolId = referenceTo(TerraformStack.of(this), provider, 'workload_identity_pool_id', () => provider.workloadIdentityPoolId);
    let chunk = this.poolChunks[this.poolChunks.length - 1];
    if (!chunk || chunk.items.length >= WATCHED_PER_POLICY) {
      const items: string[] = [];
      const n = this.poolChunks.length + 1;
      chunk = {
        items,
        policy: this.policy(`GateChangeAlert${n}`, {
          displayName: `attestgate: workload identity gate changed (${this.stackName}${n > 1 ? ` #${n}` : ''})`,
          documentation:
            'A workload identity pool or provider of a gated identity was created, changed, deleted or restored. A new provider in the pool, a new trust store or issuer, or a loosened attribute condition lets other credentials through the gate; restoring a deleted one revives an old trust path.',
          conditions: [{ displayName: 'Gated pool or provider changed', conditionMatchedLog: { filter: Lazy.stringValue({ produce: () => gateChangeFilter(items) }) } }],
          logMatch: true,
        }),
      };
      this.poolChunks.push(chunk);
    }
    chunk.items.push(poolId);
  }

  /**
   * Watches a service account: credentials issued to any principal but `principal` (the gate's),
   * new keys, IAM policy changes and re-enabling; its refused credential calls are counted with
   * every account's. Done for the service accounts of high-privilege gates.
   *
   * @param principal the one principal allowed to get its credentials, as audit logs name it:
   *   `principal://iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/subject/<subject>`
   */
  public addServiceAccount(account: ServiceAccount, principal: string): void {
    if (this.accounts.has(account)) return;
    this.accounts.add(account);
    let chunk = this.accountChunks[this.accountChunks.length - 1];
    if (!chunk || chunk.items.length >= WATCHED_PER_POLICY) {
      const items: WatchedServiceAccount[] = [];
      const n = this.accountChunks.length + 1;
      chunk = {
        items,
        policy: this.policy(`BypassAlert${n}`, {
          displayName: `attestgate: service account credentials outside the gate (${this.stackName}${n > 1 ? ` #${n}` : ''})`,
          documentation:
            'A gated service account gave credentials to a principal other than its attested gate principal — no attested credential was checked — or someone created a key for it, changed who may act as it, or re-enabled it. Label `principal` names who.',
          conditions: [
            {
              displayName: 'Gated service account used or opened outside its gate',
              conditionMatchedLog: {
                filter: Lazy.stringValue({ produce: () => serviceAccountBypassFilter(items) }),
                labelExtractors: { principal: 'EXTRACT(protoPayload.authenticationInfo.principalSubject)', method: 'EXTRACT(protoPayload.methodName)' },
              },
            },
          ],
          logMatch: true,
        }),
      };
      this.accountChunks.push(chunk);
    }
    chunk.items.push({ email: referenceTo(TerraformStack.of(this), account, 'email', () => account.email), principal });
  }

  private policy(id: string, options: { displayName: string; documentation: string; conditions: MonitoringAlertPolicyConditions[]; logMatch?: boolean }): MonitoringAlertPolicy {
    return new MonitoringAlertPolicy(this, id, {
      project: this.project,
      displayName: options.displayName,
      combiner: 'OR',
      severity: 'CRITICAL',
      notificationChannels: this.notificationChannels,
      documentation: { content: options.documentation, mimeType: 'text/markdown' },
      // Log-match policies need a rate limit; one notification per 5 minutes per label set.
      alertStrategy: { autoClose: '1800s', ...(options.logMatch ? { notificationRateLimit: { period: '300s' } } : {}) },
      conditions: options.conditions,
    });
  }

  /**
   * The default destination: a Pub/Sub topic the Monitoring service agent may publish to. Seven
   * days of retention let a subscription created later read what was already sent.
   */
  private createTopic(project: string | undefined): PubsubTopic {
    const topic = new PubsubTopic(this, 'Topic', { project, name: `attestgate-signals-${this.stackName}`, messageRetentionDuration: '604800s' });
    const channel = new MonitoringNotificationChannel(this, 'TopicChannel', {
      project,
      type: 'pubsub',
      displayName: `attestgate signals (${this.stackName})`,
      labels: { topic: topic.id },
    });
    // The service agent exists once the project has a Pub/Sub channel, hence after the channel.
    new PubsubTopicIamMember(this, 'TopicPublisher', {
      project,
      topic: topic.name,
      role: 'roles/pubsub.publisher',
      member: `serviceAccount:service-${this.projectData.number}@gcp-sa-monitoring-notification.iam.gserviceaccount.com`,
      dependsOn: [channel],
    });
    this.notificationChannels.push(channel.id);
    return topic;
  }
}
