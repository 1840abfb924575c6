import { RunningGcpEmulator, startGcpEmulator } from '../../../../../conformance/emulator/gcp-emulator';
import { serveSpiffeProbeTarget } from '../../../../../conformance/emulator/spiffe/probe-target';
import { RunningWorkloadApiServer } from '../../../../../conformance/emulator/spiffe/workload-api-server';
import { loadPkiDirectory } from '../../../../../conformance/pki/pki-directory';
import { createCa } from '../../../../../conformance/pki/throwaway-pki';
import { SpiffeGates } from '../../../../../conformance/spiffe/probe-context';
import { runSpiffeConformance } from '../../../../../conformance/spiffe/run-spiffe-conformance';
import { FaultProxy, startFaultProxy } from '../../../../fixtures/fault-proxy';
import { JSON_HEADERS, exampleGcpSources, laxFederatedToken, laxServiceAccountToken, writeIssuerKey } from '../../../../fixtures/gcp-conformance';
import { deployerEntry } from '../../../../fixtures/workload-api';

/**
 * AGC-SPIFFE-006 runs the gates' own expired-credential checks (with their positive controls) on
 * the gates the SVIDs are presented to: it PASSes when they refuse, and FAILs behind a Google STS
 * that exchanges any token — an expired JWT-SVID included.
 */

let spire: RunningWorkloadApiServer | undefined;
let emulator: RunningGcpEmulator | undefined;
let proxy: FaultProxy | undefined;
afterAll(async () => {
  await spire?.close();
  await proxy?.close();
  await emulator?.close();
});

async function check006(gates: SpiffeGates): Promise<string> {
  const issuer = writeIssuerKey();
  const served = await serveSpiffeProbeTarget({
    trustDomain: 'prod.example',
    entry: deployerEntry(),
    x509Authority: await createCa({ subject: { CN: 'SPIRE test CA' } }),
    jwtAuthority: { key: issuer.key, issuer: 'https://oidc.prod.example' },
    gates,
  });
  spire = served.server;
  try {
    const run = await runSpiffeConformance({ targets: [served.target], tags: ['AGC-SPIFFE-006'] });
    expect(run.results.map((r) => `${r.checkId} ${r.status}`)[0]).toBe('AGC-SPIFFE-001 PASS');
    const result = run.results.find((r) => r.checkId === 'AGC-SPIFFE-006')!;
    return `${result.status}: ${result.reason}`;
  } finally {
    await served.server.close();
  }
}

test("on the emulator, the GCP example's provider refuses the expired token after its control passed: PASS", async () => {
  const issuer = writeIssuerKey();
  const [example] = exampleGcpSources(issuer.jwksFile).filter((s) => s.stackName === 'attestgate-gcp-example');
  expect(await check006({ sources: { templates: [], configurations: [example] }, target: 'local', pki: loadPkiDirectory(issuer.pkiDir), ratePerSecond: Infinity })).toMatch(
    /^PASS: AGC-GCP-006 PASS: /,
  );
});

test('behind an STS that exchanges any token, the expired SVID buys a federated token: FAIL', async () => {
  const issuer = writeIssuerKey();
  const [example] = exampleGcpSources(issuer.jwksFile).filter((s) => s.stackName === 'attestgate-gcp-example');
  emulator = await startGcpEmulator({ sources: [example] });
  proxy = await startFaultProxy({
    upstream: emulator.endpoint,
    rules: [
      { match: (r) => r.method === 'POST' && r.url === '/v1/token', mode: { kind: 'status', status: 200, body: laxFederatedToken(), headers: JSON_HEADERS } },
      { match: (r) => r.method === 'POST' && r.url.endsWith(':generateAccessToken'), mode: { kind: 'status', status: 200, body: laxServiceAccountToken(), headers: JSON_HEADERS } },
    ],
  });
  const verdict = await check006({
    sources: { templates: [], configurations: [example] },
    target: 'gcp',
    pki: loadPkiDirectory(issuer.pkiDir),
    gcp: { projectNumber: emulator.world.projectNumberOf('attestgate-example'), endpoints: { sts: proxy.url, iamCredentials: proxy.url } },
    ratePerSecond: Infinity,
  });
  expect(verdict).toMatch(/^FAIL: AGC-GCP-006 FAIL: .*a token was issued/);
});

test('without gates the check is SKIPPED, saying what to give', async () => {
  expect(await check006(undefined as unknown as SpiffeGates)).toMatch(/^SKIPPED: no cloud gates were given/);
});
