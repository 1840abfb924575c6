import { runAwsConformance } from '../../conformance/aws/run-aws-conformance';
import { runAzureConformance } from '../../conformance/azure/run-azure-conformance';
import { RunningAwsEmulator, startAwsEmulator } from '../../conformance/emulator/aws-emulator';
import { RunningAzureEmulator, startAzureEmulator } from '../../conformance/emulator/azure-emulator';
import { createServerTls } from '../../conformance/emulator/azure/server-tls';
import { RunningGcpEmulator, startGcpEmulator } from '../../conformance/emulator/gcp-emulator';
import { CheckResult, exitCodeOf } from '../../conformance/engine/report';
import { RetryPolicy } from '../../conformance/engine/retry';
import { runGcpConformance } from '../../conformance/gcp/run-gcp-conformance';
import { generateIssuerKey } from '../../conformance/oidc/issuer-key';
import { PkiMaterial, loadPkiDirectory } from '../../conformance/pki/pki-directory';
import { azureExampleConfiguration, tfSourceOf } from '../fixtures/azure-conformance';
import { exampleTemplate, sourceOf, writeTestPki } from '../fixtures/conformance';
import { FaultMode, FaultProxy, ProxiedRequest, startFaultProxy } from '../fixtures/fault-proxy';
import { exampleGcpSources, writeIssuerKey } from '../fixtures/gcp-conformance';

/**
 * The suite against a fault-injecting proxy in front of each cloud's emulator, reached through the
 * live-target code path (endpoint overrides). The invariant: no check is PASS unless its gate's
 * positive control PASSed in the same run, no fault is ever PASS or FAIL, and a run with a fault
 * never exits 0 or 1. Faults hit every request, only the positive controls, or only the negative
 * probes.
 */

const MODES: ReadonlyArray<readonly [string, FaultMode]> = [
  ['500', { kind: 'status', status: 500, body: 'Internal Server Error' }],
  ['503', { kind: 'status', status: 503 }],
  ['429', { kind: 'status', status: 429, headers: { 'retry-after': '0' } }],
  ['reset', { kind: 'reset' }],
  ['hang', { kind: 'hang' }],
  ['HTML 403', { kind: 'html', status: 403 }],
  ['empty 400', { kind: 'status', status: 400 }],
  ['unparseable 200', { kind: 'unparseable', status: 200 }],
];

type Scope = 'every request' | 'positive controls' | 'negative probes';
const SCOPES: readonly Scope[] = ['every request', 'positive controls', 'negative probes'];

/** Fast enough to run the matrix: one retry, short waits, and a short deadline for hung requests. */
const RETRY: RetryPolicy = { attempts: 2, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 2_000 };
const DEADLINE_MS = 250;

/**
 * Which phase of a gate the next request belongs to. Gates are probed one at a time
 * (concurrency 1), the positive control first: after the control's result come the gate's
 * negative probes, and after the gate's last check the next gate's control.
 */
class Phase {
  public current: 'control' | 'negatives' = 'control';
  constructor(private readonly lastCheckId: string) {}
  public readonly onResult = (result: CheckResult) => {
    if (result.tags.includes('kind:positive')) this.current = 'negatives';
    if (result.checkId === this.lastCheckId) this.current = 'control';
  };
}

interface CloudUnderTest {
  readonly name: string;
  /** The checks run: the positive control, then negatives that probe the endpoint. */
  readonly lastCheckId: string;
  /** Requests that are not probes (looking the account up): faulted only when every request is. */
  readonly isSetup: (request: ProxiedRequest) => boolean;
  run(proxy: FaultProxy, onResult: (result: CheckResult) => void): Promise<{ results: readonly CheckResult[]; gates: ReadonlyArray<{ id: string }> }>;
  startProxy(): Promise<FaultProxy>;
}

function rulesFor(mode: FaultMode, scope: Scope, phase: Phase, cloud: CloudUnderTest) {
  const inScope = (request: ProxiedRequest) => {
    if (scope === 'every request') return true;
    if (cloud.isSetup(request)) return false;
    return scope === 'positive controls' ? phase.current === 'control' : phase.current === 'negatives';
  };
  return [{ match: inScope, mode }];
}

