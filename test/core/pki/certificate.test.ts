import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCertificate } from '../../../lib/core/pki/certificate';
import { pemBlocks } from '../../../lib/core/pki/pem';
import { verifySignedDer } from '../../../lib/core/pki/signature';
import { createCa, issueLeaf } from '../../../conformance/pki/throwaway-pki';
import { x509 } from '../../../conformance/pki/x509';

describe('parseCertificate (lean DER reader)', () => {
  test('agrees with node:crypto on the openssl-made example CA', () => {
    const pem = fs.readFileSync(path.join(__dirname, '../../../examples/aws/pki/example-ca.pem'), 'utf8');
    const cert = parseCertificate(pemBlocks(pem, 'CERTIFICATE')[0]);
    const reference = new crypto.X509Certificate(pem);
    expect(cert.version).toBe(3);
    expect(cert.serialNumber).toBe(reference.serialNumber.toLowerCase().replace(/^0+/, ''));
    expect(cert.subject.text).toBe('O=attestgate examples, CN=attestgate Example Agents CA');
    expect(cert.subject.attributes).toEqual({ O: 'attestgate examples', CN: 'attestgate Example Agents CA' });
    expect(cert.notBefore.getTime()).toBe(new Date(reference.validFrom).getTime());
    expect(cert.notAfter.getTime()).toBe(new Date(reference.validTo).getTime());
    expect(cert.basicConstraints).toEqual({ ca: true, pathLength: 0 });
    expect([...cert.keyUsage!]).toEqual(['keyCertSign', 'cRLSign']);
    expect(cert.signatureHash).toBe('sha256');
    expect(cert.publicKeySpki.equals(reference.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(cert.fingerprintSha256).toBe(reference.fingerprint256.replace(/:/g, '').toLowerCase());
  });

  test('reads a leaf: SANs in order, key usage, multi-valued OU, and verifies against its CA', async () => {
    const ca = await createCa({ subject: { CN: 'CA' }, keyAlgorithm: 'RSA-2048' });
    const leaf = await issueLeaf({
      issuer: ca,
      subject: { CN: 'deployer', O: 'Example' },
      sanUris: ['spiffe://prod.example/agent/deployer', 'spiffe://other/second'],
      sanDns: ['deployer.prod.example'],
      serialNumber: '00f1e2d3',
      keyUsages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    });
    const cert = parseCertificate(leaf.der);
    expect(cert.serialNumber).toBe('f1e2d3');
    expect(cert.issuer.text).toBe('CN=CA');
    expect(cert.subjectAltNames.uris).toEqual(['spiffe://prod.example/agent/deployer', 'spiffe://other/second']);
    expect(cert.subjectAltNames.dnsNames).toEqual(['deployer.prod.example']);
    expect([...cert.keyUsage!]).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(cert.basicConstraints).toEqual({ ca: false, pathLength: undefined });
    expect(verifySignedDer(leaf.der, parseCertificate(ca.der).publicKeySpki)).toBe(true);
    expect(verifySignedDer(ca.der, cert.publicKeySpki)).toBe(false);
  });

  test('joins repeated attributes with "/" in certificate order, as Roles Anywhere does', async () => {
    const keys = await crypto.webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      name: [{ OU: ['Security'] }, { OU: ['Engineering'] }, { CN: ['Zoë'] }],
      keys: keys as CryptoKeyPair,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    const parsed = parseCertificate(new Uint8Array(cert.rawData));
    expect(parsed.subject.attributes).toEqual({ OU: 'Security/Engineering', CN: 'Zoë' });
    expect(parsed.version).toBe(3);
  });

  test('rejects garbage and trailing bytes', () => {
    expect(() => parseCertificate(new Uint8Array([0x30, 0x82, 0xff]))).toThrow(/truncated DER/);
    expect(() => parseCertificate(new Uint8Array([0x30, 0x00, 0x00]))).toThrow(/trailing bytes/);
    expect(() => parseCertificate(new Uint8Array([0x04, 0x00]))).toThrow(/expected tag 0x30/);
  });
});
