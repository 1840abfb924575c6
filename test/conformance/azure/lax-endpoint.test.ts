import * as crypto from 'node:crypto';
import { runAzureConformance } from '../../../conformance/azure/run-azure-conformance';
import { RunningAzureEmulator, startAzureEmulator } from '../../../conformance/emulator/azure-emulator';
import { createServerTls } from '../../../conformance/emulator/azure/server-tls';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { signJwt } from '../../../conformance/oidc/jwt';
import { azureExampleConfiguration, azureStatuses, tfSourceOf } from '../../fixtures/azure-conformance';
import { FaultProxy, startFaultProxy } from '../../fixtures/fault-proxy';

/**
 * Every probing check is seen to FAIL, not only to PASS: in front of the emulator, an Entra token
 * endpoint that answers every client-assertion request with an access token for the identity —
 * whatever the assertion's issuer, key, signature, algorithm, audience, subject or times — in the
 * shape Entra (and the emulator) send. A check that PASSed here would be proving nothing.
 *
 * AGC-AZ-012 is judged from the configuration, never probed: no endpoint, lax or strict, changes
 * its verdict, so it PASSes here as on the example.
 */

let emulator: RunningAzureEmulator;
let proxy: FaultProxy;
afterAll(async () => {
  await proxy?.close();
  await emulator?.close();
});

/**
 * What `POST /{tenant}/oauth2/v2.0/token` answers when it issues a token (token-endpoint.ts, as
 * Entra): a v2 access token whose azp is the identity's client ID, as the control requires of a
 * token issued to its identity. Signed by a key of its own: nothing verifies an access token here.
 */
function laxTokenResponse(authorityHost: string, tenantId: string, clientId: string): string {
  const now = Math.floor(Date.now() / 1000);
  const oid = crypto.randomUUID();
  const accessToken = signJwt(generateIssuerKey('RS256'), {
    iss: `${authorityHost}/${tenantId}/v2.0`,
    sub: oid,
    aud: 'https://management.azure.com',
    iat: now,
    nbf: now,
    exp: now + 3599,
    azp: clientId,
    azpacr: '2',
    idtyp: 'app',
    oid,
    tid: tenantId,
    ver: '2.0',
  });
  return JSON.stringify({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
}

/** Every check that sends an assertion Entra must refuse. */
const NEGATIVE_PROBES = ['002', '003', '004', '005', '006', '007', '008', '009', '010', '011'].map((n) => `AGC-AZ-${n}`);

test('an Entra token endpoint that issues an access token for any client assertion: every assertion mutation FAILs', async () => {
  const userKey = generateIssuerKey('RS256');
  const sources = tfSourceOf(azureExampleConfiguration(), 'cdk.tf.json');
  emulator = await startAzureEmulator({ sources, issuerKeys: [userKey] });
  const [identity] = emulator.world.identities.values();
  // The proxy serves https with its own test CA (MSAL and the probe target accept nothing else).
  const proxyTls = await createServerTls();
  proxy = await startFaultProxy({
    upstream: emulator.authorityHost,
    upstreamCa: emulator.caPem,
    tls: { key: proxyTls.privateKeyPem, cert: proxyTls.certificatePem },
    rules: [
      {
        match: (r) => r.method === 'POST' && /^\/[^/?]+\/oauth2\/v2\.0\/token$/.test(r.url),
        mode: { kind: 'status', status: 200, body: laxTokenResponse(emulator.authorityHost, emulator.tenantId, identity.clientId), headers: { 'content-type': 'application/json; charset=utf-8' } },
      },
    ],
  });
  const run = await runAzureConformance({
    sources,
    target: 'azure',
    endpoints: { authorityHost: proxy.url, caPem: proxyTls.caPem },
    tenantId: emulator.tenantId,
    clientIds: { 'deployer-agent': identity.clientId },
    issuerKeys: [userKey],
    issuerJwks: Object.fromEntries([...emulator.playedIssuers].map(([iss, played]) => [iss, played.jwks])),
    ratePerSecond: Infinity,
  });

  // Every probe got the lax answer: none reached the emulator, which would have refused it.
  expect(proxy.requests.length).toBeGreaterThan(0);
  expect(proxy.requests.filter((r) => r.mode.kind !== 'status').map((r) => `${r.method} ${r.url}`)).toEqual([]);

  const reasons = Object.fromEntries(run.results.map((r) => [r.checkId, `${r.status}: ${r.reason}`]));
  expect(reasons['AGC-AZ-001']).toMatch(/^PASS: a correctly signed token for .* got an access token for the identity/);
  // Each probe of a check got a token, not merely one of them.
  for (const id of NEGATIVE_PROBES) expect(`${id} ${reasons[id]}`).toMatch(new RegExp(`^${id} FAIL: [^;]*: an access token was issued(; [^;]*: an access token was issued)*$`));
  expect(azureStatuses(run.results)).toEqual({
    'AGC-AZ-001': 'PASS',
    ...Object.fromEntries(NEGATIVE_PROBES.map((id) => [id, 'FAIL'])),
    'AGC-AZ-012': 'PASS',
  });
}, 60_000);
