import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { RunningAzureEmulator, startAzureEmulator } from '../../../conformance/emulator/azure-emulator';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { TokenClaims, decodeJwt, signJwt, tamperedJwt, unsignedJwt } from '../../../conformance/oidc/jwt';
import { azureExampleConfiguration, caBundleWith, tfSourceOf } from '../../fixtures/azure-conformance';

interface ClientResult {
  readonly name: string;
  readonly ok: boolean;
  readonly token?: string;
  readonly expiresOnTimestamp?: number;
  readonly errorName?: string;
  readonly message?: string;
}

/** Runs @azure/identity's ClientAssertionCredential in a child Node whose NODE_EXTRA_CA_CERTS holds the test CA. */
function runOfficialClient(emulator: RunningAzureEmulator, clientId: string, cases: Array<{ name: string; assertion: string }>, caBundle = caBundleWith(emulator.caPem)): Promise<ClientResult[]> {
  const input = JSON.stringify({ tenantId: emulator.tenantId, clientId, authorityHost: emulator.authorityHost, scope: 'https://management.azure.com/.default', cases });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, '../../fixtures/azure-identity-client.js')], {
      // Set before Node starts: it reads NODE_EXTRA_CA_CERTS once, at start-up.
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caBundle, AZURE_AUTHORITY_HOST: '', AZURE_CLIENT_ID: '', AZURE_TENANT_ID: '' },
      cwd: path.join(__dirname, '../../..'),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as ClientResult[]) : reject(new Error(`the client exited with ${code}: ${stderr}`))));
    child.stdin.end(input);
  });
}

describe('@azure/identity 4.13.1 (unmodified, in a child process) against the Entra emulator', () => {
  let emulator: RunningAzureEmulator;
  beforeAll(async () => {
    emulator = await startAzureEmulator({ sources: tfSourceOf(azureExampleConfiguration(), 'cdk.tf.json') });
  });
  afterAll(() => emulator.close());

  test('a valid assertion yields a token for the identity; each mutation fails with the client’s own error naming the AADSTS code', async () => {
    const [identity] = emulator.world.identities.values();
    const credential = identity.federatedCredentials[0];
    const played = emulator.playedIssuers.get(credential.issuer)!;
    const rsa = played.signingKeys.find((k) => k.alg === 'RS256')!;
    const ec = played.signingKeys.find((k) => k.alg === 'ES256')!;
    const now = Math.floor(Date.now() / 1000);
    const claims = (overrides: Partial<TokenClaims> = {}): TokenClaims => ({ iss: credential.issuer, sub: credential.subject, aud: credential.audiences[0], iat: now, exp: now + 300, ...overrides });
    const valid = signJwt(rsa, claims());
    const cases = [
      { name: 'valid', assertion: valid, code: undefined },
      { name: 'wrong issuer (trailing slash)', assertion: signJwt(rsa, claims({ iss: `${credential.issuer}/` })), code: 700211 },
      { name: 'unknown key', assertion: signJwt(generateIssuerKey('RS256'), claims()), code: 7000272 },
      { name: 'wrong audience', assertion: signJwt(rsa, claims({ aud: 'api://AzureADMyOrg' })), code: 700212 },
      { name: 'wrong subject', assertion: signJwt(rsa, claims({ sub: `${credential.subject}/x` })), code: 700213 },
      { name: 'subject case', assertion: signJwt(rsa, claims({ sub: credential.subject.toUpperCase() })), code: 7002138 },
      { name: 'expired', assertion: signJwt(rsa, claims({ iat: now - 7200, exp: now - 3600 })), code: 700024 },
      { name: 'not yet valid', assertion: signJwt(rsa, claims({ nbf: now + 3600, exp: now + 7200 })), code: 700024 },
      { name: 'tampered', assertion: tamperedJwt(valid), code: 700027 },
      { name: 'alg none', assertion: unsignedJwt(claims()), code: 5002738 },
      { name: 'ES256', assertion: signJwt(ec, claims()), code: 5002738 },
    ];
    const results = await runOfficialClient(emulator, identity.clientId, cases.map(({ name, assertion }) => ({ name, assertion })));

    const [ok, ...refused] = results;
    expect(ok).toMatchObject({ name: 'valid', ok: true, expiresOnTimestamp: expect.any(Number) });
    expect(decodeJwt(ok.token!).claims).toMatchObject({ azp: identity.clientId, oid: identity.principalId, aud: 'https://management.azure.com' });
    expect(refused.map((r) => [r.name, r.ok, r.errorName, /AADSTS(\d+):/.exec(r.message ?? '')?.[1]])).toEqual(
      cases.slice(1).map((c) => [c.name, false, 'AuthenticationRequiredError', String(c.code)]),
    );
    // The client itself fetched the discovery document, then posted to the token endpoint it names.
    const paths = emulator.server.log.map((l) => `${l.method} ${l.path}`);
    expect(paths).toContain(`GET /${emulator.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(paths.filter((p) => p === `POST /${emulator.tenantId}/oauth2/v2.0/token`)).toHaveLength(cases.length);
  });

  test('an unknown client ID fails with the client’s AADSTS700016 error', async () => {
    const [result] = await runOfficialClient(emulator, '00000000-0000-4000-a000-000000000000', [{ name: 'unknown', assertion: 'x.y.z' }]);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('AADSTS700016');
  });

  test('without the test CA in NODE_EXTRA_CA_CERTS the client cannot reach the emulator at all', async () => {
    const systemOnly = caBundleWith('');
    const [result] = await runOfficialClient(emulator, '00000000-0000-4000-a000-000000000000', [{ name: 'untrusted', assertion: 'x.y.z' }], systemOnly);
    expect(result.ok).toBe(false);
    expect(result.message).not.toContain('AADSTS');
    expect(result.message).toMatch(/endpoints_resolution_error|certificate/i);
  });
});
