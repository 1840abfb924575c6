import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { TerraformStack, Testing } from 'cdktf';
import { activityLogAlertMatches } from '../../lib/model/azure/activity-log-alert';
import { SIGN_IN_LOG_SCHEMA } from '../../conformance/azure/signals';
import { KqlQuery } from '../../lib/model/azure/kql-query';
import { AttestedManagedIdentity } from '../../lib/azure/attested-managed-identity';
import { OWNER_ROLE_ID, SIGN_IN_LOG_CATEGORIES, SIGN_IN_TABLES, SignInMonitor } from '../../lib/azure/sign-in-monitor';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { SignalMonitoring } from '../../lib/core/signal-monitoring';
import { synthesized, tfStack } from '../fixtures/cdktf';
import { deployerIdentity } from '../fixtures/identities';

type Tf = ReturnType<typeof synthesized>;
const RG = '/subscriptions/s/resourceGroups/agents';
const IDENTITY_ID = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer-agent`;
const CLIENT_ID = '6b1a3c2e-0000-4000-8000-00000000c11d';

function managed(stack: TerraformStack, options: { name?: string; privilege?: PrivilegeTier; monitoring?: SignalMonitoring; roles?: boolean } = {}) {
  const name = options.name ?? 'deployer';
  return new AttestedManagedIdentity(stack, `Agent-${name}`, {
    identity: deployerIdentity({ name, spiffeId: `spiffe://prod.example/agent/${name}`, privilege: options.privilege ?? PrivilegeTier.HIGH }),
    issuer: 'https://oidc.prod.example',
    resourceGroupName: 'agents',
    location: 'westeurope',
    signInMonitoring: options.monitoring,
    ...(options.roles === false ? {} : { roleAssignments: [{ scope: RG, role: 'Contributor' }] }),
  });
}

