import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { RunningWorkloadApiServer, startWorkloadApiServer } from '../../conformance/emulator/spiffe/workload-api-server';
import { generateIssuerKey } from '../../conformance/oidc/issuer-key';
import { createCa } from '../../conformance/pki/throwaway-pki';
import { WorkloadApiClient } from '../../lib/spiffe/workload-api';
import { ACR } from '../../lib/step-up/acr';
import { StepUpError, stepUpFetch } from '../../lib/step-up/agent-fetch';
import { StepUpGuard } from '../../lib/step-up/guard';
import { nodeHttpGuard } from '../../lib/step-up/middleware';
import { TokenSourceError, jwtSvidSource } from '../../lib/step-up/token-source';
import { WORKLOADS, deployerEntry } from '../fixtures/workload-api';
import { DEPLOYER_SPIFFE_ID } from '../fixtures/terraform';

/**
 * jwtSvidSource over attestgate's Workload API client, against the emulated SPIRE agent: real gRPC,
 * real JWT-SVIDs. The emulated agent caches JWT-SVIDs as SPIRE's does and writes no jti — what a
 * SPIRE entry without jwt_svid_include_jti gives — so a routine call passes and a step-up to
 * attested-fresh is refused by the source itself, naming the fix; with the attribute on the entry,
 * each fetch is a new attestation and the step-up succeeds.
 */

const ISSUER = 'https://oidc.prod.example';
const key = generateIssuerKey('RS256');
let spire: RunningWorkloadApiServer;
let client: WorkloadApiClient;
let server: http.Server;
let url: string;

beforeAll(async () => {
  spire = await startWorkloadApiServer({ trustDomain: 'prod.example', entries: [deployerEntry()], workloads: WORKLOADS, x509Authority: await createCa({ subject: { CN: 'SPIRE CA' } }), jwtAuthority: { key, issuer: ISSUER } });
  client = new WorkloadApiClient({ address: spire.addresses.get('deployer')! });
  let listener: http.RequestListener = () => undefined;
  server = http.createServer((req, res) => listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const guard = new StepUpGuard({
    audience: url,
    // What the resource server is told of this SPIRE server: its JWT-SVIDs are attested-fresh when they carry a jti.
    issuers: [{ issuer: ISSUER, jwks: { keys: [key.publicJwk as unknown as Record<string, unknown>] }, impliedAcr: ACR.ATTESTED_FRESH, attestationTime: 'iat' }],
    operations: [
      { name: 'list-stacks', method: 'GET', route: '/stacks', acr: [ACR.ATTESTED] },
      { name: 'destroy-stack', method: 'DELETE', route: '/stacks/:name', acr: [ACR.ATTESTED_FRESH], maxAge: 60 },
    ],
  });
  listener = nodeHttpGuard(guard, (req, res) => res.writeHead(200).end(`${req.method} done`));
});
afterAll(async () => {
  client?.close();
  await new Promise((resolve) => server?.close(resolve));
  await spire?.close();
});

const source = () => jwtSvidSource({ fetchJwtSvid: async (audience, signal) => (await client.fetchJwtSvid({ audience, ...(signal ? { signal } : {}) })).token });

test('a routine call goes through with the cached JWT-SVID the agent serves', async () => {
  const response = await stepUpFetch({ resource: url, source: source() })(`${url}/stacks`);
  expect(response.status).toBe(200);
  expect(await source().getToken({ reason: 'initial', audience: url })).toMatch(/^ey/);
});

test('a destroy is challenged; the agent serves the same SVID again (no jti), and the source refuses it with the fix', async () => {
  let error: StepUpError | undefined;
  try {
    await stepUpFetch({ resource: url, source: source() })(`${url}/stacks/prod`, { method: 'DELETE' });
  } catch (e) {
    error = e as StepUpError;
  }
  expect(error).toBeInstanceOf(StepUpError);
  expect(error!.code).toBe('reattestation-failed');
  expect(error!.details.challenge).toMatchObject({ error: 'insufficient_user_authentication', acrValues: [ACR.ATTESTED_FRESH], maxAge: 60 });
  expect(error!.cause).toBeInstanceOf(TokenSourceError);
  expect((error!.cause as TokenSourceError).message).toMatch(/jwt_svid_include_jti/);
  // The SVID really is the agent's, for the deployer.
  expect((await client.fetchJwtSvid({ audience: url })).spiffeId).toBe(DEPLOYER_SPIFFE_ID);
});

test('with jwt_svid_include_jti on the entry, the same agent serves a new, jti-bearing SVID on the challenge: the destroy succeeds on its one retry, and that SVID is refused the second time', async () => {
  const fresh = await startWorkloadApiServer({ trustDomain: 'prod.example', entries: [deployerEntry({ jwtSvidIncludeJti: true })], workloads: WORKLOADS, x509Authority: await createCa({ subject: { CN: 'SPIRE CA' } }), jwtAuthority: { key, issuer: ISSUER } });
  const freshClient = new WorkloadApiClient({ address: fresh.addresses.get('deployer')! });
  const tokens: string[] = [];
  const freshSource = jwtSvidSource({
    fetchJwtSvid: async (audience, signal) => {
      const { token } = await freshClient.fetchJwtSvid({ audience, ...(signal ? { signal } : {}) });
      tokens.push(token);
      return token;
    },
  });
  try {
    const response = await stepUpFetch({ resource: url, source: freshSource })(`${url}/stacks/prod`, { method: 'DELETE' });
    expect([response.status, await response.text()]).toEqual([200, 'DELETE done']);
    const replayed = await fetch(`${url}/stacks/prod`, { method: 'DELETE', headers: { authorization: `Bearer ${tokens[tokens.length - 1]}` } });
    expect(replayed.status).toBe(401);
  } finally {
    freshClient.close();
    await fresh.close();
  }
});
