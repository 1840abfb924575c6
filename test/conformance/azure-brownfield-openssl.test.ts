import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAzureConformance } from '../../conformance/azure/run-azure-conformance';
import { pkiIssuerKeys } from '../../conformance/oidc/issuer-key';
import { discoverAzureGates } from '../../conformance/azure/discover-gates';
import { loadTerraformSources } from '../../conformance/discovery/terraform-sources';
import { startAzureEmulator } from '../../conformance/emulator/azure-emulator';
import { issuerKeyOf } from '../../conformance/oidc/issuer-key';
import { loadPkiDirectory } from '../../conformance/pki/pki-directory';

/**
 * Held-out-style input: a hand-written Terraform JSON file (test/fixtures/azure-brownfield) for a
 * user-assigned identity with two federated credentials built from locals and a variable default,
 * data sources for the tenant and subscription, and an issuer key made by the openssl command
 * line. Nothing here is produced by attestgate.
 */
const FIXTURE = path.join(__dirname, '../fixtures/azure-brownfield/legacy-build-agent.tf.json');
const PRIMARY = 'https://idp.legacy.example/oidc';
const DR = 'https://idp-dr.legacy.example/oidc';

/** A --pki directory as an operator would make it: an RSA issuer key (PKCS#1, `genrsa -traditional`) and an unrelated CA with its key. */
function opensslPki(): { dir: string; issuerKeyFile: string; publicPem: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-openssl-issuer-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('genrsa', '-traditional', '-out', 'issuer.key', '2048');
  run('rsa', '-in', 'issuer.key', '-pubout', '-out', 'issuer.pub.pem');
  // A CA key pairs with its certificate: it is a CA's key, not an issuer's, and must not be used as one.
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-subj', '/CN=Legacy CA', '-days', '2', '-out', 'ca.crt');
  const publicPem = fs.readFileSync(path.join(dir, 'issuer.pub.pem'), 'utf8');
  fs.rmSync(path.join(dir, 'issuer.pub.pem'));
  return { dir, issuerKeyFile: path.join(dir, 'issuer.key'), publicPem };
}

describe('hand-written .tf.json with an openssl-made issuer key', () => {
  const pki = opensslPki();
  const sources = loadTerraformSources(FIXTURE);
  const opensslKid = issuerKeyOf(crypto.createPrivateKey(fs.readFileSync(pki.issuerKeyFile))).kid;

  test('is discovered from its resources alone (no gate manifest), as high privilege through Contributor', () => {
    const [gate] = discoverAzureGates(sources);
    expect(gate.manifest).toBeUndefined();
    expect(gate.privilege).toBe('high');
    expect(gate.credentials.map((c) => [c.issuer, c.subject])).toEqual([
      [PRIMARY, 'spiffe://legacy.example/ci/build-agent'],
      [DR, 'spiffe://legacy.example/ci/build-agent'],
    ]);
  });

  test('the emulator deploys it: identity, both credentials, the role at the simulated subscription', async () => {
    const emulator = await startAzureEmulator({ sources });
    try {
      expect(emulator.configurations[0].problems).toEqual([]);
      const [identity] = emulator.world.identities.values();
      expect(identity.resourceId).toMatch(/\/resourceGroups\/legacy-ci\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/legacy-build-agent$/);
      expect(emulator.world.roleAssignmentsOf(identity)).toEqual([expect.objectContaining({ role: 'Contributor', scope: `/subscriptions/${emulator.world.env.subscriptionId}` })]);
      expect([...emulator.playedIssuers.keys()]).toEqual([PRIMARY, DR]);
    } finally {
      await emulator.close();
    }
  });

  test('--pki alone: the played issuers publish the openssl key, the control signs with it, and every check passes (without a manifest, the configuration’s own exact trusts are the declared ones)', async () => {
    // The CA's key pairs with ca.crt: only the openssl issuer key is an issuer key.
    expect(pkiIssuerKeys(loadPkiDirectory(pki.dir)).map((k) => k.kid)).toEqual([opensslKid]);
    const run = await runAzureConformance({ sources, pki: loadPkiDirectory(pki.dir), target: 'local', ratePerSecond: Infinity });
    expect(run.results.filter((r) => r.status !== 'PASS').map((r) => `${r.checkId} ${r.status}: ${r.reason}`)).toEqual([]);
    const control = run.results.find((r) => r.checkId === 'AGC-AZ-001')!;
    const signers = (control.evidence!.probes as Array<{ signedWith: string }>).map((p) => p.signedWith);
    expect(signers).toEqual([opensslKid, opensslKid]);
  });

  test("the issuer's published JWKS (from the openssl public key, under its own kid): the emulator serves exactly it and signs under that kid", async () => {
    const jwk = { ...(crypto.createPublicKey(pki.publicPem).export({ format: 'jwk' }) as Record<string, unknown>), kid: 'legacy-2024-07', alg: 'RS256', use: 'sig' };
    const run = await runAzureConformance({ sources, pki: loadPkiDirectory(pki.dir), issuerJwks: { [PRIMARY]: { keys: [jwk] } }, target: 'local', ratePerSecond: Infinity, tags: ['AGC-AZ-001', 'AGC-AZ-003', 'AGC-AZ-008'] });
    expect(run.results.map((r) => [r.checkId, r.status])).toEqual([
      ['AGC-AZ-001', 'PASS'],
      ['AGC-AZ-003', 'PASS'],
      ['AGC-AZ-008', 'PASS'],
    ]);
    const signers = (run.results[0].evidence!.probes as Array<{ signedWith: string }>).map((p) => p.signedWith);
    // The primary issuer's JWKS was given; the DR issuer is still played with the --pki key.
    expect(signers).toEqual(['legacy-2024-07', opensslKid]);
  });
});
