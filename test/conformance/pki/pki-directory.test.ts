import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PkiError, loadPkiDirectory, spkiOf } from '../../../conformance/pki/pki-directory';
import { IssuedCertificate, createCa, createCrl, issueLeaf, privateKeyPem } from '../../../conformance/pki/test-pki';
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

  test('a file that cannot be read is a PkiError naming it', async () => {
    const encrypted = keyObject(issuing).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' });
    const cases: Record<string, string | Buffer> = {
      'broken.crt': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      'locked.key': encrypted,
      'broken.crl': Buffer.from('not a CRL'),
    };
    for (const [name, content] of Object.entries(cases)) {
      const dir = directoryWith({ [name]: content });
      const read = () => loadPkiDirectory(dir);
      expect(read).toThrow(PkiError);
      expect(read).toThrow(new RegExp(`^--pki ${path.join(dir, name).replace(/[.]/g, '\\.')}: cannot be read \\(.+\\); keys must be unencrypted PEM$`));
    }
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
