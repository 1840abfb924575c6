import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CertificateIssuer, encodeName, keyIdentifierOf, subjectKeyIdentifierOf, writeCertificate, writeCertificateAsync } from '../../../conformance/pki/certificate-writer';
import { createCa } from '../../../conformance/pki/throwaway-pki';
import { x509 } from '../../../conformance/pki/x509';
import { parseCertificate } from '../../../lib/core/pki/certificate';
import { toPem } from '../../../lib/core/pki/pem';

const NOW = Date.now();
const DAY = 86_400_000;
const ec = () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });

function selfSignedCa(subject: { CN: string; O?: string; C?: string }, keys = ec()): { der: Buffer; issuer: CertificateIssuer } {
  const der = writeCertificate({ selfSigningKey: keys.privateKey, publicKey: keys.publicKey, subject, notBefore: new Date(NOW - DAY), notAfter: new Date(NOW + DAY), ca: true, pathLength: 0, keyUsage: ['keyCertSign', 'cRLSign'] });
  return { der, issuer: { name: encodeName(subject), privateKey: keys.privateKey, keyIdentifier: keyIdentifierOf(keys.publicKey.export({ type: 'spki', format: 'der' })) } };
}

describe('writeCertificate', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-writer-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a leaf reads back the same in lib/core, @peculiar/x509 and node:crypto, and openssl verify accepts it under its CA', () => {
    // GIVEN a self-signed CA and a leaf with every field the probes set
    const ca = selfSignedCa({ C: 'DE', O: 'attestgate tests', CN: 'Writer CA' });
    const keys = ec();
    const der = writeCertificate({
      issuer: ca.issuer,
      publicKey: keys.publicKey,
      subject: { O: 'attestgate tests', OU: 'agents', CN: 'deployer' },
      serialNumber: '00ff01',
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2051-01-01T00:00:00Z'),
      ca: false,
      keyUsage: ['digitalSignature'],
      clientAuth: true,
      sanUris: ['spiffe://example.org/agent/deployer'],
      sanDns: ['deployer.example.org'],
    });

    // THEN lib/core reads every field
    const cert = parseCertificate(der);
    expect(cert).toMatchObject({
      version: 3,
      serialNumber: 'ff01',
      subject: { attributes: { O: 'attestgate tests', OU: 'agents', CN: 'deployer' } },
      issuer: { attributes: { C: 'DE', O: 'attestgate tests', CN: 'Writer CA' } },
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2051-01-01T00:00:00Z'),
      signatureAlgorithmOid: '1.2.840.10045.4.3.2',
      basicConstraints: { ca: false },
      subjectAltNames: { uris: ['spiffe://example.org/agent/deployer'], dnsNames: ['deployer.example.org'] },
    });
    expect([...cert.keyUsage!]).toEqual(['digitalSignature']);
    expect(cert.publicKeySpki.equals(keys.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(cert.issuer.der.equals(parseCertificate(ca.der).subject.der)).toBe(true);

    // AND @peculiar/x509 and node:crypto agree, the signature included
    const peculiar = new x509.X509Certificate(new Uint8Array(der));
    expect(peculiar.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(peculiar.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(Buffer.from(peculiar.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId!, 'hex').equals(ca.issuer.keyIdentifier)).toBe(true);
    const node = new crypto.X509Certificate(der);
    const caNode = new crypto.X509Certificate(ca.der);
    expect(node.checkIssued(caNode)).toBe(true);
    expect(node.verify(caNode.publicKey)).toBe(true);
    expect(caNode.verify(caNode.publicKey)).toBe(true);

    // AND openssl verify accepts the chain (strict DER, RFC 5280 profile checks)
    fs.writeFileSync(path.join(dir, 'ca.pem'), toPem(ca.der, 'CERTIFICATE'));
    fs.writeFileSync(path.join(dir, 'leaf.pem'), toPem(der, 'CERTIFICATE'));
    const run = spawnSync('openssl', ['verify', '-x509_strict', '-attime', String(Math.floor(NOW / 1000)), '-CAfile', path.join(dir, 'ca.pem'), path.join(dir, 'leaf.pem')], { encoding: 'utf8' });
    expect(run.stdout.trim()).toBe(`${path.join(dir, 'leaf.pem')}: OK`);
  });

  test('a CA reads back as one: cA with its path length, keyCertSign and cRLSign, a subjectKeyIdentifier the AKI of what it signs repeats', () => {
    const ca = selfSignedCa({ CN: 'Writer CA' });
    const cert = parseCertificate(ca.der);
    expect(cert.basicConstraints).toEqual({ ca: true, pathLength: 0 });
    expect([...cert.keyUsage!].sort()).toEqual(['cRLSign', 'keyCertSign']);
    expect(subjectKeyIdentifierOf(ca.der, cert.publicKeySpki).equals(ca.issuer.keyIdentifier)).toBe(true);
  });

  test("an issuer's subjectKeyIdentifier is read from its certificate, as another tool wrote it", async () => {
    const peculiarCa = await createCa({ subject: { CN: 'Peculiar CA' } });
    const cert = parseCertificate(peculiarCa.der);
    const written = new x509.X509Certificate(new Uint8Array(peculiarCa.der)).getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    expect(subjectKeyIdentifierOf(peculiarCa.der, cert.publicKeySpki).toString('hex')).toBe(written);
  });

  test('RSA issuers sign sha256WithRSAEncryption with NULL parameters; SHA-1 is written when asked, for the mutation that needs it', () => {
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ca = selfSignedCa({ CN: 'Writer RSA CA' }, rsa);
    expect(parseCertificate(ca.der).signatureAlgorithmOid).toBe('1.2.840.113549.1.1.11');
    expect(new crypto.X509Certificate(ca.der).verify(rsa.publicKey)).toBe(true);
    const keys = ec();
    const sha1 = writeCertificate({ issuer: ca.issuer, publicKey: keys.publicKey, subject: { CN: 'old' }, notBefore: new Date(NOW - DAY), notAfter: new Date(NOW + DAY), ca: false, keyUsage: ['digitalSignature'], signingHash: 'SHA-1' });
    expect(parseCertificate(sha1).signatureAlgorithmOid).toBe('1.2.840.113549.1.1.5');
    expect(new crypto.X509Certificate(sha1).verify(rsa.publicKey)).toBe(true);
  });

  test('signed on the thread pool (writeCertificateAsync): the same certificate but for the signature, which verifies under the issuer; RSA and SHA-1 alike', async () => {
    for (const issuerKeys of [ec(), crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })]) {
      const ca = selfSignedCa({ CN: 'Async CA' }, issuerKeys);
      const keys = ec();
      for (const signingHash of ['SHA-256', 'SHA-1'] as const) {
        const spec = { issuer: ca.issuer, publicKey: keys.publicKey, subject: { CN: 'deployer' }, serialNumber: '0a0b', notBefore: new Date(NOW - DAY), notAfter: new Date(NOW + DAY), ca: false, keyUsage: ['digitalSignature' as const], signingHash };
        const [sync, async] = [writeCertificate(spec), await writeCertificateAsync(spec)];
        const { fingerprintSha256: _a, der: _b, ...fields } = parseCertificate(async);
        const { fingerprintSha256: _c, der: _d, ...expected } = parseCertificate(sync);
        expect(fields).toEqual(expected);
        expect(new crypto.X509Certificate(async).verify(new crypto.X509Certificate(ca.der).publicKey)).toBe(true);
      }
    }
  });

  test('a certificate without an issuer or its own key is refused', () => {
    const keys = ec();
    expect(() => writeCertificate({ publicKey: keys.publicKey, subject: { CN: 'x' }, notBefore: new Date(NOW), notAfter: new Date(NOW + DAY), ca: false, keyUsage: [] })).toThrow(/needs an issuer/);
  });
});
