import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorAadDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-aad-diagnostic-setting';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorActivityLogAlert } from '@cdktf/provider-azurerm/lib/monitor-activity-log-alert';
import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Lazy, TerraformResource, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { MIN_REASON_LENGTH } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';
import type { AttestedAgentIdentity } from './attested-agent-identity';

/**
 * The Entra diagnostic categories the signals read. Managed identity sign-ins are documented in
 * ManagedIdentitySignInLogs; service principal sign-ins too, because Entra does not document in
 * which of the two a federated-credential exchange by a user-assigned identity is written.
 */
export const SIGN_IN_LOG_CATEGORIES = ['ManagedIdentitySignInLogs', 'ServicePrincipalSignInLogs'] as const;
/** The Log Analytics tables those categories fill. */
export const SIGN_IN_TABLES = ['AADManagedIdentitySignInLogs', 'AADServicePrincipalSignInLogs'] as const;
/** The built-in Owner role: its holders at the subscription are notified when no receiver is given. */
export const OWNER_ROLE_ID = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
export const USER_ASSIGNED_IDENTITY_RESOURCE_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';
export const FEDERATED_CREDENTIAL_RESOURCE_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials';
export const ROLE_ASSIGNMENT_RESOURCE_TYPE = 'Microsoft.Authorization/roleAssignments';
/** Evaluation frequencies a scheduled query rule accepts, in minutes. */
export const EVALUATION_FREQUENCIES = [5, 10, 15, 30, 45, 60] as const;

const columns = '| project TimeGenerated, Type, AppId, ServicePrincipalId, ServicePrincipalName, ResultType, ResultDescription, IPAddress, FederatedCredentialId';
// isfuzzy: a table exists only once its first record arrives; the query must not fail before.
const signIns = (clientIds: readonly string[]) => [`union isfuzzy=true ${SIGN_IN_TABLES.join(', ')}`, `| where AppId in (${clientIds.map((id) => `"${id}"`).join(', ')})`];

/** Refused sign-ins of the watched identities (ResultType is a string; "0" is success). */
export function failedSignInQuery(clientIds: readonly string[]): string {
  return [...signIns(clientIds), '| where ResultType != "0"', columns].join('\n');
}

/**
 * Tokens issued to the watched identities without a federated credential: FederatedCredentialId
 * is set "if a federated identity credential was used to sign in" (the table reference), so an
 * empty one means another route — the identity attached to a VM, an App Service or a cluster,
 * whose instance metadata endpoint hands out its tokens with no attested credential.
 */
export function unattestedSignInQuery(clientIds: readonly string[]): string {
  return [...signIns(clientIds), '| where ResultType == "0"', '| where isempty(FederatedCredentialId)', columns].join('\n');
}

/** The table agent identities and blueprints sign in to, both legs (their sign-ins are service principal sign-ins). */
export const AGENT_SIGN_IN_TABLE = 'AADServicePrincipalSignInLogs';
const agentColumns = '| project TimeGenerated, Type, AppId, ServicePrincipalId, ServicePrincipalName, ResultType, IPAddress, FederatedCredentialId, ServicePrincipalCredentialKeyId, ServicePrincipalCredentialThumbprint';

/**
 * Tokens issued for an agent identity by any credential but its attested federated credentials.
 * An agent identity holds no credential: its tokens start with its blueprint's first leg, where
 * the blueprint authenticates with one of its credentials and names the agent (fmi_path). So the
 * signal is on the blueprint's successful sign-ins: one whose FederatedCredentialId is empty (a
 * client secret or certificate: ServicePrincipalCredentialKeyId says which) or names a federated
 * credential other than the attested ones (added out of band, or a sibling's). Whether the
 * sign-in log records the fmi_path is not documented, so every such sign-in of the blueprint is
 * taken as a token for each of its agents. That FederatedCredentialId is the credential's Graph
 * `id` is the column's description, not confirmed on a live tenant: were it anything else, the
 * rule would fire on every sign-in (noisy, never blind).
 */
export function unattestedAgentSignInQuery(blueprintClientIds: readonly string[], attestedCredentialIds: readonly string[]): string {
  const list = (ids: readonly string[]) => ids.map((id) => `"${id}"`).join(', ');
  return [
    `union isfuzzy=true ${AGENT_SIGN_IN_TABLE}`,
    `| where AppId in (${list(blueprintClientIds)})`,
    '| where ResultType == "0"',
    `| where isempty(FederatedCredentialId) or FederatedCredentialId !in (${list(attestedCredentialIds)})`,
    agentColumns,
  ].join('\n');
}

