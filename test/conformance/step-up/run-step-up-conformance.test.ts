import * as http from 'node:http';
import { decodeJwt } from 'jose';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { StepUpEndpoint } from '../../../conformance/step-up/probe-context';
import { runStepUpConformance } from '../../../conformance/step-up/run-step-up-conformance';
import { ACR } from '../../../lib/step-up/acr';
import { StepUpGuard } from '../../../lib/step-up/guard';
import { nodeHttpGuard } from '../../../lib/step-up/middleware';
import { StepUpPolicy } from '../../../lib/step-up/policy';
import { ReplayStore } from '../../../lib/step-up/replay-store';
import { formatBearerChallenge } from '../../../lib/step-up/www-authenticate';
import { serve } from '../../fixtures/loopback-http';

const key = generateIssuerKey('ES256');
const ISSUER = 'https://issuer.conformance.test';
const AGENT = 'spiffe://example.test/agent/deployer';

const done: http.RequestListener = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"destroyed":true}');

/** An endpoint behind attestgate's own guard, with the given policy changes. */
async function guarded(change: { policy?: Partial<StepUpPolicy>; replayStore?: ReplayStore } = {}) {
  let listener: http.RequestListener = () => undefined;
  const server = await serve((req, res) => listener(req, res));
  const guard = new StepUpGuard(
    {
      audience: server.url,
      issuers: [{ issuer: ISSUER, jwks: { keys: [key.publicJwk as unknown as Record<string, unknown>] } }],
      operations: [{ name: 'destroy-stack', method: 'POST', route: '/stacks/prod/destroy', acr: [ACR.ATTESTED_FRESH], maxAge: 60 }],
      ...change.policy,
    },
    change.replayStore ? { replayStore: change.replayStore } : {},
  );
  listener = nodeHttpGuard(guard, done);
  return server;
}

const endpointAt = (url: string, more: Partial<StepUpEndpoint> = {}): StepUpEndpoint => ({
  id: 'tools/destroy-stack',
  url: `${url}/stacks/prod/destroy`,
  method: 'POST',
  acrValues: [ACR.ATTESTED_FRESH],
  maxAge: 60,
  issuer: ISSUER,
  key,
  audience: url,
  subject: AGENT,
  ...more,
});

