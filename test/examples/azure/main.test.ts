import { Testing } from 'cdktf';
import { AZURE_EXAMPLE_STACK, buildAzureExample } from '../../../examples/azure/main';
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

  test('Contributor on the agents’ resource group, assigned to the identity', () => {
    expect(onlyResource(tf, 'azurerm_role_assignment')).toMatchObject({
      role_definition_name: 'Contributor',
      scope: '${azurerm_resource_group.Agents.id}',
      principal_id: expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.\w+\.principal_id\}$/),
    });
  });

  test('the deployer is watched: sign-in logs to a workspace, its failed and unattested sign-ins, changes to its credentials and roles', () => {
    expect(stack.deployer.monitor!.watchedIdentities).toEqual([stack.deployer.userAssignedIdentity]);
    // The sign-in rules, and the tool server's step-up rule (same workspace and action group).
    const rules = tf.resource.azurerm_monitor_scheduled_query_rules_alert_v2;
    expect(Object.keys(rules)).toHaveLength(3);
    const stepUp = rules[Object.keys(rules).find((k) => k.startsWith('ToolServerStepUp'))!];
    expect(stepUp.action).toEqual(rules[Object.keys(rules)[0]].action);
    expect((stepUp.criteria as Array<{ query: string }>)[0].query).toContain('spiffe://prod.example/agent/deployer');
    expect(Object.keys(tf.resource.azurerm_monitor_activity_log_alert)).toHaveLength(2);
    expect(onlyResource(tf, 'azurerm_monitor_aad_diagnostic_setting').log_analytics_workspace_id).toMatch(/^\$\{azurerm_log_analytics_workspace\./);
  });

  test('the same deployer identity as the AWS example; a relative backend path', () => {
    expect(gateManifestIn(tf, 'azurerm_user_assigned_identity').identity).toEqual(awsDeployerIdentity());
    expect(tf.terraform.backend.local.path).toBe(`terraform.${AZURE_EXAMPLE_STACK}.tfstate`);
  });

  test('synthesizes without findings, with the RSA note for Entra', () => {
    expect(() => app.synth()).not.toThrow();
    expect(annotations(stack, 'error')).toEqual([]);
    expect(annotations(stack, 'info')).toEqual([expect.stringContaining('Entra accepts only RSA-signed external tokens')]);
  });
});
