import * as net from 'node:net';
import { sendHttp } from '../../../../conformance/engine/send-http';
import { RunningGcpEmulator, startGcpEmulator } from '../../../../conformance/emulator/gcp-emulator';
import { playedIssuerPaths } from '../../../../conformance/emulator/gcp/played-issuers';
import { signJwt } from '../../../../conformance/oidc/jwt';
import { tfSource } from '../../../fixtures/gcp-conformance';
import { DEPLOYER_SPIFFE_ID, ISSUER, gcpConfiguration } from '../../../fixtures/terraform';

let emulator: RunningGcpEmulator;
beforeAll(async () => {
  emulator = await startGcpEmulator({ sources: [tfSource(gcpConfiguration())] });
});
afterAll(() => emulator.close());

const AUDIENCE = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/agents/providers/spire';
const body = (outcome: Awaited<ReturnType<typeof sendHttp>>) => (outcome.kind === 'response' ? { status: outcome.status, json: JSON.parse(outcome.body) } : { status: 0, json: outcome.error });

describe('the GCP emulator’s HTTP server', () => {
  test('listens on 127.0.0.1 only', () => {
    const { hostname, port } = new URL(emulator.endpoint);
    expect(hostname).toBe('127.0.0.1');
    expect(net.isIP(hostname)).toBe(4);
    expect(Number(port)).toBeGreaterThan(0);
  });

  test('exchange, then generateAccessToken over HTTP; each request is logged, errors with their body', async () => {
    const token = signJwt(emulator.playedIssuers.get(ISSUER)!.keys[0], { iss: ISSUER, sub: DEPLOYER_SPIFFE_ID, aud: 'gcp' });
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', audience: AUDIENCE, subject_token: token, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' });
    const exchanged = body(await sendHttp(`${emulator.endpoint}/v1/token`, 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, form.toString()));
    expect(exchanged).toMatchObject({ status: 200, json: { token_type: 'Bearer' } });
    const email = 'deployer-agent@attestgate-emulated.iam.gserviceaccount.com';
    const url = `${emulator.endpoint}/v1/projects/-/serviceAccounts/${encodeURIComponent(email)}:generateAccessToken`;
    const impersonated = body(await sendHttp(url, 'POST', { authorization: `Bearer ${exchanged.json.access_token}`, 'content-type': 'application/json' }, '{"scope":["s"]}'));
    expect(impersonated).toMatchObject({ status: 200, json: { accessToken: expect.any(String), expireTime: expect.any(String) } });
    const denied = body(await sendHttp(url.replace('deployer-agent', 'other'), 'POST', { authorization: `Bearer ${exchanged.json.access_token}` }, '{"scope":["s"]}'));
    expect(denied).toMatchObject({ status: 403, json: { error: { status: 'PERMISSION_DENIED' } } });
    expect(emulator.server.log.slice(-3)).toEqual([
      { method: 'POST', path: '/v1/token', status: 200 },
      { method: 'POST', path: `/v1/projects/-/serviceAccounts/${encodeURIComponent(email)}:generateAccessToken`, status: 200 },
      expect.objectContaining({ status: 403, error: expect.stringContaining('PERMISSION_DENIED') }),
    ]);
  });

  test('serves the played issuer’s discovery document and JWKS, whose keys verify its tokens', async () => {
    const paths = playedIssuerPaths(ISSUER);
    const discovery = body(await sendHttp(`${emulator.endpoint}${paths.discovery}`, 'GET', {}, ''));
    expect(discovery).toMatchObject({ status: 200, json: { issuer: ISSUER, jwks_uri: `${emulator.endpoint}${paths.jwks}` } });
    const jwks = body(await sendHttp(discovery.json.jwks_uri, 'GET', {}, ''));
    expect(jwks.json).toEqual({ keys: [emulator.playedIssuers.get(ISSUER)!.keys[0].publicJwk] });
    // Lower-case percent escapes name the same issuer.
    expect(body(await sendHttp(`${emulator.endpoint}${paths.jwks.replace(/%3A/g, '%3a')}`, 'GET', {}, '')).status).toBe(200);
  });

  test('404 NOT_FOUND for what it does not serve: an unknown issuer, another method, another API', async () => {
    for (const [method, path] of [
      ['GET', `/issuers/${encodeURIComponent('https://nobody.example')}/jwks`],
      ['GET', '/issuers/%E0%A4%A/jwks'],
      ['POST', `${playedIssuerPaths(ISSUER).jwks}`],
      ['GET', '/v1/projects/-/serviceAccounts/a@b:generateAccessToken'],
      ['POST', '/v1/oauthtoken'],
    ]) {
      expect([method, path, body(await sendHttp(`${emulator.endpoint}${path}`, method, {}, ''))]).toEqual([method, path, { status: 404, json: { error: expect.objectContaining({ code: 404, status: 'NOT_FOUND' }) } }]);
    }
  });

  test('GET /v1/token is 405 in the STS’s OAuth shape', async () => {
    expect(body(await sendHttp(`${emulator.endpoint}/v1/token`, 'GET', {}, ''))).toEqual({ status: 405, json: { error: 'invalid_request', error_description: 'GET is not allowed; POST the token exchange.' } });
  });

  test('serves POST /v1/introspect: the token it just exchanged is active, under its principal', async () => {
    const token = signJwt(emulator.playedIssuers.get(ISSUER)!.keys[0], { iss: ISSUER, sub: DEPLOYER_SPIFFE_ID, aud: 'gcp' });
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', audience: AUDIENCE, subject_token: token, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' });
    const exchanged = body(await sendHttp(`${emulator.endpoint}/v1/token`, 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, form.toString()));
    const introspected = body(await sendHttp(`${emulator.endpoint}/v1/introspect`, 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, `token=${encodeURIComponent(exchanged.json.access_token)}`));
    expect(introspected).toMatchObject({ status: 200, json: { active: true, username: `principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/agents/subject/${DEPLOYER_SPIFFE_ID}` } });
  });
});

describe('the GCP emulator’s quotas', () => {
  test('past the STS’s per-minute quota: 429 RESOURCE_EXHAUSTED with a QuotaFailure, until the minute has passed', async () => {
    // GIVEN a quota of 2 requests a minute and a clock the test moves
    let clock = new Date('2026-10-01T12:00:00Z');
    const throttled = await startGcpEmulator({ sources: [tfSource(gcpConfiguration())], requestsPerMinute: { sts: 2 }, now: () => clock });
    try {
      const send = async () => body(await sendHttp(`${throttled.endpoint}/v1/token`, 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=x'));
      // WHEN three requests arrive within the minute
      const statuses = [(await send()).status, (await send()).status];
      const third = await send();
      // THEN the first two are answered (here: refused for their content), the third is throttled
      expect(statuses).toEqual([400, 400]);
      expect(third).toEqual({
        status: 429,
        json: {
          error: {
            code: 429,
            status: 'RESOURCE_EXHAUSTED',
            message: "Quota exceeded for quota metric 'Exchange token requests' and limit 'Exchange token requests per minute' of service 'sts.googleapis.com' for consumer 'project_number:123456789012'.",
            details: [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ subject: 'project_number:123456789012', description: 'Exchange token requests per minute' }] }],
          },
        },
      });
      // AND a minute later the quota has room again
      clock = new Date(clock.getTime() + 60_000);
      expect((await send()).status).toBe(400);
    } finally {
      await throttled.close();
    }
  });
});
