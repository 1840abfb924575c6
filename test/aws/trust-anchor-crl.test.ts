import { Template } from 'aws-cdk-lib/assertions';
import { AgentTrustAnchor, TrustAnchorSource } from '../../lib/aws/agent-trust-anchor';
import { createCa, createCrl } from '../../conformance/pki/throwaway-pki';
import { newStack } from '../fixtures/cdk';
import { TestPki, makeTestPki } from '../fixtures/pki';

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});

describe('TrustAnchorCrl', () => {
  test('imports the PEM text, enabled, bound to the anchor', () => {
    // GIVEN
    const stack = newStack();
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    // WHEN
    const crl = anchor.addCrl('Crl', pki.crlPem);
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::RolesAnywhere::CRL', {
      CrlData: pki.crlPem,
      Enabled: true,
      TrustAnchorArn: { 'Fn::GetAtt': [stack.getLogicalId(anchor.cfnTrustAnchor), 'TrustAnchorArn'] },
    });
    expect(crl.info?.crlNumber).toBe(1n);
  });

  test('rejects a CRL from another CA, which would revoke nothing', async () => {
    const stack = newStack();
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    const other = await createCa({ subject: { CN: 'Other CA' } });
    const { pem } = await createCrl({ issuer: other });
    expect(() => anchor.addCrl('Crl', pem)).toThrow(/^TrustAnchorCrl 'TestStack\/Anchor\/Crl': crlPem "CN=Other CA" is not signed by any CA of the trust anchor/);
  });

  test('for an ACM PCA anchor, only checks that it is PEM', () => {
    const stack = newStack();
    const anchor = new AgentTrustAnchor(stack, 'Anchor', {
      source: TrustAnchorSource.fromAcmPca('arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/0a1b2c3d'),
    });
    anchor.addCrl('Crl', pki.crlPem);
    expect(() => anchor.addCrl('Bad', 'not a crl')).toThrow(/crlPem "not a crl" holds no PEM CRL/);
  });

  test('rejects CRL data over the ImportCrl limit', () => {
    const stack = newStack();
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    expect(() => anchor.addCrl('Crl', 'x'.repeat(300_001))).toThrow(/crlPem "300001 characters" exceeds the 300000 characters ImportCrl accepts/);
  });
});
