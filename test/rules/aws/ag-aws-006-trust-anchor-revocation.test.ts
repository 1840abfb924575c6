import { trustAnchorRevocation } from '../../../lib/rules/aws/ag-aws-006-trust-anchor-revocation';
import { createCa, createCrl } from '../../../conformance/pki/throwaway-pki';
import { gateTemplate, model } from '../../fixtures/templates';

describe('AG-AWS-006: a trust anchor has an enabled CRL', () => {
  test('Noncompliance 1: no CRL', () => {
    expect(trustAnchorRevocation.evaluate(model(gateTemplate({ crl: null })))).toEqual([
      { resource: 'Anchor', outcome: 'violation', location: 'Properties', message: 'Trust anchor Anchor has no CRL, so revoked certificates are still accepted.' },
    ]);
  });

  test('Noncompliance 2: a disabled CRL, and one whose Enabled is left to the undocumented default', () => {
    expect(trustAnchorRevocation.evaluate(model(gateTemplate({ crl: { Enabled: false } })))[0].message).toContain('no CRL with Enabled: true (Crl)');
    const t = gateTemplate();
    delete (t.Resources.Crl as { Properties: Record<string, unknown> }).Properties.Enabled;
    expect(trustAnchorRevocation.evaluate(model(t))).toHaveLength(1);
  });

  test('Noncompliance 3: the CRL belongs to another trust anchor', () => {
    const template = gateTemplate({ crl: { TrustAnchorArn: 'arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/other' } });
    expect(trustAnchorRevocation.evaluate(model(template))).toHaveLength(1);
  });

  test('Compliance: an enabled CRL; a disabled trust anchor is not judged', () => {
    expect(trustAnchorRevocation.evaluate(model(gateTemplate()))).toEqual([]);
    expect(trustAnchorRevocation.evaluate(model(gateTemplate({ crl: null, anchor: { Enabled: false } })))).toEqual([]);
  });

  test('Unjudgeable: Enabled from a parameter', () => {
    const template = gateTemplate({ parameters: { On: { Type: 'String' } }, crl: { Enabled: { Ref: 'On' } } });
    expect(trustAnchorRevocation.evaluate(model(template))).toEqual([expect.objectContaining({ outcome: 'unjudgeable' })]);
  });

  test('Noncompliance 4: the enabled CRL is signed by another CA (the anchor’s CA issued none of it): it revokes nothing; the anchor’s own CA’s CRL is clean', async () => {
    const [ca, other] = await Promise.all([createCa({ subject: { CN: 'Agents CA' } }), createCa({ subject: { CN: 'Agents CA' } })]);
    const withCrl = async (issuer: typeof ca) => model(gateTemplate({ anchor: { Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: ca.pem } } }, crl: { CrlData: (await createCrl({ issuer, revokedSerials: [] })).pem } }));
    expect(trustAnchorRevocation.evaluate(await withCrl(other))).toEqual([
      { resource: 'Anchor', outcome: 'violation', location: 'Properties', message: 'Trust anchor Anchor: Crl is not signed by a CA of its bundle, so revoked certificates are still accepted.' },
    ]);
    expect(trustAnchorRevocation.evaluate(await withCrl(ca))).toEqual([]);
  });
});