export interface SignInMonitorProps {
  /** Where the workspace, action group and alert rules go. */
  readonly resourceGroupName: string;
  readonly location: string;

  /**
   * An existing Log Analytics workspace to send the sign-in logs to and query.
   *
   * @default - a new workspace, `attestgate-signals-<stack>`, keeping logs `retentionDays`
   */
  readonly workspaceId?: string;

  /** How long a new workspace keeps logs, 30–730 days. @default 365 */
  readonly retentionDays?: number;

  /**
   * Why the monitor must not create the tenant's Entra diagnostic setting (at least 10
   * characters): the tenant already sends ManagedIdentitySignInLogs and
   * ServicePrincipalSignInLogs to `workspaceId` — say which setting does.
   *
   * @default - a diagnostic setting sends both categories to the workspace
   */
  readonly existingDiagnosticSettingReason?: string;

  /**
   * An existing action group the alerts notify.
   *
   * @default - a new action group: `emails`, else the subscription's Owners
   */
  readonly actionGroupId?: string;

  /** Addresses a new action group emails. @default - the Owners of the subscription are notified */
  readonly emails?: string[];

  /** Refused sign-ins of one identity per evaluation that raise an alert. @default 1 */
  readonly failuresPerIdentityThreshold?: number;

  /** How often the query rules run, and the window they read: 5, 10, 15, 30, 45 or 60 minutes. @default 5 */
  readonly evaluationFrequencyMinutes?: number;
}

/**
 * `${type.name.attribute}` of a resource of the monitor's stack: what cdktf writes for the
 * attribute's token, without the token — each token captures a full stack trace, which at 100
 * identities cost more than the rest of the monitor. A resource of another stack keeps its token,
 * so cdktf can wire the cross-stack reference.
 */
function referenceTo(stack: TerraformStack, resource: TerraformResource, attribute: string, token: () => string): string {
  return TerraformStack.of(resource) === stack ? `\${${resource.terraformResourceType}.${resource.friendlyUniqueId}.${attribute}}` : token();
}

const registries = new WeakMap<TerraformStack, SignInMonitor>();
const nameSafe = (text: string, max: number) => text.replace(/[^A-Za-z0-9-]+/g, '-').slice(0, max);

/**
 * Tells someone when a gated managed identity's sign-ins fail, when it gets tokens without its
 * federated credential, or when its credentials or role assignments change. One per stack
 * (`SignInMonitor.of(scope, defaults)`); AttestedManagedIdentity registers high-privilege
 * identities by default; `addIdentity` registers any other (brownfield) identity.
 *
 * It creates:
 * - a Log Analytics workspace (unless one is given) and the tenant's Entra diagnostic setting
 *   sending ManagedIdentitySignInLogs and ServicePrincipalSignInLogs to it. The setting is
 *   tenant-wide: applying it needs the Security Administrator (or Global Administrator) role in
 *   Entra and a Microsoft Entra ID P1 or P2 licence, and a tenant has at most five;
 * - a scheduled query rule on refused sign-ins of the watched identities and agent identities (both
 *   legs), split by AppId — one alert per identity: the per-identity failure rate;
 * - once a managed identity is watched, a scheduled query rule on its successful sign-ins without a
 *   federated credential (FederatedCredentialId empty): tokens issued without the attested
 *   credential, and an activity log alert on writes and deletes of the watched identities and
 *   their federated credentials; once an identity has a role, one on role assignments written or
 *   deleted at the scopes where watched identities hold roles;
 * - once an agent identity is watched, a scheduled query rule on its blueprint's sign-ins by any
 *   credential but the attested ones (`addAgentIdentity`).
 *
 * Each rule and alert is created with its first subject, so a stack of agent identities alone
 * gets only the rules that have one; a monitor watching nothing at all fails synth.
 * - the action group: the one given, or a new one emailing `emails` or the subscription's Owners.
 */
export class SignInMonitor extends Construct {
  /** The stack's monitor, created on first use with `defaults` (the first identity's resource group and location). */
  public static of(scope: IConstruct, defaults: Pick<SignInMonitorProps, 'resourceGroupName' | 'location'>): SignInMonitor {
    const stack = TerraformStack.of(scope);
    return registries.get(stack) ?? new SignInMonitor(stack, 'AttestgateSignInMonitor', defaults);
  }

