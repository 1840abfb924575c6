import { GCP_CHECKS } from '../../../conformance/checks/gcp';
import { discoverGcpGates } from '../../../conformance/gcp/discover-gates';
import { HttpOutcome } from '../../../conformance/gcp/gcp-outcome';
import { GcpProbeTarget } from '../../../conformance/gcp/gcp-probe-target';
import { GcpProbeContext } from '../../../conformance/gcp/probe-context';
import { ResolvedGcpGate, resolveGcpGates } from '../../../conformance/gcp/resolve-gates';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startGcpEmulator } from '../../../conformance/emulator/gcp-emulator';
import { runGcpConformance } from '../../../conformance/gcp/run-gcp-conformance';
import { PlannedRequest, RequestPlan, formatPlanLine } from '../../../conformance/engine/request-plan';
import { RateLimiter } from '../../../conformance/engine/retry';
import { runGates } from '../../../conformance/engine/runner';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { signJwt } from '../../../conformance/oidc/jwt';
import { loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { applyGcpTerraform } from '../../../lib/model/gcp/google-provider';
import { TerraformSource } from '../../../lib/model/terraform/configuration';
import { IssuerOnDisk, exampleGcpSources, tfSource, writeIssuerKey } from '../../fixtures/gcp-conformance';
import { DEPLOYER_SPIFFE_ID, ISSUER, gcpConfiguration } from '../../fixtures/terraform';

const key = generateIssuerKey();
const json = (status: number, value: unknown): HttpOutcome => ({ kind: 'response', status, headers: {}, body: JSON.stringify(value) });
const FEDERATED = json(200, { access_token: 'ya29.fed', token_type: 'Bearer', expires_in: 300 });
const DENIED = json(403, { error: { code: 403, status: 'PERMISSION_DENIED', message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)." } });

/** A target that federates every token and denies every impersonation, counting what it is sent. */
function federatingTarget(): GcpProbeTarget & { exchanges: number; impersonations: number } {
  return {
    name: 'scripted',
    exchanges: 0,
    impersonations: 0,
    async exchange() {
      this.exchanges++;
      return FEDERATED;
    },
    async generateAccessToken() {
      this.impersonations++;
      return DENIED;
    },
    getJson: async () => json(404, {}),
  };
}

type Configuration = ReturnType<typeof gcpConfiguration>;
const providerOf = (c: Configuration) => c.resource.google_iam_workload_identity_pool_provider.spire as Record<string, unknown>;
const unchanged = () => {};

/**
 * One configuration under several stack names, each `edit`ed in a copy: every copy names the
 * same project, pool and provider, so the only way two gates can send identical requests.
 */
function gatesOf(variants: Record<string, (c: Configuration) => void>): ResolvedGcpGate[] {
  const sources = Object.entries(variants).map(([stack, edit]) => {
    const configuration = JSON.parse(JSON.stringify(gcpConfiguration())) as Configuration;
    edit(configuration);
    return tfSource(configuration, stack);
  });
  const resolved = resolveGcpGates(discoverGcpGates(sources), applyGcpTerraform(sources, { projectNumberOf: () => '1', defaultProject: 'p' }));
  return Object.keys(variants).map((stack) => ({ ...resolved.find((g) => g.gate.stackName === stack)!, keys: [key] }));
}

const contextOf = (target: GcpProbeTarget, tokenCommand?: () => Promise<string>) =>
  new GcpProbeContext({ target, limiter: new RateLimiter(Infinity), retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, ...(tokenCommand ? { tokenCommand } : {}) });
const planOf = (id: string, gate: ResolvedGcpGate, context: GcpProbeContext): readonly PlannedRequest[] => GCP_CHECKS.find((c) => c.meta.id === id)!.plan!(gate, context);
const plannedOf = (gate: ResolvedGcpGate, context: GcpProbeContext): readonly PlannedRequest[] => GCP_CHECKS.flatMap((c) => c.plan!(gate, context));
const keysOf = (requests: readonly PlannedRequest[]) => new Set(requests.map((r) => r.key));
const common = (a: Set<string>, b: Set<string>) => [...a].filter((k) => b.has(k));
const apis = (requests: readonly PlannedRequest[]) => requests.map((r) => (JSON.parse(r.key) as string[])[0]);

describe('what each GCP check plans', () => {
  test('every GCP check plans its requests', () => {
    expect(GCP_CHECKS.filter((c) => !c.plan).map((c) => c.meta.id)).toEqual([]);
  });

  test('the control is the exchange and the bound account’s generateAccessToken; a negative adds its one exchange to it; AGC-GCP-012 sends nothing', () => {
    const [gate] = gatesOf({ Gate: unchanged });
    const context = contextOf(federatingTarget());
    const control = planOf('AGC-GCP-001', gate, context);
    expect(apis(control)).toEqual(['sts:token', 'iamcredentials:generateAccessToken']);
    expect(control[1].what).toBe('positive control: generateAccessToken for deployer-agent@p.iam.gserviceaccount.com');
    const wrongIssuer = planOf('AGC-GCP-002', gate, context);
    expect(wrongIssuer.slice(0, 2)).toEqual(control);
    expect(apis(wrongIssuer.slice(2))).toEqual(['sts:token']);
    expect(planOf('AGC-GCP-012', gate, context)).toEqual([]);
    // Quotas: every exchange under the STS's, every generateAccessToken under IAM Credentials'.
    expect(new Set(plannedOf(gate, context).map((r) => `${apis([r])[0]} ${r.quota}`))).toEqual(new Set(['sts:token gcp:sts-exchange-token', 'iamcredentials:generateAccessToken gcp:generate-credentials']));
  });

  test('another subject: only the exchange when the condition refuses it; then generateAccessToken on every reachable account when the provider admits it', () => {
    const [pinned, open] = gatesOf({
      Pinned: unchanged,
      Open: (c) => {
        delete providerOf(c).attribute_condition;
      },
    });
    const context = contextOf(federatingTarget());
    expect(apis(planOf('AGC-GCP-011', pinned, context).slice(2))).toEqual(['sts:token']);
    const admitted = planOf('AGC-GCP-011', open, context).slice(2);
    expect(apis(admitted)).toEqual(['sts:token', 'iamcredentials:generateAccessToken']);
    expect(admitted[1].what).toMatch(/^a token of another subject of the same issuer \(spiffe:\/\/prod\.example\/agent\/attestgate-probe-intruder\): generateAccessToken for deployer-agent@p\.iam\.gserviceaccount\.com$/);
    // AGC-GCP-005 sends the same token: one exchange answers both.
    expect(planOf('AGC-GCP-005', pinned, context)[2].key).toBe(planOf('AGC-GCP-011', pinned, context)[2].key);
  });

  test('without an issuer key or token command: no control, the key-free mutations alone, nothing that needs the key', () => {
    const [gate] = gatesOf({ Gate: unchanged });
    const keyless = { ...gate, keys: [], noKeyReason: 'no key here' };
    const context = contextOf(federatingTarget());
    const planned = Object.fromEntries(GCP_CHECKS.map((c) => [c.meta.id, apis(c.plan!(keyless, context))]));
    expect(planned).toEqual({
      'AGC-GCP-001': [],
      'AGC-GCP-002': ['sts:token'],
      'AGC-GCP-003': ['sts:token'],
      'AGC-GCP-004': [],
      'AGC-GCP-005': [],
      'AGC-GCP-006': [],
      'AGC-GCP-007': [],
      'AGC-GCP-008': [],
      'AGC-GCP-009': ['sts:token'],
      'AGC-GCP-010': [],
      'AGC-GCP-011': [],
      'AGC-GCP-012': [],
      'AGC-GCP-013': [],
    });
  });

  test('a gate that cannot be probed plans nothing', () => {
    const [gate] = gatesOf({ Gate: unchanged });
    const context = contextOf(federatingTarget());
    expect(plannedOf({ ...gate, problems: ['not deployed'] }, context)).toEqual([]);
    expect(plannedOf({ ...gate, gate: { ...gate.gate, kind: 'x509' } }, context)).toEqual([]);
  });

  test('a token command: its token is the control’s key, and the plan waits for it; a command that failed plans no control and no mutation', async () => {
    const [gate] = gatesOf({ Gate: unchanged });
    const keyless = { ...gate, keys: [] };
    const now = Math.floor(Date.now() / 1000);
    const first = contextOf(federatingTarget(), async () => signJwt(key, { iss: ISSUER, sub: DEPLOYER_SPIFFE_ID, aud: 'gcp', iat: now }));
    expect(() => plannedOf(keyless, first)).toThrow(/the token command must have run before requests are planned/);
    await first.tokenFromCommand();
    // Without the key, the tampered signature is the command's own token's.
    expect(apis(planOf('AGC-GCP-008', keyless, first))).toEqual(['sts:token', 'iamcredentials:generateAccessToken', 'sts:token']);
    const second = contextOf(federatingTarget(), async () => signJwt(key, { iss: ISSUER, sub: DEPLOYER_SPIFFE_ID, aud: 'gcp', iat: now + 1 }));
    await second.tokenFromCommand();
    // Another token (another iat, another signature): another request.
    expect(planOf('AGC-GCP-001', keyless, first)[0].key).not.toBe(planOf('AGC-GCP-001', keyless, second)[0].key);
    const failed = contextOf(federatingTarget(), async () => {
      throw new Error('the command exited with 1');
    });
    await failed.tokenFromCommand();
    expect(plannedOf(gate, failed)).toEqual([]);
  });
});

describe('sharing across GCP gates', () => {
  // Grants to a pool's principals are read from every configuration that names the pool (they
  // apply to it wherever they are written), so gates naming one provider differ in its own
  // configuration: its condition, audiences, mapping and keys.
  test('identical gates share every request; gates differing in the condition, the audience, the mapping or the keys share none', () => {
    const [original, copy, condition, audience, mapping, jwks] = gatesOf({
      Original: unchanged,
      Copy: unchanged,
      Condition: (c) => {
        providerOf(c).attribute_condition = `assertion.sub == '${DEPLOYER_SPIFFE_ID}' || assertion.sub == 'spiffe://prod.example/agent/ops'`;
      },
      Audience: (c) => {
        providerOf(c).oidc = { issuer_uri: ISSUER, allowed_audiences: ['gcp', 'gcp-staging'] };
      },
      Mapping: (c) => {
        providerOf(c).attribute_mapping = { 'google.subject': 'assertion.sub', 'attribute.env': 'assertion.env' };
      },
      Jwks: (c) => {
        providerOf(c).oidc = { issuer_uri: ISSUER, allowed_audiences: ['gcp'], jwks_json: JSON.stringify({ keys: [key.publicJwk] }) };
      },
    });
    // The same provider name on each: only the configuration tells them apart.
    expect(new Set([original, copy, condition, audience, mapping, jwks].map((g) => g.stsAudience)).size).toBe(1);
    const context = contextOf(federatingTarget());
    const keys = (gate: ResolvedGcpGate) => keysOf(plannedOf(gate, context));
    expect(keys(original).size).toBeGreaterThan(10);
    expect(keys(copy)).toEqual(keys(original));
    for (const other of [condition, audience, mapping, jwks]) expect([other.gate.stackName, common(keys(original), keys(other))]).toEqual([other.gate.stackName, []]);
  });

  test('a shared positive control that fails leaves every dependent check of both gates INCONCLUSIVE, never PASS; it is sent once', async () => {
    const [original, copy] = gatesOf({ Original: unchanged, Copy: unchanged });
    const target = federatingTarget();
    const context = contextOf(target);
    const results = await runGates(
      [original, copy].map((gate) => ({ id: gate.gate.id, cloud: 'gcp' as const, gate, context, checks: GCP_CHECKS })),
      { concurrency: 2 },
    );
    // The control's account denies the attested principal: the control FAILs for both.
    const controls = results.filter((r) => r.checkId === 'AGC-GCP-001');
    expect(controls.map((r) => r.status)).toEqual(['FAIL', 'FAIL']);
    expect(controls.map((r) => r.attempts).sort()).toEqual([0, 2]);
    const reused = controls.find((r) => r.attempts === 0)!;
    expect(reused.evidence?.sharedRequests).toEqual([
      expect.objectContaining({ request: 'positive control: STS token exchange', sentBy: expect.stringMatching(/^AGC-GCP-001 on Original\//), reason: expect.stringContaining('STS token exchange') }),
      expect.objectContaining({ request: expect.stringMatching(/^positive control: generateAccessToken/), sentBy: expect.stringMatching(/^AGC-GCP-001 on Original\//), reason: expect.stringContaining('generateAccessToken') }),
    ]);
    // One control for both gates; no mutation is sent next to a control that failed.
    expect([target.exchanges, target.impersonations]).toEqual([1, 1]);
    const dependents = results.filter((r) => r.checkId !== 'AGC-GCP-001');
    expect(dependents).toHaveLength(2 * 12);
    expect(dependents.filter((r) => r.status === 'PASS')).toEqual([]);
    // AGC-GCP-010 has no unbound subject to try on this configuration (SKIPPED before any request).
    for (const r of dependents.filter((d) => d.checkId !== 'AGC-GCP-010')) expect([r.gate, r.checkId, r.status]).toEqual([r.gate, r.checkId, 'INCONCLUSIVE']);
  });

  test('the same control token under gates whose conditions differ is sent for each gate: nothing is shared across them', async () => {
    const [original, condition] = gatesOf({
      Original: unchanged,
      Condition: (c) => {
        providerOf(c).attribute_condition = `assertion.sub == '${DEPLOYER_SPIFFE_ID}' || assertion.sub == 'spiffe://prod.example/agent/ops'`;
      },
    });
    // The control's claims are the same on both; only the configuration in the key tells them apart.
    expect(condition.plan?.control).toEqual(original.plan?.control);
    const target = federatingTarget();
    const context = contextOf(target);
    const results = await runGates(
      [original, condition].map((gate) => ({ id: gate.gate.id, cloud: 'gcp' as const, gate, context, checks: GCP_CHECKS })),
      { concurrency: 2 },
    );
    expect([target.exchanges, target.impersonations]).toEqual([2, 2]);
    expect(results.filter((r) => r.evidence?.sharedRequests !== undefined && r.checkId === 'AGC-GCP-001')).toEqual([]);
  });
});

describe('the GCP request plan on the emulator', () => {
  let issuer: IssuerOnDisk;
  let example: TerraformSource[];
  beforeAll(() => {
    issuer = writeIssuerKey();
    example = exampleGcpSources(issuer.jwksFile);
  });

  const probe = async (sources: TerraformSource[]) => {
    const plans: RequestPlan[] = [];
    const run = await runGcpConformance({ sources, pki: loadPkiDirectory(issuer.pkiDir), target: 'local', ratePerSecond: Infinity, onPlan: (_, plan) => plans.push(plan) });
    expect(plans).toEqual([run.plan]);
    return run;
  };

  test('the example: the plan is what is sent, every check is planned, and reuse is in the evidence', async () => {
    const run = await probe(example);
    expect(run.results.filter((r) => r.status !== 'PASS').map((r) => `${r.checkId} ${r.status}`)).toEqual(['AGC-GCP-010 SKIPPED']);
    // Needed: the control (2) for itself and for each of 11 checks that send after it (AGC-GCP-010
    // has no subject to try); 8 single mutations; AGC-GCP-011's other subject (the one AGC-GCP-005
    // sends); AGC-GCP-013's 8 derived subjects, one of which is that same other subject.
    expect(run.plan).toMatchObject({ needed: 39, planned: 17, shared: 22, unplannedChecks: 0, unquoted: 0 });
    expect(run.plan.quotas.map((q) => [q.id, q.requests, q.perSecond])).toEqual([
      ['gcp:sts-exchange-token', 16, 100],
      ['gcp:generate-credentials', 1, 1000],
    ]);
    expect(run.requests).toBe(run.plan.planned);
    expect(run.results.reduce((sum, r) => sum + r.attempts, 0)).toBe(run.plan.planned);
    expect(formatPlanLine('gcp', run.plan)).toBe('gcp plan: 17 requests (22 shared), ≥ 1 s at the live quotas');
    const sibling = run.results.filter((r) => r.checkId === 'AGC-GCP-005' || r.checkId === 'AGC-GCP-011');
    expect(sibling.flatMap((r) => (r.evidence?.sharedRequests as Array<{ sentBy: string }> | undefined) ?? []).map((u) => u.sentBy.split(' ')[0])).toEqual(
      expect.arrayContaining([expect.stringMatching(/^AGC-GCP-00[15]$/)]),
    );
  });

  test('a token command on a live-style target: the command’s token is planned and sent once, and the emulator is sent exactly the plan', async () => {
    const gcp = example.filter((s) => s.stackName === 'attestgate-gcp-example');
    const emulator = await startGcpEmulator({ sources: gcp });
    try {
      const token = signJwt(issuer.key, { iss: 'https://oidc.prod.example', sub: 'spiffe://prod.example/agent/deployer', aud: 'gcp' });
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-token-')), 'svid.txt');
      fs.writeFileSync(file, `token(spiffe://prod.example/agent/deployer):\n\t${token}\n`);
      const run = await runGcpConformance({
        sources: gcp,
        target: 'gcp',
        projectNumber: emulator.world.projectNumberOf('attestgate-example'),
        endpoints: { sts: emulator.endpoint, iamCredentials: emulator.endpoint },
        tokenCommand: `cat '${file}'`,
        ratePerSecond: Infinity,
      });
      // The control (exchange and generateAccessToken) for AGC-GCP-001 and the four key-free
      // mutations (another issuer, an unknown key, the command's token tampered, alg none).
      expect(run.plan).toMatchObject({ needed: 2 + 4 * 3, planned: 6, unplannedChecks: 0 });
      expect(run.requests).toBe(6);
      expect(emulator.server.log.filter((e) => e.path === '/v1/token' || e.path.endsWith(':generateAccessToken'))).toHaveLength(6);
    } finally {
      await emulator.close();
    }
  });

  test('weakened configurations whose probes get federated tokens: the planned generateAccessToken calls are the ones sent', async () => {
    const json = JSON.parse(JSON.stringify(example.find((s) => s.stackName === 'attestgate-gcp-example')!.model.configuration)) as Record<string, any>;
    const provider = Object.values(json.resource.google_iam_workload_identity_pool_provider)[0] as Record<string, any>;
    const binding = Object.values(json.resource.google_service_account_iam_member)[0] as Record<string, any>;
    delete provider.attribute_condition;
    binding.member = binding.member.replace(/\/subject\/.*$/, '/*').replace('principal://', 'principalSet://');
    const run = await probe([tfSource(json, 'weak')]);
    expect(run.results.filter((r) => r.status === 'FAIL').map((r) => r.checkId)).toEqual(expect.arrayContaining(['AGC-GCP-005', 'AGC-GCP-011', 'AGC-GCP-013']));
    expect(run.plan.quotas.find((q) => q.id === 'gcp:generate-credentials')!.requests).toBeGreaterThan(1);
    expect(run.plan.unplannedChecks).toBe(0);
    expect(run.requests).toBe(run.plan.planned);
  });
});
