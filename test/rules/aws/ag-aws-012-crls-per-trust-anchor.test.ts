import { crlsPerTrustAnchor } from '../../../lib/rules/aws/ag-aws-012-crls-per-trust-anchor';
import { gateTemplate, model } from '../../fixtures/templates';

/** The gate template with `n` more CRLs on its anchor, besides its own. */
function withCrls(n: number) {
  const template = gateTemplate();
  for (let i = 0; i < n; i++) (template.Resources as Record<string, unknown>)[`Extra${i}`] = { Type: 'AWS::RolesAnywhere::CRL', Properties: { Name: `extra${i}`, CrlData: 'PEM', Enabled: true, TrustAnchorArn: { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] } } };
  return model(template);
}

describe('AG-AWS-012: a trust anchor has at most 2 CRLs', () => {
  test('Noncompliance: 3 CRLs on one anchor', () => {
    expect(crlsPerTrustAnchor.evaluate(withCrls(2))).toEqual([
      { resource: 'Anchor', outcome: 'violation', location: 'Properties', message: 'Trust anchor Anchor has 3 CRLs (Crl, Extra0, Extra1); a trust anchor may have at most 2 (not adjustable).' },
    ]);
  });

  test('Compliance: 2 CRLs', () => {
    expect(crlsPerTrustAnchor.evaluate(withCrls(1))).toEqual([]);
  });
});
