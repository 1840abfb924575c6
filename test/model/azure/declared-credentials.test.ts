import { credentialDrift } from '../../../lib/model/azure/declared-credentials';

const trust = { issuer: 'https://oidc.prod.example', subject: 'spiffe://prod.example/agent/deployer', audience: 'api://AzureADTokenExchange' };
const credential = { address: 'azurerm_federated_identity_credential.spire', issuer: trust.issuer, subject: trust.subject, audiences: [trust.audience] };

describe('credential drift: where federated credentials no longer match the declared trusts', () => {
  test('none when each credential is a declared trust, compared exactly', () => {
    expect(credentialDrift([trust], [credential])).toEqual([]);
  });

  test('a subject edited after synth: an undeclared trust, and the declared one gone', () => {
    expect(credentialDrift([trust], [{ ...credential, subject: 'system:serviceaccount:default:default' }])).toEqual([
      'azurerm_federated_identity_credential.spire trusts subject system:serviceaccount:default:default of https://oidc.prod.example (audience api://AzureADTokenExchange), which the identity does not declare',
      'the declared trust of subject spiffe://prod.example/agent/deployer of https://oidc.prod.example (audience api://AzureADTokenExchange) has no federated credential: edited or removed after synth',
    ]);
  });

  test('a second credential nobody declared; an audience changed; a value only known at apply', () => {
    expect(credentialDrift([trust], [credential, { ...credential, address: 'extra', issuer: 'https://token.actions.githubusercontent.com' }])).toEqual([expect.stringMatching(/^extra trusts subject .* which the identity does not declare$/)]);
    expect(credentialDrift([trust], [{ ...credential, audiences: ['api://other'] }])).toHaveLength(2);
    expect(credentialDrift([trust], [{ ...credential, subject: { symbolic: 'variable', name: 'subject' } }])[0]).toMatch(/not known before apply/);
  });
});
