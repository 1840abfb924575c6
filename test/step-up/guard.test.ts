import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { unsignedJwt } from '../../conformance/oidc/jwt';
import { AttestGateError } from '../../lib/core/errors';
import { ACR } from '../../lib/step-up/acr';
import { StepUpEvent } from '../../lib/step-up/events';
import { StepUpGuard, StepUpGuardOptions, bearerTokenOf } from '../../lib/step-up/guard';
import { StepUpOperation, StepUpPolicy, TrustedIssuer } from '../../lib/step-up/policy';
import { MemoryReplayStore } from '../../lib/step-up/replay-store';
import { readBearerChallenge } from '../../lib/step-up/www-authenticate';
import { AGENT, AUDIENCE, NOW, NOW_MS, randomJti, testIssuer } from './fixtures';

const issuer = testIssuer();
const stranger = testIssuer(issuer.iss, { keyName: 'stranger' });

const DESTROY: StepUpOperation = { name: 'destroy-stack', method: 'DELETE', route: '/stacks/:id', acr: [ACR.ATTESTED_FRESH, ACR.HUMAN_APPROVED], maxAge: 60 };
const ROTATE: StepUpOperation = { name: 'rotate-root-key', tool: 'rotate_root_key', acr: [ACR.ATTESTED_HWK], scopes: ['keys:rotate'] };
const LIST: StepUpOperation = { name: 'list-stacks', method: 'GET', route: '/stacks', acr: [ACR.ATTESTED] };

function guardOf(policy: Partial<StepUpPolicy> = {}, options: StepUpGuardOptions = {}): { guard: StepUpGuard; events: StepUpEvent[] } {
  const events: StepUpEvent[] = [];
  const guard = new StepUpGuard(
    { audience: AUDIENCE, issuers: [issuer.trusted], operations: [DESTROY, ROTATE, LIST], ...policy },
    { nowMs: () => NOW_MS, onDecision: (e) => events.push(e), ...options },
  );
  return { guard, events };
}

const bearer = (token: string) => `Bearer ${token}`;
const fresh = (claims: Record<string, unknown> = {}) => issuer.mint({ acr: ACR.ATTESTED_FRESH, auth_time: NOW - 10, jti: randomJti(), ...claims });

describe('StepUpGuard: the positive control', () => {
  test('a fresh, strong token from a trusted issuer passes, and the decision carries the verified token', async () => {
    const { guard, events } = guardOf();
    const d = await guard.decide(guard.operation('destroy-stack'), bearer(fresh()));
    expect(d).toMatchObject({ allowed: true, outcome: 'allowed', status: 200, headers: {} });
    expect(d.token).toMatchObject({ issuer: issuer.iss, subject: AGENT, attestationAgeSeconds: 10 });
    expect(events).toEqual([
      expect.objectContaining({
        event: 'attestgate.step-up.decision',
        version: 1,
        outcome: 'allowed',
        status: 200,
        operation: 'destroy-stack',
        identity: AGENT,
        issuer: issuer.iss,
        requiredAcr: [ACR.ATTESTED_FRESH, ACR.HUMAN_APPROVED],
        maxAge: 60,
        presentedAcr: ACR.ATTESTED_FRESH,
        tokenAgeSeconds: 10,
        time: new Date(NOW_MS).toISOString(),
      }),
    ]);
  });
});

