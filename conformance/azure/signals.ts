import { roleAssignmentsOf } from '../../lib/model/azure/azure-federated-identity';
import { TerraformModel, TerraformResource, blocks } from '../../lib/model/terraform/configuration';
import { Value } from '../../lib/model/terraform/expressions';
import { Advisory } from '../engine/report';
import { ActivityLogEvent, activityLogAlertMatches } from '../../lib/model/azure/activity-log-alert';
import { AzureGate } from './discover-gates';
import { KqlError, KqlQuery, KqlSchema } from '../../lib/model/azure/kql-query';
import { TerraformStandIns } from '../discovery/terraform-stand-ins';
import { KqlTableQuery } from '../../lib/model/azure/kql-table';
import { ScheduledQueryCriterion, scheduledQueryAlerts, scheduledQueryWindow } from '../../lib/model/azure/scheduled-query-rule';
import { STEP_UP_EVENT, StepUpEvent } from '../../lib/step-up/events';
import { judgeStepUpMonitor, stepUpScenarioSpanSeconds } from '../../lib/step-up/failure-signal';
import { stepUpMonitorAdvisory } from '../engine/step-up-monitor-advisory';
import { agentIdModel, credentialIdAttribute, exportedAppIdAttribute } from '../../lib/model/azure/agent-id';
import { roleGrantsOf } from '../../lib/model/azure/identity-privilege';

/**
 * Detection signals of an Azure gate, as advisories: probes prove issuance fails; these say
 * whether an attack would be seen. Read from the Terraform JSON, so signals written without
 * attestgate count too. Each is judged by running the configuration's alert rules on the record
 * the attack would write — a sign-in log row of the gate's identity, an activity log event on
 * it — rendered with the gate's own resources: a rule counts because it would fire.
 */

/**
 * The columns of AADManagedIdentitySignInLogs and AADServicePrincipalSignInLogs (the Azure
 * Monitor table reference lists the same ones for both).
 */
export const SIGN_IN_LOG_SCHEMA: KqlSchema = {
  AppId: 'string',
  AuthenticationContextClassReferences: 'string',
  AuthenticationProcessingDetails: 'string',
  _BilledSize: 'real',
  Category: 'string',
  ConditionalAccessPolicies: 'string',
  ConditionalAccessStatus: 'string',
  CorrelationId: 'string',
  DurationMs: 'long',
  FederatedCredentialId: 'string',
  Id: 'string',
  Identity: 'string',
  IPAddress: 'string',
  _IsBillable: 'string',
  Level: 'string',
  Location: 'string',
  LocationDetails: 'string',
  OperationName: 'string',
  OperationVersion: 'string',
  ResourceDisplayName: 'string',
  ResourceGroup: 'string',
  ResourceIdentity: 'string',
  ResourceServicePrincipalId: 'string',
  ResultDescription: 'string',
  ResultSignature: 'string',
  ResultType: 'string',
  ServicePrincipalCredentialKeyId: 'string',
  ServicePrincipalCredentialThumbprint: 'string',
  ServicePrincipalId: 'string',
  ServicePrincipalName: 'string',
  SourceSystem: 'string',
  TenantId: 'string',
  TimeGenerated: 'datetime',
  Type: 'string',
  UniqueTokenIdentifier: 'string',
};

type SignInRecord = Record<string, string | number | boolean | null>;

/** The identity's sign-in, as its table records it. */
function signIn(table: string, appId: string, principalId: string, name: string, outcome: 'refused' | 'without-federated-credential', fields: SignInRecord = {}): SignInRecord {
  const refused = outcome === 'refused';
  return {
    Type: table,
    Category: table === 'AADManagedIdentitySignInLogs' ? 'ManagedIdentitySignInLogs' : 'ServicePrincipalSignInLogs',
    OperationName: 'Sign-in activity',
    AppId: appId,
    ServicePrincipalId: principalId,
    ServicePrincipalName: name,
    Identity: name,
    ResultType: refused ? '700213' : '0',
    ResultDescription: refused ? 'AADSTS700213: No matching federated identity record found for presented assertion subject.' : '',
    FederatedCredentialId: '',
    IPAddress: '203.0.113.7',
    ResourceDisplayName: 'Windows Azure Service Management API',
    DurationMs: 0,
    ...fields,
  };
}

