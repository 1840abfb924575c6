import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspectCaBundle } from '../../../lib/core/pki/ca-bundle';
import { inspectCrl, normalizeSerial } from '../../../lib/core/pki/crl';
import { createCa, createCrl, generateKeys } from '../../../conformance/pki/throwaway-pki';

const limits = { maxCertificates: 2, maxPemLength: 8000 };
const options = { where: "TrustAnchorCrl 'S/A/Crl'", field: 'crlPem' };

describe('inspectCrl', () => {
  test('reads the openssl-made example CRL against its CA', () => {
    const dir = path.join(__dirname, '../../../examples/aws/pki');
    const cas = inspectCaBundle(fs.readFileSync(path.join(dir, 'example-ca.pem'), 'utf8'), { where: 'w', field: 'f', limits });
    const info = inspectCrl(fs.readFileSync(path.join(dir, 'example-ca.crl.pem'), 'utf8'), cas, options);
    expect(info.crlNumber).toBe(1n);
    expect(info.revokedSerials).toEqual([]);
    expect(info.signer.subjectText).toBe('O=attestgate examples, CN=attestgate Example Agents CA');
  });

  test('reads revoked serials, CRL number and dates; RSA and EC signers', async () => {
    for (const keyAlgorithm of ['EC-P256', 'RSA-2048'] as const) {
      const ca = await createCa({ subject: { CN: `CA ${keyAlgorithm}` }, keyAlgorithm });
      const { pem } = await createCrl({ issuer: ca, revokedSerials: ['00ab12', '7f'], crlNumber: 300n });
      const info = inspectCrl(pem, inspectCaBundle(ca.pem, { where: 'w', field: 'f', limits }), options);
      expect(info.revokedSerials).toEqual(['ab12', '7f']);
      expect(info.crlNumber).toBe(300n);
      expect(info.nextUpdate!.getTime()).toBeGreaterThan(Date.now());
    }
  });

  test('accepts DER bytes', async () => {
    const ca = await createCa({ subject: { CN: 'CA' } });
    const { der } = await createCrl({ issuer: ca });
    expect(inspectCrl(der, inspectCaBundle(ca.pem, { where: 'w', field: 'f', limits }), options).crlNumber).toBe(1n);
  });

  test('rejects a CRL signed by another key (forged), even with the right issuer name', async () => {
    const ca = await createCa({ subject: { CN: 'CA' } });
    const rogue = { keys: await generateKeys(), keyAlgorithm: 'EC-P256' as const };
    const { pem } = await createCrl({ issuer: ca, signingKeys: rogue });
    expect(() => inspectCrl(pem, inspectCaBundle(ca.pem, { where: 'w', field: 'f', limits }), options)).toThrow(
      /crlPem "CN=CA" is not signed by any CA of the trust anchor \(CN=CA\)/,
    );
  });

  test('rejects a CRL of another CA', async () => {
    const ca = await createCa({ subject: { CN: 'CA' } });
    const other = await createCa({ subject: { CN: 'Other' } });
    const { pem } = await createCrl({ issuer: other });
    expect(() => inspectCrl(pem, inspectCaBundle(ca.pem, { where: 'w', field: 'f', limits }), options)).toThrow(/not signed by any CA/);
  });

  test('rejects a stale CRL', async () => {
    const ca = await createCa({ subject: { CN: 'CA' } });
    const { pem } = await createCrl({ issuer: ca, thisUpdate: new Date(Date.now() - 10 * 86_400_000), nextUpdate: new Date(Date.now() - 86_400_000) });
    expect(() => inspectCrl(pem, inspectCaBundle(ca.pem, { where: 'w', field: 'f', limits }), options)).toThrow(/is stale: its nextUpdate .* has passed/);
  });

  test('rejects a SHA-1 signed CRL', async () => {
    const ca = await createCa({ subject: { CN: 'CA' } });
    const { pem } = await createCrl({ issuer: ca, signingHash: 'SHA-1' });
    expect(() => inspectCrl(pem, inspectCaBundle(ca.pem, { where: 'w', field: 'f', limits }), options)).toThrow(/is signed with sha1, which is too weak/);
  });

  test('rejects text without a CRL, and garbage', async () => {
    const ca = await createCa({ subject: { CN: 'CA' } });
    const cas = inspectCaBundle(ca.pem, { where: 'w', field: 'f', limits });
    expect(() => inspectCrl('nothing here', cas, options)).toThrow(/holds no PEM CRL/);
    expect(() => inspectCrl('-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----', cas, options)).toThrow(/does not parse/);
  });

  test('normalizeSerial drops leading zeros and lowercases', () => {
    expect(normalizeSerial('00AB')).toBe('ab');
    expect(normalizeSerial('000')).toBe('0');
  });
});