describe('StepUpGuard: a valid token, too weak or too old, gets the RFC 9470 challenge', () => {
  const expectChallenge = (d: Awaited<ReturnType<StepUpGuard['decide']>>, description: string) => {
    expect(d).toMatchObject({ allowed: false, outcome: 'step-up', status: 401 });
    expect(d.headers['cache-control']).toBe('no-store');
    expect(readBearerChallenge(d.headers['www-authenticate'])).toEqual({
      scheme: 'bearer',
      realm: AUDIENCE,
      error: 'insufficient_user_authentication',
      errorDescription: description,
      acrValues: [ACR.ATTESTED_FRESH, ACR.HUMAN_APPROVED],
      maxAge: 60,
      scope: [],
    });
    expect(d.body).toEqual({ error: 'insufficient_user_authentication', error_description: description });
  };

  test('a token without acr', async () => {
    const { guard, events } = guardOf();
    expectChallenge(await guard.decide(guard.operation('destroy-stack'), bearer(issuer.mint({ auth_time: NOW - 1, jti: randomJti() }))), 'A stronger or more recent attestation is required');
    expect(events[0]).toMatchObject({ outcome: 'step-up', identity: AGENT, reason: 'the token carries no acr' });
    expect(events[0].presentedAcr).toBeUndefined();
  });

  test('a token with a weaker acr', async () => {
    const { guard, events } = guardOf();
    expectChallenge(await guard.decide(guard.operation('destroy-stack'), bearer(fresh({ acr: ACR.ATTESTED }))), 'A stronger or more recent attestation is required');
    expect(events[0]).toMatchObject({ presentedAcr: ACR.ATTESTED, reason: 'the token was issued at another authentication level' });
  });

  test('a token whose auth_time is older than max_age (beyond the clock tolerance)', async () => {
    const { guard, events } = guardOf();
    expectChallenge(await guard.decide(guard.operation('destroy-stack'), bearer(fresh({ auth_time: NOW - 76 }))), 'A more recent attestation is required');
    expect(events[0]).toMatchObject({ tokenAgeSeconds: 76, reason: 'the workload was attested 76 s ago, over max_age 60 s' });
    // Within max_age plus the 15 s tolerance: passes.
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(fresh({ auth_time: NOW - 75 })))).allowed).toBe(true);
  });

  test('an attested-fresh token without a jti, or without an attestation time', async () => {
    const { guard, events } = guardOf();
    expectChallenge(await guard.decide(guard.operation('destroy-stack'), bearer(issuer.mint({ acr: ACR.ATTESTED_FRESH, auth_time: NOW - 1 }))), 'A stronger or more recent attestation is required');
    expect(events[0].reason).toMatch(/no usable jti/);
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(issuer.mint({ acr: ACR.ATTESTED_FRESH, jti: randomJti() })))).outcome).toBe('step-up');
  });

  test('attested-hwk needs amr hwk; EAP phrh with hwk is the same', async () => {
    const { guard } = guardOf();
    const rotate = guard.operation('rotate-root-key');
    const withScope = { scope: 'keys:rotate' };
    expect((await guard.decide(rotate, bearer(issuer.mint({ acr: ACR.ATTESTED_HWK, ...withScope })))).outcome).toBe('step-up');
    expect((await guard.decide(rotate, bearer(issuer.mint({ acr: ACR.ATTESTED_HWK, amr: ['hwk'], ...withScope })))).outcome).toBe('allowed');
    expect((await guard.decide(rotate, bearer(issuer.mint({ acr: 'phrh', amr: ['hwk'], ...withScope })))).outcome).toBe('allowed');
  });

  test('scopes: missing alone is 403 insufficient_scope; missing with a weak token rides on the step-up challenge', async () => {
    const { guard } = guardOf();
    const rotate = guard.operation('rotate-root-key');
    const scopeOnly = await guard.decide(rotate, bearer(issuer.mint({ acr: ACR.ATTESTED_HWK, amr: ['hwk'], scope: 'keys:read' })));
    expect(scopeOnly).toMatchObject({ outcome: 'insufficient-scope', status: 403 });
    expect(readBearerChallenge(scopeOnly.headers['www-authenticate'])).toMatchObject({ error: 'insufficient_scope', scope: ['keys:rotate'] });
    const both = await guard.decide(rotate, bearer(issuer.mint({ acr: ACR.ATTESTED })));
    expect(both).toMatchObject({ outcome: 'step-up', status: 401 });
    expect(readBearerChallenge(both.headers['www-authenticate'])).toMatchObject({ acrValues: [ACR.ATTESTED_HWK], scope: ['keys:rotate'] });
    expect((await guard.decide(rotate, bearer(issuer.mint({ acr: ACR.ATTESTED_HWK, amr: ['hwk'], scp: ['keys:rotate'] })))).allowed).toBe(true);
  });
});