interface Judgement {
  readonly firing: string[];
  readonly unjudged: string[];
}

/** The enabled query rules with an action group whose query keeps the record. */
function queryRulesFor(model: TerraformModel, standIns: TerraformStandIns, table: string, record: SignInRecord): Judgement {
  const firing: string[] = [];
  const unjudged: string[] = [];
  const v2 = model.resourcesOfType('azurerm_monitor_scheduled_query_rules_alert_v2').map((r) => ({
    resource: r,
    queries: blocks(r.attributes.criteria).map((c) => c.query),
    actions: blocks(r.attributes.action).flatMap((a) => (Array.isArray(a.action_groups) ? a.action_groups : [])),
  }));
  const v1 = model.resourcesOfType('azurerm_monitor_scheduled_query_rules_alert').map((r) => ({
    resource: r,
    queries: [r.attributes.query],
    actions: blocks(r.attributes.action).map((a) => a.action_group).flatMap((g) => (Array.isArray(g) ? g : g === undefined ? [] : [g])),
  }));
  for (const { resource, queries, actions } of [...v2, ...v1]) {
    if (resource.attributes.enabled === false || actions.length === 0) continue;
    const keeps = queries.some((query) => {
      const text = standIns.text(query);
      if (text === undefined) {
        unjudged.push(`${resource.address}: its query is known only at apply`);
        return false;
      }
      try {
        return KqlQuery.parse(text).keeps(table, SIGN_IN_LOG_SCHEMA, record);
      } catch (e) {
        if (!(e instanceof KqlError)) throw e;
        unjudged.push(`${resource.address}: ${e.message}`);
        return false;
      }
    });
    if (keeps) firing.push(resource.address);
  }
  return { firing, unjudged };
}

/** The enabled activity log alerts with an action group that fire for the event. */
function activityAlertsFor(model: TerraformModel, standIns: TerraformStandIns, event: ActivityLogEvent): Judgement {
  const firing: string[] = [];
  const unjudged: string[] = [];
  for (const alert of model.resourcesOfType('azurerm_monitor_activity_log_alert')) {
    const a = alert.attributes;
    if (blocks(a.action).length === 0) continue;
    const scopes = standIns.plain(a.scopes);
    const criteria = standIns.plain(blocks(a.criteria)[0] ?? {});
    if (!Array.isArray(scopes) || criteria === undefined) {
      unjudged.push(`${alert.address}: its scopes or criteria are known only at apply`);
      continue;
    }
    if (activityLogAlertMatches({ scopes: scopes as string[], enabled: a.enabled !== false, criteria: criteria as Record<string, unknown> }, event)) firing.push(alert.address);
  }
  return { firing, unjudged };
}

/** What could not be judged, as a note after an advisory's detail. */
const unjudgedNote = (unjudged: readonly string[]) => (unjudged.length > 0 ? ` (could not judge ${[...new Set(unjudged)].join('; ')})` : '');

/**
 * Whether an activity log alert fires on role assignments written at the scope of each of an
 * identity's role assignments (ADV-AZ-004, for managed and agent identities alike): `scope`
 * undefined when it is known only at apply.
 */
function roleAssignmentWatch(model: TerraformModel, standIns: TerraformStandIns, assignments: readonly { address: string; scope: string | undefined }[]): { present: boolean; detail: string } {
  if (assignments.length === 0) return { present: false, detail: 'the identity has no role assignment in this configuration to watch' };
  const results = assignments.map(({ address, scope }) => {
    if (scope === undefined) return { address, firing: [] as string[], unjudged: [`${address}: its scope is known only at apply`] };
    return {
      address,
      ...activityAlertsFor(model, standIns, {
        category: 'Administrative',
        operationName: 'Microsoft.Authorization/roleAssignments/write',
        resourceId: `${scope.replace(/\/+$/, '')}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-4000-8000-0000000000aa`,
        resourceType: 'Microsoft.Authorization/roleAssignments',
        resourceProvider: 'Microsoft.Authorization',
        status: 'Succeeded',
      }),
    };
  });
  const missing = results.filter((r) => r.firing.length === 0).map((r) => r.address);
  return {
    present: missing.length === 0,
    detail:
      (missing.length === 0
        ? `activity log alert on role assignments at its scopes: ${[...new Set(results.flatMap((r) => r.firing))].join(', ')}`
        : `no enabled activity log alert with an action group fires on role assignments written at the scope of: ${missing.join(', ')}`) + unjudgedNote(results.flatMap((r) => r.unjudged)),
  };
}

