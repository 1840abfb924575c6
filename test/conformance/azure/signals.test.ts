import * as fs from 'node:fs';
import * as path from 'node:path';
import { discoverAzureGates } from '../../../conformance/azure/discover-gates';
import { azureAdvisoriesOf } from '../../../conformance/azure/signals';
import { loadTerraformSources } from '../../../conformance/discovery/terraform-sources';
import { TerraformSource } from '../../../lib/model/terraform/configuration';
import { stepUpScenarioSpanSeconds } from '../../../lib/step-up/failure-signal';
import { synthCdktfExamples } from '../../fixtures/synth-cdktf';
import { ISSUER, azureConfiguration, tfModel } from '../../fixtures/terraform';

const source = (configuration: unknown): TerraformSource => ({ stackName: 'brownfield', file: 'brownfield.tf.json', model: tfModel(configuration) });
const advisoriesOf = (s: TerraformSource) => azureAdvisoriesOf(s.model, discoverAzureGates([s])[0]);
const presence = (advisories: ReturnType<typeof azureAdvisoriesOf>) => Object.fromEntries(advisories.map((a) => [a.id, a.present]));
const ALL = { 'ADV-AZ-001': true, 'ADV-AZ-002': true, 'ADV-AZ-003': true, 'ADV-AZ-004': true, 'ADV-AZ-005': true };
const NONE = { 'ADV-AZ-001': false, 'ADV-AZ-002': false, 'ADV-AZ-003': false, 'ADV-AZ-004': false, 'ADV-AZ-005': false };

