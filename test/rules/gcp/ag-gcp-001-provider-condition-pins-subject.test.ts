import { providerConditionPinsSubject } from '../../../lib/rules/gcp/ag-gcp-001-provider-condition-pins-subject';
import { gcpConfiguration, tfModel } from '../../fixtures/terraform';

const evaluate = (provider: Record<string, unknown>) => providerConditionPinsSubject.evaluate(tfModel(gcpConfiguration({ provider })));

describe('AG-GCP-001: a provider has an attribute condition that constrains the subject', () => {
  test('Noncompliance 1: no attribute condition', () => {
    expect(evaluate({ attribute_condition: undefined })).toEqual([
      {
        resource: 'google_iam_workload_identity_pool_provider.spire',
        outcome: 'violation',
        message: 'Provider google_iam_workload_identity_pool_provider.spire (oidc) does not constrain the subject: it has no attribute_condition, so every credential its issuer signs is accepted.',
        location: 'attribute_condition',
      },
    ]);
  });

  test('Noncompliance 2: a condition on the audience only, "true", an open prefix, a deny-list', () => {
    for (const [condition, why] of [
      ["'gcp' in assertion.aud", 'does not test the subject'],
      ['true', 'always true'],
      ["assertion.sub.startsWith('spiffe://prod.example')", 'does not end its host'],
      ["assertion.sub != 'spiffe://evil/x'", 'deny-list'],
    ]) {
      expect(evaluate({ attribute_condition: condition })).toEqual([expect.objectContaining({ outcome: 'violation', message: expect.stringContaining(why) })]);
    }
  });

  test('Noncompliance 3: X.509 with the gcloud example condition, AWS pinned to the account only', () => {
    expect(evaluate({ oidc: undefined, x509: { trust_store: { trust_anchors: [{ pem_certificate: 'PEM' }] } }, attribute_mapping: undefined, attribute_condition: 'true' })[0].message).toContain('(x509)');
    expect(evaluate({ oidc: undefined, aws: { account_id: '123456789012' }, attribute_mapping: undefined, attribute_condition: "assertion.account == '123456789012'" })[0].message).toContain(
      '(aws) does not constrain the subject: the condition does not test the subject',
    );
  });

  test('Compliance: pinned subject (OIDC, X.509 SAN, AWS role prefix, via a mapped attribute)', () => {
    expect(evaluate({})).toEqual([]);
    expect(evaluate({ oidc: undefined, x509: [{ trust_store: [{}] }], attribute_condition: "assertion.san.uri == 'spiffe://prod.example/agent/deployer'" })).toEqual([]);
    expect(evaluate({ oidc: undefined, aws: { account_id: '1' }, attribute_mapping: undefined, attribute_condition: "assertion.arn.startsWith('arn:aws:sts::123456789012:assumed-role/deployer/')" })).toEqual([]);
    expect(evaluate({ attribute_mapping: { 'google.subject': 'assertion.sub', 'attribute.spiffe_id': 'assertion.sub' }, attribute_condition: "attribute.spiffe_id == 'spiffe://prod.example/agent/deployer'" })).toEqual([]);
    expect(evaluate({ attribute_condition: "assertion.sub == '${var.spiffe_id}'" })).toEqual([]);
  });

  test('Unjudgeable: a condition or mapping from a variable', () => {
    expect(evaluate({ attribute_condition: '${var.condition}' })).toEqual([
      expect.objectContaining({ outcome: 'unjudgeable', message: 'Provider google_iam_workload_identity_pool_provider.spire: its attribute_condition is ${var.condition}, known only at apply.' }),
    ]);
    expect(evaluate({ attribute_mapping: '${var.mapping}', attribute_condition: "google.subject == 'x'" })).toEqual([expect.objectContaining({ outcome: 'unjudgeable' })]);
    expect(evaluate({ attribute_condition: "assertion.sub.startsWith('${var.prefix}')" })).toEqual([expect.objectContaining({ outcome: 'unjudgeable' })]);
  });
});