async function statuses(endpoint: StepUpEndpoint): Promise<Record<string, string>> {
  const run = await runStepUpConformance({ endpoints: [endpoint], ratePerSecond: Infinity, retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
  return Object.fromEntries(run.results.map((r) => [r.checkId, `${r.status}: ${r.reason}`]));
}

const only = (results: Record<string, string>) => Object.fromEntries(Object.entries(results).map(([id, s]) => [id, s.split(':')[0]]));

describe('runStepUpConformance against attestgate’s guard', () => {
  test('every check passes against a conformant endpoint, the positive control first', async () => {
    const server = await guarded();
    try {
      const run = await runStepUpConformance({ endpoints: [endpointAt(server.url)], ratePerSecond: Infinity });
      expect(run.results.map((r) => `${r.checkId} ${r.status}`)).toEqual([
        'AGC-SU-001 PASS',
        'AGC-SU-002 PASS',
        'AGC-SU-003 PASS',
        'AGC-SU-004 PASS',
        'AGC-SU-005 PASS',
        'AGC-SU-006 PASS',
        'AGC-SU-007 PASS',
      ]);
      expect(run.results.every((r) => r.cloud === 'step-up' && r.gate === 'tools/destroy-stack')).toBe(true);
      expect(run.requests).toBe(8);
    } finally {
      await server.close();
    }
  });

  test('an issuer that implies its ACR (SPIRE): the missing and weaker acr probes are skipped, the rest pass', async () => {
    const server = await guarded({ policy: { issuers: [{ issuer: ISSUER, jwks: { keys: [key.publicJwk as unknown as Record<string, unknown>] }, impliedAcr: ACR.ATTESTED_FRESH, attestationTime: 'iat' }] } });
    try {
      expect(only(await statuses(endpointAt(server.url, { impliedAcr: true })))).toEqual({
        'AGC-SU-001': 'PASS',
        'AGC-SU-002': 'SKIPPED',
        'AGC-SU-003': 'SKIPPED',
        'AGC-SU-004': 'PASS',
        'AGC-SU-005': 'PASS',
        'AGC-SU-006': 'PASS',
        'AGC-SU-007': 'PASS',
      });
    } finally {
      await server.close();
    }
  });

  test('the challenge must carry the configured acr_values and max_age', async () => {
    const server = await guarded();
    try {
      const results = await statuses(endpointAt(server.url, { acrValues: [ACR.ATTESTED_FRESH, ACR.HUMAN_APPROVED], maxAge: 30 }));
      expect(results['AGC-SU-002']).toMatch(/^FAIL: .*acr_values "urn:attestgate:acr:attested-fresh" instead of "urn:attestgate:acr:attested-fresh urn:attestgate:acr:human-approved" and max_age 60 instead of 30/);
    } finally {
      await server.close();
    }
  });
});

describe('runStepUpConformance against broken endpoints: each flaw fails the check that names it', () => {
  test('an endpoint that lets any bearer token through fails every negative check', async () => {
    const server = await serve((req, res) => (req.headers.authorization ? done(req, res) : res.writeHead(401, { 'www-authenticate': 'Bearer realm="x"' }).end()));
    try {
      const results = await statuses(endpointAt(server.url));
      expect(only(results)).toEqual({ 'AGC-SU-001': 'PASS', 'AGC-SU-002': 'FAIL', 'AGC-SU-003': 'FAIL', 'AGC-SU-004': 'FAIL', 'AGC-SU-005': 'FAIL', 'AGC-SU-006': 'FAIL', 'AGC-SU-007': 'FAIL' });
      expect(results['AGC-SU-005']).toMatch(/let a forged token through/);
      expect(results['AGC-SU-007']).toMatch(/same attested-fresh token through twice/);
    } finally {
      await server.close();
    }
  });

  test('an endpoint that reads the claims before the signature: a forgery is let through, an expired token challenged', async () => {
    // Judges acr and auth_time on the unverified token, and never checks the signature or exp.
    const server = await serve((req, res) => {
      const claims = decodeJwt((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      const fresh = claims.acr === ACR.ATTESTED_FRESH && typeof claims.auth_time === 'number' && Date.now() / 1000 - claims.auth_time <= 60;
      if (fresh) return done(req, res);
      res.writeHead(401, { 'www-authenticate': formatBearerChallenge({ error: 'insufficient_user_authentication', acrValues: [ACR.ATTESTED_FRESH], maxAge: 60 }) }).end();
    });
    try {
      const results = await statuses(endpointAt(server.url));
      expect(only(results)).toMatchObject({ 'AGC-SU-001': 'PASS', 'AGC-SU-002': 'PASS', 'AGC-SU-004': 'PASS', 'AGC-SU-005': 'FAIL', 'AGC-SU-007': 'FAIL' });
      expect(results['AGC-SU-006']).toMatch(/^FAIL: .*step-up challenge/);
    } finally {
      await server.close();
    }
  });

  test('an endpoint that answers a weak token with invalid_token, not RFC 9470’s challenge', async () => {
    const server = await guarded();
    const rewriting = await serve((req, res) => {
      // A proxy in front of the guard that turns every challenge into invalid_token.
      const upstream = http.request(`${server.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        const header = answer.headers['www-authenticate'];
        res.writeHead(answer.statusCode!, header ? { 'www-authenticate': formatBearerChallenge({ error: 'invalid_token' }) } : {});
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    try {
      const results = await statuses(endpointAt(rewriting.url, { audience: server.url }));
      expect(only(results)).toMatchObject({ 'AGC-SU-001': 'PASS', 'AGC-SU-002': 'FAIL', 'AGC-SU-003': 'FAIL', 'AGC-SU-004': 'FAIL', 'AGC-SU-005': 'PASS' });
      expect(results['AGC-SU-002']).toMatch(/not RFC 9470's 401 insufficient_user_authentication/);
    } finally {
      await rewriting.close();
      await server.close();
    }
  });

  test('an endpoint without replay protection fails AGC-SU-007 only', async () => {
    const server = await guarded({ replayStore: { consume: () => true } });
    try {
      expect(only(await statuses(endpointAt(server.url)))).toEqual({ 'AGC-SU-001': 'PASS', 'AGC-SU-002': 'PASS', 'AGC-SU-003': 'PASS', 'AGC-SU-004': 'PASS', 'AGC-SU-005': 'PASS', 'AGC-SU-006': 'PASS', 'AGC-SU-007': 'FAIL' });
    } finally {
      await server.close();
    }
  });

  test('refusals prove nothing when the positive control fails: the endpoint refuses everything', async () => {
    const server = await guarded({ policy: { issuers: [] } });
    try {
      const results = await statuses(endpointAt(server.url));
      expect(results['AGC-SU-001']).toMatch(/^FAIL: the endpoint refuses a fresh, strong token/);
      // The forgery was refused, but a server that refuses everything proves nothing by it.
      expect(results['AGC-SU-005']).toMatch(/^INCONCLUSIVE: .*proves nothing: its positive control AGC-SU-001 did not pass/);
    } finally {
      await server.close();
    }
  });

  test('answers that are not a resource server’s are INCONCLUSIVE, never PASS', async () => {
    const server = await serve((_req, res) => res.writeHead(403, { 'content-type': 'text/html' }).end('<html>blocked by proxy</html>'));
    try {
      const results = await statuses(endpointAt(server.url));
      expect(Object.values(only(results))).toEqual(['INCONCLUSIVE', 'INCONCLUSIVE', 'INCONCLUSIVE', 'INCONCLUSIVE', 'INCONCLUSIVE', 'INCONCLUSIVE', 'INCONCLUSIVE']);
    } finally {
      await server.close();
    }
  });
});