describe('StepUpGuard: never a challenge for a token that is not valid', () => {
  const invalid = async (token: string, reason: RegExp, policy: Partial<StepUpPolicy> = {}) => {
    const { guard, events } = guardOf(policy);
    const d = await guard.decide(guard.operation('destroy-stack'), bearer(token));
    expect(d).toMatchObject({ allowed: false, outcome: 'invalid-token', status: 401 });
    const challenge = readBearerChallenge(d.headers['www-authenticate'])!;
    expect(challenge.error).toBe('invalid_token');
    // The requirements are not disclosed to whoever has no valid token (RFC 9470 §9).
    expect(challenge.acrValues).toEqual([]);
    expect(challenge.maxAge).toBeUndefined();
    expect(events[0].reason).toMatch(reason);
    expect(events[0].identity).toBeUndefined();
    return { d, event: events[0] };
  };

  test('forged: the issuer and kid right, the key another', async () => {
    const { event } = await invalid(stranger.mint({ acr: ACR.ATTESTED_FRESH, auth_time: NOW, jti: randomJti() }, { kid: issuer.key.kid }), /signature does not verify/);
    // Who the token claims to be is kept apart from a verified identity.
    expect(event).toMatchObject({ claimedIdentity: AGENT, claimedIssuer: issuer.iss });
  });

  test('forged: a key the issuer does not publish', () => invalid(stranger.mint({ acr: ACR.ATTESTED_FRESH, jti: randomJti() }), /key its issuer does not publish/));
  test('tampered: one claim changed after signing', async () => {
    const [h, , s] = fresh().split('.');
    const payload = Buffer.from(JSON.stringify({ iss: issuer.iss, sub: 'spiffe://example.test/agent/other', aud: AUDIENCE, exp: NOW + 300, acr: ACR.ATTESTED_FRESH })).toString('base64url');
    await invalid(`${h}.${payload}.${s}`, /signature does not verify/);
  });
  test('unsigned (alg none)', () => invalid(unsignedJwt({ iss: issuer.iss, sub: AGENT, aud: AUDIENCE, exp: NOW + 300, acr: ACR.ATTESTED_FRESH }), /malformed|algorithm/));
  test('HS256 with the public key as the secret', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: issuer.key.kid })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ iss: issuer.iss, sub: AGENT, aud: AUDIENCE, exp: NOW + 300 })).toString('base64url');
    const mac = crypto.createHmac('sha256', JSON.stringify(issuer.key.publicJwk)).update(`${header}.${payload}`).digest('base64url');
    await invalid(`${header}.${payload}.${mac}`, /algorithm is not allowed/);
  });
  test('expired (past exp plus the tolerance), and its description says so', async () => {
    const { d } = await invalid(fresh({ exp: NOW - 16 }), /expired/);
    expect(d.body).toEqual({ error: 'invalid_token', error_description: 'The access token has expired' });
  });
  test('not yet valid', () => invalid(fresh({ nbf: NOW + 120 }), /nbf/));
  test('for another audience', () => invalid(fresh({ aud: 'https://other.example.test' }), /aud/));
  test('from an issuer the policy does not trust', () => invalid(testIssuer('https://evil.example.test').mint({ acr: ACR.ATTESTED_FRESH }), /not from a trusted issuer/));
  test('a policy with no trusted issuer refuses everything', () => invalid(fresh(), /not from a trusted issuer/, { issuers: [] }));
  test('an algorithm the issuer is not trusted with', () => invalid(fresh(), /algorithm is not allowed/, { issuers: [{ ...issuer.trusted, algorithms: ['RS256'] }] }));
  test('a typ the issuer is held to', () => invalid(fresh(), /typ/, { issuers: [{ ...issuer.trusted, typ: 'at+jwt' }] }));
  test('without exp or sub', async () => {
    await invalid(issuer.mint({ exp: undefined, acr: ACR.ATTESTED_FRESH }), /exp/);
    await invalid(issuer.mint({ sub: undefined, acr: ACR.ATTESTED_FRESH }), /sub/);
  });
  test('an attestation time in the future', () => invalid(fresh({ auth_time: NOW + 3600 }), /auth_time is in the future/));
  test('not a JWT, or absurdly long', async () => {
    await invalid('abc.def', /not a JWT/);
    await invalid('a'.repeat(20_000), /longer than/);
  });
});

