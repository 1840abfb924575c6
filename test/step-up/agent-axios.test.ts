/** stepUpAxios against real axios 1.21 and real loopback servers: the guard, and hostile answers. */
import { Readable } from 'node:stream';
import axios, { AxiosError } from 'axios';
import { AttestGateError } from '../../lib/core/errors';
import { ACR } from '../../lib/step-up/acr';
import { stepUpAxios } from '../../lib/step-up/agent-axios';
import { AgentStepUpEvent } from '../../lib/step-up/agent-fetch';
import { TokenSource, TokenSourceError } from '../../lib/step-up/token-source';
import { NOW } from './fixtures';
import { HOSTILE_ANSWERS, QUOTED_COMMAS, answering, caught, issuer, recordingSource, toolServer } from './agent-servers';
import { serve } from '../fixtures/loopback-http';

/** An axios instance on the server, with the hook installed. */
function client(baseURL: string, options: Partial<Parameters<typeof stepUpAxios>[1]> & { source: TokenSource }, validateStatus?: (status: number) => boolean) {
  const http = axios.create({ baseURL, ...(validateStatus ? { validateStatus } : {}) });
  const hook = stepUpAxios(http, { resource: baseURL, ...options });
  return { http, hook };
}

describe('stepUpAxios against a guarded server', () => {
  let server: Awaited<ReturnType<typeof toolServer>>;
  beforeEach(async () => {
    server = await toolServer();
  });
  afterEach(() => server.close());

  test('challenged: re-attests with the challenge’s acr_values and max_age, retries once, succeeds', async () => {
    const source = recordingSource();
    const events: AgentStepUpEvent[] = [];
    const { http } = client(server.url, { source, onStepUp: (e) => events.push(e) });
    const response = await http.delete('/stacks/prod');
    expect(response.status).toBe(200);
    expect(response.data).toBe('done: ');
    expect(source.asked).toEqual([
      { reason: 'initial', audience: server.url, scopes: [] },
      { reason: 'step-up', audience: server.url, scopes: [], acrValues: [ACR.ATTESTED_FRESH], maxAge: 60 },
    ]);
    expect(server.attempts()).toBe(2);
    expect(events).toEqual([expect.objectContaining({ method: 'DELETE', url: `${server.url}/stacks/prod`, reason: 'step-up', outcome: 'retried' })]);
  });

  test('the same when validateStatus lets the 401 through: the challenge is answered, not handed back', async () => {
    const source = recordingSource();
    const { http } = client(server.url, { source }, () => true);
    expect((await http.delete('/stacks/prod')).status).toBe(200);
    expect(source.asked.map((r) => r.reason)).toEqual(['initial', 'step-up']);
  });

  test('a request that needs nothing more goes once, with the initial token; the caller’s own Authorization is replaced', async () => {
    const source = recordingSource();
    const { http } = client(server.url, { source });
    expect((await http.get('/anything', { headers: { Authorization: 'Bearer stolen' } })).status).toBe(200);
    expect(source.asked).toHaveLength(1);
    expect(server.attempts()).toBe(1);
  });

  test('a POST is not repeated unless marked: StepUpError, the handler never ran, no re-attestation', async () => {
    const source = recordingSource();
    const { http } = client(server.url, { source });
    const error = await caught(http.post('/migrations', 'ALTER TABLE x'));
    expect(error.code).toBe('not-repeatable');
    expect(error.details).toMatchObject({ method: 'POST', status: 401, challenge: { error: 'insufficient_user_authentication', acrValues: [ACR.ATTESTED_FRESH] } });
    expect(source.asked.map((r) => r.reason)).toEqual(['initial']);
    expect(server.seen).toEqual([]);
  });

  test('nor a PATCH, nor a DELETE its caller marked unrepeatable despite a permissive predicate', async () => {
    const source = recordingSource();
    const { http } = client(server.url, { source, repeatable: () => true });
    const unmarked = { method: 'DELETE', url: '/stacks/prod', stepUp: { repeatable: false } };
    expect((await caught(http.request(unmarked))).code).toBe('not-repeatable');
    const patch = client(server.url, { source: recordingSource({ initial: () => issuer.mint({ aud: server.url, acr: ACR.ATTESTED, exp: NOW - 600 }) }) });
    expect(await caught(patch.http.patch('/stacks/prod', { size: 0 }))).toMatchObject({ code: 'not-repeatable', details: { method: 'PATCH', challenge: { error: 'invalid_token' } } });
    expect(server.attempts()).toBe(2);
    expect(server.seen).toEqual([]);
  });

  test('a POST marked repeatable, per call or by predicate, is retried with its body intact (JSON too)', async () => {
    const { http } = client(server.url, { source: recordingSource() });
    const marked = { method: 'POST', url: '/migrations', data: 'ALTER TABLE x', stepUp: { repeatable: true } };
    expect((await http.request(marked)).data).toBe('done: ALTER TABLE x');
    const byPredicate = client(server.url, { source: recordingSource(), repeatable: (config) => config.url === '/migrations' });
    expect((await byPredicate.http.post('/migrations', { step: 2 })).data).toBe('done: {"step":2}');
    expect(server.seen.map((s) => s.body)).toEqual(['ALTER TABLE x', '{"step":2}']);
  });

  test('a stream body, even marked repeatable, is never sent twice: it was consumed', async () => {
    const source = recordingSource();
    const { http } = client(server.url, { source });
    const streamed = { method: 'POST', url: '/migrations', data: Readable.from(['ALTER TABLE x']), stepUp: { repeatable: true } };
    const error = await caught(http.request(streamed));
    expect(error.code).toBe('not-repeatable');
    expect(error.message).toMatch(/has a stream body, which cannot be sent twice/);
    expect(source.asked.map((r) => r.reason)).toEqual(['initial']);
  });

  test('the source cannot re-attest: reattestation-failed, with its cause; nothing retried', async () => {
    const events: AgentStepUpEvent[] = [];
    const { http } = client(server.url, { source: recordingSource({ stepUp: 'fail' }), onStepUp: (e) => events.push(e) });
    const error = await caught(http.delete('/stacks/prod'));
    expect(error.code).toBe('reattestation-failed');
    expect(error.cause).toBeInstanceOf(TokenSourceError);
    expect(server.attempts()).toBe(1);
    expect(events.map((e) => e.outcome)).toEqual(['reattestation-failed']);
  });

  test('never loops: a stronger token refused again ends in refused-after-step-up after exactly two attempts, whatever validateStatus says', async () => {
    for (const validateStatus of [undefined, () => true]) {
      const source = recordingSource({ stepUp: 'stay-weak' });
      const before = server.attempts();
      const { http } = client(server.url, { source }, validateStatus);
      const error = await caught(http.delete('/stacks/prod'));
      expect(error.code).toBe('refused-after-step-up');
      expect(error.details).toMatchObject({ status: 401, challenge: { error: 'insufficient_user_authentication' } });
      expect(server.attempts() - before).toBe(2);
      expect(source.asked).toHaveLength(2);
    }
  });

  test('invalid_token gets one new token and one retry; insufficient_scope adds the challenged scopes', async () => {
    const expired = recordingSource({ initial: () => issuer.mint({ aud: server.url, acr: ACR.ATTESTED, exp: NOW - 600 }) });
    expect((await client(server.url, { source: expired }).http.get('/anything')).status).toBe(200);
    expect(expired.asked.map((r) => r.reason)).toEqual(['initial', 'invalid-token']);
    const scoped = recordingSource();
    expect((await client(server.url, { source: scoped, scopes: ['stacks:read'] }).http.put('/ledger', '+1')).status).toBe(200);
    expect(scoped.asked[1]).toEqual({ reason: 'insufficient-scope', audience: server.url, scopes: ['stacks:read', 'ledger:write'] });
  });

  test('the token never goes to another origin, absolute URL or baseURL alike; no initial token is a typed error', async () => {
    const source = recordingSource();
    const { http } = client(server.url, { source });
    await expect(http.get('http://127.0.0.1:1/stacks/prod')).rejects.toThrow(AttestGateError);
    await expect(http.get('/stacks/prod', { baseURL: 'http://127.0.0.1:1' })).rejects.toThrow(/is not on the resource server/);
    expect(source.asked).toEqual([]);
    expect(server.attempts()).toBe(0);
    const none: TokenSource = { getToken: () => Promise.reject(new TokenSourceError('unavailable', 'no Workload API socket')) };
    expect((await caught(client(server.url, { source: none }).http.get('/x'))).code).toBe('no-token');
    expect(() => stepUpAxios(axios.create(), { source: {} as TokenSource, resource: server.url })).toThrow(/stepUpAxios: .*not a token source/s);
  });

  test('a config that claims to be the retry is not believed: it is stepped up like any other', async () => {
    const source = recordingSource();
    const { http } = client(server.url, { source });
    const forged = { method: 'DELETE', url: '/stacks/prod', attestgateStepUpRetry: { retry: { token: 'forged', settle: async () => undefined } } };
    expect((await http.request(forged)).status).toBe(200);
    expect(source.asked.map((r) => r.reason)).toEqual(['initial', 'step-up']);
  });

  test('eject() removes the hook: no token is added any more', async () => {
    const source = recordingSource();
    const { http, hook } = client(server.url, { source });
    hook.eject();
    const error = await http.get('/anything').catch((e: AxiosError) => e);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(source.asked).toEqual([]);
  });
});

