import { flexibleCredentialOneSubject } from '../../../lib/rules/azure/ag-az-008-flexible-credential-one-subject';
import { agentIdConfiguration, agentIdModel } from '../../fixtures/entra-agent-id';

const withExpression = (expression: string) => {
  const configuration = agentIdConfiguration('wildcard-flexible');
  configuration.resource.azuread_application_flexible_federated_identity_credential.agents.claims_matching_expression = expression;
  return agentIdModel(configuration);
};

describe("AG-AZ-008: a blueprint's flexible federated credential admits no subject beyond the declared ones", () => {
  test('Noncompliance: a wildcard over every agent of the trust domain, naming subjects it admits', () => {
    const [finding] = flexibleCredentialOneSubject.evaluate(agentIdModel('wildcard-flexible'));
    expect(finding).toEqual(expect.objectContaining({ resource: 'azuread_application_flexible_federated_identity_credential.agents', outcome: 'violation', location: 'claims_matching_expression' }));
    expect(finding.message).toContain('admits subjects beyond spiffe://prod.example/agent/deployer: spiffe://prod.example/agent/attestgate-probe');
  });

  test.each([
    ["claims['sub'] matches 'spiffe://prod.example/agent/deploye?'", 'deployex'],
    ["claims['sub'] matches 'spiffe://*/agent/deployer'", 'attestgate-probe'],
    ["claims['repository_id'] eq '456789'", 'another workload beside spiffe://prod.example/agent/deployer'],
  ])('Noncompliance: %s', (expression, admitted) => {
    expect(flexibleCredentialOneSubject.evaluate(withExpression(expression))).toEqual([expect.objectContaining({ outcome: 'violation', message: expect.stringContaining(admitted) })]);
  });

  test('Noncompliance: through Graph, claimsMatchingExpression on the blueprint', () => {
    const configuration = agentIdConfiguration('spire-blueprint');
    const body = configuration.resource.msgraph_resource.spire.body;
    delete body.subject;
    body.claimsMatchingExpression = { value: "claims['sub'] matches 'spiffe://prod.example/*'", languageVersion: 1 };
    expect(flexibleCredentialOneSubject.evaluate(agentIdModel(configuration))).toEqual([expect.objectContaining({ resource: 'msgraph_resource.spire', outcome: 'violation', location: 'body.claimsMatchingExpression' })]);
  });

  test('Compliance: the declared subject exactly, by eq or by a pattern without wildcards', () => {
    expect(flexibleCredentialOneSubject.evaluate(withExpression("claims['sub'] eq 'spiffe://prod.example/agent/deployer'"))).toEqual([]);
    expect(flexibleCredentialOneSubject.evaluate(withExpression("claims['sub'] matches 'spiffe://prod.example/agent/deployer'"))).toEqual([]);
    expect(flexibleCredentialOneSubject.evaluate(agentIdModel('unusual-but-correct'))).toEqual([]);
  });

  test('Unjudgeable: an expression the language does not have, or known only at apply', () => {
    expect(flexibleCredentialOneSubject.evaluate(withExpression("claims['sub'] eq 'a' or claims['sub'] eq 'b'"))).toEqual([expect.objectContaining({ outcome: 'unjudgeable', message: expect.stringContaining('cannot be read') })]);
    expect(flexibleCredentialOneSubject.evaluate(withExpression('${var.expression}'))).toEqual([expect.objectContaining({ outcome: 'unjudgeable', message: expect.stringContaining('known only at apply') })]);
  });
});