/** Hand-written signals for the brownfield identity, as a team might write them without attestgate. */
function handWrittenSignals(overrides: { failedQuery?: string; scopes?: string[]; enabled?: boolean; actionGroups?: string[] } = {}) {
  const group = '${azurerm_monitor_action_group.soc.id}';
  return {
    azurerm_monitor_action_group: { soc: { name: 'soc', resource_group_name: 'ops', short_name: 'soc', email_receiver: [{ name: 'soc', email_address: 'soc@example.com' }] } },
    azurerm_log_analytics_workspace: { sentinel: { name: 'sentinel', resource_group_name: 'ops', location: 'westeurope' } },
    azurerm_monitor_aad_diagnostic_setting: { entra: { name: 'to-sentinel', log_analytics_workspace_id: '${azurerm_log_analytics_workspace.sentinel.id}', enabled_log: [{ category: 'ManagedIdentitySignInLogs' }, { category: 'SignInLogs' }] } },
    azurerm_monitor_scheduled_query_rules_alert_v2: {
      failed: {
        name: 'deployer-failures',
        resource_group_name: 'ops',
        location: 'westeurope',
        scopes: ['${azurerm_log_analytics_workspace.sentinel.id}'],
        enabled: overrides.enabled ?? true,
        severity: 1,
        evaluation_frequency: 'PT5M',
        window_duration: 'PT5M',
        criteria: [{ query: overrides.failedQuery ?? 'AADManagedIdentitySignInLogs\n| where ServicePrincipalId == "${azurerm_user_assigned_identity.deployer.principal_id}" and ResultType != "0"', time_aggregation_method: 'Count', operator: 'GreaterThan', threshold: 0 }],
        action: { action_groups: overrides.actionGroups ?? [group] },
      },
    },
    azurerm_monitor_scheduled_query_rules_alert: {
      legacy: {
        name: 'deployer-imds',
        resource_group_name: 'ops',
        location: 'westeurope',
        data_source_id: '${azurerm_log_analytics_workspace.sentinel.id}',
        frequency: 5,
        time_window: 5,
        query: 'AADManagedIdentitySignInLogs | where AppId =~ "${azurerm_user_assigned_identity.deployer.client_id}" | where ResultType == "0" and FederatedCredentialId == ""',
        trigger: { operator: 'GreaterThan', threshold: 0 },
        action: { action_group: overrides.actionGroups ?? [group] },
      },
    },
    azurerm_monitor_activity_log_alert: {
      credentials: {
        name: 'deployer-credentials',
        resource_group_name: 'ops',
        location: 'global',
        scopes: overrides.scopes ?? ['/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/agents'],
        criteria: { category: 'Administrative', operation_name: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write' },
        action: [{ action_group_id: group }],
      },
      roles: {
        name: 'subscription-roles',
        resource_group_name: 'ops',
        location: 'global',
        scopes: overrides.scopes ?? ['${data.azurerm_subscription.current.id}'],
        criteria: { category: 'Administrative', resource_type: 'Microsoft.Authorization/roleAssignments' },
        action: [{ action_group_id: group }],
      },
    },
  };
}

function brownfield(overrides: Parameters<typeof handWrittenSignals>[0] = {}) {
  const configuration = azureConfiguration({ extra: handWrittenSignals(overrides) }) as Record<string, unknown>;
  // The role assignment at the subscription, as the data source gives it.
  const resources = configuration.resource as Record<string, Record<string, Record<string, unknown>>>;
  resources.azurerm_role_assignment.contributor.scope = '${data.azurerm_subscription.current.id}';
  return { ...configuration, data: { azurerm_subscription: { current: {} } } };
}

describe('Azure detection signals as advisories', () => {
  test('the example: its SignInMonitor and StepUpMonitor give the deployer every signal', () => {
    const [example] = loadTerraformSources(synthCdktfExamples()).filter((s) => s.stackName === 'attestgate-azure-example');
    const advisories = advisoriesOf(example);
    expect(presence(advisories)).toEqual({ ...ALL, 'ADV-AZ-006': true });
    expect(advisories[0]).toMatchObject({ gate: expect.stringMatching(/^attestgate-azure-example\/azurerm_user_assigned_identity\./), detail: expect.stringContaining('FailedSignIns') });
    expect(advisories[1].detail).toContain('UnattestedSignIns');
  });

  test('brownfield without signals: every advisory absent, saying what to add', () => {
    const advisories = advisoriesOf(source(azureConfiguration()));
    expect(presence(advisories)).toEqual(NONE);
    expect(advisories[0].detail).toContain('add SignInMonitor');
    expect(advisories[4].detail).toContain('no Entra diagnostic setting');
  });

  test('brownfield with hand-written rules that refer to the identity (v2 and legacy query rules, subscription-wide alerts): present', () => {
    const advisories = advisoriesOf(source(brownfield()));
    expect(presence(advisories)).toEqual(ALL);
    expect(advisories.map((a) => a.detail)).toEqual([
      'scheduled query rule on refused sign-ins (AADManagedIdentitySignInLogs): azurerm_monitor_scheduled_query_rules_alert_v2.failed',
      'scheduled query rule on sign-ins without a federated credential: azurerm_monitor_scheduled_query_rules_alert.legacy',
      'activity log alert on federated credential writes: azurerm_monitor_activity_log_alert.credentials',
      'activity log alert on role assignments at its scopes: azurerm_monitor_activity_log_alert.roles',
      'Entra diagnostic setting with ManagedIdentitySignInLogs: azurerm_monitor_aad_diagnostic_setting.entra',
    ]);
  });

  test('rules that would not fire for this identity do not count: another identity, another scope, disabled, no action group', () => {
    const other = advisoriesOf(source(brownfield({ failedQuery: 'AADManagedIdentitySignInLogs | where AppId == "11111111-2222-3333-4444-555555555555"', scopes: ['/subscriptions/elsewhere'] })));
    expect(presence(other)).toEqual({ ...NONE, 'ADV-AZ-002': true, 'ADV-AZ-005': true });
    expect(presence(advisoriesOf(source(brownfield({ enabled: false }))))).toMatchObject({ 'ADV-AZ-001': false, 'ADV-AZ-002': true });
    expect(presence(advisoriesOf(source(brownfield({ actionGroups: [] }))))).toMatchObject({ 'ADV-AZ-001': false, 'ADV-AZ-002': false });
  });

  test('a query it cannot evaluate does not count, and says so', () => {
    const advisories = advisoriesOf(source(brownfield({ failedQuery: 'AADManagedIdentitySignInLogs | where ResultType != 0' })));
    expect(advisories[0]).toMatchObject({ present: false, detail: expect.stringContaining('(could not judge azurerm_monitor_scheduled_query_rules_alert_v2.failed: cannot compare a string with a number)') });
  });

  test('an identity outside the configuration, or an app registration, cannot be watched from here', () => {
    const external = advisoriesOf(source({ resource: { azurerm_federated_identity_credential: { c: { name: 'c', resource_group_name: 'a', parent_id: '/subscriptions/s/resourceGroups/a/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x', issuer: ISSUER, subject: 's', audience: ['api://AzureADTokenExchange'] } } } }));
    expect(presence(external)).toEqual(NONE);
    expect(external[0].detail).toContain('is not in this configuration');
    const app = advisoriesOf(
      source({
        resource: {
          azuread_application: { deployer: { display_name: 'deployer' } },
          azuread_application_federated_identity_credential: { c: { application_id: '${azuread_application.deployer.id}', display_name: 'c', issuer: ISSUER, subject: 's', audiences: ['api://AzureADTokenExchange'] } },
          azurerm_monitor_action_group: { soc: { name: 'soc', resource_group_name: 'ops', short_name: 'soc' } },
          azurerm_monitor_scheduled_query_rules_alert_v2: {
            failed: { criteria: [{ query: 'AADServicePrincipalSignInLogs | where AppId == "${azuread_application.deployer.client_id}" and ResultType != "0"' }], action: { action_groups: ['${azurerm_monitor_action_group.soc.id}'] } },
          },
        },
      }),
    );
    expect(presence(app)).toMatchObject({ 'ADV-AZ-001': true, 'ADV-AZ-003': false });
    expect(app[2].detail).toContain('Entra (AuditLogs), which activity log alerts do not see');
  });
});

describe('ADV-AZ-006: step-up failures of the identity are alerted', () => {
  type Tf = { resource: Record<string, Record<string, Record<string, any>>> };
  const DEPLOYER = 'spiffe://prod.example/agent/deployer';

  /** The Azure example as synthesized (with its StepUpMonitor), its step-up rule edited by `tamper`. */
  function example(tamper: (rule: Record<string, any>) => void = () => undefined) {
    const file = path.join(synthCdktfExamples(), 'stacks', 'attestgate-azure-example', 'cdk.tf.json');
    const tf = JSON.parse(fs.readFileSync(file, 'utf8')) as Tf;
    Object.values(tf.resource.azurerm_monitor_scheduled_query_rules_alert_v2)
      .filter((r) => String(r.criteria[0].query).includes('attestgate.step-up.decision'))
      .forEach(tamper);
    return advisoriesOf({ stackName: 'attestgate-azure-example', file, model: tfModel(tf) }).find((a) => a.id === 'ADV-AZ-006');
  }
  const query = (rule: Record<string, any>, edit: (q: string) => string) => (rule.criteria[0].query = edit(rule.criteria[0].query));

  test('the example’s StepUpMonitor of the deployer is present', () => {
    expect(example()).toMatchObject({ present: true, detail: expect.stringContaining(`scheduled query rule on ${DEPLOYER}'s unanswered step-up challenges: azurerm_monitor_scheduled_query_rules_alert_v2.`) });
  });

  test('a configuration that counts no step-up decisions gets no step-up advisory', () => {
    expect(example((r) => query(r, (q) => q.replace('attestgate.step-up.decision', 'other')))).toBeUndefined();
    expect(advisoriesOf(source(azureConfiguration())).some((a) => a.id === 'ADV-AZ-006')).toBe(false);
  });

  test('lax or misdirected rules are absent: another identity, a threshold of 1, a query matching nothing, counting challenges only, no action group', () => {
    expect(example((r) => query(r, (q) => q.replace(DEPLOYER, 'spiffe://prod.example/agent/someone-else')))).toMatchObject({ present: false, detail: expect.stringContaining('add StepUpMonitor') });
    expect(example((r) => (r.criteria[0].threshold = 1))).toMatchObject({ present: false, detail: expect.stringContaining('fires on one unanswered challenge') });
    expect(example((r) => query(r, (q) => q.replace('tostring(e.outcome)', 'tostring(e.result)')))).toMatchObject({ present: false });
    expect(example((r) => query(r, (q) => q.replace('iff(challenges > allowed, challenges - allowed, 0)', 'challenges')))).toMatchObject({ present: false, detail: expect.stringContaining('ten answered challenges') });
    expect(example((r) => (r.action = {}))).toMatchObject({ present: false });
  });

  test('periods the scenarios need: one failing period, a window that sees a scenario whole, values Azure takes — a rule failing one is flagged, with the reason', () => {
    const flagged = (tamper: (rule: Record<string, any>) => void) => example(tamper)!.detail.match(/rules that cannot alert as the scenarios need: (.*)\)$/)?.[1];
    expect(example((r) => (r.criteria[0].failing_periods = { minimum_failing_periods_to_trigger_alert: 2, number_of_evaluation_periods: 3 }))).toMatchObject({ present: false });
    expect(flagged((r) => (r.criteria[0].failing_periods = { minimum_failing_periods_to_trigger_alert: 2, number_of_evaluation_periods: 3 }))).toMatch(
      /^azurerm_monitor_scheduled_query_rules_alert_v2\.\S+: its failing_periods need 2 failing periods of 3 to alert, so a burst of challenges within one PT5M window never does \(set minimum_failing_periods_to_trigger_alert = 1\)$/,
    );
    const minute = (r: Record<string, any>) => Object.assign(r, { evaluation_frequency: 'PT1M', window_duration: 'PT1M' });
    expect(example(minute)).toMatchObject({ present: false });
    expect(flagged(minute)).toContain(`its window_duration PT1M (60 s) is shorter than the ${stepUpScenarioSpanSeconds()} s the scenarios span`);
    expect(flagged((r) => (r.evaluation_frequency = 'PT2M'))).toContain('Azure would refuse it: the evaluation frequency PT2M is not one a scheduled query rule takes');
    expect(flagged((r) => (r.window_duration = 'PT1M'))).toContain('Azure would refuse it: the window PT1M is not one a rule evaluated every PT5M takes');
  });

  test('a longer window, or one failing period of several, is still sound: the periods hold a burst', () => {
    expect(example((r) => Object.assign(r, { evaluation_frequency: 'PT5M', window_duration: 'PT15M' }))).toMatchObject({ present: true });
    expect(example((r) => (r.criteria[0].failing_periods = { minimum_failing_periods_to_trigger_alert: 1, number_of_evaluation_periods: 4 }))).toMatchObject({ present: true });
  });

  test('a query it cannot evaluate is reported as not judged, never counted', () => {
    const unjudged = example((r) => query(r, (q) => q.replace('| extend e = parse_json(Log_s)', '| mv-expand e = parse_json(Log_s)')));
    expect(unjudged).toMatchObject({ present: false, detail: expect.stringContaining('could not judge azurerm_monitor_scheduled_query_rules_alert_v2.') });
    expect(unjudged!.detail).toContain('the mv-expand operator is not supported');
  });
});