/** The invariant every faulted run must keep. */
function expectNothingProvenByAFault(results: readonly CheckResult[], gates: ReadonlyArray<{ id: string }>, scope: Scope): void {
  expect(results.length).toBeGreaterThan(0);
  const unfounded = results.filter((r) => r.status === 'PASS' && !r.tags.includes('kind:positive') && results.find((c) => c.gate === r.gate && c.tags.includes('kind:positive'))?.status !== 'PASS');
  expect(unfounded.map((r) => `${r.gate} ${r.checkId}: ${r.reason}`)).toEqual([]);
  // The gates are sound: a FAIL could only come from misreading the fault.
  expect(results.filter((r) => r.status === 'FAIL').map((r) => `${r.gate} ${r.checkId}: ${r.reason}`)).toEqual([]);
  const negatives = results.filter((r) => !r.tags.includes('kind:positive'));
  if (scope === 'negative probes') {
    // The controls were not faulted and pass, so the harness did exercise the negatives.
    expect(results.filter((r) => r.tags.includes('kind:positive')).map((r) => r.status)).toEqual(gates.map(() => 'PASS'));
    expect(negatives.filter((r) => r.status === 'PASS').map((r) => `${r.gate} ${r.checkId}: ${r.reason}`)).toEqual([]);
  } else {
    expect(results.filter((r) => r.status === 'PASS').map((r) => `${r.gate} ${r.checkId}: ${r.reason}`)).toEqual([]);
  }
  expect(exitCodeOf({ results, gates: gates.map((g) => ({ id: g.id, cloud: 'aws', source: '', privilege: 'high' })), interrupted: false })).toBe(2);
}

const saved = { ...process.env };
let aws: RunningAwsEmulator;
let gcp: RunningGcpEmulator;
let azure: RunningAzureEmulator;
const clouds: CloudUnderTest[] = [];

beforeAll(async () => {
  // AWS: the example's two gates, the live path (default credential chain, STS, CloudFormation).
  const pki = await writeTestPki();
  const awsSources = sourceOf(exampleTemplate(pki));
  const awsPki = loadPkiDirectory(pki.dir);
  aws = await startAwsEmulator({ sources: awsSources, createSessionRatePerSecond: Infinity });
  const persona = [...aws.world.personas.values()][0];
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: persona.accessKeyId, AWS_SECRET_ACCESS_KEY: persona.secretAccessKey, AWS_REGION: 'us-east-1' });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  clouds.push({
    name: 'aws',
    lastCheckId: 'AGC-AWS-016',
    isSetup: (r) => /Action=GetCallerIdentity|Action=DescribeStackResources/.test(r.body),
    startProxy: () => startFaultProxy({ upstream: aws.endpoint }),
    run: (proxy, onResult) =>
      runAwsConformance({
        sources: awsSources,
        pki: awsPki,
        target: 'aws',
        endpoints: { rolesAnywhere: proxy.url, sts: proxy.url, cloudFormation: proxy.url },
        tags: ['AGC-AWS-003', 'AGC-AWS-012', 'AGC-AWS-016'],
        ...common(onResult),
      }),
  });

  // GCP: the example's gate, its issuer key in --pki.
  const issuer = writeIssuerKey();
  const gcpSources = exampleGcpSources(issuer.jwksFile).filter((s) => s.stackName === 'attestgate-gcp-example');
  const gcpPki: PkiMaterial = loadPkiDirectory(issuer.pkiDir);
  gcp = await startGcpEmulator({ sources: gcpSources });
  clouds.push({
    name: 'gcp',
    lastCheckId: 'AGC-GCP-005',
    isSetup: () => false,
    startProxy: () => startFaultProxy({ upstream: gcp.endpoint }),
    run: (proxy, onResult) =>
      runGcpConformance({
        sources: gcpSources,
        pki: gcpPki,
        target: 'gcp',
        projectNumber: gcp.world.projectNumberOf('attestgate-example'),
        endpoints: { sts: proxy.url, iamCredentials: proxy.url },
        tags: ['AGC-GCP-002', 'AGC-GCP-005'],
        ...common(onResult),
      }),
  });

  // Azure: the example's gates over HTTPS; the proxy has its own test CA, the emulator another.
  const userKey = generateIssuerKey('RS256');
  const azureSources = tfSourceOf(azureExampleConfiguration(), 'cdk.tf.json');
  azure = await startAzureEmulator({ sources: azureSources, issuerKeys: [userKey] });
  const proxyTls = await createServerTls();
  // The managed identity and the example's Entra agent identities, each with its blueprint (both
  // legs through the proxy): a live tenant's client IDs are given, as a user would give them.
  const identities = [...azure.world.identities.values()];
  const identity = identities.find((i) => i.kind === 'user-assigned-identity')!;
  const agentClientIds = identities
    .filter((i) => i.kind === 'agent-identity')
    .flatMap((agent) => {
      const blueprint = azure.world.identities.get(agent.blueprintClientId!)!;
      return [[agent.origins[0], agent.clientId], [blueprint.origins[0], blueprint.clientId]];
    });
  clouds.push({
    name: 'azure',
    lastCheckId: 'AGC-AZ-005',
    isSetup: () => false,
    startProxy: () => startFaultProxy({ upstream: azure.authorityHost, upstreamCa: azure.caPem, tls: { key: proxyTls.privateKeyPem, cert: proxyTls.certificatePem } }),
    run: (proxy, onResult) =>
      runAzureConformance({
        sources: azureSources,
        target: 'azure',
        endpoints: { authorityHost: proxy.url, caPem: proxyTls.caPem },
        tenantId: azure.tenantId,
        clientIds: { 'deployer-agent': identity.clientId, ...Object.fromEntries(agentClientIds) },
        issuerKeys: [userKey],
        issuerJwks: Object.fromEntries([...azure.playedIssuers].map(([iss, played]) => [iss, played.jwks])),
        tags: ['AGC-AZ-002', 'AGC-AZ-005'],
        ...common(onResult),
      }),
  });

  // One unfaulted run per cloud before the tests, its result unused: the first run through an
  // emulator in this process pays one-time costs (first use of the client, proxy and emulator
  // code) that, with two jest workers on a loaded 2-core machine, took over 1.5 s and ran past
  // the 250 ms request deadline the matrix needs. The tests measure faults, not that warm-up.
  for (const cloud of clouds) {
    const proxy = await cloud.startProxy();
    try {
      await cloud.run(proxy, () => undefined);
    } finally {
      await proxy.close();
    }
  }
});