/** Diagnostic settings that send managed identity sign-ins somewhere. */
function signInExports(model: TerraformModel): TerraformResource[] {
  return model.resourcesOfType('azurerm_monitor_aad_diagnostic_setting').filter((setting) => {
    const a = setting.attributes;
    const destination = [a.log_analytics_workspace_id, a.storage_account_id, a.eventhub_authorization_rule_id].some((d) => d !== undefined && d !== null);
    const enabled = [...blocks(a.enabled_log), ...blocks(a.log).filter((l) => l.enabled !== false)].some((l) => l.category === 'ManagedIdentitySignInLogs');
    return destination && enabled;
  });
}

/** The advisories of one gate. */
export function azureAdvisoriesOf(model: TerraformModel, gate: AzureGate): Advisory[] {
  if (gate.agent !== undefined && gate.identity !== undefined) return agentAdvisoriesOf(model, gate, gate.identity);
  const standIns = new TerraformStandIns(model);
  const advisory = (id: string, title: string, present: boolean, detail: string): Advisory => ({ id, gate: gate.id, title, present, detail });
  const withUnjudged = (detail: string, unjudged: readonly string[]) => detail + unjudgedNote(unjudged);
  const identity = gate.identity;
  const managed = identity?.type === 'azurerm_user_assigned_identity';
  const application = identity?.type === 'azuread_application';
  const judged = (judgement: Judgement, present: string, absent: string) => ({
    present: judgement.firing.length > 0,
    detail: withUnjudged(judgement.firing.length > 0 ? `${present}: ${judgement.firing.join(', ')}` : absent, judgement.unjudged),
  });

  let failures: { present: boolean; detail: string };
  let unattested: { present: boolean; detail: string };
  if (identity && (managed || application)) {
    // A user-assigned identity signs in as a managed identity; an app registration as a service principal.
    const table = managed ? 'AADManagedIdentitySignInLogs' : 'AADServicePrincipalSignInLogs';
    const appId = standIns.attribute(identity.address, 'client_id') ?? '';
    const principalId = standIns.attribute(identity.address, managed ? 'principal_id' : 'object_id') ?? '';
    const name = standIns.attribute(identity.address, managed ? 'name' : 'display_name') ?? '';
    failures = judged(
      queryRulesFor(model, standIns, table, signIn(table, appId, principalId, name, 'refused')),
      `scheduled query rule on refused sign-ins (${table})`,
      `no enabled scheduled query rule with an action group keeps a refused sign-in of this identity in ${table} (add SignInMonitor: the Entra diagnostic setting and a rule on its failed sign-ins)`,
    );
    unattested = judged(
      queryRulesFor(model, standIns, table, signIn(table, appId, principalId, name, 'without-federated-credential')),
      'scheduled query rule on sign-ins without a federated credential',
      'no enabled scheduled query rule with an action group keeps a successful sign-in of this identity with an empty FederatedCredentialId',
    );
  } else {
    const absent = { present: false, detail: `the identity (${gate.id.split('/').slice(1).join('/')}) is not in this configuration, so its sign-ins cannot be told apart` };
    failures = absent;
    unattested = absent;
  }

  let credentials: { present: boolean; detail: string };
  if (managed && identity) {
    const identityId = standIns.attribute(identity.address, 'id');
    credentials =
      identityId === undefined
        ? { present: false, detail: 'the identity’s resource ID is not known before apply' }
        : judged(
            activityAlertsFor(model, standIns, {
              category: 'Administrative',
              operationName: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write',
              resourceId: `${identityId}/federatedIdentityCredentials/added-by-someone`,
              resourceType: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials',
              resourceProvider: 'Microsoft.ManagedIdentity',
              status: 'Succeeded',
            }),
            'activity log alert on federated credential writes',
            'no enabled activity log alert with an action group fires when a federated credential is written on this identity',
          );
  } else {
    credentials = {
      present: false,
      detail: application
        ? 'an app registration’s federated credentials change in Entra (AuditLogs), which activity log alerts do not see; alert on them from the Entra audit log instead'
        : 'the identity is not in this configuration',
    };
  }

  const assignments = identity ? roleAssignmentsOf(model, identity.address) : [];
  const roles = roleAssignmentWatch(model, standIns, assignments.map((assignment) => ({ address: assignment.address, scope: standIns.text(assignment.attributes.scope) })));

  const exports = signInExports(model);
  return [
    advisory('ADV-AZ-001', 'Failed sign-ins of this identity are alerted', failures.present, failures.detail),
    advisory('ADV-AZ-002', 'Tokens issued without a federated credential are alerted', unattested.present, unattested.detail),
    advisory('ADV-AZ-003', 'Changes to its federated credentials are alerted', credentials.present, credentials.detail),
    advisory('ADV-AZ-004', 'Changes to role assignments where it holds roles are alerted', roles.present, roles.detail),
    advisory(
      'ADV-AZ-005',
      'Managed identity sign-in logs are exported',
      exports.length > 0,
      exports.length > 0
        ? `Entra diagnostic setting with ManagedIdentitySignInLogs: ${exports.map((e) => e.address).join(', ')}`
        : 'no Entra diagnostic setting in this configuration sends ManagedIdentitySignInLogs anywhere; the sign-in rules see nothing unless one outside it does',
    ),
    ...stepUpAdvisory(model, standIns, gate),
  ];
}

