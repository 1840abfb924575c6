import * as fs from 'node:fs';
import * as path from 'node:path';
import { x509 } from '../../../conformance/pki/x509';
import { inspectCaBundle } from '../../../lib/core/pki/ca-bundle';
import { createCa, issueLeaf } from '../../../conformance/pki/throwaway-pki';

const limits = { maxCertificates: 2, maxPemLength: 8000 };
const inspect = (pem: string, now?: Date) => inspectCaBundle(pem, { where: "AgentTrustAnchor 'S/A'", field: 'source', limits, now });

describe('inspectCaBundle', () => {
  test('reads an openssl-made CA (the committed example)', () => {
    const pem = fs.readFileSync(path.join(__dirname, '../../../examples/aws/pki/example-ca.pem'), 'utf8');
    const [ca] = inspect(pem);
    expect(ca.subject).toEqual({ O: 'attestgate examples', CN: 'attestgate Example Agents CA' });
    expect(ca.publicKeySpki.length).toBeGreaterThan(50);
    expect(ca.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('accepts two CAs (rotation) and rejects three', async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map((i) => createCa({ subject: { CN: `CA ${i}` } })));
    expect(inspect(a.pem + b.pem)).toHaveLength(2);
    expect(() => inspect(a.pem + b.pem + c.pem)).toThrow(/source "3 certificates" holds more than the 2 CA certificates allowed/);
  });

  test('rejects a leaf certificate', async () => {
    const ca = await createCa({ subject: { CN: 'CA' } });
    const leaf = await issueLeaf({ issuer: ca, subject: { CN: 'leaf' } });
    expect(() => inspect(leaf.pem)).toThrow(/certificate #1 \(CN=leaf\)" is not a CA certificate \(basicConstraints CA:TRUE is missing\)/);
  });

  test('rejects a CA without keyCertSign', async () => {
    const ca = await createCa({ subject: { CN: 'CA' }, keyUsages: x509.KeyUsageFlags.cRLSign });
    expect(() => inspect(ca.pem)).toThrow(/lacks keyUsage keyCertSign/);
  });

  test('rejects an expired CA and one not yet valid', async () => {
    const expired = await createCa({ subject: { CN: 'Old' }, notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') });
    expect(() => inspect(expired.pem)).toThrow(/expired on 2021-01-01/);
    const future = await createCa({ subject: { CN: 'New' }, notBefore: new Date(Date.now() + 86_400_000) });
    expect(() => inspect(future.pem)).toThrow(/is not valid before/);
  });

  test('rejects a SHA-1 signed CA', async () => {
    const ca = await createCa({ subject: { CN: 'Sha1' }, signingHash: 'SHA-1' });
    expect(() => inspect(ca.pem)).toThrow(/is signed with sha1, which is rejected. Fix: reissue it with SHA-256/);
  });

  test('rejects a private key in the bundle', async () => {
    const ca = await createCa({ subject: { CN: 'CA' } });
    expect(() => inspect(`${ca.pem}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n`)).toThrow(
      /source "PRIVATE KEY" holds PEM blocks other than CERTIFICATE — a private key must never be part of a trust anchor/,
    );
  });

  test('rejects over-long bundles, empty text and non-PEM', () => {
    expect(() => inspect('x'.repeat(8001))).toThrow(/is longer than the 8000 characters allowed/);
    expect(() => inspect('   ')).toThrow(/is empty/);
    expect(() => inspect('hello')).toThrow(/holds no PEM certificate/);
  });

  test('rejects a damaged certificate', () => {
    expect(() => inspect('-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n')).toThrow(/does not parse/);
  });
});
