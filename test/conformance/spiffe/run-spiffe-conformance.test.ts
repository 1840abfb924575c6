import { serveSpiffeProbeTarget, SpiffeProbeServerOptions } from '../../../conformance/emulator/spiffe/probe-target';
import { RunningWorkloadApiServer } from '../../../conformance/emulator/spiffe/workload-api-server';
import { generateIssuerKey, IssuerKey } from '../../../conformance/oidc/issuer-key';
import { createCa, IssuedCertificate } from '../../../conformance/pki/throwaway-pki';
import { SpiffeTarget } from '../../../conformance/spiffe/probe-context';
import { runSpiffeConformance } from '../../../conformance/spiffe/run-spiffe-conformance';
import { readSelector } from '../../../lib/spiffe/selectors';
import { deployerEntry } from '../../fixtures/workload-api';

/**
 * The SPIFFE checks against the emulated SPIRE agent: every check passes against a conformant
 * one, and each is seen to FAIL against an agent lax in the one way it covers — so a PASS is
 * never the probe proving nothing.
 */

let ca: IssuedCertificate;
let key: IssuerKey;
const servers: RunningWorkloadApiServer[] = [];

beforeAll(async () => {
  ca = await createCa({ subject: { CN: 'SPIRE test CA', O: 'attestgate tests' } });
  key = generateIssuerKey('ES256');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** The deployer's registration served by an emulated agent, changed as given. */
async function served(change: Partial<SpiffeProbeServerOptions> = {}): Promise<SpiffeTarget> {
  const { server, target } = await serveSpiffeProbeTarget({ trustDomain: 'prod.example', entry: deployerEntry({ x509SvidTtlSeconds: 900 }), x509Authority: ca, jwtAuthority: { key, issuer: 'https://oidc.prod.example' }, ...change });
  servers.push(server);
  return target;
}

async function statuses(target: SpiffeTarget): Promise<Record<string, string>> {
  const run = await runSpiffeConformance({ targets: [target] });
  return Object.fromEntries(run.results.map((r) => [r.checkId, `${r.status}: ${r.reason}`]));
}

const only = (results: Record<string, string>) => Object.fromEntries(Object.entries(results).map(([id, s]) => [id, s.split(':')[0]]));

const PASSING = { 'AGC-SPIFFE-001': 'PASS', 'AGC-SPIFFE-002': 'PASS', 'AGC-SPIFFE-003': 'PASS', 'AGC-SPIFFE-004': 'PASS', 'AGC-SPIFFE-005': 'PASS', 'AGC-SPIFFE-006': 'SKIPPED' };

describe('runSpiffeConformance against a conformant emulated agent', () => {
  test('every check passes, the positive control first; the gate check is SKIPPED without gates', async () => {
    const target = await served();
    const run = await runSpiffeConformance({ targets: [target] });
    expect(run.results.map((r) => `${r.checkId} ${r.status}`)).toEqual(Object.entries(PASSING).map(([id, s]) => `${id} ${s}`));
    expect(run.results.every((r) => r.cloud === 'spiffe' && r.gate === 'spiffe://prod.example/agent/deployer')).toBe(true);
    expect(run.exitCode).toBe(0);
    const reasons = Object.fromEntries(run.results.map((r) => [r.checkId, r.reason]));
    // Each required kind is tried alone, each in every way it can be presented alone.
    expect(reasons['AGC-SPIFFE-003']).toMatch(/runtime-only-other-code .*PermissionDenied.*; runtime-only-no-code/);
    expect(reasons['AGC-SPIFFE-004']).toMatch(/code-only-other-k8s-ns .*; code-only-other-k8s-sa .*; code-only-other-runtime/);
    expect(reasons['AGC-SPIFFE-005']).toMatch(/X\.509-SVID \(valid 910 s\) and the JWT-SVID \(300 s\) are within the entry's 900 s and 300 s/);
    // Two Workload API calls per probe workload: 1 registered (control) + 1 unregistered + 2 + 3 + 1 registered (TTL).
    expect(run.requests).toBe(16);
  });
});

describe('each check FAILs against the agent lax in the way it covers', () => {
  test('an agent that skips workload attestation issues the identity to every workload under it: AGC-SPIFFE-002, -003 and -004 FAIL', async () => {
    const results = await statuses(await served({ faults: { unattestedSelector: () => true } }));
    expect(only(results)).toEqual({ ...PASSING, 'AGC-SPIFFE-002': 'FAIL', 'AGC-SPIFFE-003': 'FAIL', 'AGC-SPIFFE-004': 'FAIL' });
    expect(results['AGC-SPIFFE-002']).toMatch(/^FAIL: a workload no entry names was issued an X\.509-SVID and a JWT-SVID of spiffe:\/\/prod\.example\/agent\/deployer/);
  });

  test('an agent that does not attest image digests: only the runtime-only workloads obtain it (AGC-SPIFFE-003 FAILs, each way)', async () => {
    const results = await statuses(await served({ faults: { unattestedSelector: (s) => readSelector(s).evidence === 'image-digest' } }));
    expect(only(results)).toEqual({ ...PASSING, 'AGC-SPIFFE-003': 'FAIL' });
    expect(results['AGC-SPIFFE-003']).toMatch(/runtime-only-other-code .*was issued.*; runtime-only-no-code .*was issued/);
  });

  test('an agent that does not attest the namespace: the right image under the right service account in another namespace obtains it (AGC-SPIFFE-004 FAILs)', async () => {
    const results = await statuses(await served({ faults: { unattestedSelector: (s) => readSelector(s).evidence === 'namespace' } }));
    expect(only(results)).toEqual({ ...PASSING, 'AGC-SPIFFE-004': 'FAIL' });
    // Only the workload that differs in the namespace alone: the others still fail the service account.
    expect(results['AGC-SPIFFE-004']).toMatch(/^FAIL: code-only-other-k8s-ns \(the code selectors, k8s:ns:attestgate-probe\): .*was issued/);
    expect(results['AGC-SPIFFE-004']).not.toMatch(/code-only-other-k8s-sa[^;]*was issued/);
  });

  test('a registration on the server that drifted from the declared one (runtime selectors only) fails AGC-SPIFFE-003', async () => {
    const declared = deployerEntry({ x509SvidTtlSeconds: 900 });
    const results = await statuses(await served({ servedEntries: [{ ...declared, selectors: declared.selectors.slice(0, 2) }] }));
    expect(only(results)).toEqual({ ...PASSING, 'AGC-SPIFFE-003': 'FAIL' });
  });

  test('SVIDs longer than the entry declares fail AGC-SPIFFE-005, naming each lifetime', async () => {
    const declared = deployerEntry({ x509SvidTtlSeconds: 900 });
    const results = await statuses(await served({ servedEntries: [{ ...declared, x509SvidTtlSeconds: 3600, jwtSvidTtlSeconds: 1200 }] }));
    expect(only(results)).toEqual({ ...PASSING, 'AGC-SPIFFE-005': 'FAIL' });
    const reason = results['AGC-SPIFFE-005']!;
    expect(reason).toMatch(/X\.509-SVID expires \d+ s after it was fetched, beyond the entry's 900 s; the X\.509-SVID is valid for 3610 s.*; the JWT-SVID expires \d+ s after it was fetched, beyond the entry's 300 s; the JWT-SVID lives 1200 s from iat to exp/);
    // "after it was fetched" is measured from when the probe got the SVID: a loaded machine takes
    // seconds between issuing and judging, so only the bound is exact.
    const [x509Left, jwtLeft] = [...reason.matchAll(/expires (\d+) s after it was fetched/g)].map((match) => Number(match[1]));
    expect([x509Left! > 900 && x509Left! <= 3600, jwtLeft! > 300 && jwtLeft! <= 1200]).toEqual([true, true]);
  });

  test('an agent whose clock is an hour behind hands out expired SVIDs: AGC-SPIFFE-005 FAILs, and the refusals prove nothing next to the failed control', async () => {
    const results = await statuses(await served({ now: () => new Date(Date.now() - 3_600_000) }));
    expect(results['AGC-SPIFFE-001']).toMatch(/^(FAIL|INCONCLUSIVE): /);
    expect(results['AGC-SPIFFE-005']).toMatch(/^FAIL: the agent handed out a JWT-SVID of spiffe:\/\/prod\.example\/agent\/deployer already past its expiry/);
    expect(results['AGC-SPIFFE-002']).toMatch(/^INCONCLUSIVE: .*proves nothing: its positive control AGC-SPIFFE-001 did not pass/);
  });
});

describe('what proves nothing is never PASS', () => {
  test('an agent that refuses everyone: the control FAILs and every refusal is INCONCLUSIVE', async () => {
    const declared = deployerEntry();
    const results = await statuses(await served({ servedEntries: [{ ...declared, spiffeId: 'spiffe://prod.example/agent/someone-else' }] }));
    expect(results['AGC-SPIFFE-001']).toMatch(/^FAIL: the registered workload got no X\.509-SVID of spiffe:\/\/prod\.example\/agent\/deployer \(only spiffe:\/\/prod\.example\/agent\/someone-else\) and no JWT-SVID \(PermissionDenied: no identity issued\)/);
    for (const id of ['AGC-SPIFFE-002', 'AGC-SPIFFE-003', 'AGC-SPIFFE-004']) expect(results[id]).toMatch(/^INCONCLUSIVE: .*proves nothing/);
    expect(results['AGC-SPIFFE-005']).toMatch(/^INCONCLUSIVE: /);
  });

  test('a socket nobody serves is INCONCLUSIVE, naming the address', async () => {
    const target = await served();
    const gone = { ...target, workloads: target.workloads.map((w) => (w.role === 'unregistered' ? { ...w, address: 'unix:///nonexistent/attestgate.sock' } : w)) };
    const results = await statuses(gone);
    expect(results['AGC-SPIFFE-002']).toMatch(/^INCONCLUSIVE: not every path was judged: the Workload API gave no verdict \(X\.509: Unavailable: .*ENOENT \/nonexistent\/attestgate\.sock/);
  });

  test('an entry acknowledged for single attestation has no runtime-only or code-only workload: those checks are SKIPPED', async () => {
    const declared = deployerEntry();
    const results = await statuses(await served({ entry: { ...declared, selectors: declared.selectors.slice(0, 2) } }));
    expect(only(results)).toMatchObject({ 'AGC-SPIFFE-001': 'PASS', 'AGC-SPIFFE-002': 'PASS', 'AGC-SPIFFE-003': 'SKIPPED', 'AGC-SPIFFE-004': 'SKIPPED' });
  });
});
