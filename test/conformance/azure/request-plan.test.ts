import { AZURE_CHECKS } from '../../../conformance/checks/azure';
import { AzureProbeContext, ResolvedAzureGate } from '../../../conformance/azure/probe-context';
import { AzureHttpProbeTarget, AzureProbeTarget } from '../../../conformance/azure/azure-probe-target';
import { runAzureConformance } from '../../../conformance/azure/run-azure-conformance';
import { HttpOutcome } from '../../../conformance/engine/http-outcome';
import { PlannedRequest, RequestPlan, formatPlanLine } from '../../../conformance/engine/request-plan';
import { RateLimiter } from '../../../conformance/engine/retry';
import { runGates } from '../../../conformance/engine/runner';
import { decodeJwt } from '../../../conformance/oidc/jwt';
import { generateIssuerKey, jwkThumbprint } from '../../../conformance/oidc/issuer-key';
import { azureExampleConfiguration, tfSourceOf } from '../../fixtures/azure-conformance';
import { startAzureEmulator } from '../../../conformance/emulator/azure-emulator';
import { resolveLocalAzureGates } from '../../../conformance/azure/resolve-gates';
import { discoverAzureGates } from '../../../conformance/azure/discover-gates';
import { DEFAULT_PROBE_SCOPE, withOtherBlueprints } from '../../../conformance/azure/probe-context';

/** A target that refuses every exchange as Entra refuses an unmatched subject, recording each form it is sent. */
function refusingTarget(): AzureProbeTarget & { forms: Array<Readonly<Record<string, string>>> } {
  return {
    name: 'refusing',
    authorityHost: 'https://login.refusing.invalid',
    forms: [],
    async requestToken(_tenant, form): Promise<HttpOutcome> {
      this.forms.push(form);
      return {
        kind: 'response',
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: 'invalid_client', error_description: 'AADSTS700213: No matching federated identity record found for presented assertion subject.', error_codes: [700213] }),
      };
    },
  };
}

/** `withTenantKey`: as on the emulator, whose tenant key lets AGC-AZ-015 re-date a leg-1 token. */
const contextOf = (target: AzureProbeTarget, withTenantKey = false) =>
  new AzureProbeContext({ target, limiter: new RateLimiter(Infinity), retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, ...(withTenantKey ? { tenantKey: generateIssuerKey('RS256') } : {}) });
const plannedOf = (gate: ResolvedAzureGate, context: AzureProbeContext): PlannedRequest[] =>
  AZURE_CHECKS.filter((c) => c.appliesTo?.(gate) ?? true).flatMap((c) => c.plan!(gate, context));
const keysOf = (gate: ResolvedAzureGate, context: AzureProbeContext) => new Set(plannedOf(gate, context).map((r) => r.key));
const common = (a: Set<string>, b: Set<string>) => [...a].filter((k) => b.has(k));

/** The example's gates as the emulator deploys them, resolved with the emulator's issuer keys. */
async function exampleGates(): Promise<{ gates: ResolvedAzureGate[]; close: () => Promise<void> }> {
  const sources = tfSourceOf(azureExampleConfiguration(), 'cdk.tf.json');
  const emulator = await startAzureEmulator({ sources });
  return { gates: withOtherBlueprints(resolveLocalAzureGates(discoverAzureGates(sources), emulator, DEFAULT_PROBE_SCOPE)), close: () => emulator.close() };
}

/** The same gate under another gate ID: as if two configurations described one deployed identity. */
const copyOf = (gate: ResolvedAzureGate, id: string): ResolvedAzureGate => ({ ...gate, gate: { ...gate.gate, id } });

let example: { gates: ResolvedAzureGate[]; close: () => Promise<void> };
beforeAll(async () => {
  example = await exampleGates();
});
afterAll(() => example.close());

const managedIdentity = () => example.gates.find((g) => g.gate.agent === undefined)!;
const deployerAgent = () => example.gates.find((g) => g.gate.id.includes('DeployerAgent'))!;

