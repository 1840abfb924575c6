import { AttestGateError } from '../../lib/core/errors';
import { ACR } from '../../lib/step-up/acr';
import { AgentStepUpEvent, stepUpFetch } from '../../lib/step-up/agent-fetch';
import { TokenSource, TokenSourceError } from '../../lib/step-up/token-source';
import { NOW } from './fixtures';
import { HOSTILE_ANSWERS, QUOTED_COMMAS, answering, caught, issuer, recordingSource, toolServer } from './agent-servers';

describe('stepUpFetch against a guarded server', () => {
  let server: Awaited<ReturnType<typeof toolServer>>;
  beforeEach(async () => {
    server = await toolServer();
  });
  afterEach(() => server.close());

  test('challenged: re-attests with the challenge’s acr_values and max_age, retries once, succeeds', async () => {
    const source = recordingSource();
    const events: AgentStepUpEvent[] = [];
    const fetchWithStepUp = stepUpFetch({ source, resource: server.url, onStepUp: (e) => events.push(e) });
    const response = await fetchWithStepUp(`${server.url}/stacks/prod`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('done: ');
    expect(source.asked).toEqual([
      { reason: 'initial', audience: server.url, scopes: [] },
      { reason: 'step-up', audience: server.url, scopes: [], acrValues: [ACR.ATTESTED_FRESH], maxAge: 60 },
    ]);
    expect(server.attempts()).toBe(2);
    expect(events).toEqual([expect.objectContaining({ method: 'DELETE', reason: 'step-up', outcome: 'retried', challenge: expect.objectContaining({ acrValues: [ACR.ATTESTED_FRESH], maxAge: 60 }) })]);
  });

  test('a request that needs nothing more goes once, with the initial token', async () => {
    const source = recordingSource();
    const response = await stepUpFetch({ source, resource: server.url })(`${server.url}/anything`);
    expect(response.status).toBe(200);
    expect(source.asked).toHaveLength(1);
  });

  test('a POST is not repeated unless marked: a typed error, the handler never ran, no re-attestation', async () => {
    const source = recordingSource();
    const error = await caught(stepUpFetch({ source, resource: server.url })(`${server.url}/migrations`, { method: 'POST', body: 'ALTER TABLE x' }));
    expect(error.code).toBe('not-repeatable');
    expect(error.details).toMatchObject({ method: 'POST', status: 401, challenge: { error: 'insufficient_user_authentication', acrValues: [ACR.ATTESTED_FRESH] } });
    expect(source.asked.map((r) => r.reason)).toEqual(['initial']);
    expect(server.seen).toEqual([]);
  });

  test('nor a PATCH, nor a POST refused for an expired token, nor a DELETE its caller marked unrepeatable: nothing is sent twice', async () => {
    const expired = () => issuer.mint({ aud: server.url, acr: ACR.ATTESTED, exp: NOW - 600 });
    for (const [url, init] of [
      [`${server.url}/stacks/prod`, { method: 'PATCH', body: '{"size":0}' }],
      [`${server.url}/anything`, { method: 'POST', body: 'x' }],
    ] as const) {
      const source = recordingSource({ initial: expired });
      const error = await caught(stepUpFetch({ source, resource: server.url })(url, init));
      expect(error).toMatchObject({ code: 'not-repeatable', details: { method: init.method, status: 401, challenge: { error: 'invalid_token' } } });
      expect(source.asked.map((r) => r.reason)).toEqual(['initial']);
    }
    // A predicate that marks every request does not override the caller's explicit no.
    const source = recordingSource();
    const error = await caught(stepUpFetch({ source, resource: server.url, repeatable: () => true })(`${server.url}/stacks/prod`, { method: 'DELETE', stepUp: { repeatable: false } }));
    expect(error.code).toBe('not-repeatable');
    expect(source.asked.map((r) => r.reason)).toEqual(['initial']);
    expect(server.attempts()).toBe(3);
    expect(server.seen).toEqual([]);
  });

  test('a POST marked repeatable, per call or by predicate, is retried with its body intact', async () => {
    const perCall = await stepUpFetch({ source: recordingSource(), resource: server.url })(`${server.url}/migrations`, { method: 'POST', body: 'ALTER TABLE x', stepUp: { repeatable: true } });
    expect(await perCall.text()).toBe('done: ALTER TABLE x');
    const byPredicate = stepUpFetch({ source: recordingSource(), resource: server.url, repeatable: (r) => new URL(r.url).pathname === '/migrations' });
    const request = new Request(`${server.url}/migrations`, { method: 'POST', body: JSON.stringify({ step: 2 }), headers: { 'content-type': 'application/json' } });
    expect(await (await byPredicate(request)).text()).toBe('done: {"step":2}');
    expect(server.seen.map((s) => s.body)).toEqual(['ALTER TABLE x', '{"step":2}']);
  });

  test('the source cannot re-attest: reattestation-failed, with its cause; nothing retried', async () => {
    const events: AgentStepUpEvent[] = [];
    const error = await caught(stepUpFetch({ source: recordingSource({ stepUp: 'fail' }), resource: server.url, onStepUp: (e) => events.push(e) })(`${server.url}/stacks/prod`, { method: 'DELETE' }));
    expect(error.code).toBe('reattestation-failed');
    expect(error.cause).toBeInstanceOf(TokenSourceError);
    expect(error.message).toMatch(/could not be attested/);
    expect(server.attempts()).toBe(1);
    expect(events.map((e) => e.outcome)).toEqual(['reattestation-failed']);
  });

  test('never loops: a stronger token refused again ends in refused-after-step-up after exactly two attempts', async () => {
    const source = recordingSource({ stepUp: 'stay-weak' });
    const error = await caught(stepUpFetch({ source, resource: server.url })(`${server.url}/stacks/prod`, { method: 'DELETE' }));
    expect(error.code).toBe('refused-after-step-up');
    expect(error.details.challenge?.error).toBe('insufficient_user_authentication');
    expect(server.attempts()).toBe(2);
    expect(source.asked).toHaveLength(2);
  });

  test('invalid_token (an expired first token) gets one new token and one retry', async () => {
    const source = recordingSource({ initial: () => issuer.mint({ aud: server.url, acr: ACR.ATTESTED, exp: NOW - 600 }) });
    const response = await stepUpFetch({ source, resource: server.url })(`${server.url}/anything`);
    expect(response.status).toBe(200);
    expect(source.asked.map((r) => r.reason)).toEqual(['initial', 'invalid-token']);
  });

  test('insufficient_scope (the MCP step-up): the challenged scopes are added to the agent’s, not substituted', async () => {
    const source = recordingSource();
    const response = await stepUpFetch({ source, resource: server.url, scopes: ['stacks:read'] })(`${server.url}/ledger`, { method: 'PUT', body: '+1' });
    expect(response.status).toBe(200);
    expect(source.asked[1]).toEqual({ reason: 'insufficient-scope', audience: server.url, scopes: ['stacks:read', 'ledger:write'] });
  });

  test('the token never goes to another origin; an initial token that cannot be had is a typed error', async () => {
    const source = recordingSource();
    await expect(stepUpFetch({ source, resource: server.url })('http://127.0.0.1:1/stacks/prod')).rejects.toThrow(AttestGateError);
    expect(source.asked).toEqual([]);
    const none: TokenSource = { getToken: () => Promise.reject(new TokenSourceError('unavailable', 'no Workload API socket')) };
    expect((await caught(stepUpFetch({ source: none, resource: server.url })(`${server.url}/x`))).code).toBe('no-token');
    expect(() => stepUpFetch({ source: {} as TokenSource, resource: server.url })).toThrow(/not a token source/);
  });
});

describe('stepUpFetch against hostile or unexpected answers', () => {
  test.each(HOSTILE_ANSWERS)('%s: the response is returned as it came, nothing re-attested or retried', async (_what, status, header) => {
    const server = await answering(status, header);
    try {
      const source = recordingSource();
      const response = await stepUpFetch({ source, resource: server.url })(`${server.url}/stacks/prod`, { method: 'DELETE' });
      expect(response.status).toBe(status);
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
      const error = await caught(stepUpFetch({ source, resource: server.url })(`${server.url}/k`));
      expect(source.asked[1]).toMatchObject({ acrValues: ['urn:attestgate:acr:attested-hwk'], maxAge: 30 });
      expect(error.code).toBe('refused-after-step-up');
      expect(server.hits()).toBe(2);
    } finally {
      await server.close();
    }
  });
});