describe('StepUpGuard: replay of attested-fresh tokens', () => {
  test('the second presentation of one jti is refused as invalid_token, after the first passed', async () => {
    const { guard, events } = guardOf();
    const token = fresh();
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(token))).allowed).toBe(true);
    const again = await guard.decide(guard.operation('destroy-stack'), bearer(token));
    expect(again).toMatchObject({ allowed: false, outcome: 'replayed', status: 401 });
    expect(readBearerChallenge(again.headers['www-authenticate'])).toMatchObject({ error: 'invalid_token', acrValues: [] });
    expect(events.map((e) => e.outcome)).toEqual(['allowed', 'replayed']);
  });

  test('a challenge does not consume the jti; operations that do not need attested-fresh do not either', async () => {
    const { guard } = guardOf();
    const token = fresh({ auth_time: NOW - 200 });
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(token))).outcome).toBe('step-up');
    const reusable = fresh();
    expect((await guard.decide(guard.operation('list-stacks'), bearer(reusable))).allowed).toBe(true);
    expect((await guard.decide(guard.operation('list-stacks'), bearer(reusable))).allowed).toBe(true);
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(reusable))).allowed).toBe(true);
  });

  test('one jti from two issuers is two tokens', async () => {
    const other = testIssuer('https://other-issuer.example.test');
    const { guard } = guardOf({ issuers: [issuer.trusted, other.trusted] });
    const jti = randomJti();
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(fresh({ jti })))).allowed).toBe(true);
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(other.mint({ acr: ACR.ATTESTED_FRESH, auth_time: NOW, jti })))).allowed).toBe(true);
  });

  test('concurrent presentations of one token: exactly one passes', async () => {
    const { guard } = guardOf();
    const token = fresh();
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => guard.decide(guard.operation('destroy-stack'), bearer(token))));
    expect(outcomes.filter((d) => d.allowed)).toHaveLength(1);
  });

  test('a full replay store refuses with 503 rather than accept a token it cannot remember', async () => {
    const { guard, events } = guardOf({}, { replayStore: new MemoryReplayStore({ maxEntries: 1, nowMs: () => NOW_MS }) });
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(fresh()))).allowed).toBe(true);
    const full = await guard.decide(guard.operation('destroy-stack'), bearer(fresh()));
    expect(full).toMatchObject({ allowed: false, outcome: 'unavailable', status: 503, headers: { 'retry-after': '10' } });
    expect(full.headers['www-authenticate']).toBeUndefined();
    expect(events[1].reason).toMatch(/replay store/);
  });
});

describe('StepUpGuard: issuers that imply the ACR (SPIRE)', () => {
  // A SPIRE server whose entries set jwt_svid_include_jti: a new JWT-SVID per attestation, no acr claim.
  const spire = testIssuer('https://oidc.spire.example.test', { impliedAcr: ACR.ATTESTED_FRESH, attestationTime: 'iat' });
  const { guard } = guardOf({ issuers: [spire.trusted] });

  test('a fresh JWT-SVID with a jti meets attested-fresh through iat', async () => {
    const d = await guard.decide(guard.operation('destroy-stack'), bearer(spire.mint({ iat: NOW - 3, jti: randomJti() })));
    expect(d).toMatchObject({ allowed: true, event: { presentedAcr: ACR.ATTESTED_FRESH, tokenAgeSeconds: 3 } });
  });

  test('a cached JWT-SVID (no jti) or an old one is challenged; an acr claim cannot raise what the issuer implies', async () => {
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(spire.mint({ iat: NOW - 3 })))).outcome).toBe('step-up');
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(spire.mint({ iat: NOW - 200, jti: randomJti() })))).outcome).toBe('step-up');
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(spire.mint({ iat: NOW - 3, acr: ACR.HUMAN_APPROVED })))).outcome).toBe('step-up');
  });
});

