import { Testing } from 'cdktf';
import { AZURE_EXAMPLE_STACK, DEPLOYER_SPONSOR, buildAzureExample } from '../../../examples/azure/main';
import { agentGates } from '../../../lib/model/azure/agent-issuance-paths';
import { TerraformModel } from '../../../lib/model/terraform/configuration';
import { AZURE_RULES } from '../../../lib/rules/azure';
import { annotations, gateManifestIn, onlyResource } from '../../fixtures/cdktf';
import { awsDeployerIdentity } from '../../fixtures/aws-example';

const SPIFFE = 'spiffe://prod.example/agent/deployer';

describe('examples/azure', () => {
  const { app, stack } = buildAzureExample(Testing.app());
  Testing.synth(stack);
  const tf = stack.toTerraform() as { resource: Record<string, Record<string, Record<string, unknown>>>; terraform: { backend: { local: { path: string } } } };

  test('a chained federated credential set for the deployer’s SPIFFE ID, from two issuers', () => {
    const [first, second] = Object.entries(tf.resource.azurerm_federated_identity_credential);
    expect(first[1]).toMatchObject({ issuer: 'https://oidc.prod.example', subject: SPIFFE, audience: ['api://AzureADTokenExchange'] });
    expect(first[1].depends_on).toBeUndefined();
    expect(second[1]).toMatchObject({ issuer: 'https://oidc.eu.prod.example', subject: SPIFFE, depends_on: [`azurerm_federated_identity_credential.${first[0]}`] });
  });

  test('Contributor on the agents’ resource group, assigned to the managed identity and to the agent identity; Reader to the reviewer agent', () => {
    const assignments = Object.values(tf.resource.azurerm_role_assignment);
    expect(assignments).toEqual([
      expect.objectContaining({ role_definition_name: 'Contributor', scope: '${azurerm_resource_group.Agents.id}', principal_id: expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.\w+\.principal_id\}$/) }),
      expect.objectContaining({ role_definition_name: 'Contributor', scope: '${azurerm_resource_group.Agents.id}', principal_id: `\${msgraph_resource.${stack.deployerAgent.agentIdentity.friendlyUniqueId}.id}` }),
      expect.objectContaining({ role_definition_name: 'Reader', scope: '${azurerm_resource_group.Agents.id}', principal_id: `\${msgraph_resource.${stack.reviewerAgent.agentIdentity.friendlyUniqueId}.id}` }),
    ]);
  });

  test('a second agent, the reviewer, on a blueprint of its own: no sibling of the deployer, a trust of its own SPIFFE ID', () => {
    const model = TerraformModel.parse(JSON.stringify(tf), 'cdk.tf.json');
    const [deployer, reviewer] = agentGates(model);
    expect(reviewer.agent.resource.address).toBe(`msgraph_resource.${stack.reviewerAgent.agentIdentity.friendlyUniqueId}`);
    expect(reviewer.blueprintKey).not.toBe(deployer.blueprintKey);
    expect([deployer.siblings, reviewer.siblings, reviewer.highPrivilege]).toEqual([[], [], undefined]);
    expect(reviewer.declared).toEqual([{ issuer: 'https://oidc.prod.example', subject: 'spiffe://prod.example/agent/reviewer', audience: 'api://AzureADTokenExchange' }]);
    expect(reviewer.paths.map((p) => p.attested)).toEqual([true]);
  });

  test('the same deployer as an Entra agent identity: a blueprint of its own trusting the same SPIFFE ID from the same two issuers, sponsored; the rules find it clean', () => {
    const model = TerraformModel.parse(JSON.stringify(tf), 'cdk.tf.json');
    const gate = agentGates(model)[0];
    expect(gate.agent.resource.address).toBe(`msgraph_resource.${stack.deployerAgent.agentIdentity.friendlyUniqueId}`);
    // Both paths are the blueprint's federated credentials, each a trust the deployer declares.
    expect(gate.paths.map((p) => p.attested)).toEqual([true, true]);
    expect([gate.highPrivilege, gate.siblings]).toEqual(['declared high in its gate manifest', []]);
    const credentials = stack.deployerAgent.federatedCredentials.map((c) => tf.resource.msgraph_resource[c.friendlyUniqueId].body);
    expect(credentials).toEqual([
      { name: 'deployer-1', issuer: 'https://oidc.prod.example', subject: SPIFFE, audiences: ['api://AzureADTokenExchange'] },
      { name: 'deployer-2', issuer: 'https://oidc.eu.prod.example', subject: SPIFFE, audiences: ['api://AzureADTokenExchange'] },
    ]);
    expect((tf.resource.msgraph_resource[stack.deployerAgent.agentIdentity.friendlyUniqueId].body as Record<string, unknown>)['sponsors@odata.bind']).toEqual([`https://graph.microsoft.com/v1.0/users/${DEPLOYER_SPONSOR}`]);
    expect(tf.resource.msgraph_resource[stack.deployerAgent.agentIdentity.friendlyUniqueId]['//']).toMatchObject({ 'attestgate:gate': { identity: awsDeployerIdentity() } });
    expect(AZURE_RULES.flatMap((r) => r.evaluate(model))).toEqual([]);
  });

  test('the deployer is watched: sign-in logs to a workspace, its failed and unattested sign-ins, changes to its credentials and roles', () => {
    expect(stack.deployer.monitor!.watchedIdentities).toEqual([stack.deployer.userAssignedIdentity]);
    // The sign-in rules (the deployer agent's blueprint too), and the tool server's step-up rule (same workspace and action group).
    expect(stack.deployer.monitor!.watchedAgentIdentities).toEqual([stack.deployerAgent]);
    const rules = tf.resource.azurerm_monitor_scheduled_query_rules_alert_v2;
    expect(Object.keys(rules)).toHaveLength(4);
    const stepUp = rules[Object.keys(rules).find((k) => k.startsWith('ToolServerStepUp'))!];
    expect(stepUp.action).toEqual(rules[Object.keys(rules)[0]].action);
    expect((stepUp.criteria as Array<{ query: string }>)[0].query).toContain('spiffe://prod.example/agent/deployer');
    expect(Object.keys(tf.resource.azurerm_monitor_activity_log_alert)).toHaveLength(2);
    expect(onlyResource(tf, 'azurerm_monitor_aad_diagnostic_setting').log_analytics_workspace_id).toMatch(/^\$\{azurerm_log_analytics_workspace\./);
  });

  test('the deployer agent’s advisories: its blueprint’s refused sign-ins and its sign-ins by any credential but the attested ones are alerted', () => {
    const { discoverAzureGates } = require('../../../conformance/azure/discover-gates') as typeof import('../../../conformance/azure/discover-gates');
    const { azureAdvisoriesOf } = require('../../../conformance/azure/signals') as typeof import('../../../conformance/azure/signals');
    const source = { stackName: AZURE_EXAMPLE_STACK, file: 'cdk.tf.json', model: TerraformModel.parse(JSON.stringify(tf), 'cdk.tf.json') };
    const gate = discoverAzureGates([source]).find((g) => g.id.includes('DeployerAgent'))!;
    const advisories = Object.fromEntries(azureAdvisoriesOf(source.model, gate).map((a) => [a.id, a.present]));
    expect(advisories).toMatchObject({ 'ADV-AZ-001': true, 'ADV-AZ-007': true, 'ADV-AZ-004': true, 'ADV-AZ-008': true });
  });

  test('the same deployer identity as the AWS example; a relative backend path', () => {
    expect(gateManifestIn(tf, 'azurerm_user_assigned_identity').identity).toEqual(awsDeployerIdentity());
    expect(tf.terraform.backend.local.path).toBe(`terraform.${AZURE_EXAMPLE_STACK}.tfstate`);
  });

  test('synthesizes without findings, with the RSA note for Entra', () => {
    expect(() => app.synth()).not.toThrow();
    expect(annotations(stack, 'error')).toEqual([]);
    // Once for the managed identity, once for each agent's blueprint.
    expect(annotations(stack, 'info')).toEqual(Array.from({ length: 3 }, () => expect.stringContaining('Entra accepts only RSA-signed external tokens')));
  });
});