  public readonly workspaceId: string;
  /** The workspace created when none is given. */
  public readonly workspace?: LogAnalyticsWorkspace;
  /** The tenant's diagnostic setting, unless another already sends the logs. */
  public readonly diagnosticSetting?: MonitorAadDiagnosticSetting;
  public readonly actionGroupId: string;
  public readonly actionGroup?: MonitorActionGroup;
  /** Created once an identity or agent identity is watched: refused sign-ins of any of them. */
  public failedSignInRule?: MonitorScheduledQueryRulesAlertV2;
  /** Created once a managed identity is watched: its tokens without a federated credential. */
  public unattestedSignInRule?: MonitorScheduledQueryRulesAlertV2;
  /** Created once a managed identity is watched: writes and deletes of it and its federated credentials. */
  public identityChangeAlert?: MonitorActivityLogAlert;
  /** Created once a watched identity has a role assignment. */
  public roleAssignmentChangeAlert?: MonitorActivityLogAlert;
  /** Created once an agent identity is watched: its blueprint's sign-ins by any credential but the attested ones. */
  public unattestedAgentSignInRule?: MonitorScheduledQueryRulesAlertV2;
  private readonly agents: AttestedAgentIdentity[] = [];
  private readonly createRule: (id: string, name: string, description: string, query: () => string, threshold: number, severity: number) => MonitorScheduledQueryRulesAlertV2;
  private readonly failureThreshold: number;
  private readonly failedQuery: () => string;
  private readonly identities: UserAssignedIdentity[] = [];
  /** Their client IDs and resource IDs, as Terraform references. */
  private readonly watched: Array<{ readonly clientId: string; readonly id: string }> = [];
  private readonly roleScopes: string[] = [];
  private readonly resourceGroupName: string;
  private readonly stackName: string;

