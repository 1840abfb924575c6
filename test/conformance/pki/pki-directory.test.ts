import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PkiError, loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { spkiOf } from '../../../conformance/pki/spki';
import { IssuedCertificate, createCa, createCrl, issueLeaf, privateKeyPem } from '../../../conformance/pki/throwaway-pki';
import { parseCertificate } from '../../../lib/core/pki/certificate';

let root: IssuedCertificate;
let issuing: IssuedCertificate;
let rsaLeaf: IssuedCertificate;
beforeAll(async () => {
  root = await createCa({ subject: { CN: 'Dir Test Root', O: 'attestgate tests' } });
  issuing = await createCa({ subject: { CN: 'Dir Test Issuing CA', O: 'attestgate tests' }, issuer: root });
  rsaLeaf = await issueLeaf({ issuer: issuing, subject: { CN: 'rsa-agent' }, keyAlgorithm: 'RSA-2048' });
});

const created: string[] = [];
afterAll(() => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

const keyObject = (issued: IssuedCertificate) => crypto.KeyObject.from(issued.keys.privateKey);

/** A fresh directory holding the given files. */
function directoryWith(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-pki-dir-'));
  created.push(dir);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

const fingerprint = (issued: IssuedCertificate) => parseCertificate(issued.der).fingerprintSha256;

describe('loadPkiDirectory', () => {
  test('pairs PKCS#8, SEC1 and PKCS#1 keys with their certificates by public key, not by file name', async () => {
    // GIVEN certificates (two in one file) and keys in the three formats openssl writes, under unrelated names
    const stray = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const dir = directoryWith({
      'chain.crt': `${root.pem}${issuing.pem}`,
      'agent.crt': rsaLeaf.pem,
      'one.key': await privateKeyPem(root.keys),
      'two.key': keyObject(issuing).export({ type: 'sec1', format: 'pem' }),
      'three.key': keyObject(rsaLeaf).export({ type: 'pkcs1', format: 'pem' }),
      'stray.key': stray.export({ type: 'pkcs8', format: 'pem' }),
      'notes.txt': 'not read',
    });
    expect(fs.readFileSync(path.join(dir, 'two.key'), 'utf8')).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(fs.readFileSync(path.join(dir, 'three.key'), 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);

    // WHEN the directory is read
    const pki = loadPkiDirectory(dir);

    // THEN each certificate has its own key, files in name order, certificates in file order
    expect(pki.entries.map((e) => [path.basename(e.file), e.certificate.fingerprintSha256])).toEqual([
      ['agent.crt', fingerprint(rsaLeaf)],
      ['chain.crt', fingerprint(root)],
      ['chain.crt', fingerprint(issuing)],
    ]);
    const keyOf = (i: number) => spkiOf(pki.entries[i].privateKey!);
    expect(keyOf(0).equals(parseCertificate(rsaLeaf.der).publicKeySpki)).toBe(true);
    expect(keyOf(1).equals(parseCertificate(root.der).publicKeySpki)).toBe(true);
    expect(keyOf(2).equals(parseCertificate(issuing.der).publicKeySpki)).toBe(true);
    // AND a key that belongs to no certificate is listed
    expect(pki.unmatchedKeys).toEqual([path.join(dir, 'stray.key')]);
  });

  test('a certificate without a key has none; CRLs are read as PEM or DER', async () => {
    const crl = await createCrl({ issuer: issuing, revokedSerials: ['0a1b'] });
    const dir = directoryWith({ 'root.crt': root.pem, 'pem.crl': crl.pem, 'der.crl': crl.der });
    const pki = loadPkiDirectory(dir);
    expect(pki.entries).toHaveLength(1);
    expect(pki.entries[0].privateKey).toBeUndefined();
    expect(pki.crls.map((c) => [path.basename(c.file), c.crl.revokedSerials])).toEqual([
      ['der.crl', ['a1b']],
      ['pem.crl', ['a1b']],
    ]);
    expect(pki.unmatchedKeys).toEqual([]);
  });

  test('files it does not read are listed, never dropped silently', () => {
    const pki = loadPkiDirectory(directoryWith({ 'root.crt': root.pem, 'issuing.pem': issuing.pem, 'notes.txt': 'x' }));
    expect(pki.entries).toHaveLength(1);
    expect(pki.ignoredFiles.map((f) => path.basename(f))).toEqual(['issuing.pem', 'notes.txt']);
  });

  test('a DER certificate is read like a PEM one', () => {
    const pki = loadPkiDirectory(directoryWith({ 'root.crt': root.der, 'issuing.crt': issuing.pem }));
    expect(pki.entries.map((e) => [path.basename(e.file), e.certificate.fingerprintSha256])).toEqual([
      ['issuing.crt', fingerprint(issuing)],
      ['root.crt', fingerprint(root)],
    ]);
  });

  test.each<[string, () => string | Buffer, string]>([
    ['ca.crt', () => 'just some text\n', 'holds no PEM block; expected PEM certificates (-----BEGIN CERTIFICATE-----) or one DER certificate (a private key belongs in a .key file, a CRL in a .crl file)'],
    ['ca.crt', () => keyObject(issuing).export({ type: 'pkcs8', format: 'pem' }), 'holds PEM "PRIVATE KEY" blocks only; expected PEM certificates (-----BEGIN CERTIFICATE-----) or one DER certificate'],
    ['ca.crt', () => '', 'holds nothing (the file is empty); expected PEM certificates'],
    ['ca.crt', () => Buffer.from(root.pem, 'utf16le'), 'is UTF-16LE text, not UTF-8; save it as UTF-8'],
    ['ca.crt', () => Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), 'not a DER X.509 certificate (TBSCertificate: expected tag 0x30, found 0x2); expected PEM certificates'],
    ['ca.crt', () => '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'certificate 1 of 1 is not an X.509 certificate ('],
    ['ca.key', () => keyObject(issuing).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }), 'the private key is encrypted; expected an unencrypted PEM private key (PKCS#8 -----BEGIN PRIVATE KEY-----, SEC1 EC or PKCS#1 RSA): decrypt it'],
    ['ca.key', () => root.pem, 'holds PEM "CERTIFICATE" blocks only; expected an unencrypted PEM private key'],
    ['ca.crl', () => Buffer.from('not a CRL'), 'holds no PEM block; expected a CRL in PEM (-----BEGIN X509 CRL-----) or DER, as openssl ca -gencrl writes it'],
    ['ca.crl', () => Buffer.from([0x30, 0x00]), 'not a DER CRL (malformed or truncated DER); expected a CRL in PEM (-----BEGIN X509 CRL-----) or DER'],
    ['ca.crl', () => Buffer.from([0xc3, 0x28, 0xa0]), 'is not valid UTF-8: byte 0xC3 at byte offset 0'],
  ])('%s holding the wrong thing is a PkiError naming the file, what it holds and what was expected: %#', (name, content, expected) => {
    const dir = directoryWith({ [name]: content() });
    const read = () => loadPkiDirectory(dir);
    expect(read).toThrow(PkiError);
    expect(read).toThrow(`--pki ${path.join(dir, name)}: ${expected}`);
  });

  test('a path that is not a directory is a PkiError', () => {
    const file = path.join(directoryWith({ 'ca.crt': 'x' }), 'ca.crt');
    expect(() => loadPkiDirectory(file)).toThrow(new PkiError(`--pki ${file}: not a directory`));
    expect(() => loadPkiDirectory('/nonexistent/pki')).toThrow('--pki /nonexistent/pki: not a directory');
  });
});

describe('spkiOf', () => {
  test('a private key and its public key give the same SubjectPublicKeyInfo', () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(spkiOf(privateKey).equals(spkiOf(publicKey))).toBe(true);
  });
});