describe('stepUpAxios against hostile or unexpected answers', () => {
  test.each(HOSTILE_ANSWERS)('%s: axios’s own answer comes back, nothing re-attested or retried', async (_what, status, header) => {
    const server = await answering(status, header);
    try {
      const source = recordingSource();
      const error = await client(server.url, { source }).http.delete('/stacks/prod').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AxiosError);
      expect((error as AxiosError).response?.status).toBe(status);
      expect(server.hits()).toBe(1);
      expect(source.asked.map((r) => r.reason)).toEqual(['initial']);
    } finally {
      await server.close();
    }
  });

  test('quoted commas in a challenge do not confuse what is asked', async () => {
    const server = await answering(401, QUOTED_COMMAS);
    try {
      const source = recordingSource({ stepUp: 'stay-weak' });
      const error = await caught(client(server.url, { source }).http.get('/k'));
      expect(source.asked[1]).toMatchObject({ acrValues: ['urn:attestgate:acr:attested-hwk'], maxAge: 30 });
      expect(error.code).toBe('refused-after-step-up');
      expect(server.hits()).toBe(2);
    } finally {
      await server.close();
    }
  });

  test('Entra’s claims challenge: the decoded claims and acrs go to the source, the request is retried once', async () => {
    const claims = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';
    const server = await serve((req, res) => {
      if (req.headers.authorization === 'Bearer with-claims') return void res.writeHead(200).end('ok');
      res.writeHead(401, { 'www-authenticate': `Bearer realm="", error="insufficient_claims", claims="${Buffer.from(claims).toString('base64')}"` }).end();
    });
    try {
      const asked: Parameters<TokenSource['getToken']>[0][] = [];
      const source: TokenSource = { getToken: async (request) => (asked.push(request), request.claims ? 'with-claims' : 'plain') };
      expect((await client(server.url, { source }).http.get('/items')).data).toBe('ok');
      expect(asked.map((r) => r.reason)).toEqual(['initial', 'claims-challenge']);
      expect(asked[1]).toMatchObject({ claims, acrValues: ['c1'] });
    } finally {
      await server.close();
    }
  });
});
