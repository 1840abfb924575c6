import * as fs from 'node:fs';
import { discoverAzureGates } from '../../../conformance/azure/discover-gates';
import { loadTerraformSources } from '../../../conformance/discovery/terraform-sources';
import { TerraformSource } from '../../../lib/model/terraform/configuration';
import { synthCdktfExamples } from '../../fixtures/synth-cdktf';
import { agentIdModel } from '../../fixtures/entra-agent-id';
import { DEPLOYER_SPIFFE_ID, azureConfiguration, credential, tfModel } from '../../fixtures/terraform';

const source = (configuration: unknown): TerraformSource => ({ stackName: 'brownfield', file: 'brownfield.tf.json', model: tfModel(configuration) });

describe('discoverAzureGates', () => {
  test('the example: two exact credentials, Contributor on the resource group, declared high', () => {
    const [gate] = discoverAzureGates(loadTerraformSources(synthCdktfExamples()).filter((s) => s.stackName === 'attestgate-azure-example'));
    expect(gate.credentials.map((c) => [c.issuer, c.subject, c.audiences])).toEqual([
      ['https://oidc.prod.example', DEPLOYER_SPIFFE_ID, ['api://AzureADTokenExchange']],
      ['https://oidc.eu.prod.example', DEPLOYER_SPIFFE_ID, ['api://AzureADTokenExchange']],
    ]);
    expect(gate.roles).toEqual([expect.objectContaining({ role: 'Contributor', scope: '${azurerm_resource_group.Agents.id}' })]);
    expect(gate).toMatchObject({ privilege: 'high', manifest: expect.objectContaining({ kind: 'azure-federated-identity-credential' }) });
    expect(gate.drift).toEqual([]);
  });

  test('the example with a credential’s subject edited by hand after synth: drift from the declared trusts', () => {
    const [example] = loadTerraformSources(synthCdktfExamples()).filter((s) => s.stackName === 'attestgate-azure-example');
    const configuration = JSON.parse(fs.readFileSync(example.file, 'utf8'));
    const [address, credential] = Object.entries<{ subject: string }>(configuration.resource.azurerm_federated_identity_credential)[0];
    credential.subject = 'system:serviceaccount:agents:default';
    const [gate] = discoverAzureGates([{ ...example, model: tfModel(configuration) }]);
    expect(gate.drift).toEqual([
      `azurerm_federated_identity_credential.${address} trusts subject system:serviceaccount:agents:default of https://oidc.prod.example (audience api://AzureADTokenExchange), which the identity does not declare`,
      `the declared trust of subject ${DEPLOYER_SPIFFE_ID} of https://oidc.prod.example (audience api://AzureADTokenExchange) has no federated credential: edited or removed after synth`,
    ]);
  });

  test('brownfield: privilege inferred from roles; identities outside the configuration; app registrations', () => {
    const configuration = azureConfiguration({
      credentials: { a: credential(DEPLOYER_SPIFFE_ID), b: credential('spiffe://x/y', { parent_id: '/subscriptions/s/identities/external' }) },
      extra: {
        azuread_application_federated_identity_credential: { app: { application_id: '${azuread_application.ci.id}', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:acme/infra:environment:prod', audiences: ['api://AzureADTokenExchange'] } },
        azuread_application: { ci: { display_name: 'ci' } },
      },
    });
    const gates = discoverAzureGates([source(configuration)]);
    expect(gates.map((g) => [g.id, g.privilege, g.roles.length, g.credentials.length])).toEqual([
      ['brownfield/azurerm_user_assigned_identity.deployer', 'high', 1, 1],
      ['brownfield//subscriptions/s/identities/external', 'unknown', 0, 1],
      ['brownfield/azuread_application.ci', 'unknown', 0, 1],
    ]);
    expect(gates[0].privilegeReasons).toEqual(['Contributor on /subscriptions/00000000-0000-0000-0000-000000000000']);
  });

  test('Entra agent identities: one gate each, gated by its blueprint’s federated credentials; siblings and their trusts named', () => {
    const gates = discoverAzureGates([{ stackName: 'agents', file: 'shared-blueprint.tf.json', model: agentIdModel('shared-blueprint') }]);
    expect(gates.map((g) => [g.id, g.privilege, g.credentials.map((c) => c.address)])).toEqual([
      ['agents/msgraph_resource.deployer', 'high', ['msgraph_resource.spire', 'msgraph_resource.spire_reporter']],
      ['agents/msgraph_resource.reporter', 'read-only', ['msgraph_resource.spire', 'msgraph_resource.spire_reporter']],
    ]);
    expect(gates[0].agent).toEqual({ blueprint: 'msgraph_resource.blueprint', siblings: ['msgraph_resource.reporter'], siblingCredentials: [{ address: 'msgraph_resource.spire_reporter', sibling: 'msgraph_resource.reporter' }] });
  });

  test('flexible credentials: an agent’s blueprint’s and an app registration’s, with their expressions (AGC-AZ-011 probes what they admit); none on an identity without', () => {
    const [agent] = discoverAzureGates([{ stackName: 'agents', file: 'wildcard-flexible.tf.json', model: agentIdModel('wildcard-flexible') }]);
    expect(agent.flexibleCredentials).toEqual([{ address: 'azuread_application_flexible_federated_identity_credential.agents', expression: "claims['sub'] matches 'spiffe://prod.example/agent/*'" }]);
    const app = discoverAzureGates([
      source({
        resource: {
          azuread_application: { ci: { display_name: 'ci' }, other: { display_name: 'other' } },
          azuread_application_federated_identity_credential: {
            spire: { application_id: '${azuread_application.ci.id}', display_name: 'spire', issuer: 'https://oidc.prod.example', subject: DEPLOYER_SPIFFE_ID, audiences: ['api://AzureADTokenExchange'] },
            other: { application_id: '${azuread_application.other.id}', display_name: 'other', issuer: 'https://oidc.prod.example', subject: 'spiffe://prod.example/other', audiences: ['api://AzureADTokenExchange'] },
          },
          azuread_application_flexible_federated_identity_credential: {
            ci: { application_id: '${azuread_application.ci.id}', display_name: 'ci', issuer: 'https://token.actions.githubusercontent.com', audience: 'api://AzureADTokenExchange', claims_matching_expression: '${var.expression}' },
          },
        },
      }),
    ]);
    // An expression known only at apply is carried as unknown: AGC-AZ-011 then probes every foreign subject.
    expect(app.map((g) => [g.id, g.flexibleCredentials])).toEqual([
      ['brownfield/azuread_application.ci', [{ address: 'azuread_application_flexible_federated_identity_credential.ci', expression: undefined }]],
      ['brownfield/azuread_application.other', []],
    ]);
  });
});