const resourcesOf = (tf: Tf, type: string) => Object.values(tf.resource[type] ?? {}) as Array<Record<string, unknown>>;
const ruleNamed = (tf: Tf, prefix: string) => resourcesOf(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2').find((r) => String(r.name).startsWith(prefix))!;
const alertNamed = (tf: Tf, prefix: string) => resourcesOf(tf, 'azurerm_monitor_activity_log_alert').find((r) => String(r.name).startsWith(prefix))!;

/** A rule's query as deployed: Terraform fills in the identity's client ID. */
const deployedQuery = (rule: Record<string, unknown>) =>
  KqlQuery.parse((rule.criteria as Array<{ query: string }>)[0].query.replace(/\$\{azurerm_user_assigned_identity\.[\w-]+\.client_id\}/g, CLIENT_ID));
const signIn = (fields: Record<string, string>) => ({ AppId: CLIENT_ID, ResultType: '0', FederatedCredentialId: '8f0e5a1c-fic', IPAddress: '203.0.113.7', ...fields });

describe('SignInMonitor', () => {
  describe('wiring', () => {
    test('a high-privilege identity is watched by the stack’s one monitor, its role scopes too', () => {
      // GIVEN
      const { stack } = tfStack();
      // WHEN
      const deployer = managed(stack);
      // THEN
      const monitor = SignInMonitor.of(stack, { resourceGroupName: 'x', location: 'y' });
      expect(deployer.monitor).toBe(monitor);
      expect(monitor.watchedIdentities).toEqual([deployer.userAssignedIdentity]);
      const tf = synthesized(stack);
      expect(resourcesOf(tf, 'azurerm_log_analytics_workspace')).toEqual([expect.objectContaining({ resource_group_name: 'agents', location: 'westeurope', retention_in_days: 365, sku: 'PerGB2018' })]);
      expect(resourcesOf(tf, 'azurerm_monitor_aad_diagnostic_setting')).toEqual([
        expect.objectContaining({ log_analytics_workspace_id: expect.stringMatching(/^\$\{azurerm_log_analytics_workspace\.\w+\.id\}$/), enabled_log: SIGN_IN_LOG_CATEGORIES.map((category) => ({ category })) }),
      ]);
      expect(resourcesOf(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2')).toHaveLength(2);
      expect(alertNamed(tf, 'attestgate-role-assignments-changed').scopes).toEqual([RG]);
      expect(resourcesOf(tf, 'azurerm_monitor_action_group')).toEqual([expect.objectContaining({ location: 'global', short_name: 'attestgate', arm_role_receiver: [expect.objectContaining({ role_id: OWNER_ROLE_ID })] })]);
    });

    test('a read-only identity is not watched unless asked; opting a high-privilege one out needs a reason', () => {
      // GIVEN
      const { stack } = tfStack();
      // WHEN
      const reader = managed(stack, { name: 'reader', privilege: PrivilegeTier.READ_ONLY, roles: false });
      const watched = managed(stack, { name: 'watched', privilege: PrivilegeTier.READ_ONLY, monitoring: SignalMonitoring.enabled(), roles: false });
      const unwatched = managed(stack, { name: 'unwatched', monitoring: SignalMonitoring.disabled('Sentinel analytics rule SEC-90') });
      // THEN
      expect(reader.monitor).toBeUndefined();
      expect(unwatched.monitor).toBeUndefined();
      expect(unwatched.node.metadata.find((m) => m.type === 'attestgate:signInMonitoringDisabled')?.data).toBe('Sentinel analytics rule SEC-90');
      expect(watched.monitor!.watchedIdentities).toEqual([watched.userAssignedIdentity]);
      // The unwatched identity's role scope is not watched either, and no alert is made for none.
      expect(watched.monitor!.roleAssignmentChangeAlert).toBeUndefined();
      expect(() => managed(stack, { name: 'bad', monitoring: {} as never })).toThrow('signInMonitoring {} is not a SignalMonitoring');
    });
  });

  describe('signals, evaluated on sign-in records and activity log events', () => {
    const { stack } = tfStack();
    managed(stack);
    const tf = synthesized(stack);

    test('refused sign-ins of the identity, in either sign-in table, one alert per identity', () => {
      const rule = ruleNamed(tf, 'attestgate-failed-sign-ins');
      const query = deployedQuery(rule);
      for (const table of SIGN_IN_TABLES) expect(query.keeps(table, SIGN_IN_LOG_SCHEMA, signIn({ ResultType: '700213', FederatedCredentialId: '' }))).toBe(true);
      expect(query.keeps('AADManagedIdentitySignInLogs', SIGN_IN_LOG_SCHEMA, signIn({}))).toBe(false);
      expect(query.keeps('AADManagedIdentitySignInLogs', SIGN_IN_LOG_SCHEMA, signIn({ AppId: 'another-identity', ResultType: '700213' }))).toBe(false);
      expect(rule).toMatchObject({ skip_query_validation: true, evaluation_frequency: 'PT5M', window_duration: 'PT5M', scopes: [expect.stringMatching(/^\$\{azurerm_log_analytics_workspace\./)] });
      expect((rule.criteria as unknown[])[0]).toMatchObject({ time_aggregation_method: 'Count', operator: 'GreaterThanOrEqual', threshold: 1, dimension: [{ name: 'AppId', operator: 'Include', values: ['*'] }] });
    });

    test('tokens issued without a federated credential; a federated sign-in is not reported', () => {
      const query = deployedQuery(ruleNamed(tf, 'attestgate-unattested-sign-ins'));
      expect(query.keeps('AADManagedIdentitySignInLogs', SIGN_IN_LOG_SCHEMA, signIn({ FederatedCredentialId: '' }))).toBe(true);
      expect(query.keeps('AADManagedIdentitySignInLogs', SIGN_IN_LOG_SCHEMA, signIn({}))).toBe(false);
      expect(query.keeps('AADManagedIdentitySignInLogs', SIGN_IN_LOG_SCHEMA, signIn({ FederatedCredentialId: '', ResultType: '700213' }))).toBe(false);
    });

    test('credential and identity changes below the identity; role assignments at its role scopes', () => {
      const deploy = (alert: Record<string, unknown>) => ({
        scopes: (alert.scopes as string[]).map((s) => s.replace(/\$\{azurerm_user_assigned_identity\.[\w-]+\.id\}/, IDENTITY_ID)),
        criteria: alert.criteria as Record<string, unknown>,
      });
      const identity = deploy(alertNamed(tf, 'attestgate-identity-changed'));
      const event = (operationName: string, resourceId: string, resourceType: string) => ({ category: 'Administrative', operationName, resourceId, resourceType, status: 'Succeeded' });
      const fic = 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials';
      expect(activityLogAlertMatches(identity, event(`${fic}/write`, `${IDENTITY_ID}/federatedIdentityCredentials/intruder`, fic))).toBe(true);
      expect(activityLogAlertMatches(identity, event(`${fic}/delete`, `${IDENTITY_ID}/federatedIdentityCredentials/deployer-1`, fic))).toBe(true);
      expect(activityLogAlertMatches(identity, event(`${fic}/write`, `${IDENTITY_ID}-2/federatedIdentityCredentials/x`, fic))).toBe(false);
      const roles = deploy(alertNamed(tf, 'attestgate-role-assignments-changed'));
      expect(activityLogAlertMatches(roles, event('Microsoft.Authorization/roleAssignments/write', `${RG}/providers/Microsoft.Authorization/roleAssignments/1`, 'Microsoft.Authorization/roleAssignments'))).toBe(true);
      expect(activityLogAlertMatches(roles, event('Microsoft.Authorization/roleAssignments/write', '/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/1', 'Microsoft.Authorization/roleAssignments'))).toBe(false);
    });
  });

  test('given a workspace whose logs another diagnostic setting sends, an action group: none is created', () => {
    const { stack } = tfStack();
    const monitor = new SignInMonitor(stack, 'Monitor', {
      resourceGroupName: 'ops',
      location: 'westeurope',
      workspaceId: '/subscriptions/s/resourceGroups/ops/providers/Microsoft.OperationalInsights/workspaces/sentinel',
      existingDiagnosticSettingReason: 'tenant setting "to-sentinel" sends both categories, SEC-12',
      actionGroupId: '/subscriptions/s/resourceGroups/ops/providers/Microsoft.Insights/actionGroups/soc',
    });
    monitor.addIdentity(new UserAssignedIdentity(stack, 'Legacy', { name: 'legacy', resourceGroupName: 'ops', location: 'westeurope' }));
    const tf = synthesized(stack);
    for (const type of ['azurerm_log_analytics_workspace', 'azurerm_monitor_aad_diagnostic_setting', 'azurerm_monitor_action_group']) expect(resourcesOf(tf, type)).toEqual([]);
    expect(ruleNamed(tf, 'attestgate-failed-sign-ins')).toMatchObject({ action: { action_groups: ['/subscriptions/s/resourceGroups/ops/providers/Microsoft.Insights/actionGroups/soc'] } });
    expect(monitor.node.metadata.find((m) => m.type === 'attestgate:existingDiagnosticSetting')?.data).toBe('tenant setting "to-sentinel" sends both categories, SEC-12');
    expect(SignInMonitor.of(stack, { resourceGroupName: 'x', location: 'y' })).toBe(monitor);
  });

  test('emails make an action group that emails them instead of the Owners', () => {
    const { stack } = tfStack();
    new SignInMonitor(stack, 'Monitor', { resourceGroupName: 'ops', location: 'westeurope', emails: ['soc@example.com'] }).addIdentity(new UserAssignedIdentity(stack, 'Legacy', { name: 'legacy', resourceGroupName: 'ops', location: 'westeurope' }));
    expect(resourcesOf(synthesized(stack), 'azurerm_monitor_action_group')).toEqual([
      expect.objectContaining({ email_receiver: [{ name: 'email-1', email_address: 'soc@example.com', use_common_alert_schema: true }] }),
    ]);
  });

  test('a monitor that watches nothing fails synth, saying how to fix it', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'empty');
    new SignInMonitor(stack, 'Monitor', { resourceGroupName: 'ops', location: 'westeurope' });
    expect(() => app.synth()).toThrow("SignInMonitor 'empty/Monitor': watches nothing (no managed identity and no agent identity)");
    expect(() => app.synth()).toThrow('Fix: register one with addIdentity or addAgentIdentity, or remove the monitor');
  });

  test.each([
    [{ failuresPerIdentityThreshold: 0 }, 'failuresPerIdentityThreshold 0 is not a positive whole number'],
    [{ evaluationFrequencyMinutes: 7 }, 'evaluationFrequencyMinutes 7 is not one of 5, 10, 15, 30, 45, 60'],
    [{ retentionDays: 7 }, 'retentionDays 7 is not a whole number of days from 30 to 730'],
    [{ existingDiagnosticSettingReason: 'exists' }, 'existingDiagnosticSettingReason "exists" is shorter than 10 characters'],
    [{ existingDiagnosticSettingReason: 'tenant setting to-sentinel' }, 'workspaceId (unset) is required with existingDiagnosticSettingReason'],
    [{ emails: ['soc'] }, 'emails "soc" is not an email address'],
    [{ emails: ['soc@example.com'], actionGroupId: '/x' }, 'emails ["soc@example.com"] are given with actionGroupId'],
  ])('%j is refused at synth: %s', (props, message) => {
    const { stack } = tfStack();
    expect(() => new SignInMonitor(stack, 'Monitor', { resourceGroupName: 'ops', location: 'westeurope', ...props })).toThrow(`SignInMonitor 'agents/Monitor': ${message}`);
  });

  test('a second monitor in the stack is refused, naming the first', () => {
    const { stack } = tfStack();
    managed(stack);
    expect(() => new SignInMonitor(stack, 'Late', { resourceGroupName: 'ops', location: 'westeurope' })).toThrow("SignInMonitor 'agents/Late': construction \"agents/AttestgateSignInMonitor\" is a second SignInMonitor in this stack");
  });
});

describe('SignInMonitor on an Entra agent identity', () => {
  const BLUEPRINT_APP = '0f5e7d3c-1111-4000-8000-00000000b1e0';
  const AGENT_APP = '0f5e7d3c-2222-4000-8000-0000000a9e17';
  const ATTESTED = ['3c9d2b1a-0000-4000-8000-0000000f1c01', '3c9d2b1a-0000-4000-8000-0000000f1c02'];

  function build() {
    const { AttestedAgentIdentity, AgentIdAttestation } = require('../../lib/azure/attested-agent-identity') as typeof import('../../lib/azure/attested-agent-identity');
    const { MsgraphProvider } = require('../../lib/azure/msgraph-provider') as typeof import('../../lib/azure/msgraph-provider');
    const { stack } = tfStack();
    const identity = managed(stack);
    new MsgraphProvider(stack, 'msgraph', { useOidc: true });
    const agent = new AttestedAgentIdentity(stack, 'DeployerAgent', {
      identity: deployerIdentity(),
      attestation: AgentIdAttestation.spire('https://oidc.prod.example'),
      sponsors: { users: ['1f0c5e2a-7b64-4d0e-9a51-3c2d8e9f4a10'] },
    });
    identity.monitor!.addAgentIdentity(agent);
    identity.monitor!.addAgentIdentity(agent);
    // Added after registration: still among the attested credentials.
    agent.addFederatedCredential(AgentIdAttestation.spire('https://oidc.eu.prod.example'));
    return { stack, agent, monitor: identity.monitor!, tf: synthesized(stack) };
  }

  /** The query as deployed: Terraform fills in the blueprint's and agent's app IDs and the credentials' IDs. */
  function deployed(query: string, agent: import('../../lib/azure/attested-agent-identity').AttestedAgentIdentity): KqlQuery {
    const [first, second] = agent.federatedCredentials.map((c) => c.friendlyUniqueId);
    return KqlQuery.parse(
      query
        .replace(`\${msgraph_resource.${agent.blueprint.friendlyUniqueId}.output.app_id}`, BLUEPRINT_APP)
        .replace(`\${msgraph_resource.${agent.agentIdentity.friendlyUniqueId}.output.app_id}`, AGENT_APP)
        .replace(`\${msgraph_resource.${first}.id}`, ATTESTED[0])
        .replace(`\${msgraph_resource.${second}.id}`, ATTESTED[1])
        .replace(/\$\{azurerm_user_assigned_identity\.[\w-]+\.client_id\}/g, CLIENT_ID),
    );
  }
  const leg1 = (fields: Record<string, string>) => ({ Type: 'AADServicePrincipalSignInLogs', AppId: BLUEPRINT_APP, ResultType: '0', FederatedCredentialId: '', ServicePrincipalCredentialKeyId: '', IPAddress: '203.0.113.7', ...fields });

  test('one rule, on the blueprint’s sign-ins by any credential but the agent’s attested federated credentials (both, the later one included)', () => {
    const { tf, agent, monitor } = build();
    expect(monitor.watchedAgentIdentities).toEqual([agent]);
    const rule = ruleNamed(tf, 'attestgate-unattested-agent-sign-ins');
    expect(rule).toMatchObject({ severity: 0, scopes: [expect.stringMatching(/^\$\{azurerm_log_analytics_workspace\./)], action: { action_groups: [expect.stringMatching(/^\$\{azurerm_monitor_action_group\./)] } });
    const query = deployed((rule.criteria as Array<{ query: string }>)[0].query, agent);
    const keeps = (record: Record<string, string>) => query.keeps('AADServicePrincipalSignInLogs', SIGN_IN_LOG_SCHEMA, record);
    // The attested credentials, from either issuer: no alert.
    expect(keeps(leg1({ FederatedCredentialId: ATTESTED[0] }))).toBe(false);
    expect(keeps(leg1({ FederatedCredentialId: ATTESTED[1] }))).toBe(false);
    // A client secret or certificate of the blueprint, another federated credential: alert.
    expect(keeps(leg1({ ServicePrincipalCredentialKeyId: '5d1e0c2b-secret' }))).toBe(true);
    expect(keeps(leg1({ ServicePrincipalCredentialThumbprint: 'A1B2C3' }))).toBe(true);
    expect(keeps(leg1({ FederatedCredentialId: '9e8d7c6b-0000-4000-8000-0000000f1c99' }))).toBe(true);
    // A refused attempt is the failure rule's; another application's secret is not this agent's.
    expect(keeps(leg1({ ResultType: '7000215', ServicePrincipalCredentialKeyId: '5d1e0c2b-secret' }))).toBe(false);
    expect(keeps(leg1({ AppId: '11111111-2222-4000-8000-333333333333', ServicePrincipalCredentialKeyId: '5d1e0c2b-secret' }))).toBe(false);
  });

  test('the failure rule watches both legs: the blueprint’s and the agent’s refused sign-ins, beside the managed identity’s', () => {
    const { tf, agent } = build();
    const query = deployed((ruleNamed(tf, 'attestgate-failed-sign-ins').criteria as Array<{ query: string }>)[0].query, agent);
    const keeps = (record: Record<string, string>) => query.keeps('AADServicePrincipalSignInLogs', SIGN_IN_LOG_SCHEMA, record);
    expect(keeps(leg1({ ResultType: '700213' }))).toBe(true);
    expect(keeps(leg1({ AppId: AGENT_APP, ResultType: '7002137' }))).toBe(true);
    expect(keeps(leg1({ AppId: CLIENT_ID, ResultType: '700213' }))).toBe(true);
    expect(keeps(leg1({ AppId: AGENT_APP, ResultType: '0' }))).toBe(false);
  });

  test('a stack of agent identities alone: valid, with only the rules that have a subject; both rules judge the three leg-1 records as ADV-AZ-007 does', () => {
    // GIVEN a stack with no managed identity
    const { AttestedAgentIdentity, AgentIdAttestation } = require('../../lib/azure/attested-agent-identity') as typeof import('../../lib/azure/attested-agent-identity');
    const { MsgraphProvider } = require('../../lib/azure/msgraph-provider') as typeof import('../../lib/azure/msgraph-provider');
    const { stack } = tfStack();
    new MsgraphProvider(stack, 'msgraph', { useOidc: true });
    const agent = new AttestedAgentIdentity(stack, 'DeployerAgent', {
      identity: deployerIdentity(),
      attestation: AgentIdAttestation.spire('https://oidc.prod.example'),
      sponsors: { users: ['1f0c5e2a-7b64-4d0e-9a51-3c2d8e9f4a10'] },
    });
    agent.addFederatedCredential(AgentIdAttestation.spire('https://oidc.eu.prod.example'));
    // WHEN
    const monitor = new SignInMonitor(stack, 'Monitor', { resourceGroupName: 'ops', location: 'westeurope' });
    monitor.addAgentIdentity(agent);
    // THEN synth passes, and the managed-identity rule and alert (which would list no identity) are not written
    const tf = synthesized(stack);
    expect([monitor.unattestedSignInRule, monitor.identityChangeAlert]).toEqual([undefined, undefined]);
    expect(resourcesOf(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2').map((r) => String(r.name))).toEqual(['attestgate-failed-sign-ins-agents', 'attestgate-unattested-agent-sign-ins-agents']);
    expect(resourcesOf(tf, 'azurerm_monitor_activity_log_alert')).toEqual([]);
    expect(resourcesOf(tf, 'azurerm_monitor_aad_diagnostic_setting')[0].enabled_log).toContainEqual({ category: 'ServicePrincipalSignInLogs' });
    const query = (prefix: string) => deployed((ruleNamed(tf, prefix).criteria as Array<{ query: string }>)[0].query, agent);
    // The agent rule: an attested credential is quiet; a secret and another federated credential alert.
    const unattested = query('attestgate-unattested-agent-sign-ins');
    const keeps = (record: Record<string, string>) => unattested.keeps('AADServicePrincipalSignInLogs', SIGN_IN_LOG_SCHEMA, record);
    expect([keeps(leg1({ FederatedCredentialId: ATTESTED[0] })), keeps(leg1({ ServicePrincipalCredentialKeyId: '5d1e0c2b-secret' })), keeps(leg1({ FederatedCredentialId: '9e8d7c6b-0000-4000-8000-0000000f1c99' }))]).toEqual([false, true, true]);
    // The failure rule: refusals at both legs, no managed identity in its list.
    const failed = query('attestgate-failed-sign-ins');
    expect(failed.keeps('AADServicePrincipalSignInLogs', SIGN_IN_LOG_SCHEMA, leg1({ ResultType: '700213' }))).toBe(true);
    expect(failed.keeps('AADServicePrincipalSignInLogs', SIGN_IN_LOG_SCHEMA, leg1({ AppId: AGENT_APP, ResultType: '7002137' }))).toBe(true);
    expect((ruleNamed(tf, 'attestgate-failed-sign-ins').criteria as Array<{ query: string }>)[0].query).not.toContain('azurerm_user_assigned_identity');
  });

  test('no rule for agents until one is watched', () => {
    const { stack } = tfStack();
    const identity = managed(stack);
    expect(identity.monitor!.unattestedAgentSignInRule).toBeUndefined();
    expect(ruleNamed(synthesized(stack), 'attestgate-unattested-agent-sign-ins')).toBeUndefined();
  });
});