/** Diagnostic settings that send service principal sign-ins (agent identities' and blueprints') somewhere. */
function servicePrincipalSignInExports(model: TerraformModel): TerraformResource[] {
  return model.resourcesOfType('azurerm_monitor_aad_diagnostic_setting').filter((setting) => {
    const a = setting.attributes;
    const destination = [a.log_analytics_workspace_id, a.storage_account_id, a.eventhub_authorization_rule_id].some((d) => d !== undefined && d !== null);
    return destination && [...blocks(a.enabled_log), ...blocks(a.log).filter((l) => l.enabled !== false)].some((l) => l.category === 'ServicePrincipalSignInLogs');
  });
}

/**
 * The advisories of an Entra agent identity's gate. Its sign-ins are service principal sign-ins
 * (AADServicePrincipalSignInLogs): leg 1 under its blueprint's app ID, leg 2 under its own. It
 * holds no credential, so a token for it by anything but its attested federated credentials
 * starts with a blueprint sign-in by another credential (ADV-AZ-007, in place of the managed
 * identity's ADV-AZ-002): the rules are run on three leg-1 records of the blueprint — by an
 * attested federated credential (must not fire), by a client secret, and by another federated
 * credential (both must). ADV-AZ-008 replaces ADV-AZ-005 (the category agents are written to).
 */
