import { credentialsByParent, federatedCredentials, instanceCount, parentKey, roleAssignmentsOf } from '../../../lib/model/azure/azure-federated-identity';
import { azureConfiguration, credential, tfModel } from '../../fixtures/terraform';

describe('Azure federated identity semantics', () => {
  const model = tfModel(azureConfiguration());

  test('federatedCredentials reads parent, issuer, subject and audiences', () => {
    expect(federatedCredentials(model).map((c) => [c.resource.address, c.parent, c.subject, c.audiences])).toEqual([
      ['azurerm_federated_identity_credential.spire', { address: 'azurerm_user_assigned_identity.deployer' }, 'spiffe://prod.example/agent/deployer', ['api://AzureADTokenExchange']],
      ['azurerm_federated_identity_credential.spire_eu', { address: 'azurerm_user_assigned_identity.deployer' }, 'spiffe://eu.prod.example/agent/deployer', ['api://AzureADTokenExchange']],
    ]);
  });

  test('credentialsByParent groups by identity and leaves out unknown parents', () => {
    const mixed = tfModel(azureConfiguration({ credentials: { a: credential('x'), b: credential('y', { parent_id: '/ids/other' }), c: credential('z', { parent_id: '${var.parent}' }) } }));
    expect([...credentialsByParent(mixed)].map(([k, v]) => [k, v.length])).toEqual([
      ['azurerm_user_assigned_identity.deployer', 1],
      ['/ids/other', 1],
    ]);
    expect(parentKey(federatedCredentials(mixed)[2])).toBeUndefined();
  });

  test('roleAssignmentsOf follows principal_id', () => {
    expect(roleAssignmentsOf(model, 'azurerm_user_assigned_identity.deployer').map((r) => r.address)).toEqual(['azurerm_role_assignment.contributor']);
    expect(roleAssignmentsOf(model, 'azurerm_user_assigned_identity.other')).toEqual([]);
  });

  test('instanceCount', () => {
    const counted = tfModel(azureConfiguration({ credentials: { a: credential('x', { count: 3 }), b: credential('y', { for_each: ['p', 'q'] }), c: credential('z', { count: '${var.n}' }), d: credential('w') } }));
    expect(federatedCredentials(counted).map((c) => instanceCount(c.resource))).toEqual([3, 2, undefined, 1]);
  });
});
