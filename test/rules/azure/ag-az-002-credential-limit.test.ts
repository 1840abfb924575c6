import { credentialLimit } from '../../../lib/rules/azure/ag-az-002-credential-limit';
import { azureConfiguration, credential, tfModel } from '../../fixtures/terraform';

/** `n` credentials on the deployer identity, each depending on the one before. */
function chain(n: number): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`c${i}`, credential(`spiffe://prod.example/agent/a${i}`, i > 0 ? { depends_on: [`azurerm_federated_identity_credential.c${i - 1}`] } : {})]),
  );
}

describe('AG-AZ-002: no identity has more than 20 federated identity credentials', () => {
  test('Noncompliance 1: 21 credentials on one identity', () => {
    expect(credentialLimit.evaluate(tfModel(azureConfiguration({ credentials: chain(21) })))).toEqual([
      {
        resource: 'azurerm_user_assigned_identity.deployer',
        outcome: 'violation',
        message: 'Identity azurerm_user_assigned_identity.deployer has 21 federated identity credentials; Entra accepts at most 20.',
        location: '',
      },
    ]);
  });

  test('Noncompliance 2: count and for_each add up, also on an identity outside the configuration', () => {
    const credentials = {
      many: credential('spiffe://x/a', { count: 15, parent_id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other' }),
      more: credential('spiffe://x/b', { for_each: { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }, parent_id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other' }),
    };
    expect(credentialLimit.evaluate(tfModel(azureConfiguration({ credentials })))).toEqual([
      expect.objectContaining({ resource: 'azurerm_federated_identity_credential.many', outcome: 'violation', message: expect.stringContaining('has 21 federated identity credentials') }),
    ]);
  });

  test('Compliance: exactly 20', () => {
    expect(credentialLimit.evaluate(tfModel(azureConfiguration({ credentials: chain(20) })))).toEqual([]);
    expect(credentialLimit.evaluate(tfModel(azureConfiguration()))).toEqual([]);
  });

  test('Unjudgeable: a count known only at apply', () => {
    expect(credentialLimit.evaluate(tfModel(azureConfiguration({ credentials: { n: credential('spiffe://x/a', { count: '${var.n}' }) } })))).toEqual([
      expect.objectContaining({ outcome: 'unjudgeable', message: expect.stringContaining('azurerm_federated_identity_credential.n create is known only at apply') }),
    ]);
  });
});