function agentAdvisoriesOf(model: TerraformModel, gate: AzureGate, agent: TerraformResource): Advisory[] {
  const standIns = new TerraformStandIns(model);
  const advisory = (id: string, title: string, present: boolean, detail: string): Advisory => ({ id, gate: gate.id, title, present, detail });
  const table = 'AADServicePrincipalSignInLogs';
  const agentId = agentIdModel(model);
  const body = agent.attributes.body as Record<string, Value> | undefined;
  const blueprintValue = body?.agentIdentityBlueprintId ?? body?.agentIdentityBlueprintAppId;
  const blueprintAppId = standIns.text(blueprintValue);
  const appIdAttribute = exportedAppIdAttribute(agent);
  const agentAppId = appIdAttribute ? standIns.attribute(agent.address, appIdAttribute) : undefined;
  const name = standIns.text(body?.displayName) ?? agent.address;

  let failures: { present: boolean; detail: string };
  let unattested: { present: boolean; detail: string };
  if (blueprintAppId === undefined) {
    const absent = { present: false, detail: `its blueprint's app ID (${gate.agent?.blueprint ?? 'not named'}) is known only at apply, so its sign-ins cannot be told apart` };
    failures = absent;
    unattested = absent;
  } else {
    const leg1 = (outcome: 'refused' | 'without-federated-credential', fields: SignInRecord) => signIn(table, blueprintAppId, `«${gate.agent?.blueprint} principal»`, `${name} blueprint`, outcome, fields);
    const refused = queryRulesFor(model, standIns, table, leg1('refused', {}));
    // Leg 2 refused (another blueprint's leg-1 token presented as this agent): noted, not required.
    const leg2 = agentAppId === undefined ? undefined : queryRulesFor(model, standIns, table, signIn(table, agentAppId, `«${agent.address} principal»`, name, 'refused', { ResultType: '7002137' }));
    const leg2Note = leg2 === undefined ? '' : leg2.firing.length > 0 ? `; leg 2, its own: ${leg2.firing.join(', ')}` : '; its own refused leg-2 sign-ins are not alerted';
    failures = {
      present: refused.firing.length > 0,
      detail:
        (refused.firing.length > 0
          ? `scheduled query rule on its blueprint's refused sign-ins (leg 1, ${table}): ${refused.firing.join(', ')}${leg2Note}`
          : `no enabled scheduled query rule with an action group keeps a refused leg-1 sign-in of its blueprint in ${table} (SignInMonitor.addAgentIdentity adds one)`) + unjudgedNote(refused.unjudged),
    };
    // The agent's attested credentials, by the Graph ID each will have.
    const attestedIds = gate.paths
      .filter((p) => p.attested === true && p.kind === 'federated-credential')
      .flatMap((p) => {
        const credential = agentId.credentials.find((c) => c.resource.address === p.resource);
        const attribute = credential && credentialIdAttribute(credential);
        const id = attribute && standIns.attribute(credential.resource.address, attribute);
        return id === undefined || id === null || id === '' ? [] : [id];
      });
    const bySecret = queryRulesFor(model, standIns, table, leg1('without-federated-credential', { ServicePrincipalCredentialKeyId: '«a client secret of the blueprint»' }));
    const byOther = queryRulesFor(model, standIns, table, leg1('without-federated-credential', { FederatedCredentialId: '«a federated credential written out of band»' }));
    const byAttested = attestedIds.map((id) => queryRulesFor(model, standIns, table, leg1('without-federated-credential', { FederatedCredentialId: id })));
    const both = bySecret.firing.filter((r) => byOther.firing.includes(r));
    const noisy = both.filter((r) => byAttested.some((j) => j.firing.includes(r)));
    const unjudged = [...bySecret.unjudged, ...byOther.unjudged, ...byAttested.flatMap((j) => j.unjudged)];
    const partial = [...new Set([...bySecret.firing, ...byOther.firing])].filter((r) => !both.includes(r));
    unattested = {
      present: both.length > 0,
      detail:
        (both.length > 0
          ? `scheduled query rule on its blueprint's sign-ins by a client secret or another federated credential: ${both.join(', ')}${noisy.length > 0 ? ` (${noisy.join(', ')} also fires on the attested credentials: every legitimate token alerts)` : ''}`
          : `no enabled scheduled query rule with an action group keeps both a leg-1 sign-in of its blueprint by a client secret and one by a federated credential other than the attested ones${partial.length > 0 ? ` (${partial.join(', ')} keeps only one of them)` : ''} (SignInMonitor.addAgentIdentity adds one)`) + unjudgedNote(unjudged),
    };
  }

  const grants = roleGrantsOf(model, agent.address).map((grant) => ({
    address: grant.resource,
    scope: grant.scope === undefined ? undefined : standIns.text(model.resource(grant.resource)?.attributes.scope),
  }));
  const roles = roleAssignmentWatch(model, standIns, grants);

  const exports = servicePrincipalSignInExports(model);
  return [
    advisory('ADV-AZ-001', 'Failed sign-ins of this identity are alerted', failures.present, failures.detail),
    advisory('ADV-AZ-007', 'Tokens for this agent identity by any credential but its attested federated credentials are alerted', unattested.present, unattested.detail),
    advisory('ADV-AZ-003', 'Changes to its federated credentials are alerted', false, 'a blueprint’s credentials change in Entra (AuditLogs: "Update application"), which activity log alerts do not see; alert on them from the Entra audit log instead'),
    advisory('ADV-AZ-004', 'Changes to role assignments where it holds roles are alerted', roles.present, roles.detail),
    advisory(
      'ADV-AZ-008',
      'Service principal sign-in logs (agent identities and blueprints) are exported',
      exports.length > 0,
      exports.length > 0
        ? `Entra diagnostic setting with ServicePrincipalSignInLogs: ${exports.map((e) => e.address).join(', ')}`
        : 'no Entra diagnostic setting in this configuration sends ServicePrincipalSignInLogs anywhere; the agent sign-in rules see nothing unless one outside it does',
    ),
    ...stepUpAdvisory(model, standIns, gate),
  ];
}

