import { Check, CheckStatus, Verdict, combinePathVerdicts, inconclusive, skipped } from '../../../engine/check';
import { SpiffeProbeContext, SpiffeTarget } from '../../../spiffe/probe-context';

/** The cloud checks that present the identity's credential past its expiry, by the threat they are tagged with. */
export const EXPIRED_CREDENTIAL_THREATS = ['threat:expired-certificate', 'threat:expired-token'] as const;

export const check: Check<SpiffeTarget, SpiffeProbeContext> = {
  meta: {
    id: 'AGC-SPIFFE-006',
    cloud: 'spiffe',
    title: 'Every cloud gate the SVIDs are presented to refuses one past its expiry',
    statement:
      "Verify that each cloud gate given with the target refuses the identity's credential past its expiry — an X.509-SVID-shaped certificate from the SVID CA at Roles Anywhere, a JWT-SVID-shaped token from the SPIRE JWT authority at Google STS and Entra — by running that cloud's expired-credential check after its positive control.",
    threat: 'An SVID copied from a workload (a node compromise, a core dump, a log) keeps buying cloud credentials after the TTL the registration promised: the short SVID lifetime protects nothing unless every gate enforces it.',
    remediation:
      "See the failing cloud check (AGC-AWS-007, AGC-GCP-006, AGC-AZ-006): the endpoint does not check the credential's validity period. Against the emulator, give --pki the SVID CA's key and the JWT authority's key.",
    severity: 'critical',
    tags: ['area:spiffe', 'kind:negative', 'threat:expired-svid', 'requires:cloud-gates'],
  },
  async run(target, context) {
    if (!target.gates) return skipped('no cloud gates were given with the target (gates: the apps, target and --pki the SVIDs are presented to)');
    const run = await context.runGateChecks(target.gates, EXPIRED_CREDENTIAL_THREATS);
    if (run.gates.length === 0) return inconclusive('no cloud gate was found in the given apps: nothing refused an expired SVID');
    const expired = run.results.filter((r) => EXPIRED_CREDENTIAL_THREATS.some((t) => r.tags.includes(t)));
    const verdicts = run.gates.map((gate): { path: string; verdict: Verdict } => {
      const result = expired.find((r) => r.gate === gate);
      if (!result) return { path: gate, verdict: inconclusive('its expired-credential check did not run') };
      const status: CheckStatus = result.status;
      return { path: gate, verdict: { status, reason: `${result.checkId} ${status}: ${result.reason}`, evidence: { checkId: result.checkId, cloud: result.cloud } } };
    });
    return combinePathVerdicts(verdicts);
  },
};
