import { noSharedSubject, sharedIdentity } from '../../../lib/rules/azure/ag-az-001-shared-subject';
import { azureConfiguration, credential, tfModel } from '../../fixtures/terraform';

describe('AG-AZ-001: a federated credential does not trust a well-known shared subject', () => {
  test('Noncompliance 1: the default service account of a namespace', () => {
    const findings = noSharedSubject.evaluate(tfModel(azureConfiguration({ credentials: { k8s: credential('system:serviceaccount:agents:default') } })));
    expect(findings).toEqual([
      {
        resource: 'azurerm_federated_identity_credential.k8s',
        outcome: 'violation',
        message:
          'Federated credential azurerm_federated_identity_credential.k8s trusts subject "system:serviceaccount:agents:default": the default service account of Kubernetes namespace "agents", which every pod of the namespace without its own service account runs as.',
        location: 'subject',
      },
    ]);
  });

  test('Noncompliance 2: its SPIFFE form, GitHub pull requests, and on an app registration', () => {
    expect(sharedIdentity('spiffe://prod.example/ns/agents/sa/default')).toContain('default service account of namespace "agents"');
    expect(sharedIdentity('repo:acme/infra:pull_request')).toContain('every pull_request workflow run of acme/infra');
    // A subject template of only the repository (or the owner): every workflow of it.
    expect(sharedIdentity('repo:acme/infra')).toContain('the whole repository acme/infra');
    expect(sharedIdentity('repository_owner:acme')).toContain('every repository of acme');
    const findings = noSharedSubject.evaluate(
      tfModel({ resource: { azuread_application_federated_identity_credential: { app: { application_id: 'x', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:acme/infra:pull_request', audiences: ['api://AzureADTokenExchange'] } } } }),
    );
    expect(findings).toEqual([expect.objectContaining({ resource: 'azuread_application_federated_identity_credential.app', outcome: 'violation' })]);
  });

  test('Compliance: an agent’s own SPIFFE ID or service account', () => {
    expect(noSharedSubject.evaluate(tfModel(azureConfiguration()))).toEqual([]);
    expect(sharedIdentity('system:serviceaccount:agents:deployer')).toBeUndefined();
    expect(sharedIdentity('spiffe://prod.example/ns/agents/sa/deployer')).toBeUndefined();
    expect(sharedIdentity('repo:acme/infra:environment:prod')).toBeUndefined();
  });

  test('Unjudgeable: a subject from a variable', () => {
    expect(noSharedSubject.evaluate(tfModel(azureConfiguration({ credentials: { v: credential('${var.subject}') } })))).toEqual([
      expect.objectContaining({ outcome: 'unjudgeable', message: 'Federated credential azurerm_federated_identity_credential.v trusts subject ${var.subject}, known only at apply.' }),
    ]);
  });
});
