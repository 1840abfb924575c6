import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AgentTrustAnchor, TrustAnchorSource } from '../../lib/aws/agent-trust-anchor';
import { createCa, createCrl } from '../../conformance/pki/throwaway-pki';
import { newStack } from '../fixtures/cdk';
import { TestPki, makeTestPki } from '../fixtures/pki';

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});

describe('AgentTrustAnchor', () => {
  test('a PEM bundle becomes an enabled CERTIFICATE_BUNDLE anchor with expiry notifications', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::RolesAnywhere::TrustAnchor', {
      Enabled: true,
      Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: pki.ca.pem } },
      NotificationSettings: [
        { Enabled: true, Event: 'CA_CERTIFICATE_EXPIRY', Threshold: 45, Channel: 'ALL' },
        { Enabled: true, Event: 'END_ENTITY_CERTIFICATE_EXPIRY', Threshold: 45, Channel: 'ALL' },
      ],
    });
    expect(anchor.caCertificates.map((c) => c.subject)).toEqual([{ O: 'attestgate examples', CN: 'attestgate Example Agents CA' }]);
  });

  test('reads the bundle from a file; a missing file is a clear error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-'));
    const file = path.join(dir, 'ca.pem');
    fs.writeFileSync(file, pki.ca.pem);
    const stack = newStack();
    new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundleFile(file) });
    Template.fromStack(stack).resourceCountIs('AWS::RolesAnywhere::TrustAnchor', 1);
    expect(() => TrustAnchorSource.fromCertificateBundleFile(path.join(dir, 'nope.pem'))).toThrow(/filePath ".*nope.pem" cannot be read \(ENOENT\)/);
  });

  test('an ACM Private CA source', () => {
    const stack = newStack();
    const arn = 'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/0a1b2c3d-1111-2222-3333-444455556666';
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromAcmPca(arn), expiryNotificationThreshold: Duration.days(30) });
    Template.fromStack(stack).hasResourceProperties('AWS::RolesAnywhere::TrustAnchor', {
      Source: { SourceType: 'AWS_ACM_PCA', SourceData: { AcmPcaArn: arn } },
      NotificationSettings: Match.arrayWith([Match.objectLike({ Threshold: 30 })]),
    });
    expect(anchor.caCertificates).toEqual([]);
    expect(() => TrustAnchorSource.fromAcmPca('arn:aws:s3:::bucket')).toThrow(/certificateAuthorityArn "arn:aws:s3:::bucket" is not an ACM Private CA ARN/);
  });

  test('rejects a leaf, naming the construct path', async () => {
    const stack = newStack();
    expect(() => new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.leaf.pem) })).toThrow(
      /^AgentTrustAnchor 'TestStack\/Anchor': source "certificate #1 \(O=attestgate examples, CN=deployer\)" is not a CA certificate/,
    );
  });

  test('rejects an expired CA', async () => {
    const expired = await createCa({ subject: { CN: 'Old' }, notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') });
    expect(() => new AgentTrustAnchor(newStack(), 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(expired.pem) })).toThrow(/expired on 2021-01-01/);
  });

  test('warns when a CA expires within the notification threshold', async () => {
    const soon = await createCa({ subject: { CN: 'Soon' }, notAfter: new Date(Date.now() + 10 * 86_400_000) });
    const stack = newStack();
    new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(soon.pem) });
    Annotations.fromStack(stack).hasWarning('/TestStack/Anchor', Match.stringLikeRegexp('CA certificate CN=Soon expires on .* within 45 days'));
  });

  test('rejects a threshold outside 1–360 days and a bad name', () => {
    expect(() => new AgentTrustAnchor(newStack(), 'A', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem), expiryNotificationThreshold: Duration.days(400) })).toThrow(
      /expiryNotificationThreshold "400 days" is not a whole number of days from 1 to 360/,
    );
    expect(() => new AgentTrustAnchor(newStack(), 'A', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem), trustAnchorName: 'bad/name' })).toThrow(
      /trustAnchorName "bad\/name" is not 1–255 letters/,
    );
  });

  test('imports an existing anchor by canonical ARN only', () => {
    const stack = newStack();
    const imported = AgentTrustAnchor.fromTrustAnchorArn(stack, 'Imported', 'arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/4f1d2a3b-aaaa');
    expect(imported.trustAnchorId).toBe('4f1d2a3b-aaaa');
    expect(() => AgentTrustAnchor.fromTrustAnchorArn(stack, 'Alias', 'arn:aws:rolesanywhere:eu-west-1:111122223333:alias/trust-anchor/agents')).toThrow(
      /is not a canonical trust-anchor ARN \(an alias ARN can be moved/,
    );
  });

  test('addCrl imports an enabled CRL; a third CRL exceeds the quota', async () => {
    const stack = newStack();
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    anchor.addCrl('Crl1', pki.crlPem);
    anchor.addCrl('Crl2', (await createCrl({ issuer: pki.ca, crlNumber: 2n })).pem);
    Template.fromStack(stack).resourceCountIs('AWS::RolesAnywhere::CRL', 2);
    expect(() => anchor.addCrl('Crl3', pki.crlPem)).toThrow(/addCrl\('Crl3'\) "CRL #3" exceeds the 2 CRLs Roles Anywhere allows per trust anchor/);
  });

  test('addCrl takes the CRL’s name; the anchor tells where its CAs come from', () => {
    // GIVEN
    const stack = newStack();
    const source = TrustAnchorSource.fromCertificateBundle(pki.ca.pem);
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source });
    // WHEN
    anchor.addCrl('Crl', pki.crlPem, { crlName: 'agents-ca' });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::RolesAnywhere::CRL', { Name: 'agents-ca', Enabled: true });
    expect(anchor.source).toBe(source);
  });
});
