import { serializedCredentialWrites } from '../../../lib/rules/azure/ag-az-003-serialized-credential-writes';
import { azureConfiguration, credential, tfModel } from '../../fixtures/terraform';

const evaluate = (credentials: Record<string, Record<string, unknown>>) => serializedCredentialWrites.evaluate(tfModel(azureConfiguration({ credentials })));

describe('AG-AZ-003: the credentials of one managed identity are written one after another', () => {
  test('Noncompliance 1: two credentials without an order', () => {
    expect(evaluate({ a: credential('spiffe://x/a'), b: credential('spiffe://x/b') })).toEqual([
      {
        resource: 'azurerm_federated_identity_credential.b',
        outcome: 'violation',
        message:
          'Federated credentials azurerm_federated_identity_credential.a and azurerm_federated_identity_credential.b of azurerm_user_assigned_identity.deployer do not depend on each other, so Terraform writes them concurrently and Azure answers 409.',
        location: 'depends_on',
      },
    ]);
  });

  test('Noncompliance 2: a branching order (c and b both after a only), and count > 1', () => {
    const after = (x: string) => ({ depends_on: [`azurerm_federated_identity_credential.${x}`] });
    expect(evaluate({ a: credential('spiffe://x/a'), b: credential('spiffe://x/b', after('a')), c: credential('spiffe://x/c', after('a')) }).map((f) => f.message)).toEqual([
      expect.stringContaining('credentials azurerm_federated_identity_credential.b and azurerm_federated_identity_credential.c'),
    ]);
    expect(evaluate({ a: credential('spiffe://x/a', { count: 3 }) })).toEqual([
      expect.objectContaining({ outcome: 'violation', location: 'count', message: expect.stringContaining('creates 3 instances with count') }),
    ]);
  });

  test('Compliance: a chain through depends_on or through a reference; credentials on different identities', () => {
    expect(evaluate({ a: credential('spiffe://x/a'), b: credential('spiffe://x/b', { depends_on: ['azurerm_federated_identity_credential.a'] }) })).toEqual([]);
    expect(evaluate({ a: credential('spiffe://x/a'), b: credential('spiffe://x/b', { name: '${azurerm_federated_identity_credential.a.name}-2' }) })).toEqual([]);
    expect(evaluate({ a: credential('spiffe://x/a'), b: credential('spiffe://x/b', { parent_id: '/subscriptions/s/other' }) })).toEqual([]);
    expect(evaluate({ a: credential('spiffe://x/a', { count: 1 }) })).toEqual([]);
  });

  test('Unjudgeable: for_each over a variable', () => {
    expect(evaluate({ a: credential('spiffe://x/a', { for_each: '${var.subjects}' }) })).toEqual([expect.objectContaining({ outcome: 'unjudgeable', location: 'for_each' })]);
  });
});
