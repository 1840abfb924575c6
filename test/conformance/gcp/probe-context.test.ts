import { discoverGcpGates } from '../../../conformance/gcp/discover-gates';
import { applyGcpTerraform } from '../../../lib/model/gcp/google-provider';
import { RateLimiter } from '../../../conformance/engine/retry';
import { HttpOutcome } from '../../../conformance/gcp/gcp-outcome';
import { GcpProbeTarget } from '../../../conformance/gcp/gcp-probe-target';
import { GcpProbeContext, controlSucceeded, mutationBlocker, probeExchangeDenied, probeImpersonationsDenied } from '../../../conformance/gcp/probe-context';
import { ResolvedGcpGate, resolveGcpGates } from '../../../conformance/gcp/resolve-gates';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { decodeJwt, signJwt } from '../../../conformance/oidc/jwt';
import { tfSource } from '../../fixtures/gcp-conformance';
import { DEPLOYER_SPIFFE_ID, ISSUER, gcpConfiguration } from '../../fixtures/terraform';

const key = generateIssuerKey();
const json = (status: number, value: unknown): HttpOutcome => ({ kind: 'response', status, headers: {}, body: JSON.stringify(value) });
const FEDERATED = json(200, { access_token: 'ya29.fed', token_type: 'Bearer', expires_in: 300 });
const CONDITION = json(400, { error: 'unauthorized_client', error_description: 'The given credential is rejected by the attribute condition.' });
const SA_TOKEN = json(200, { accessToken: 'ya29.sa', expireTime: 'x' });
const DENIED = json(403, { error: { code: 403, status: 'PERMISSION_DENIED', message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)." } });

/** A target scripted per call, recording the subject tokens it was sent. */
function scripted(exchanges: HttpOutcome[], impersonations: HttpOutcome[] = []): GcpProbeTarget & { tokens: string[]; impersonated: string[] } {
  const tokens: string[] = [];
  const impersonated: string[] = [];
  return {
    name: 'scripted',
    tokens,
    impersonated,
    exchange: async (_audience, token) => {
      tokens.push(token);
      return exchanges.shift() ?? json(599, {});
    },
    generateAccessToken: async (email) => {
      impersonated.push(email);
      return impersonations.shift() ?? json(599, {});
    },
    getJson: async () => json(404, {}),
  };
}

function gate(): ResolvedGcpGate {
  const sources = [tfSource(gcpConfiguration())];
  const [resolved] = resolveGcpGates(discoverGcpGates(sources), applyGcpTerraform(sources, { projectNumberOf: () => '1', defaultProject: 'p' }));
  return { ...resolved, keys: [key] };
}

const context = (target: GcpProbeTarget, tokenCommand?: () => Promise<string>) =>
  new GcpProbeContext({ target, limiter: new RateLimiter(Infinity), retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 }, ...(tokenCommand ? { tokenCommand } : {}) });

describe('GcpProbeContext', () => {
  test('the positive control is sent once per gate: the exchange, then the bound service account', async () => {
    const target = scripted([FEDERATED], [SA_TOKEN]);
    const ctx = context(target);
    const g = gate();
    const [a, b] = await Promise.all([ctx.positiveControl(g), ctx.positiveControl(g)]);
    expect(a).toEqual(b);
    expect(target.tokens).toHaveLength(1);
    expect(controlSucceeded(a)).toBe(true);
    expect(target.impersonated).toEqual(['deployer-agent@p.iam.gserviceaccount.com']);
    expect(decodeJwt(target.tokens[0]).claims).toMatchObject({ iss: ISSUER, sub: DEPLOYER_SPIFFE_ID, aud: 'gcp' });
    expect(ctx.attempts).toBe(2);
  });

  test('transient answers are retried, then INCONCLUSIVE; attempts are counted', async () => {
    const busy = json(429, { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'quota' } });
    const target = scripted([FEDERATED, busy, busy, busy], [SA_TOKEN]);
    const ctx = context(target);
    const verdict = await probeExchangeDenied(gate(), ctx, 'a mutation', { status: 400, code: 'invalid_grant' }, true, (b) => ({ claims: { ...b, sub: 'spiffe://prod.example/agent/other' }, signer: 'issuer-key' }));
    expect(verdict).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringContaining('429 RESOURCE_EXHAUSTED') });
    expect(ctx.attempts).toBe(5);
  });

  test('a control whose service account refuses it makes mutations INCONCLUSIVE', async () => {
    const ctx = context(scripted([FEDERATED], [DENIED]));
    expect(await mutationBlocker(gate(), ctx, false)).toEqual(expect.objectContaining({ status: 'INCONCLUSIVE', reason: expect.stringContaining('generateAccessToken deployer-agent@p.iam.gserviceaccount.com: 403 PERMISSION_DENIED') }));
  });

  test('no key and no token command: key-free mutations still run (the runner keeps their denials from passing); the others are SKIPPED', async () => {
    const target = scripted([CONDITION]);
    const ctx = context(target);
    const keyless = { ...gate(), keys: [], noKeyReason: 'no key here' };
    expect(await mutationBlocker(keyless, ctx, true)).toEqual({ status: 'SKIPPED', reason: expect.stringContaining('no key here') });
    const verdict = await probeExchangeDenied(keyless, ctx, 'x', { status: 400, code: 'unauthorized_client' }, false, (b) => ({ claims: b, signer: 'unknown-key' }));
    expect(verdict).toMatchObject({ status: 'PASS', reason: 'x: denied with 400 unauthorized_client' });
  });

  test('with a token command: its token is the control and its claims (times dropped) the baseline', async () => {
    const token = signJwt(key, { iss: ISSUER, sub: 'spiffe://prod.example/agent/from-command', aud: 'gcp', env: 'prod' });
    const target = scripted([FEDERATED]);
    let runs = 0;
    const ctx = context(target, async () => {
      runs++;
      return token;
    });
    const control = await ctx.positiveControl(gate());
    expect(control).toMatchObject({ kind: 'ran', source: 'token command' });
    expect(target.tokens).toEqual([token]);
    expect(await ctx.baselineClaims(gate())).toEqual({ iss: ISSUER, sub: 'spiffe://prod.example/agent/from-command', aud: 'gcp', env: 'prod' });
    expect(runs).toBe(1);
  });

  test('impersonation probes: PASS only when every account denies; FAIL when any issues', async () => {
    const exchanged = { claims: { iss: ISSUER, sub: 'x', aud: 'gcp' }, signer: 'issuer-key' } as const;
    const pass = await probeImpersonationsDenied(gate(), context(scripted([], [DENIED, DENIED])), exchanged, 'ya29.fed', ['a@p', 'b@p'], 'w');
    expect(pass).toMatchObject({ status: 'PASS', reason: 'w: generateAccessToken denied with 403 PERMISSION_DENIED for a@p, b@p' });
    const fail = await probeImpersonationsDenied(gate(), context(scripted([], [DENIED, SA_TOKEN])), exchanged, 'ya29.fed', ['a@p', 'b@p'], 'w');
    expect(fail).toMatchObject({ status: 'FAIL', reason: 'w: generateAccessToken for b@p: a token was issued' });
  });

  test('a gate with problems, or not OIDC, is blocked before anything is sent', async () => {
    const target = scripted([]);
    expect(await mutationBlocker({ ...gate(), problems: ['broken'] }, context(target), false)).toEqual(expect.objectContaining({ status: 'INCONCLUSIVE' }));
    expect(await mutationBlocker({ ...gate(), gate: { ...gate().gate, kind: 'x509' } }, context(target), false)).toEqual(expect.objectContaining({ status: 'SKIPPED' }));
    expect(target.tokens).toEqual([]);
  });
});