describe("StepUpGuard: Entra ID's authentication contexts (acrs), mapped in the policy", () => {
  // An Entra tenant whose Conditional Access policy on context c1 demands a person's approval;
  // c2's policy is not one the resource server relies on, so it is not mapped.
  const entra = testIssuer('https://login.microsoftonline.com/tenant-id/v2.0', { authenticationContexts: { c1: ACR.HUMAN_APPROVED, c3: ACR.ATTESTED_FRESH } });
  const entraGuard = () => guardOf({ issuers: [entra.trusted] });

  test('a token whose acrs holds a mapped context meets the value it maps to, and the event says so', async () => {
    const { guard, events } = entraGuard();
    const d = await guard.decide(guard.operation('destroy-stack'), bearer(entra.mint({ acrs: ['c2', 'c1'], auth_time: NOW - 10 })));
    expect(d).toMatchObject({ allowed: true, outcome: 'allowed' });
    expect(events[0]).toMatchObject({ presentedAcr: ACR.HUMAN_APPROVED, reason: `the token meets ${ACR.HUMAN_APPROVED}` });
  });

  test('an unmapped context, or acrs that is not a list of strings, is challenged like a token without acr', async () => {
    const { guard, events } = entraGuard();
    for (const acrs of [['c2'], 'c1', [1], []]) {
      const d = await guard.decide(guard.operation('destroy-stack'), bearer(entra.mint({ acrs, auth_time: NOW - 10, jti: randomJti() })));
      expect(d).toMatchObject({ outcome: 'step-up', status: 401 });
      expect(readBearerChallenge(d.headers['www-authenticate'])?.acrValues).toEqual([ACR.ATTESTED_FRESH, ACR.HUMAN_APPROVED]);
    }
    expect(events.map((e) => e.reason)).toEqual(Array(4).fill('the token carries no acr'));
  });

  test('without a mapping, acrs is not read: the same token is challenged', async () => {
    const plain = testIssuer('https://login.microsoftonline.com/tenant-id/v2.0');
    const { guard } = guardOf({ issuers: [plain.trusted] });
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(plain.mint({ acrs: ['c1'], auth_time: NOW - 10 })))).outcome).toBe('step-up');
  });

  test("a mapped value is still held to the guard's checks: attested-fresh needs max_age, a jti, and is accepted once", async () => {
    const { guard } = entraGuard();
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(entra.mint({ acrs: ['c3'], auth_time: NOW - 200, jti: randomJti() })))).outcome).toBe('step-up');
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(entra.mint({ acrs: ['c3'], auth_time: NOW - 10 })))).outcome).toBe('step-up');
    const token = entra.mint({ acrs: ['c3'], auth_time: NOW - 10, jti: randomJti() });
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(token))).allowed).toBe(true);
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(token))).outcome).toBe('replayed');
  });

  test('acr and acrs are each presented; the event lists both', async () => {
    const { guard, events } = entraGuard();
    const d = await guard.decide(guard.operation('list-stacks'), bearer(entra.mint({ acr: '1', acrs: ['c1'] })));
    expect(d.allowed).toBe(true);
    expect(events[0].presentedAcr).toBe(`1 ${ACR.HUMAN_APPROVED}`);
  });

  test('acrs of a forged token gets invalid_token, never a challenge', async () => {
    const forger = testIssuer(entra.iss, { keyName: 'forger' });
    const { guard } = entraGuard();
    const d = await guard.decide(guard.operation('destroy-stack'), bearer(forger.mint({ acrs: ['c1'] }, { kid: entra.key.kid })));
    expect(d).toMatchObject({ outcome: 'invalid-token', status: 401 });
  });
});

describe('StepUpGuard: requests without a usable token, and unmatched requests', () => {
  test('no token: 401 with a bare challenge, no error code (RFC 6750 §3.1); Basic is no bearer token', async () => {
    const { guard, events } = guardOf({ resourceMetadata: 'https://tools.example.test/.well-known/oauth-protected-resource' });
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz']) {
      const d = await guard.decide(guard.operation('destroy-stack'), authorization);
      expect(d).toMatchObject({ outcome: 'no-token', status: 401 });
      expect(d.headers['www-authenticate']).toBe(`Bearer realm="${AUDIENCE}", resource_metadata="https://tools.example.test/.well-known/oauth-protected-resource"`);
    }
    expect(events.map((e) => e.outcome)).toEqual(['no-token', 'no-token']);
  });

  test('two Authorization headers, or a bearer scheme without a token68: 400 invalid_request', async () => {
    const { guard } = guardOf();
    for (const authorization of [[bearer(fresh()), bearer(fresh())], 'Bearer', 'Bearer a b', 'Bearer "quoted"']) {
      const d = await guard.decide(guard.operation('destroy-stack'), authorization);
      expect(d).toMatchObject({ outcome: 'invalid-request', status: 400 });
      expect(readBearerChallenge(d.headers['www-authenticate'])?.error).toBe('invalid_request');
    }
    expect(bearerTokenOf('bearer   abc.def-_~+/==')).toEqual({ token: 'abc.def-_~+/==' });
  });

  test('hostile Authorization headers: two credentials in one field, a quoted comma, an oversized token — refused, never verified or challenged', async () => {
    const { guard, events } = guardOf();
    const token = fresh();
    for (const authorization of [`Bearer ${token}, Bearer ${token}`, `Bearer "${token},x"`, `Bearer ${token},`]) {
      expect(await guard.decide(guard.operation('destroy-stack'), authorization)).toMatchObject({ outcome: 'invalid-request', status: 400 });
    }
    const oversized = await guard.decide(guard.operation('destroy-stack'), `Bearer ${'a'.repeat(40_000)}`);
    expect(oversized).toMatchObject({ outcome: 'invalid-token', status: 401 });
    expect(readBearerChallenge(oversized.headers['www-authenticate'])).toMatchObject({ error: 'invalid_token', acrValues: [] });
    expect(events.map((e) => e.outcome)).toEqual(['invalid-request', 'invalid-request', 'invalid-request', 'invalid-token']);
    // The token itself was never consumed by any of them.
    expect((await guard.decide(guard.operation('destroy-stack'), bearer(token))).allowed).toBe(true);
  });

  test("unmatched requests need a valid token by default; 'allow' passes them through with no event", async () => {
    const strict = guardOf();
    expect((await strict.guard.decide('unmatched', undefined)).outcome).toBe('no-token');
    expect((await strict.guard.decide('unmatched', bearer(issuer.mint()))).outcome).toBe('allowed');
    const open = guardOf({ unmatched: 'allow' });
    expect((await open.guard.decide('unmatched', undefined)).outcome).toBe('passed-through');
    expect(open.events).toEqual([]);
  });

  test('a pinned operation the policy lacks is a configuration error', () => {
    const { guard } = guardOf();
    expect(() => guard.operation('destroy-stak')).toThrow(AttestGateError);
    expect(() => guard.operation('destroy-stak')).toThrow(/use one of: destroy-stack, rotate-root-key, list-stacks/);
  });
});

