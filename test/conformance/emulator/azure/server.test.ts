import * as https from 'node:https';
import { RunningAzureEmulator, startAzureEmulator } from '../../../../conformance/emulator/azure-emulator';
import { signJwt } from '../../../../conformance/oidc/jwt';
import { tfSourceOf } from '../../../fixtures/azure-conformance';
import { azureConfiguration } from '../../../fixtures/terraform';

function call(url: string, options: { method?: string; body?: string; ca?: string } = {}): Promise<{ status: number; json: any; contentType?: string; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { method: options.method ?? 'GET', ...(options.ca ? { ca: options.ca } : {}), headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8')), contentType: response.headers['content-type'], retryAfter: response.headers['retry-after'] }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

describe('the Entra emulator over HTTPS', () => {
  let emulator: RunningAzureEmulator;
  beforeAll(async () => {
    emulator = await startAzureEmulator({ sources: tfSourceOf(azureConfiguration()) });
  });
  afterAll(() => emulator.close());
  const get = (path: string) => call(`${emulator.authorityHost}${path}`, { ca: emulator.caPem });

  test('listens on https://127.0.0.1 only, with a certificate only its test CA vouches for', async () => {
    expect(emulator.authorityHost).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // Another loopback address reaches the host, but not a socket bound to 127.0.0.1 alone.
    await expect(call(`https://127.0.0.2:${new URL(emulator.authorityHost).port}/`, { ca: emulator.caPem })).rejects.toThrow(/ECONNREFUSED/);
    await expect(call(`${emulator.authorityHost}/${emulator.tenantId}/v2.0/.well-known/openid-configuration`)).rejects.toThrow(/self.signed|unable to verify|certificate/i);
  });

  test("serves the tenant's discovery document and keys; an unknown tenant gets AADSTS90002", async () => {
    const discovery = await get(`/${emulator.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.contentType).toMatch(/^application\/json/);
    expect(discovery.json.token_endpoint).toBe(`${emulator.authorityHost}/${emulator.tenantId}/oauth2/v2.0/token`);
    const keys = await get(`/${emulator.tenantId}/discovery/v2.0/keys`);
    expect(keys.json.keys.map((k: { kid: string }) => k.kid)).toEqual([emulator.server.tenantKey.kid]);
    const unknown = await get('/someone-else/v2.0/.well-known/openid-configuration');
    expect([unknown.status, unknown.json.error_codes]).toEqual([400, [90002]]);
  });

  test('the token endpoint matches on the path (MSAL adds a query string) and accepts POST only', async () => {
    const [identity] = emulator.world.identities.values();
    const credential = identity.federatedCredentials[0];
    const key = emulator.playedIssuers.get(credential.issuer)!.signingKeys[0];
    const body = new URLSearchParams({
      client_id: identity.clientId,
      scope: 'https://management.azure.com/.default',
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: signJwt(key, { iss: credential.issuer, sub: credential.subject, aud: credential.audiences[0] }),
      'client-request-id': 'x',
    }).toString();
    const token = await call(`${emulator.authorityHost}/${emulator.tenantId}/oauth2/v2.0/token?client-request-id=1234`, { method: 'POST', body, ca: emulator.caPem });
    expect(token.status).toBe(200);
    expect(token.json.token_type).toBe('Bearer');
    const wrongMethod = await get(`/${emulator.tenantId}/oauth2/v2.0/token`);
    expect([wrongMethod.status, wrongMethod.json.error_codes]).toEqual([400, [900561]]);
  });

  test('serves each played issuer’s discovery document and JWKS under /issuers/<slug>/', async () => {
    const [played] = emulator.playedIssuers.values();
    const discovery = await get(`/issuers/${played.slug}/.well-known/openid-configuration`);
    expect(discovery.json.issuer).toBe(played.issuer);
    expect(discovery.json.jwks_uri).toBe(`${emulator.authorityHost}/issuers/${played.slug}/keys`);
    const jwks = await get(`/issuers/${played.slug}/keys`);
    expect(jwks.json).toEqual(played.jwks);
    expect((await get('/issuers/0000000000000000/keys')).status).toBe(404);
  });

  test('anything else is a JSON 404; the log keeps method, path, status and AADSTS code, never a body', async () => {
    const missing = await get('/common/discovery/instance?api-version=1.1');
    expect([missing.status, missing.json.error]).toEqual([404, 'not_found']);
    expect(emulator.server.log).toContainEqual({ method: 'GET', path: '/common/discovery/instance', status: 404 });
    expect(emulator.server.log).toContainEqual({ method: 'GET', path: '/someone-else/v2.0/.well-known/openid-configuration', status: 400, code: 90002 });
    expect(JSON.stringify(emulator.server.log)).not.toMatch(/eyJ/);
  });
});

describe('the Entra emulator’s throttling', () => {
  test('past the per-minute quota of the token endpoint: 429 AADSTS90055 with Retry-After in whole seconds, then served again', async () => {
    // GIVEN a quota of 2 token requests a minute and a clock the test moves
    let clock = new Date();
    const emulator = await startAzureEmulator({ sources: tfSourceOf(azureConfiguration()), tokenRequestsPerMinute: 2, now: () => clock });
    try {
      const post = () => call(`${emulator.authorityHost}/${emulator.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: 'grant_type=client_credentials', ca: emulator.caPem });
      // WHEN three arrive in the same instant
      const answered = [(await post()).status, (await post()).status];
      const third = await post();
      // THEN the first two are judged on their content (here: a missing client_id), the third throttled
      expect(answered).toEqual([400, 400]);
      expect({ status: third.status, retryAfter: third.retryAfter, error: third.json.error, codes: third.json.error_codes }).toEqual({ status: 429, retryAfter: '60', error: 'temporarily_unavailable', codes: [90055] });
      expect(third.json.error_description).toMatch(/^AADSTS90055: There are too many incoming requests\. Retry later\. Trace ID: /);
      // AND once the minute has passed the endpoint answers again; discovery was never throttled
      clock = new Date(clock.getTime() + 60_000);
      expect((await post()).status).toBe(400);
    } finally {
      await emulator.close();
    }
  });
});
