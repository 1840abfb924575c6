import { blueprintCredentialDeclared } from '../../../lib/rules/azure/ag-az-010-blueprint-credential-declared';
import { noSharedSubject } from '../../../lib/rules/azure/ag-az-001-shared-subject';
import { agentIdConfiguration, agentIdModel } from '../../fixtures/entra-agent-id';

const withCredential = (change: Record<string, unknown>) => {
  const configuration = agentIdConfiguration('spire-blueprint');
  Object.assign(configuration.resource.msgraph_resource.spire.body, change);
  configuration.variable = { subject: { type: 'string' } };
  return agentIdModel(configuration);
};

describe("AG-AZ-010: a blueprint's federated credentials trust only the issuer and subject its agents declare", () => {
  test('Noncompliance: another subject, or another issuer, than the agent declares', () => {
    expect(blueprintCredentialDeclared.evaluate(withCredential({ subject: 'spiffe://prod.example/agent/intruder' }))).toEqual([
      {
        resource: 'msgraph_resource.spire',
        outcome: 'violation',
        message:
          'Federated credential msgraph_resource.spire of blueprint msgraph_resource.blueprint trusts subject spiffe://prod.example/agent/intruder of https://oidc.prod.example, which no agent identity of the blueprint declares (declared by msgraph_resource.deployer: spiffe://prod.example/agent/deployer of https://oidc.prod.example).',
        location: 'body',
      },
    ]);
    expect(blueprintCredentialDeclared.evaluate(withCredential({ issuer: 'https://token.actions.githubusercontent.com' }))).toEqual([expect.objectContaining({ outcome: 'violation' })]);
  });

  test('Noncompliance: an issuer the token’s iss cannot equal (a trailing slash after the host)', () => {
    const findings = blueprintCredentialDeclared.evaluate(withCredential({ issuer: 'https://oidc.prod.example/' }));
    expect(findings.map((f) => [f.location, f.message.includes('trailing slash')])).toEqual([['body/issuer', true], ['body', false]]);
  });

  test('Noncompliance: a shared subject on a blueprint is AG-AZ-001’s, also through Graph', () => {
    expect(noSharedSubject.evaluate(withCredential({ subject: 'system:serviceaccount:agents:default' }))).toEqual([expect.objectContaining({ resource: 'msgraph_resource.spire', outcome: 'violation' })]);
  });

  test('Compliance: the declared trust; a sibling’s declared trust (AG-AZ-007 judges sharing); a brownfield blueprint without manifests', () => {
    expect(blueprintCredentialDeclared.evaluate(agentIdModel('spire-blueprint'))).toEqual([]);
    expect(blueprintCredentialDeclared.evaluate(agentIdModel('shared-blueprint'))).toEqual([]);
    expect(blueprintCredentialDeclared.evaluate(agentIdModel('unusual-but-correct'))).toEqual([]);
  });

  test('Unjudgeable: a subject known only at apply that no trust declares; a blueprint known only at apply', () => {
    expect(blueprintCredentialDeclared.evaluate(withCredential({ subject: '${var.subject}' }))).toEqual([expect.objectContaining({ outcome: 'unjudgeable' })]);
    const configuration = agentIdConfiguration('spire-blueprint');
    configuration.resource.msgraph_resource.spire.url = 'applications/${var.blueprint}/microsoft.graph.agentIdentityBlueprint/federatedIdentityCredentials';
    configuration.variable = { blueprint: { type: 'string' } };
    expect(blueprintCredentialDeclared.evaluate(agentIdModel(configuration))).toEqual([expect.objectContaining({ outcome: 'unjudgeable', message: expect.stringContaining('known only at apply') })]);
  });
});