afterAll(async () => {
  process.env = { ...saved };
  await Promise.all([aws?.close(), gcp?.close(), azure?.close()]);
});

const common = (onResult: (result: CheckResult) => void) => ({ ratePerSecond: Infinity, concurrency: 1, retry: RETRY, requestDeadlineMs: DEADLINE_MS, onResult });

describe.each(['aws', 'gcp', 'azure'])('%s under faults', (name) => {
  const cloud = () => clouds.find((c) => c.name === name)!;

  test('without a fault, the same run proves every gate (the harness itself is sound)', async () => {
    const proxy = await cloud().startProxy();
    try {
      const run = await cloud().run(proxy, () => undefined);
      expect(run.results.filter((r) => r.status !== 'PASS').map((r) => `${r.gate} ${r.checkId} ${r.status}: ${r.reason}`)).toEqual([]);
      expect(exitCodeOf({ ...run, gates: run.gates.map((g) => ({ id: g.id, cloud: 'aws', source: '', privilege: 'high' })), interrupted: false })).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  test.each(SCOPES.flatMap((scope) => MODES.map(([label, mode]) => [label, scope, mode] as const)))('%s on %s: no PASS without a passing control, never PASS or FAIL from the fault, exit 2', async (_label, scope, mode) => {
    const phase = new Phase(cloud().lastCheckId);
    const proxy = await cloud().startProxy();
    try {
      proxy.setRules(rulesFor(mode, scope, phase, cloud()));
      const run = await cloud().run(proxy, phase.onResult);
      expect(proxy.requests.some((r) => r.mode.kind === mode.kind)).toBe(true);
      expectNothingProvenByAFault(run.results, run.gates, scope);
    } finally {
      await proxy.close();
    }
  });

  test('a 429 with Retry-After is retried no sooner than it asks', async () => {
    const proxy = await cloud().startProxy();
    try {
      proxy.setRules([{ match: (r) => !cloud().isSetup(r), mode: { kind: 'sequence', modes: [{ kind: 'status', status: 429, headers: { 'retry-after': '1' } }, { kind: 'pass' }] } }]);
      const run = await cloud().run(proxy, () => undefined);
      // Gates are probed one at a time: the request after the 429 is its retry.
      const throttled = proxy.requests.findIndex((r) => r.status === 429);
      expect(throttled).toBeGreaterThanOrEqual(0);
      expect(proxy.requests[throttled + 1].at - proxy.requests[throttled].at).toBeGreaterThanOrEqual(1_000);
      // The retried control got through: the run is proven as without the fault.
      expect(run.results.filter((r) => r.status !== 'PASS').map((r) => `${r.checkId}: ${r.reason}`)).toEqual([]);
      const control = run.results.find((r) => r.tags.includes('kind:positive'))!;
      expect(control.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await proxy.close();
    }
  });

  test('a 429 with Retry-After forever: each retry no sooner than asked, then INCONCLUSIVE naming the throttling — never PASS', async () => {
    const proxy = await cloud().startProxy();
    try {
      proxy.setRules([{ match: (r) => !cloud().isSetup(r), mode: { kind: 'status', status: 429, headers: { 'retry-after': '1' } } }]);
      const run = await cloud().run(proxy, () => undefined);
      // RETRY allows one retry per request within its 2 s budget: the control's first request and its retry, a second apart.
      const throttled = proxy.requests.filter((r) => r.status === 429);
      expect(throttled.length).toBeGreaterThanOrEqual(2);
      expect(throttled[1].at - throttled[0].at).toBeGreaterThanOrEqual(1_000);
      const control = run.results.find((r) => r.tags.includes('kind:positive'))!;
      expect(control).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringMatching(/429[^]*throttl/i) });
      expect(control.attempts).toBeGreaterThanOrEqual(2);
      expectNothingProvenByAFault(run.results, run.gates, 'every request');
    } finally {
      await proxy.close();
    }
  });
});
