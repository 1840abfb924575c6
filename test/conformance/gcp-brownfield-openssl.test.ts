import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discoverGcpGates } from '../../conformance/gcp/discover-gates';
import { loadTerraformSources } from '../../conformance/discovery/terraform-sources';
import { keysForJwks } from '../../conformance/oidc/issuer-key';
import { loadPkiDirectory } from '../../conformance/pki/pki-directory';
import { statusesOf } from '../fixtures/conformance';
import { probeGcpLocally } from '../fixtures/gcp-conformance';

/**
 * Held-out-style input: a hand-written `.tf.json` (test/fixtures/brownfield/legacy-wif.tf.json)
 * whose provider trusts an inline JWKS holding the public keys of issuer keys made by the
 * openssl command line — an RSA key (`openssl genrsa -traditional`, PKCS#1) and a P-256 key
 * (`openssl ecparam -genkey`, SEC1). Nothing here is produced by attestgate.
 */
function opensslIssuer(): { dir: string; jwks: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-openssl-issuer-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('genrsa', '-traditional', '-out', 'rsa.key', '2048');
  run('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ec.key');
  const jwk = (file: string, kid: string, alg: string) => ({
    ...(crypto.createPublicKey(fs.readFileSync(path.join(dir, file))).export({ format: 'jwk' }) as Record<string, string>),
    kid,
    alg,
    use: 'sig',
  });
  return { dir, jwks: JSON.stringify({ keys: [jwk('rsa.key', 'legacy-rsa-2024', 'RS256'), jwk('ec.key', 'legacy-ec-2025', 'ES256')] }) };
}

/** A --pki directory holding one of the two keys, as the operator would copy it. */
function pkiWith(issuer: { dir: string }, file: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-openssl-pki-'));
  fs.copyFileSync(path.join(issuer.dir, file), path.join(dir, file));
  return dir;
}

describe('brownfield .tf.json with an openssl-made issuer key', () => {
  const issuer = opensslIssuer();
  const configuration = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/brownfield/legacy-wif.tf.json'), 'utf8'));
  configuration.variable.jwks_json.default = issuer.jwks;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-legacy-')), 'legacy-wif.tf.json');
  fs.writeFileSync(file, JSON.stringify(configuration, null, 2));
  const sources = loadTerraformSources(file);

  test('is discovered without a gate manifest, its service account high privilege', () => {
    const [gate] = discoverGcpGates(sources);
    expect(gate.manifest).toBeUndefined();
    expect(gate.privilegeReasons).toEqual(['service account ci-builder holds roles/storage.admin on project "legacy-ci"']);
    expect(gate.trusts).toBe('OIDC https://spire.legacy.example (inline JWKS)');
    expect(gate.privilege).toBe('high');
  });

  test.each([
    ['the RSA key (PKCS#1)', 'rsa.key', 'RS256'],
    ['the P-256 key (SEC1)', 'ec.key', 'ES256'],
  ])('is probed correctly with %s in --pki: control issued, every mutation denied', async (_what, keyFile, alg) => {
    const pki = pkiWith(issuer, keyFile);
    // The --pki key is paired with its JWKS entry by public key: that key, and its algorithm, sign.
    expect(keysForJwks(JSON.parse(issuer.jwks), loadPkiDirectory(pki).keys).map((k) => k.alg)).toEqual([alg]);
    const results = await probeGcpLocally(sources, pki);
    expect(results.find((r) => r.checkId === 'AGC-GCP-001')?.reason).toBe('a correctly attested token (issuer key) got a federated token and a token for ci-builder@legacy-ci.iam.gserviceaccount.com');
    expect(statusesOf(results)).toEqual({
      'AGC-GCP-001': 'PASS',
      'AGC-GCP-002': 'PASS',
      'AGC-GCP-003': 'PASS',
      'AGC-GCP-004': 'PASS',
      'AGC-GCP-005': 'PASS',
      'AGC-GCP-006': 'PASS',
      'AGC-GCP-007': 'PASS',
      'AGC-GCP-008': 'PASS',
      'AGC-GCP-009': 'PASS',
      // The condition pins the one bound subject.
      'AGC-GCP-010': 'SKIPPED',
      'AGC-GCP-011': 'PASS',
      'AGC-GCP-012': 'PASS',
      // Every subject the condition's own literals suggest is refused.
      'AGC-GCP-013': 'PASS',
    });
  });
});