describe('StepUpGuard: events', () => {
  test('never hold the token; a sink that throws does not change the decision', async () => {
    const token = fresh({ auth_time: NOW - 500 });
    const { guard, events } = guardOf();
    await guard.decide(guard.operation('destroy-stack'), bearer(token));
    await guard.decide(guard.operation('destroy-stack'), bearer(`${token}x`));
    const serialized = JSON.stringify(events);
    expect(serialized).not.toContain(token.split('.')[2]);
    expect(serialized).not.toContain(token.split('.')[1]);

    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const throwing = new StepUpGuard({ audience: AUDIENCE, issuers: [issuer.trusted], operations: [DESTROY] }, { nowMs: () => NOW_MS, onDecision: () => { throw new Error('disk full'); } });
      expect((await throwing.decide(throwing.operation('destroy-stack'), bearer(fresh()))).allowed).toBe(true);
      expect((await throwing.decide(throwing.operation('destroy-stack'), bearer(fresh({ acr: ACR.ATTESTED })))).outcome).toBe('step-up');
      // Warned once, not per decision.
      expect(warn.mock.calls).toEqual([['attestgate step-up: the onDecision sink threw (disk full); decisions are unaffected']]);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('StepUpGuard: keys from a JWKS URL', () => {
  async function jwksServer(answer: (res: http.ServerResponse) => void): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits++;
      answer(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
      hits: () => hits,
      close: () => new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    };
  }
  const remote = (url: string): TrustedIssuer => ({ issuer: issuer.iss, jwksUri: url });

  test('fetched once and cached; a token signed by an unknown key is still invalid_token', async () => {
    const server = await jwksServer((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.trusted.jwks)));
    try {
      const { guard } = guardOf({ issuers: [remote(server.url)] });
      expect((await guard.decide(guard.operation('destroy-stack'), bearer(fresh()))).allowed).toBe(true);
      expect((await guard.decide(guard.operation('destroy-stack'), bearer(fresh()))).allowed).toBe(true);
      expect((await guard.decide(guard.operation('destroy-stack'), bearer(stranger.mint({ acr: ACR.ATTESTED_FRESH })))).outcome).toBe('invalid-token');
      // The unknown kid did not make the guard fetch again within the cooldown.
      expect(server.hits()).toBe(1);
    } finally {
      await server.close();
    }
  });

  test('keys that cannot be had: 503, not invalid_token, and never a challenge', async () => {
    const failing = await jwksServer((res) => res.writeHead(500).end('oops'));
    const garbage = await jwksServer((res) => res.writeHead(200).end('<html>'));
    try {
      for (const url of [failing.url, garbage.url, 'http://127.0.0.1:9/jwks']) {
        const { guard, events } = guardOf({ issuers: [remote(url)] });
        const d = await guard.decide(guard.operation('destroy-stack'), bearer(fresh()));
        expect(d).toMatchObject({ allowed: false, outcome: 'unavailable', status: 503 });
        expect(events[0].reason).toMatch(/JWKS/);
      }
    } finally {
      await failing.close();
      await garbage.close();
    }
  });
});
