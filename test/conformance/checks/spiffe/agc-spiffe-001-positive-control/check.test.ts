import { check } from '../../../../../conformance/checks/spiffe/agc-spiffe-001-positive-control/check';
import { serveSpiffeProbeTarget } from '../../../../../conformance/emulator/spiffe/probe-target';
import { RunningWorkloadApiServer } from '../../../../../conformance/emulator/spiffe/workload-api-server';
import { generateIssuerKey } from '../../../../../conformance/oidc/issuer-key';
import { IssuedCertificate, createCa } from '../../../../../conformance/pki/throwaway-pki';
import { SpiffeProbeContext, SpiffeTarget, SpiffeTargetWorkload } from '../../../../../conformance/spiffe/probe-context';
import { deployerEntry } from '../../../../fixtures/workload-api';

/**
 * AGC-SPIFFE-001 accepts an SVID only when it chains, signature by signature, to the bundle it
 * came with: real SVIDs from the emulated agent, sent with the bundle a lax or stale agent would
 * send — another CA, or one with the same name and another key (a CA rotated without the bundle).
 */

let ca: IssuedCertificate;
let server: RunningWorkloadApiServer;
let target: SpiffeTarget;

beforeAll(async () => {
  ca = await createCa({ subject: { CN: 'SPIRE CA', O: 'attestgate tests' } });
  ({ server, target } = await serveSpiffeProbeTarget({ trustDomain: 'prod.example', entry: deployerEntry(), x509Authority: ca, jwtAuthority: { key: generateIssuerKey('ES256') } }));
});
afterAll(() => server?.close());

/** The agent's answers, with the X.509 bundle replaced. */
class BundleReplaced extends SpiffeProbeContext {
  constructor(private readonly bundle: Buffer) {
    super({ runGateChecks: async () => ({ results: [], gates: [] }) });
  }
  override async fetchX509(workload: SpiffeTargetWorkload): ReturnType<SpiffeProbeContext['fetchX509']> {
    const answer = await super.fetchX509(workload);
    return answer.kind === 'issued' ? { ...answer, value: answer.value.map((svid) => ({ ...svid, bundle: [this.bundle] })) } : answer;
  }
}

test('PASS when the SVID chains to the bundle it came with', async () => {
  const verdict = await check.run(target, new BundleReplaced(ca.der));
  expect(verdict.status).toBe('PASS');
  expect(verdict.reason).toMatch(/chaining to the bundle/);
});

test.each([
  ['another CA', () => createCa({ subject: { CN: 'Other CA', O: 'attestgate tests' } })],
  ['a CA of the same name with another key', () => createCa({ subject: { CN: 'SPIRE CA', O: 'attestgate tests' } })],
])('FAIL when the bundle is %s: the SVID does not chain to it', async (_what, other) => {
  const verdict = await check.run(target, new BundleReplaced((await other()).der));
  expect(verdict.status).toBe('FAIL');
  expect(verdict.reason).toContain("the X.509-SVID of spiffe://prod.example/agent/deployer does not chain to the trust domain's bundle it came with");
});
