import * as crypto from 'node:crypto';
import { runAzureConformance } from '../../../conformance/azure/run-azure-conformance';
import { startAzureEmulator } from '../../../conformance/emulator/azure-emulator';
import { createServerTls } from '../../../conformance/emulator/azure/server-tls';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { signJwt } from '../../../conformance/oidc/jwt';
import { AzureHttpProbeTarget } from '../../../conformance/azure/azure-probe-target';
import { JWT_BEARER_ASSERTION_TYPE, TOKEN_EXCHANGE_AUDIENCE } from '../../../conformance/emulator/azure/token-endpoint';
import { EXAMPLE_AGENT_IDENTITY, EXAMPLE_MANAGED_IDENTITY, azureExampleConfiguration, azureStatuses, tfSourceOf, withoutAgentIdentity } from '../../fixtures/azure-conformance';
import { startFaultProxy } from '../../fixtures/fault-proxy';

/**
 * Every probing check is seen to FAIL, not only to PASS: in front of the emulator, an Entra token
 * endpoint that answers every client-assertion request with an access token for the identity —
 * whatever the assertion's issuer, key, signature, algorithm, audience, subject or times — in the
 * shape Entra (and the emulator) send. A check that PASSed here would be proving nothing.
 *
 * AGC-AZ-012 is judged from the configuration, never probed: no endpoint, lax or strict, changes
 * its verdict, so it PASSes here as on the example.
 *
 * The same for an Entra agent identity whose tenant is lax at leg 1 only: the blueprint's token
 * for api://AzureADTokenExchange is handed out for any assertion, and leg 2 is the emulator's own.
 */

const running: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const r of running.reverse()) await r.close();
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
  // The managed identity alone: this lax endpoint answers with its client ID to everyone.
  const sources = tfSourceOf(withoutAgentIdentity(azureExampleConfiguration()), 'cdk.tf.json');
  const emulator = await startAzureEmulator({ sources, issuerKeys: [userKey] });
  running.push(emulator);
  const [identity] = emulator.world.identities.values();
  // The proxy serves https with its own test CA (MSAL and the probe target accept nothing else).
  const proxyTls = await createServerTls();
  const proxy = await startFaultProxy({
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
  running.push(proxy);
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

test('an agent identity whose tenant issues leg 1 for any assertion: every assertion mutation FAILs at the agent, while the strict managed identity beside it PASSes', async () => {
  const userKey = generateIssuerKey('RS256');
  const sources = tfSourceOf(azureExampleConfiguration(), 'cdk.tf.json');
  const emulator = await startAzureEmulator({ sources, issuerKeys: [userKey] });
  running.push(emulator);
  const identities = [...emulator.world.identities.values()];
  const managed = identities.find((i) => i.kind === 'user-assigned-identity')!;
  const agent = identities.find((i) => i.kind === 'agent-identity')!;
  const blueprint = emulator.world.identities.get(agent.blueprintClientId!)!;

  // A genuine leg-1 token, got once with the attested JWT: what the lax leg 1 hands out to anyone.
  const [trusted] = blueprint.federatedCredentials;
  const leg1 = await new AzureHttpProbeTarget({ name: 'emulator', authorityHost: emulator.authorityHost, caPem: emulator.caPem }).requestToken(emulator.tenantId, {
    grant_type: 'client_credentials',
    client_id: blueprint.clientId,
    fmi_path: agent.clientId,
    scope: `${TOKEN_EXCHANGE_AUDIENCE}/.default`,
    client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
    client_assertion: signJwt(userKey, { iss: trusted.issuer, sub: trusted.subject, aud: trusted.audiences[0] }),
  });
  expect(leg1).toMatchObject({ kind: 'response', status: 200 });
  const proxyTls = await createServerTls();
  const proxy = await startFaultProxy({
    upstream: emulator.authorityHost,
    upstreamCa: emulator.caPem,
    tls: { key: proxyTls.privateKeyPem, cert: proxyTls.certificatePem },
    rules: [
      {
        // Leg 1 only (the blueprint's request naming an agent); leg 2 and the managed identity's requests reach the emulator.
        match: (r) => r.method === 'POST' && /^\/[^/?]+\/oauth2\/v2\.0\/token$/.test(r.url) && new URLSearchParams(r.body).has('fmi_path'),
        mode: { kind: 'status', status: 200, body: (leg1 as { body: string }).body, headers: { 'content-type': 'application/json; charset=utf-8' } },
      },
    ],
  });
  running.push(proxy);
  const run = await runAzureConformance({
    sources,
    target: 'azure',
    endpoints: { authorityHost: proxy.url, caPem: proxyTls.caPem },
    tenantId: emulator.tenantId,
    clientIds: { 'deployer-agent': managed.clientId, [agent.origins[0]]: agent.clientId, [blueprint.origins[0]]: blueprint.clientId },
    issuerKeys: [userKey],
    issuerJwks: Object.fromEntries([...emulator.playedIssuers].map(([iss, played]) => [iss, played.jwks])),
    ratePerSecond: Infinity,
  });

  // Leg 1 answered by the lax rule; every leg 2 reached the emulator and was issued a token.
  expect(proxy.requests.filter((r) => r.mode.kind === 'status').length).toBeGreaterThan(0);
  const agentResults = run.results.filter((r) => r.gate.includes(EXAMPLE_AGENT_IDENTITY));
  const reasons = Object.fromEntries(agentResults.map((r) => [r.checkId, `${r.status}: ${r.reason}`]));
  expect(reasons['AGC-AZ-001']).toMatch(/^PASS: a correctly signed token for .* got an access token for the identity/);
  // Wrong issuer (002), key (003), audience (004), subject (005), times, signature, algorithm, other workloads: each probe got the agent's token.
  for (const id of NEGATIVE_PROBES) expect(`${id} ${reasons[id]}`).toMatch(new RegExp(`^${id} FAIL: [^;]*: an access token was issued(; [^;]*: an access token was issued)*$`));
  expect(Object.fromEntries(Object.entries(azureStatuses(agentResults)).filter(([id]) => NEGATIVE_PROBES.includes(id)))).toEqual(Object.fromEntries(NEGATIVE_PROBES.map((id) => [id, 'FAIL'])));
  // The managed identity in the same run met the strict emulator: nothing of it FAILs.
  expect(run.results.filter((r) => r.gate.includes(EXAMPLE_MANAGED_IDENTITY)).map((r) => r.status)).toEqual(Array(12).fill('PASS'));
}, 60_000);