describe('Azure advisories of an Entra agent identity (hand-written signals over a hand-written blueprint)', () => {
  const { agentIdConfiguration } = require('../../fixtures/entra-agent-id') as typeof import('../../fixtures/entra-agent-id');
  const group = '${azurerm_monitor_action_group.soc.id}';
  const rule = (query: string) => ({
    name: 'agent-rule',
    resource_group_name: 'ops',
    location: 'westeurope',
    scopes: ['${azurerm_log_analytics_workspace.sentinel.id}'],
    severity: 0,
    evaluation_frequency: 'PT5M',
    window_duration: 'PT5M',
    criteria: [{ query, time_aggregation_method: 'Count', operator: 'GreaterThan', threshold: 0 }],
    action: { action_groups: [group] },
  });
  const BLUEPRINT_APP = '${msgraph_resource.blueprint.output.app_id}';
  function withSignals(rules: Record<string, string>, categories = ['ServicePrincipalSignInLogs']) {
    const configuration = agentIdConfiguration('spire-blueprint');
    configuration.resource.msgraph_resource.deployer.response_export_values = { appId: 'appId' };
    Object.assign(configuration.resource, {
      azurerm_monitor_action_group: { soc: { name: 'soc', resource_group_name: 'ops', short_name: 'soc', email_receiver: [{ name: 'soc', email_address: 'soc@example.com' }] } },
      azurerm_log_analytics_workspace: { sentinel: { name: 'sentinel', resource_group_name: 'ops', location: 'westeurope' } },
      azurerm_monitor_aad_diagnostic_setting: { entra: { name: 'to-sentinel', log_analytics_workspace_id: '${azurerm_log_analytics_workspace.sentinel.id}', enabled_log: categories.map((category) => ({ category })) } },
      azurerm_monitor_scheduled_query_rules_alert_v2: Object.fromEntries(Object.entries(rules).map(([k, q]) => [k, rule(q)])),
    });
    return configuration;
  }
  const advisories = (configuration: unknown) => {
    const s = source(configuration);
    const gate = discoverAzureGates([s]).find((g) => g.agent !== undefined)!;
    return azureAdvisoriesOf(s.model, gate);
  };
  const byId = (list: ReturnType<typeof advisories>) => Object.fromEntries(list.map((a) => [a.id, a]));

  test('no signals: every agent advisory is NO, and says what is missing', () => {
    const list = advisories(agentIdConfiguration('spire-blueprint'));
    expect(presence(list)).toEqual({ 'ADV-AZ-001': false, 'ADV-AZ-007': false, 'ADV-AZ-003': false, 'ADV-AZ-004': false, 'ADV-AZ-008': false });
    expect(byId(list)['ADV-AZ-007'].detail).toContain('no enabled scheduled query rule with an action group keeps both a leg-1 sign-in of its blueprint by a client secret');
    // The agent's Contributor assignment is found (its principal is the msgraph resource's id).
    expect(byId(list)['ADV-AZ-004'].detail).toContain('azurerm_role_assignment.deployer_contributor');
  });

  test('a rule on the blueprint’s sign-ins whose federated credential is not the attested one: YES; refusals at both legs: YES', () => {
    const list = advisories(
      withSignals({
        unattested: `AADServicePrincipalSignInLogs\n| where AppId == "${BLUEPRINT_APP}"\n| where ResultType == "0"\n| where FederatedCredentialId != "\${msgraph_resource.spire.id}"`,
        failed: `AADServicePrincipalSignInLogs\n| where AppId in ("${BLUEPRINT_APP}", "\${msgraph_resource.deployer.output.appId}") and ResultType != "0"`,
      }),
    );
    expect(presence(list)).toEqual({ 'ADV-AZ-001': true, 'ADV-AZ-007': true, 'ADV-AZ-003': false, 'ADV-AZ-004': false, 'ADV-AZ-008': true });
    expect(byId(list)['ADV-AZ-007'].detail).toBe("scheduled query rule on its blueprint's sign-ins by a client secret or another federated credential: azurerm_monitor_scheduled_query_rules_alert_v2.unattested");
    expect(byId(list)['ADV-AZ-001'].detail).toContain('leg 2, its own: azurerm_monitor_scheduled_query_rules_alert_v2.failed');
  });

  test('misconfigured: the managed-identity rule (empty FederatedCredentialId only) misses another federated credential; a rule on the agent’s app ID misses leg 1', () => {
    const list = advisories(
      withSignals({
        imds_style: `AADServicePrincipalSignInLogs | where AppId == "${BLUEPRINT_APP}" and ResultType == "0" and isempty(FederatedCredentialId)`,
        agent_only: 'AADServicePrincipalSignInLogs | where AppId == "${msgraph_resource.deployer.output.appId}" and ResultType == "0"',
      }, ['ManagedIdentitySignInLogs']),
    );
    expect(presence(list)).toMatchObject({ 'ADV-AZ-007': false, 'ADV-AZ-008': false });
    expect(byId(list)['ADV-AZ-007'].detail).toContain('(azurerm_monitor_scheduled_query_rules_alert_v2.imds_style keeps only one of them)');
  });

  test('a synthesized stack of agent identities alone, watched by SignInMonitor: ADV-AZ-001, 007 and 008 are YES', () => {
    const { tfStack, synthesized } = require('../../fixtures/cdktf') as typeof import('../../fixtures/cdktf');
    const { deployerIdentity } = require('../../fixtures/identities') as typeof import('../../fixtures/identities');
    const { AttestedAgentIdentity, AgentIdAttestation } = require('../../../lib/azure/attested-agent-identity') as typeof import('../../../lib/azure/attested-agent-identity');
    const { MsgraphProvider } = require('../../../lib/azure/msgraph-provider') as typeof import('../../../lib/azure/msgraph-provider');
    const { SignInMonitor } = require('../../../lib/azure/sign-in-monitor') as typeof import('../../../lib/azure/sign-in-monitor');
    const { stack } = tfStack();
    new MsgraphProvider(stack, 'msgraph', { useOidc: true });
    const agent = new AttestedAgentIdentity(stack, 'DeployerAgent', {
      identity: deployerIdentity(),
      attestation: AgentIdAttestation.spire('https://oidc.prod.example'),
      sponsors: { users: ['1f0c5e2a-7b64-4d0e-9a51-3c2d8e9f4a10'] },
    });
    new SignInMonitor(stack, 'Monitor', { resourceGroupName: 'ops', location: 'westeurope' }).addAgentIdentity(agent);
    const list = advisories(synthesized(stack));
    expect(presence(list)).toMatchObject({ 'ADV-AZ-001': true, 'ADV-AZ-007': true, 'ADV-AZ-008': true });
    expect(byId(list)['ADV-AZ-007'].detail).not.toContain('also fires on the attested credentials');
  });

  test('unusual but correct: a rule on every successful blueprint sign-in alerts, and is said to be noisy', () => {
    const list = advisories(withSignals({ every: `union isfuzzy=true AADServicePrincipalSignInLogs | where AppId =~ "${BLUEPRINT_APP}" | where ResultType == "0"` }));
    expect(byId(list)['ADV-AZ-007']).toMatchObject({ present: true, detail: expect.stringContaining('also fires on the attested credentials: every legitimate token alerts') });
  });
});