/**
 * The guard's events as rows of the table a step-up query reads: each JSON line in the column
 * the query parses (`parse_json(<column>)`), as a console-log table stores stdout.
 */
export function stepUpLogRows(query: KqlTableQuery, text: string, events: readonly StepUpEvent[]) {
  const columns = [...new Set([...text.matchAll(/parse_json\(\s*(\w+)\s*\)/g)].map((m) => m[1]))];
  const schema: KqlSchema = { TimeGenerated: 'datetime', Type: 'string', ...Object.fromEntries(columns.map((c) => [c, 'string'])) };
  const rows = events.map((e) => ({ TimeGenerated: e.time, Type: query.table, ...Object.fromEntries(columns.map((c) => [c, JSON.stringify(e)])) }));
  return { schema, rows };
}

/**
 * ADV-AZ-006, for configurations that count step-up decisions (a scheduled query rule whose
 * query names the event): an enabled rule with an action group must alert for the gate's
 * identity on JUDGED_FAILURES unanswered challenges and not on one, nor on an agent answering
 * its challenges. Each rule's query and criteria are run on the guard's events (attestgate's
 * KQL and scheduled-query evaluators), for each operation its query names, as one evaluation
 * of one window. So a rule is first held to what that assumes, and flagged with the reason
 * where it fails: a frequency and window Azure takes (`evaluation_frequency`,
 * `window_duration`), a window no shorter than the scenarios span, and one failing period of
 * one (`failing_periods`) — a rule that needs more stays quiet on a thief's burst in one period.
 */
/**
 * Why a step-up rule's periods keep it from alerting on one burst of challenges, if they do:
 * `unknown` when a value is known only at apply (not judged, rather than flagged).
 */
function stepUpRulePeriodFlaw(resource: TerraformResource, criteria: ReadonlyArray<Record<string, Value>>, standIns: TerraformStandIns): { reason: string; unknown?: true } | undefined {
  const frequency = standIns.text(resource.attributes.evaluation_frequency);
  const window = standIns.text(resource.attributes.window_duration);
  if (frequency === undefined || window === undefined) return { reason: 'its evaluation_frequency or window_duration is known only at apply', unknown: true };
  let windowSeconds: number;
  try {
    windowSeconds = scheduledQueryWindow(frequency, window).windowSeconds;
  } catch (e) {
    if (!(e instanceof KqlError)) throw e;
    return { reason: `Azure would refuse it: ${e.message} (fix evaluation_frequency and window_duration)` };
  }
  const span = stepUpScenarioSpanSeconds();
  if (windowSeconds < span) return { reason: `its window_duration ${window} (${windowSeconds} s) is shorter than the ${span} s the scenarios span, so no evaluation sees one whole (use PT5M or more)` };
  for (const criterion of criteria) {
    for (const periods of blocks(criterion.failing_periods)) {
      const needed = Number(standIns.plain(periods.minimum_failing_periods_to_trigger_alert));
      const of = Number(standIns.plain(periods.number_of_evaluation_periods));
      if (!Number.isFinite(needed) || !Number.isFinite(of)) return { reason: 'its failing_periods are known only at apply', unknown: true };
      if (needed > 1) return { reason: `its failing_periods need ${needed} failing periods of ${of} to alert, so a burst of challenges within one ${window} window never does (set minimum_failing_periods_to_trigger_alert = 1)` };
    }
  }
  return undefined;
}

