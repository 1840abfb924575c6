import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { AttestGateError } from '../../lib/core/errors';
import { ACR } from '../../lib/step-up/acr';
import { TokenSourceError, jwtSvidSource, oauthTokenSource } from '../../lib/step-up/token-source';
import { NOW, NOW_MS, randomJti, testIssuer } from './fixtures';

const spire = testIssuer('https://oidc.spire.example.test');
const AUD = 'https://tools.example.test';

async function rejection(promise: Promise<unknown>): Promise<TokenSourceError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(TokenSourceError);
    return e as TokenSourceError;
  }
  throw new Error('expected a TokenSourceError');
}

describe('jwtSvidSource', () => {
  const source = (svid: () => string, audiences: string[] = []) =>
    jwtSvidSource({
      fetchJwtSvid: async (audience) => {
        audiences.push(audience);
        return svid();
      },
      nowMs: () => NOW_MS,
    });

  test('asks the Workload API for the audience; a fresh SVID with a jti meets a step-up', async () => {
    const audiences: string[] = [];
    const fresh = spire.mint({ aud: AUD, iat: NOW - 2, jti: randomJti() });
    expect(await source(() => fresh, audiences).getToken({ reason: 'step-up', audience: AUD, acrValues: [ACR.ATTESTED_FRESH], maxAge: 30 })).toBe(fresh);
    expect(audiences).toEqual([AUD]);
  });

  test('a cached SVID (no jti) or an old one is caught here, with the fix', async () => {
    const cached = spire.mint({ aud: AUD, iat: NOW - 2 });
    expect((await rejection(source(() => cached).getToken({ reason: 'step-up', audience: AUD, acrValues: [ACR.ATTESTED_FRESH], maxAge: 30 }))).message).toMatch(/jwt_svid_include_jti/);
    const old = spire.mint({ aud: AUD, iat: NOW - 200, jti: randomJti() });
    const e = await rejection(source(() => old).getToken({ reason: 'step-up', audience: AUD, maxAge: 30 }));
    expect(e.code).toBe('unfit-token');
    expect(e.message).toMatch(/issued 200 s ago, over the max_age of 30 s/);
    // The first request takes whatever the Workload API gives.
    expect(await source(() => cached).getToken({ reason: 'initial', audience: AUD })).toBe(cached);
  });

  test('ACR values a JWT-SVID cannot meet are refused before fetching', async () => {
    const audiences: string[] = [];
    const e = await rejection(source(() => spire.mint(), audiences).getToken({ reason: 'step-up', audience: AUD, acrValues: [ACR.HUMAN_APPROVED, ACR.ATTESTED_HWK] }));
    expect(e.code).toBe('cannot-meet');
    expect(audiences).toEqual([]);
  });

  test('a Workload API failure is unavailable, with its cause', async () => {
    const failing = jwtSvidSource({ fetchJwtSvid: () => Promise.reject(new Error('connect ENOENT /run/spire/agent.sock')) });
    const e = await rejection(failing.getToken({ reason: 'initial', audience: AUD }));
    expect(e).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/agent\.sock/) });
    expect(() => jwtSvidSource({} as never)).toThrow(AttestGateError);
  });
});

