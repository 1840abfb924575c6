import { RunningGcpEmulator, startGcpEmulator } from '../../../conformance/emulator/gcp-emulator';
import { runGcpConformance } from '../../../conformance/gcp/run-gcp-conformance';
import { loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { statusesOf } from '../../fixtures/conformance';
import { FaultProxy, startFaultProxy } from '../../fixtures/fault-proxy';
import { JSON_HEADERS, exampleGcpSources, laxFederatedToken, laxServiceAccountToken, tfSource, writeIssuerKey } from '../../fixtures/gcp-conformance';

/**
 * Every probing check is seen to FAIL, not only to PASS: in front of the emulator, a Google STS
 * that exchanges any subject token for a federated token — whatever its issuer, key, signature,
 * audience, subject or times — and an IAM Credentials API whose generateAccessToken issues a
 * service account token to any bearer, both in the exact answer shapes Google (and the emulator)
 * send. A check that PASSed here would be proving nothing.
 *
 * Two gates in the one run: the example as shipped, and the same provider with a condition that
 * admits the whole trust domain. AGC-GCP-010 needs a subject the condition admits and no binding
 * names; the shipped condition pins the agent's subject, so there it is SKIPPED whatever the
 * endpoint does, and only the prefix gate can show it FAIL.
 *
 * AGC-GCP-012 is judged from the configuration, never probed: no endpoint, lax or strict, changes
 * its verdict, so it PASSes here as on the example.
 */

let emulator: RunningGcpEmulator;
let proxy: FaultProxy;
afterAll(async () => {
  await proxy?.close();
  await emulator?.close();
});

/** Checks that send a token the STS must refuse: all but the control, AGC-GCP-010, -011 and -013 (impersonation) and -012 (configuration). */
const EXCHANGE_CHECKS = ['002', '003', '004', '005', '006', '007', '008', '009'].map((n) => `AGC-GCP-${n}`);

test('an STS that exchanges any token and an IAM Credentials API that impersonates for any caller: every token mutation and both impersonation probes FAIL', async () => {
  const issuer = writeIssuerKey();
  const [example] = exampleGcpSources(issuer.jwksFile).filter((s) => s.stackName === 'attestgate-gcp-example');
  const prefix = JSON.parse(JSON.stringify(example.model.configuration)) as Record<string, any>;
  (Object.values(prefix.resource.google_iam_workload_identity_pool_provider)[0] as Record<string, any>).attribute_condition = "assertion.sub.startsWith('spiffe://prod.example/')";
  emulator = await startGcpEmulator({ sources: [example] });
  proxy = await startFaultProxy({
    upstream: emulator.endpoint,
    rules: [
      { match: (r) => r.method === 'POST' && r.url === '/v1/token', mode: { kind: 'status', status: 200, body: laxFederatedToken(), headers: JSON_HEADERS } },
      { match: (r) => r.method === 'POST' && /^\/v1\/projects\/-\/serviceAccounts\/[^/]+:generateAccessToken$/.test(r.url), mode: { kind: 'status', status: 200, body: laxServiceAccountToken(), headers: JSON_HEADERS } },
    ],
  });
  const run = await runGcpConformance({
    sources: [example, tfSource(prefix, 'lax-prefix')],
    pki: loadPkiDirectory(issuer.pkiDir),
    target: 'gcp',
    projectNumber: emulator.world.projectNumberOf('attestgate-example'),
    endpoints: { sts: proxy.url, iamCredentials: proxy.url },
    ratePerSecond: Infinity,
  });

  // Every probe got the lax answer: none reached the emulator, which would have refused it.
  expect(proxy.requests.length).toBeGreaterThan(0);
  expect(proxy.requests.filter((r) => r.mode.kind !== 'status').map((r) => `${r.method} ${r.url}`)).toEqual([]);

  const reasons = (gate: string) => Object.fromEntries(run.results.filter((r) => r.gate.startsWith(`${gate}/`)).map((r) => [r.checkId, `${r.status}: ${r.reason}`]));
  const shipped = reasons('attestgate-gcp-example');
  const prefixed = reasons('lax-prefix');
  for (const gate of [shipped, prefixed]) {
    expect(gate['AGC-GCP-001']).toMatch(/^PASS: a correctly attested token \(issuer key\) got a federated token and a token for deployer-agent@/);
    for (const id of EXCHANGE_CHECKS) expect(`${id} ${gate[id]}`).toMatch(new RegExp(`^${id} FAIL: .*: a token was issued$`));
    // Another subject got a federated token, then the service account's token.
    expect(gate['AGC-GCP-011']).toMatch(/^FAIL: .*: generateAccessToken for deployer-agent@.*: a token was issued$/);
    expect(gate['AGC-GCP-012']).toMatch(/^PASS: /);
    // Every subject derived from the condition got the service account's token.
    expect(gate['AGC-GCP-013']).toMatch(/^FAIL: 8 of 8 subjects besides the declared one got a service account’s token: a token of .*: generateAccessToken for deployer-agent@.*: a token was issued/);
  }
  expect(shipped['AGC-GCP-010']).toMatch(/^SKIPPED: no subject to probe with/);
  expect(prefixed['AGC-GCP-010']).toMatch(/^FAIL: a token of .*, admitted by the condition but named by no binding: generateAccessToken for deployer-agent@.*: a token was issued$/);
  // Nothing else was run and nothing was left out.
  expect(statusesOf(run.results, 'lax-prefix/')).toEqual({
    'AGC-GCP-001': 'PASS',
    ...Object.fromEntries([...EXCHANGE_CHECKS, 'AGC-GCP-010', 'AGC-GCP-011', 'AGC-GCP-013'].map((id) => [id, 'FAIL'])),
    'AGC-GCP-012': 'PASS',
  });
}, 60_000);
