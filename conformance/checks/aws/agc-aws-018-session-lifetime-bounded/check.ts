import { Check, fail, inconclusive, pass, skipped } from '../../../engine/check';
import { describeOutcome, errorCodeOf, issuedCredentials, isTransient } from '../../../aws/http-outcome';
import { AwsProbeContext, ResolvedAwsGate, certificateProbeBlocker } from '../../../aws/probe-context';

/** The longest session any client can ask for. */
const TWELVE_HOURS = 43_200;
/** Clock difference tolerated between the endpoint and this machine. */
const SLACK_SECONDS = 120;

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-018',
    cloud: 'aws',
    title: 'Sessions never outlive the identity\'s credential lifetime',
    statement: 'Verify that a correctly attested request for a 12-hour session gets no session longer than the identity\'s maximum credential lifetime.',
    threat: 'Revocation stops new sessions only; a long session obtained before revocation stays valid until it expires.',
    remediation: 'Set the profile\'s DurationSeconds to the identity\'s lifetime (AttestedRole derives it).',
    severity: 'high',
    tags: ['cloud:aws', 'kind:negative', 'threat:session-lifetime-bounded', 'requires:ca-key'],
  },
  async run(gate, context) {
    const blocker = certificateProbeBlocker(gate);
    if (blocker) return blocker;
    if (gate.maxSessionSeconds === undefined) return skipped('the gate declares no credential lifetime (no gate manifest, not high privilege)');
    const control = await context.positiveControl(gate);
    if (!issuedCredentials(control.outcome)) {
      return inconclusive(`the positive control did not get credentials in this run (${describeOutcome(control.outcome)}), so a refusal would prove nothing`);
    }
    const asked = Date.now();
    const { outcome } = await context.createSession(gate, await context.certificatesFor(gate)!.control(), { durationSeconds: TWELVE_HOURS });
    if (isTransient(outcome)) return inconclusive(`no verdict after retries (${describeOutcome(outcome)})`);
    if (!issuedCredentials(outcome) || outcome.kind !== 'response') {
      // Refusing the long session outright also keeps sessions bounded.
      return outcome.kind === 'response' && outcome.status === 403 && errorCodeOf(outcome) === 'AccessDeniedException'
        ? pass(`a 12-hour session was refused (${describeOutcome(outcome)})`)
        : inconclusive(`unexpected answer (${describeOutcome(outcome)})`);
    }
    const body = JSON.parse(outcome.body) as { credentialSet: Array<{ credentials: { expiration?: unknown } }> };
    const expiration = Date.parse(String(body.credentialSet[0].credentials.expiration));
    if (Number.isNaN(expiration)) return inconclusive(`asked for 12 h and got credentials without a readable expiration (${String(body.credentialSet[0].credentials.expiration)}): not CreateSession's answer shape, so the lifetime is unknown`);
    const lifetime = Math.round((expiration - asked) / 1000);
    const evidence = { issuedLifetimeSeconds: lifetime, maxSessionSeconds: gate.maxSessionSeconds };
    return lifetime <= gate.maxSessionSeconds + SLACK_SECONDS
      ? pass(`asked for 12 h, got ${lifetime} s (at most ${gate.maxSessionSeconds} s)`, evidence)
      : fail(`asked for 12 h and got a ${lifetime} s session, longer than the identity's ${gate.maxSessionSeconds} s`, evidence);
  },
};
