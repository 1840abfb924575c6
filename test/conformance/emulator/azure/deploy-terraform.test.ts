import { deployTerraform } from '../../../../conformance/emulator/azure/deploy-terraform';
import { AzureWorld } from '../../../../conformance/emulator/azure/world';
import { DEFAULT_AZURE_ENVIRONMENT } from '../../../../lib/model/azure/assigned-ids';
import { tfSourceOf } from '../../../fixtures/azure-conformance';
import { DEPLOYER_SPIFFE_ID, ISSUER, azureConfiguration, credential } from '../../../fixtures/terraform';

const env = DEFAULT_AZURE_ENVIRONMENT;
const UAMI = `/subscriptions/${env.subscriptionId}/resourceGroups/agents/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer`;

function deploy(configuration: unknown) {
  const world = new AzureWorld(env);
  const [applied] = deployTerraform(world, tfSourceOf(configuration));
  return { world, applied };
}

describe('deploying Terraform JSON into the Entra world', () => {
  test('the fixture: one identity, two credentials, its role assignment — no problems', () => {
    const { world, applied } = deploy(azureConfiguration());
    expect(applied.problems).toEqual([]);
    const [identity] = world.identities.values();
    expect(identity).toMatchObject({ kind: 'user-assigned-identity', resourceId: UAMI, hasServicePrincipal: true, origins: ['agents/azurerm_user_assigned_identity.deployer'] });
    expect(identity.federatedCredentials.map((c) => [c.issuer, c.subject, c.audiences])).toEqual([
      [ISSUER, DEPLOYER_SPIFFE_ID, ['api://AzureADTokenExchange']],
      [ISSUER, 'spiffe://eu.prod.example/agent/deployer', ['api://AzureADTokenExchange']],
    ]);
    expect(world.roleAssignmentsOf(identity)).toEqual([expect.objectContaining({ role: 'Contributor', scope: '/subscriptions/00000000-0000-0000-0000-000000000000' })]);
    expect(world.issuers()).toEqual([ISSUER]);
  });

  test('credentials on an existing identity (a literal parent_id or a data source) reach the same identity', () => {
    const { world, applied } = deploy({
      data: { azurerm_user_assigned_identity: { existing: { name: 'legacy', resource_group_name: 'ops' } } },
      resource: {
        azurerm_federated_identity_credential: {
          literal: credential('spiffe://a/b', { parent_id: `/subscriptions/${env.subscriptionId}/resourceGroups/ops/providers/Microsoft.ManagedIdentity/userAssignedIdentities/legacy` }),
          viaData: credential('spiffe://a/c', { parent_id: '${data.azurerm_user_assigned_identity.existing.id}' }),
        },
      },
    });
    expect(applied.problems).toEqual([]);
    expect(world.identities.size).toBe(1);
    expect([...world.identities.values()][0].federatedCredentials.map((c) => c.subject)).toEqual(['spiffe://a/b', 'spiffe://a/c']);
  });

  test('app registrations: azuread 3.x application_id, a service principal, and an app without one', () => {
    const { world, applied } = deploy({
      resource: {
        azuread_application: { agent: { display_name: 'agent' }, orphan: { display_name: 'orphan' } },
        azuread_service_principal: { agent: { client_id: '${azuread_application.agent.client_id}' } },
        azuread_application_federated_identity_credential: {
          agent: { application_id: '${azuread_application.agent.id}', display_name: 'spire', issuer: ISSUER, subject: 'spiffe://a/agent', audiences: ['api://AzureADTokenExchange'] },
          orphan: { application_object_id: '${azuread_application.orphan.object_id}', display_name: 'spire', issuer: ISSUER, subject: 'spiffe://a/orphan', audiences: ['api://AzureADTokenExchange'] },
        },
      },
    });
    expect(applied.problems).toEqual([]);
    const apps = [...world.identities.values()];
    expect(apps.map((a) => [a.name, a.kind, a.hasServicePrincipal, a.federatedCredentials.map((c) => c.subject)])).toEqual([
      ['agent', 'application', true, ['spiffe://a/agent']],
      ['orphan', 'application', false, ['spiffe://a/orphan']],
    ]);
  });

  test('what Azure refuses at create time is a problem, and the credential is not stored', () => {
    const twentyOne = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`c${i}`, credential(`spiffe://a/${i}`)]));
    const { world, applied } = deploy(
      azureConfiguration({
        credentials: {
          duplicate: credential('spiffe://a/0'),
          ...twentyOne,
          twoAudiences: credential('spiffe://a/x', { audience: ['a', 'b'] }),
          long: credential('x'.repeat(601)),
        },
      }),
    );
    const problems = Object.fromEntries(applied.problems.map((p) => [p.address, p.problem]));
    // 'duplicate' is written first, so c0 repeats its (issuer, subject); c20 would be the 21st.
    expect(problems['azurerm_federated_identity_credential.c0']).toContain('Entra allows each pair once');
    expect(problems['azurerm_federated_identity_credential.c20']).toContain('already has the 20 federated credentials');
    expect(problems['azurerm_federated_identity_credential.twoAudiences']).toContain('exactly one audience');
    expect(problems['azurerm_federated_identity_credential.long']).toContain('1–600 characters');
    expect([...world.identities.values()][0].federatedCredentials).toHaveLength(20);
  });

  test('a variable without a value, count, and a parent that is no identity are problems', () => {
    const { applied } = deploy({
      variable: { issuer: { type: 'string' } },
      resource: {
        azurerm_user_assigned_identity: { deployer: { name: 'deployer', resource_group_name: 'agents', location: 'westeurope' } },
        azurerm_federated_identity_credential: {
          byVariable: credential('spiffe://a/v', { issuer: '${var.issuer}' }),
          counted: credential('spiffe://a/c', { count: 2 }),
          orphan: credential('spiffe://a/o', { parent_id: '/not/an/identity' }),
        },
      },
    });
    const problems = Object.fromEntries(applied.problems.map((p) => [p.address, p.problem]));
    expect(problems['azurerm_federated_identity_credential.byVariable']).toContain('var.issuer');
    expect(problems['azurerm_federated_identity_credential.counted']).toContain('count and for_each');
    expect(problems['azurerm_federated_identity_credential.orphan']).toContain('neither in the configuration nor an identity ID');
  });

  test('variables given at deploy resolve', () => {
    const world = new AzureWorld(env);
    const configuration = { variable: { issuer: { type: 'string' } }, resource: { azurerm_user_assigned_identity: { deployer: { name: 'deployer', resource_group_name: 'agents' } }, azurerm_federated_identity_credential: { v: credential('spiffe://a/v', { issuer: '${var.issuer}' }) } } };
    const [applied] = deployTerraform(world, tfSourceOf(configuration), { issuer: 'https://given.example' });
    expect(applied.problems).toEqual([]);
    expect(world.issuers()).toEqual(['https://given.example']);
  });
});
