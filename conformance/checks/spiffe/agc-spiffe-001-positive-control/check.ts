import { Check, Verdict, combinePathVerdicts, fail, inconclusive, pass, skipped } from '../../../engine/check';
import { DEFAULT_PROBE_AUDIENCE, SpiffeProbeContext, chainsToBundle, SpiffeTarget, describeAnswer, describeWorkload } from '../../../spiffe/probe-context';

export const check: Check<SpiffeTarget, SpiffeProbeContext> = {
  meta: {
    id: 'AGC-SPIFFE-001',
    cloud: 'spiffe',
    title: 'The registered workload is issued its SVIDs',
    statement:
      "Verify that a workload presenting every selector of the registration entry, under its parent, is issued an X.509-SVID of the entry's SPIFFE ID that chains to the trust domain's bundle, and a JWT-SVID of that ID for the probe audience.",
    threat: 'A registration that issues nothing to its own workload is broken; and without a working control, no refusal proves anything — an agent that refuses everyone refuses the unregistered too.',
    remediation:
      "Compare the entry with what the agent attests for the workload: the parent (the agent's SPIFFE ID on that node), every selector exactly as the attestor prints it (`spire-agent api fetch` in the pod, the agent's debug log), and the entry's presence on the agent (`spire-server entry show`).",
    severity: 'critical',
    tags: ['area:spiffe', 'kind:positive', 'threat:positive-control'],
  },
  async run(target, context) {
    const registered = target.workloads.filter((w) => w.role === 'registered');
    if (registered.length === 0) return skipped('the target has no registered probe workload: give one with every selector of the entry');
    const id = target.entry.spiffeId;
    const verdicts: Array<{ path: string; verdict: Verdict }> = [];
    for (const workload of registered) {
      const x509 = await context.fetchX509(workload);
      const jwt = await context.fetchJwt(workload, target.jwtAudience ?? DEFAULT_PROBE_AUDIENCE, id);
      const path = describeWorkload(workload);
      const evidence = { workload: workload.name, x509: x509.kind === 'issued' ? x509.value.map((s) => s.spiffeId) : describeAnswer(x509), jwt: jwt.kind === 'issued' ? jwt.value.spiffeId : describeAnswer(jwt) };
      if (x509.kind === 'unusable' || jwt.kind === 'unusable') {
        verdicts.push({ path, verdict: inconclusive(`the Workload API gave no verdict (X.509: ${describeAnswer(x509)}; JWT: ${describeAnswer(jwt)})`, evidence) });
        continue;
      }
      const svid = x509.kind === 'issued' ? x509.value.find((s) => s.spiffeId === id) : undefined;
      if (!svid || x509.kind !== 'issued' || jwt.kind !== 'issued') {
        const missing = [!svid ? `no X.509-SVID of ${id} (${x509.kind === 'issued' ? `only ${x509.value.map((s) => s.spiffeId).join(', ') || 'none'}` : describeAnswer(x509)})` : '', jwt.kind !== 'issued' ? `no JWT-SVID (${describeAnswer(jwt)})` : ''].filter(Boolean);
        verdicts.push({ path, verdict: fail(`the registered workload got ${missing.join(' and ')}`, evidence) });
        continue;
      }
      // The SVID must be one a relying party accepts: a path from the leaf to the bundle it was sent with.
      if (!chainsToBundle(svid)) {
        verdicts.push({ path, verdict: fail(`the X.509-SVID of ${id} does not chain to the trust domain's bundle it came with`, evidence) });
        continue;
      }
      verdicts.push({ path, verdict: pass(`the registered workload got an X.509-SVID of ${id} (valid to ${svid.expiresAt.toISOString()}, chaining to the bundle) and a JWT-SVID for ${jwt.value.audience.join(', ')}`, evidence) });
    }
    return combinePathVerdicts(verdicts);
  },
};