describe('oauthTokenSource', () => {
  /** A token endpoint that records each form and answers from `answer`. */
  async function tokenEndpoint(answer: (form: URLSearchParams, n: number) => [number, unknown]): Promise<{ url: string; forms: URLSearchParams[]; close(): Promise<void> }> {
    const forms: URLSearchParams[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        forms.push(form);
        const [status, json] = answer(form, forms.length);
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`,
      forms,
      close: () => new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    };
  }

  test('client credentials with an attested assertion; a step-up adds acr_values and max_age; plain tokens are cached', async () => {
    const endpoint = await tokenEndpoint((_form, n) => [200, { access_token: `token-${n}`, token_type: 'Bearer', expires_in: 300 }]);
    try {
      let assertions = 0;
      const source = oauthTokenSource({ tokenEndpoint: endpoint.url, clientId: 'agent-deployer', clientAssertion: async () => `svid-${++assertions}`, nowMs: () => NOW_MS });
      expect(await source.getToken({ reason: 'initial', audience: AUD, scopes: ['stacks:write'] })).toBe('token-1');
      expect(await source.getToken({ reason: 'initial', audience: AUD, scopes: ['stacks:write'] })).toBe('token-1');
      expect(await source.getToken({ reason: 'step-up', audience: AUD, scopes: ['stacks:write'], acrValues: [ACR.ATTESTED_FRESH, ACR.HUMAN_APPROVED], maxAge: 60 })).toBe('token-2');
      // The stepped-up token was for one request; the plain one is still served.
      expect(await source.getToken({ reason: 'initial', audience: AUD, scopes: ['stacks:write'] })).toBe('token-1');
      expect(endpoint.forms.map((f) => Object.fromEntries(f))).toEqual([
        {
          grant_type: 'client_credentials',
          client_id: 'agent-deployer',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: 'svid-1',
          scope: 'stacks:write',
          resource: AUD,
        },
        {
          grant_type: 'client_credentials',
          client_id: 'agent-deployer',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: 'svid-2',
          scope: 'stacks:write',
          resource: AUD,
          acr_values: `${ACR.ATTESTED_FRESH} ${ACR.HUMAN_APPROVED}`,
          max_age: '60',
        },
      ]);
    } finally {
      await endpoint.close();
    }
  });

  test('after invalid_token the refused token is replaced, not served again', async () => {
    const endpoint = await tokenEndpoint((_form, n) => [200, { access_token: `token-${n}`, expires_in: 300 }]);
    try {
      const source = oauthTokenSource({ tokenEndpoint: endpoint.url, clientId: 'a', clientAssertion: async () => 'svid', nowMs: () => NOW_MS });
      expect(await source.getToken({ reason: 'initial', audience: AUD })).toBe('token-1');
      expect(await source.getToken({ reason: 'invalid-token', audience: AUD })).toBe('token-2');
      expect(await source.getToken({ reason: 'initial', audience: AUD })).toBe('token-2');
    } finally {
      await endpoint.close();
    }
  });

  test('refusals and failures are typed: issuer-refused with its OAuth error, unavailable for 5xx and non-tokens', async () => {
    const endpoint = await tokenEndpoint((_form, n) =>
      n === 1 ? [400, { error: 'unmet_authentication_requirements', error_description: 'the workload cannot be attested freshly' }] : n === 2 ? [503, { error: 'temporarily_unavailable' }] : [200, { token_type: 'Bearer' }],
    );
    try {
      const source = oauthTokenSource({ tokenEndpoint: endpoint.url, clientId: 'a', clientAssertion: async () => 'svid' });
      const refused = await rejection(source.getToken({ reason: 'step-up', audience: AUD, acrValues: [ACR.ATTESTED_FRESH] }));
      expect(refused).toMatchObject({ code: 'issuer-refused', message: 'the authorization server refused the token request (unmet_authentication_requirements: the workload cannot be attested freshly)' });
      expect((await rejection(source.getToken({ reason: 'initial', audience: AUD }))).code).toBe('unavailable');
      expect((await rejection(source.getToken({ reason: 'initial', audience: AUD }))).message).toMatch(/without an access_token/);
      const noAssertion = oauthTokenSource({ tokenEndpoint: endpoint.url, clientId: 'a', clientAssertion: () => Promise.reject(new Error('no SVID')) });
      expect((await rejection(noAssertion.getToken({ reason: 'initial', audience: AUD }))).message).toMatch(/no SVID/);
    } finally {
      await endpoint.close();
    }
  });

  test('client assertions go over https only (http on loopback, for emulators)', () => {
    expect(() => oauthTokenSource({ tokenEndpoint: 'http://as.example/token', clientId: 'a', clientAssertion: async () => '' })).toThrow(/not https/);
    expect(() => oauthTokenSource({ tokenEndpoint: 'not a url', clientId: 'a', clientAssertion: async () => '' })).toThrow(AttestGateError);
  });
});
