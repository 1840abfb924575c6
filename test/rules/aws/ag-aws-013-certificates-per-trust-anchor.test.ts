import { certificatesPerTrustAnchor } from '../../../lib/rules/aws/ag-aws-013-certificates-per-trust-anchor';
import { gateTemplate, model } from '../../fixtures/templates';

const block = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const bundleOf = (n: number) => model(gateTemplate({ anchor: { Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: block.repeat(n) } } } }));

describe('AG-AWS-013: a trust anchor holds at most 2 certificates', () => {
  test('Noncompliance: a bundle of 3', () => {
    expect(certificatesPerTrustAnchor.evaluate(bundleOf(3))).toEqual([
      { resource: 'Anchor', outcome: 'violation', location: 'Properties/Source/SourceData/X509CertificateData', message: "Trust anchor Anchor's bundle holds 3 certificates; a trust anchor may hold at most 2 (not adjustable)." },
    ]);
  });

  test('Compliance: a bundle of 2 (a CA rotation); an ACM PCA source', () => {
    expect(certificatesPerTrustAnchor.evaluate(bundleOf(2))).toEqual([]);
    expect(certificatesPerTrustAnchor.evaluate(model(gateTemplate({ anchor: { Source: { SourceType: 'AWS_ACM_PCA', SourceData: { AcmPcaArn: 'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/x' } } } })))).toEqual([]);
  });
});
