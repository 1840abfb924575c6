import { blueprintCredentialAudience } from '../../../lib/rules/azure/ag-az-009-blueprint-credential-audience';
import { agentIdConfiguration, agentIdModel } from '../../fixtures/entra-agent-id';

const withAudiences = (audiences: unknown) => {
  const configuration = agentIdConfiguration('spire-blueprint');
  configuration.resource.msgraph_resource.spire.body.audiences = audiences;
  configuration.variable = { audience: { type: 'string' } };
  return agentIdModel(configuration);
};

describe("AG-AZ-009: a blueprint's federated credentials accept only api://AzureADTokenExchange", () => {
  test('Noncompliance: another audience, or a second one beside it', () => {
    expect(blueprintCredentialAudience.evaluate(withAudiences(['api://reporting']))).toEqual([
      {
        resource: 'msgraph_resource.spire',
        outcome: 'violation',
        message: 'Federated credential msgraph_resource.spire of blueprint msgraph_resource.blueprint accepts audience "api://reporting", not exactly api://AzureADTokenExchange.',
        location: 'body/audiences',
      },
    ]);
    expect(blueprintCredentialAudience.evaluate(withAudiences(['api://AzureADTokenExchange', 'api://reporting']))).toHaveLength(1);
  });

  test('Noncompliance: an azuread flexible credential’s audience', () => {
    const configuration = agentIdConfiguration('wildcard-flexible');
    configuration.resource.azuread_application_flexible_federated_identity_credential.agents.audience = 'https://management.azure.com';
    expect(blueprintCredentialAudience.evaluate(agentIdModel(configuration))).toEqual([expect.objectContaining({ resource: 'azuread_application_flexible_federated_identity_credential.agents', location: 'audience' })]);
  });

  test('Compliance', () => {
    expect(blueprintCredentialAudience.evaluate(agentIdModel('spire-blueprint'))).toEqual([]);
    expect(blueprintCredentialAudience.evaluate(agentIdModel('unusual-but-correct'))).toEqual([]);
  });

  test('Unjudgeable: known only at apply', () => {
    expect(blueprintCredentialAudience.evaluate(withAudiences(['${var.audience}']))).toEqual([expect.objectContaining({ outcome: 'unjudgeable' })]);
  });
});