describe('the Azure request plan', () => {
  test('every Azure check plans its requests', () => {
    expect(AZURE_CHECKS.filter((c) => !c.plan).map((c) => c.meta.id)).toEqual([]);
  });

  test('a managed identity: the control once for itself and each dependent, one request per mutation; an agent: two legs for what passes leg 1, one for what it refuses', () => {
    const context = contextOf(refusingTarget());
    const managed = managedIdentity();
    const planned = plannedOf(managed, context);
    const control = planned.filter((r) => r.what === 'positive control');
    // The control is needed by AGC-AZ-001 and the ten checks that send mutations (AGC-AZ-012 sends nothing).
    expect(control).toHaveLength(11);
    expect(new Set(control.map((r) => r.key)).size).toBe(1);
    // Every request is a token request to the gate's client, for the gate's scope.
    for (const r of planned) expect(JSON.parse(r.key).slice(0, 5)).toEqual(['entra:token', context.target.authorityHost, managed.tenantId, managed.clientId, DEFAULT_PROBE_SCOPE]);

    const agent = deployerAgent();
    const agentPlan = plannedOf(agent, context);
    const legs = (what: string) => agentPlan.filter((r) => r.what.endsWith(what)).map((r) => r.what.split(' of ')[0]);
    expect(legs('positive control').slice(0, 2)).toEqual(['leg 1', 'leg 2']);
    // An expired token is refused where the blueprint's credential is matched: no leg 2 is planned.
    expect(legs('a token that expired an hour ago')).toEqual(['leg 1']);
    // The expired-leg-1 probe reuses the control's leg 1 (the same key): its only own request is leg 2.
    const expiredLeg1 = AZURE_CHECKS.find((c) => c.meta.id === 'AGC-AZ-015')!.plan!(agent, contextOf(refusingTarget(), true));
    expect(expiredLeg1.map((r) => r.what.split(' of ')[0])).toEqual(['leg 1', 'leg 2', 'leg 1', 'leg 2']);
    expect(expiredLeg1[2].key).toBe(expiredLeg1[0].key);
    expect(new Set(expiredLeg1.map((r) => r.key)).size).toBe(3);
  });

  test('identical gates share every request; gates differing in client, a credential’s subject or the issuer’s key share none', () => {
    const context = contextOf(refusingTarget());
    const managed = managedIdentity();
    const copy = copyOf(managed, 'copy');
    const otherClient: ResolvedAzureGate = { ...copyOf(managed, 'other-client'), clientId: '00000000-0000-0000-0000-0000000000cc' };
    const otherSubject: ResolvedAzureGate = { ...copyOf(managed, 'other-subject'), credentials: managed.credentials.map((c) => ({ ...c, subject: `${c.subject}-ops` })) };
    const [issuer, keys] = [...managed.issuerKeys][0];
    const otherKey: ResolvedAzureGate = {
      ...copyOf(managed, 'other-key'),
      // The same kid, another key: the key names the signing key by its public key, not its kid alone.
      issuerKeys: new Map([...managed.issuerKeys, [issuer, keys.map((k) => (k.alg === 'RS256' ? { ...k, publicJwk: { ...k.publicJwk, n: `${k.publicJwk.n}AA` } } : k))]]),
    };
    expect(keysOf(copy, context)).toEqual(keysOf(managed, context));
    expect(common(keysOf(managed, context), keysOf(otherClient, context))).toEqual([]);
    expect(common(keysOf(managed, context), keysOf(otherSubject, context))).toEqual([]);
    // Another key under the same kid: what its tokens are signed with differs, so the control and
    // every re-signed probe differ; only probes not signed by the issuer's key (an attacker's key,
    // alg none) are the same request to the same identity, and are shared.
    const control = (gate: ResolvedAzureGate) => plannedOf(gate, context).find((r) => r.what === 'positive control')!.key;
    expect(control(otherKey)).not.toBe(control(managed));
    const signers = common(keysOf(managed, context), keysOf(otherKey, context)).map((k) => JSON.parse(JSON.parse(k)[7]));
    expect(signers.length).toBeGreaterThan(0);
    for (const signer of signers) expect(signer[0] === 'unsigned' || signer[3] !== jwkThumbprint(keys.find((k) => k.alg === 'RS256')!.publicJwk)).toBe(true);
  });

  test('a leg-1 token is presented at one leg 2 only: another blueprint’s leg 1 for its own agent is not the other gate’s control leg 1, though the HTTP request is the same', () => {
    const context = contextOf(refusingTarget());
    const agent = deployerAgent();
    const reviewer = example.gates.find((g) => g.gate.id.includes('ReviewerAgent'))!;
    const reviewerControlLeg1 = plannedOf(reviewer, context).find((r) => r.what === 'leg 1 of positive control')!;
    const foreign = plannedOf(agent, context).filter((r) => r.what.startsWith('leg 1 of ') && r.what.includes('presented as this agent'));
    expect(foreign).toHaveLength(1);
    const [foreignKey, controlKey] = [JSON.parse(foreign[0].key), JSON.parse(reviewerControlLeg1.key)];
    // Same authority, tenant, blueprint, scope, fmi_path and assertion; only whose leg 2 presents the token differs.
    expect(foreignKey.filter((_: unknown, i: number) => i !== 6)).toEqual(controlKey.filter((_: unknown, i: number) => i !== 6));
    expect([foreignKey[6], controlKey[6]]).toEqual([agent.clientId, reviewer.clientId]);
  });

  test('a shared positive control that fails leaves every dependent of both gates INCONCLUSIVE; it is sent once and the reuse is in the evidence', async () => {
    const managed = managedIdentity();
    const copy = copyOf(managed, 'copy');
    const target = refusingTarget();
    const context = contextOf(target);
    const results = await runGates([managed, copy].map((gate) => ({ id: gate.gate.id, cloud: 'azure' as const, gate, context, checks: AZURE_CHECKS })), { concurrency: 2 });
    const controls = results.filter((r) => r.checkId === 'AGC-AZ-001');
    expect(controls.map((r) => r.status)).toEqual(['FAIL', 'FAIL']);
    // Per gate the control (its first credential) and AGC-AZ-001's exchange of its second credential: sent once for both gates.
    expect(target.forms).toHaveLength(2);
    // Even AGC-AZ-012, judged from the configuration alone, proves nothing next to a failed control.
    for (const r of results.filter((d) => d.checkId !== 'AGC-AZ-001')) expect([r.gate, r.checkId, r.status]).toEqual([r.gate, r.checkId, 'INCONCLUSIVE']);
    expect(results.filter((r) => r.checkId !== 'AGC-AZ-001')).toHaveLength(22);
    const reused = results.find((r) => r.gate === 'copy' && r.checkId === 'AGC-AZ-002')!;
    expect(reused.evidence?.sharedRequests).toEqual([expect.objectContaining({ request: 'positive control', reason: expect.stringContaining('fresh jti') })]);
  });

  test('examples/azure on the emulator: 0 checks unplanned, the requests sent are the plan’s, and every check passes as before', async () => {
    const plans: RequestPlan[] = [];
    const run = await runAzureConformance({
      sources: tfSourceOf(azureExampleConfiguration(), 'cdk.tf.json'),
      target: 'local',
      ratePerSecond: Infinity,
      emulator: { tokenRequestsPerMinute: Infinity },
      onPlan: (_, plan) => plans.push(plan),
    });
    expect(run.results.filter((r) => r.status !== 'PASS').map((r) => `${r.checkId} ${r.status}`)).toEqual(['AGC-AZ-013 SKIPPED']);
    expect(plans).toEqual([run.plan]);
    expect(run.plan.unplannedChecks).toBe(0);
    expect(run.requests).toBe(run.plan.planned);
    expect(run.plan.shared).toBeGreaterThan(0);
    // No documented quota: every request is unquoted, and the line says so instead of "≥ 0 s".
    expect(run.plan.unquoted).toBe(run.plan.planned);
    expect(formatPlanLine('azure', run.plan)).toBe(`azure plan: ${run.plan.planned} requests (${run.plan.shared} shared), no documented live quota`);
  });
});

