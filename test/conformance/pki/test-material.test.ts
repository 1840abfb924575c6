import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { writeTestMaterial } from '../../../conformance/pki/test-material';

describe('writeTestMaterial', () => {
  test('--pki reads every file it writes there (the CA, its key and CRL, the issuer key) and nothing is left unread; the JWKS is beside it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-material-'));
    try {
      const material = await writeTestMaterial(dir, { CN: 'Material Test CA', O: 'attestgate tests' });
      const pki = loadPkiDirectory(material.pkiDir);
      expect(pki.ignoredFiles).toEqual([]);
      expect(pki.unmatchedKeys.map((file) => path.basename(file))).toEqual(['oidc-issuer.key']);
      expect(path.dirname(material.jwksFile)).toBe(dir);
      const jwks = JSON.parse(fs.readFileSync(material.jwksFile, 'utf8')) as { keys: Array<{ kid: string; kty: string }> };
      expect(jwks.keys).toEqual([expect.objectContaining({ kid: material.issuerKey.kid, kty: 'RSA' })]);
      expect(fs.readFileSync(material.caBundleFile, 'utf8')).toBe(material.ca.pem);
      for (const key of ['agents-ca.key', 'oidc-issuer.key']) expect(fs.statSync(path.join(material.pkiDir, key)).mode & 0o077).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