function stepUpAdvisory(model: TerraformModel, standIns: TerraformStandIns, gate: AzureGate): Advisory[] {
  const rules = model.resourcesOfType('azurerm_monitor_scheduled_query_rules_alert_v2').map((r) => ({
    resource: r,
    criteria: blocks(r.attributes.criteria).map((c) => ({ raw: c, query: standIns.text(c.query) })),
    actions: blocks(r.attributes.action).flatMap((a) => (Array.isArray(a.action_groups) ? a.action_groups : [])),
  }));
  if (!rules.some((r) => r.criteria.some((c) => c.query?.includes(STEP_UP_EVENT)))) return [];
  const id = 'ADV-AZ-006';
  const title = 'Step-up failures of this identity are alerted';
  const identity = gate.manifest?.identity.spiffeId;
  if (identity === undefined) return [{ id, gate: gate.id, title, present: false, detail: 'the identity has no gate manifest, so the subject its step-up tokens carry is not known' }];
  const sound: string[] = [];
  const lax: string[] = [];
  const unjudged: string[] = [];
  const flawed: string[] = [];
  for (const { resource, criteria, actions } of rules) {
    if (resource.attributes.enabled === false || actions.length === 0 || !criteria.some((c) => c.query?.includes(STEP_UP_EVENT))) continue;
    const flaw = stepUpRulePeriodFlaw(resource, criteria.map((c) => c.raw), standIns);
    if (flaw !== undefined) {
      (flaw.unknown ? unjudged : flawed).push(`${resource.address}: ${flaw.reason}`);
      continue;
    }
    try {
      const judged = criteria.map(({ raw, query }) => {
        if (query === undefined) throw new KqlError('its query is known only at apply');
        const criterion: ScheduledQueryCriterion = {
          query,
          timeAggregationMethod: String(raw.time_aggregation_method),
          metricMeasureColumn: typeof raw.metric_measure_column === 'string' ? raw.metric_measure_column : undefined,
          operator: String(raw.operator),
          threshold: Number(raw.threshold),
          dimensions: blocks(raw.dimension).map((d) => ({ name: String(d.name), operator: typeof d.operator === 'string' ? d.operator : undefined, values: standIns.plain(d.values) as string[] | undefined })),
        };
        return { criterion, parsed: KqlTableQuery.parse(query) };
      });
      const operations = [...new Set(judged.flatMap((j) => [...j.criterion.query.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1])))];
      const fires = (events: readonly StepUpEvent[]) =>
        judged.some(({ criterion, parsed }) => {
          const { schema, rows } = stepUpLogRows(parsed, criterion.query, events);
          return scheduledQueryAlerts(criterion, schema, rows).some((alert) => alert.identity === undefined || alert.identity === identity);
        });
      const verdict = judgeStepUpMonitor(identity, operations, Date.now(), fires);
      if (verdict.sound) sound.push(resource.address);
      else if (verdict.laxOn.length > 0) lax.push(`${resource.address} (fires on ${verdict.laxOn.join(', ')})`);
    } catch (e) {
      if (!(e instanceof KqlError)) throw e;
      unjudged.push(`${resource.address}: ${e.message}`);
    }
  }
  return [stepUpMonitorAdvisory({ id, gate: gate.id, title }, identity, { monitor: 'scheduled query rule', monitors: 'rules', absent: 'no enabled scheduled query rule with an action group alerts' }, { sound, lax, flawed, unjudged })];
}