  constructor(scope: Construct, id: string, props: SignInMonitorProps) {
    super(scope, id);
    const where = `SignInMonitor '${this.node.path}'`;
    const stack = TerraformStack.of(this);
    const existing = registries.get(stack);
    if (existing) {
      throw new AttestGateError({
        where,
        field: 'construction',
        value: existing.node.path,
        problem: 'is a second SignInMonitor in this stack; a stack has one, shared by its identities',
        fix: 'create yours before the first high-privilege AttestedManagedIdentity, or use SignInMonitor.of(stack, defaults)',
      });
    }
    const fail = (field: string, value: unknown, problem: string, fix: string): never => {
      throw new AttestGateError({ where, field, value, problem, fix });
    };
    const threshold = props.failuresPerIdentityThreshold ?? 1;
    if (!Number.isInteger(threshold) || threshold < 1) fail('failuresPerIdentityThreshold', threshold, 'is not a positive whole number', 'use 1 to alert on the first refused sign-in');
    const minutes = props.evaluationFrequencyMinutes ?? 5;
    if (!(EVALUATION_FREQUENCIES as readonly number[]).includes(minutes)) fail('evaluationFrequencyMinutes', minutes, `is not one of ${EVALUATION_FREQUENCIES.join(', ')}`, 'use 5');
    const retention = props.retentionDays ?? 365;
    if (!Number.isInteger(retention) || retention < 30 || retention > 730) fail('retentionDays', retention, 'is not a whole number of days from 30 to 730', 'use 365');
    const reason = props.existingDiagnosticSettingReason;
    if (reason !== undefined) {
      if (reason.trim().length < MIN_REASON_LENGTH) fail('existingDiagnosticSettingReason', reason, `is shorter than ${MIN_REASON_LENGTH} characters`, 'name the diagnostic setting that already sends the sign-in logs, and to which workspace');
      if (props.workspaceId === undefined) fail('workspaceId', undefined, 'is required with existingDiagnosticSettingReason: the alert rules must query the workspace that setting fills', 'give that workspace’s ID');
    }
    for (const email of props.emails ?? []) {
      if (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) fail('emails', email, 'is not an email address', 'give the addresses to notify, e.g. "security@example.com"');
    }
    if (props.actionGroupId !== undefined && props.emails !== undefined) fail('emails', props.emails, 'are given with actionGroupId; the monitor notifies one action group', 'add the addresses to that action group, or leave actionGroupId out');
    registries.set(stack, this);
    this.resourceGroupName = props.resourceGroupName;
    this.stackName = nameSafe(stack.node.id, 40);
    const { resourceGroupName, location } = props;

    if (props.workspaceId !== undefined) {
      this.workspaceId = props.workspaceId;
    } else {
      this.workspace = new LogAnalyticsWorkspace(this, 'Workspace', {
        name: nameSafe(`attestgate-signals-${this.stackName}`, 63),
        resourceGroupName,
        location,
        sku: 'PerGB2018',
        retentionInDays: retention,
      });
      this.workspaceId = this.workspace.id;
    }
    if (reason === undefined) {
      this.diagnosticSetting = new MonitorAadDiagnosticSetting(this, 'EntraSignInLogs', {
        name: `attestgate-${this.stackName}`,
        logAnalyticsWorkspaceId: this.workspaceId,
        enabledLog: SIGN_IN_LOG_CATEGORIES.map((category) => ({ category })),
      });
    } else {
      this.node.addMetadata('attestgate:existingDiagnosticSetting', reason.trim());
    }

    if (props.actionGroupId !== undefined) {
      this.actionGroupId = props.actionGroupId;
    } else {
      const emails = props.emails ?? [];
      this.actionGroup = new MonitorActionGroup(this, 'ActionGroup', {
        name: `attestgate-signals-${this.stackName}`,
        resourceGroupName,
        location: 'global',
        shortName: 'attestgate',
        ...(emails.length > 0
          ? { emailReceiver: emails.map((emailAddress, i) => ({ name: `email-${i + 1}`, emailAddress, useCommonAlertSchema: true })) }
          : { armRoleReceiver: [{ name: 'subscription-owners', roleId: OWNER_ROLE_ID, useCommonAlertSchema: true }] }),
      });
      this.actionGroupId = this.actionGroup.id;
    }

    const clientIds = () => this.watched.map((w) => w.clientId);
    // Refusals at either leg: the blueprint's (leg 1) and the agent's (leg 2).
    const agentClientIds = () =>
      this.agents.flatMap((a) => [referenceTo(stack, a.blueprint, 'output.app_id', () => a.blueprintClientId), referenceTo(stack, a.agentIdentity, 'output.app_id', () => a.clientId)]);
    const rule = (id: string, name: string, description: string, query: () => string, ruleThreshold: number, severity: number) =>
      new MonitorScheduledQueryRulesAlertV2(this, id, {
        name: `${name}-${this.stackName}`,
        displayName: `attestgate: ${description.split(':')[0]} (${this.stackName})`,
        description: `attestgate: ${description}`,
        resourceGroupName,
        location,
        scopes: [this.workspaceId],
        severity,
        evaluationFrequency: `PT${minutes}M`,
        windowDuration: `PT${minutes}M`,
        // The sign-in tables exist only once Entra has sent a first record.
        skipQueryValidation: true,
        criteria: [
          {
            query: Lazy.stringValue({ produce: query }),
            timeAggregationMethod: 'Count',
            operator: 'GreaterThanOrEqual',
            threshold: ruleThreshold,
            // One alert per identity.
            dimension: [{ name: 'AppId', operator: 'Include', values: ['*'] }],
            failingPeriods: { minimumFailingPeriodsToTriggerAlert: 1, numberOfEvaluationPeriods: 1 },
          },
        ],
        action: { actionGroups: [this.actionGroupId] },
      });
    this.createRule = rule;
    this.failureThreshold = threshold;
    this.failedQuery = () => failedSignInQuery([...clientIds(), ...agentClientIds()]);
    this.node.addValidation({
      // Each rule and alert is created with its first subject: one listing no identity would be invalid.
      validate: () =>
        this.identities.length === 0 && this.agents.length === 0
          ? [`${where}: watches nothing (no managed identity and no agent identity); it would only create a workspace and an action group nobody is alerted through. Fix: register one with addIdentity or addAgentIdentity, or remove the monitor`]
          : [],
    });
  }

  /** The rule on refused sign-ins, shared by managed identities and agent identities: created with the first of either. */
  private watchFailures(): void {
    this.failedSignInRule ??= this.createRule(
      'FailedSignIns',
      'attestgate-failed-sign-ins',
      'refused sign-ins of a gated managed identity or agent identity (or its blueprint): a token was presented that its federated credentials do not accept (wrong issuer, subject or audience, expired, unknown key, not RSA). A stolen or forged credential may be being tried.',
      this.failedQuery,
      this.failureThreshold,
      1,
    );
  }

  /** The identities watched so far. */
  public get watchedIdentities(): readonly UserAssignedIdentity[] {
    return [...this.identities];
  }

