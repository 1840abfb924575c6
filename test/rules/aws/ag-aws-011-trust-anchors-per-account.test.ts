import { trustAnchorsPerAccount } from '../../../lib/rules/aws/ag-aws-011-trust-anchors-per-account';
import { Severity } from '../../../lib/rules/rule';
import { model } from '../../fixtures/templates';

const anchors = (n: number) => ({
  Resources: Object.fromEntries(Array.from({ length: n }, (_, i) => [`Anchor${i}`, { Type: 'AWS::RolesAnywhere::TrustAnchor', Properties: { Name: `a${i}`, Enabled: true, Source: { SourceType: 'AWS_ACM_PCA', SourceData: { AcmPcaArn: `arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/${i}` } } } }])),
});

describe('AG-AWS-011: at most 50 trust anchors per account (adjustable: a warning)', () => {
  test('Noncompliance: 51 trust anchors in one template, named by the quota', () => {
    expect(trustAnchorsPerAccount.evaluate(model(anchors(51)))).toEqual([
      { resource: 'Anchor50', outcome: 'violation', location: '', message: 'The template declares 51 trust anchors; the quota "Trust anchors per account" is 50 per Region by default (adjustable), reached before Anchor50.' },
    ]);
    expect(trustAnchorsPerAccount.severity).toBe(Severity.WARNING);
  });

  test('Compliance: 50 trust anchors', () => {
    expect(trustAnchorsPerAccount.evaluate(model(anchors(50)))).toEqual([]);
  });
});
