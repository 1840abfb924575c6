import { DEFAULT_AZURE_ENVIRONMENT, managedIdentityIds } from '../../../lib/model/azure/assigned-ids';
import { azureProviderModel } from '../../../lib/model/azure/azure-provider';

const env = DEFAULT_AZURE_ENVIRONMENT;
const UAMI = `/subscriptions/${env.subscriptionId}/resourceGroups/agents/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer`;

describe('the azurerm/azuread provider model', () => {
  const model = azureProviderModel(env, 'agents');

  test('a user-assigned identity: its ARM ID, and deterministic client, principal and tenant IDs derived from it', () => {
    const computed = model.computed('azurerm_user_assigned_identity', 'azurerm_user_assigned_identity.deployer', { name: 'deployer', resource_group_name: 'agents' })!;
    expect(computed).toEqual({ id: UAMI, ...{ client_id: managedIdentityIds(env, UAMI).clientId, principal_id: managedIdentityIds(env, UAMI).principalId, tenant_id: env.tenantId } });
    expect(computed.client_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(computed.client_id).not.toBe(computed.principal_id);
    // The same identity reached by another address, or with different case in its ID, has the same IDs.
    expect(managedIdentityIds(env, UAMI.toUpperCase())).toEqual(managedIdentityIds(env, UAMI));
  });

  test('a resource group, a federated credential, a role assignment', () => {
    expect(model.computed('azurerm_resource_group', 'azurerm_resource_group.rg', { name: 'agents' })).toEqual({ id: `/subscriptions/${env.subscriptionId}/resourceGroups/agents` });
    expect(model.computed('azurerm_federated_identity_credential', 'x', { parent_id: UAMI, name: 'spire' })).toEqual({ id: `${UAMI}/federatedIdentityCredentials/spire` });
    const role = model.computed('azurerm_role_assignment', 'azurerm_role_assignment.r', { scope: '/subscriptions/s' })!;
    expect(role.id).toBe(`/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/${role.name}`);
  });

  test('an identity whose name is not known yet has unknown IDs, never guessed ones', () => {
    const computed = model.computed('azurerm_user_assigned_identity', 'azurerm_user_assigned_identity.x', { name: { symbolic: 'variable', name: 'n' }, resource_group_name: 'agents' })!;
    expect(computed.client_id).toMatchObject({ symbolic: 'unknown' });
  });

  test('data sources: the simulated client config and subscription (a configured subscription ID is kept)', () => {
    expect(model.data!('azurerm_client_config', 'data.azurerm_client_config.c', {})).toMatchObject({ tenant_id: env.tenantId, subscription_id: env.subscriptionId, object_id: expect.any(String) });
    expect(model.data!('azurerm_subscription', 'data.azurerm_subscription.s', {})).toMatchObject({ id: `/subscriptions/${env.subscriptionId}`, tenant_id: env.tenantId });
    expect(model.data!('azurerm_subscription', 'data.azurerm_subscription.s', { subscription_id: 'abc' })).toMatchObject({ id: '/subscriptions/abc' });
    expect(model.data!('azurerm_key_vault', 'data.azurerm_key_vault.k', {})).toBeUndefined();
  });
});