  /**
   * Watches an identity: refused sign-ins, tokens without a federated credential, changes to it
   * and its federated credentials. Done for high-privilege AttestedManagedIdentity by default.
   */
  public addIdentity(identity: UserAssignedIdentity): void {
    if (this.identities.includes(identity)) return;
    this.identities.push(identity);
    const stack = TerraformStack.of(this);
    this.watched.push({ clientId: referenceTo(stack, identity, 'client_id', () => identity.clientId), id: referenceTo(stack, identity, 'id', () => identity.id) });
    this.watchFailures();
    this.unattestedSignInRule ??= this.createRule(
      'UnattestedSignIns',
      'attestgate-unattested-sign-ins',
      'tokens issued to a gated managed identity without a federated credential: no attested token was checked. The identity is attached to a resource whose metadata endpoint hands out its tokens.',
      () => unattestedSignInQuery(this.watched.map((w) => w.clientId)),
      1,
      0,
    );
    this.identityChangeAlert ??= new MonitorActivityLogAlert(this, 'IdentityChanged', {
      name: `attestgate-identity-changed-${this.stackName}`,
      description: 'attestgate: a gated managed identity, or one of its federated credentials, was written or deleted. A new or changed credential lets another issuer or subject obtain the identity.',
      resourceGroupName: this.resourceGroupName,
      location: 'global',
      scopes: Lazy.listValue({ produce: () => this.watched.map((w) => w.id) }),
      criteria: { category: 'Administrative', resourceTypes: [USER_ASSIGNED_IDENTITY_RESOURCE_TYPE, FEDERATED_CREDENTIAL_RESOURCE_TYPE] },
      action: [{ actionGroupId: this.actionGroupId }],
    });
  }

  /** The agent identities watched so far. */
  public get watchedAgentIdentities(): readonly AttestedAgentIdentity[] {
    return [...this.agents];
  }

  /**
   * Watches an Entra agent identity: refused sign-ins at either leg, and its blueprint's sign-ins
   * by any credential but the agent's attested federated credentials (a password, a certificate,
   * a federated credential written out of band) — each a token the blueprint can take for this
   * agent. The sign-ins go to ServicePrincipalSignInLogs, which the monitor's diagnostic setting
   * sends. Federated credentials added to the agent later are read at synth.
   */
  public addAgentIdentity(agent: AttestedAgentIdentity): void {
    if (this.agents.includes(agent)) return;
    this.agents.push(agent);
    this.watchFailures();
    const stack = TerraformStack.of(this);
    const reference = (resource: TerraformResource, attribute: string, token: () => string) => referenceTo(stack, resource, attribute, token);
    this.unattestedAgentSignInRule ??= this.createRule(
      'UnattestedAgentSignIns',
      'attestgate-unattested-agent-sign-ins',
      'tokens for a gated agent identity by a credential other than its attested federated credentials: its blueprint signed in with a client secret, a certificate or another federated credential, and can name any of its agent identities in fmi_path. Someone holds a way to the agent that asks for no attestation.',
      () =>
        unattestedAgentSignInQuery(
          this.agents.map((a) => reference(a.blueprint, 'output.app_id', () => a.blueprintClientId)),
          this.agents.flatMap((a) => a.federatedCredentials.map((c) => reference(c, 'id', () => c.id))),
        ),
      1,
      0,
    );
  }

  /**
   * Watches role assignments written or deleted at a scope where a watched identity holds a
   * role. Activity log alerts cannot filter on the assignment's principal, so every assignment
   * at the scope is reported — and an assignment of the identity at another scope is not.
   */
  public addRoleAssignmentScope(scope: string): void {
    if (this.roleScopes.includes(scope)) return;
    this.roleScopes.push(scope);
    this.roleAssignmentChangeAlert ??= new MonitorActivityLogAlert(this, 'RoleAssignmentsChanged', {
      name: `attestgate-role-assignments-changed-${this.stackName}`,
      description: 'attestgate: a role assignment was written or deleted at a scope where a gated managed identity holds a role: its powers, or someone else’s beside it, changed.',
      resourceGroupName: this.resourceGroupName,
      location: 'global',
      scopes: Lazy.listValue({ produce: () => [...this.roleScopes] }),
      criteria: { category: 'Administrative', resourceTypes: [ROLE_ASSIGNMENT_RESOURCE_TYPE] },
      action: [{ actionGroupId: this.actionGroupId }],
    });
  }
}