describe('the token requests a run presents', () => {
  test('a retried request presents a fresh assertion (a new jti), so the retry’s answer cannot be a replay refusal', async () => {
    const managed = managedIdentity();
    const jtis: unknown[] = [];
    const flaky: AzureProbeTarget = {
      name: 'flaky',
      authorityHost: 'https://login.flaky.invalid',
      async requestToken(_tenant, form) {
        jtis.push(decodeJwt(form.client_assertion).claims.jti);
        return jtis.length === 1
          ? { kind: 'response', status: 503, headers: {}, body: '' }
          : { kind: 'response', status: 200, headers: {}, body: JSON.stringify({ token_type: 'Bearer', access_token: 'x.y.z' }) };
      },
    };
    const context = new AzureProbeContext({ target: flaky, limiter: new RateLimiter(Infinity), retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const control = await context.positiveControl(managed);
    expect(control.kind === 'ran' && control.outcome.kind === 'response' && control.outcome.status).toBe(200);
    expect(jtis).toHaveLength(2);
    expect(jtis[1]).not.toBe(jtis[0]);
    expect(context.attempts).toBe(2);
  });

  test('on the example, no assertion is presented twice as is', async () => {
    const sources = tfSourceOf(azureExampleConfiguration(), 'cdk.tf.json');
    const emulator = await startAzureEmulator({ sources, tokenRequestsPerMinute: Infinity });
    try {
      const gates = withOtherBlueprints(resolveLocalAzureGates(discoverAzureGates(sources), emulator, DEFAULT_PROBE_SCOPE));
      const presented: string[] = [];
      const http = new AzureHttpProbeTarget({ name: 'local', authorityHost: emulator.authorityHost, caPem: emulator.caPem });
      const recording: AzureProbeTarget = {
        name: 'local',
        authorityHost: http.authorityHost,
        requestToken: (tenant, form) => {
          presented.push(form.client_assertion);
          return http.requestToken(tenant, form);
        },
      };
      const context = new AzureProbeContext({ target: recording, limiter: new RateLimiter(Infinity), retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, tenantKey: emulator.server.tenantKey });
      const results = await runGates(gates.map((gate) => ({ id: gate.gate.id, cloud: 'azure' as const, gate, context, checks: AZURE_CHECKS })), { concurrency: 4 });
      expect(results.filter((r) => r.status === 'FAIL')).toEqual([]);
      expect(presented.length).toBe(context.shared.distinct);
      expect(presented.filter((a, i) => presented.indexOf(a) !== i)).toEqual([]);
      // A leg-1 token (the tenant's own) is presented as is at one leg 2 only.
      const leg1Tokens = presented.filter((a) => a.split('.').length === 3 && decodeJwt(a).claims.iss === `${emulator.authorityHost}/${gates[0].tenantId}/v2.0`);
      expect(leg1Tokens.length).toBeGreaterThan(0);
    } finally {
      await emulator.close();
    }
  });
});
