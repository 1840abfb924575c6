import { Check, fail, inconclusive, pass } from '../../../engine/check';
import { AwsProbeContext, ResolvedAwsGate, certificateProbeBlocker } from '../../../aws/probe-context';
import { notTheCloudsAnswer } from '../../../engine/http-outcome';
import { describeOutcome, isAwsAnswer, issuedCredentials, isTransient } from '../../../aws/http-outcome';

export const check: Check<ResolvedAwsGate, AwsProbeContext> = {
  meta: {
    id: 'AGC-AWS-001',
    cloud: 'aws',
    title: 'A correctly attested certificate is issued credentials',
    statement: 'Verify that the gate issues credentials to a certificate carrying exactly the identity it declares, from a CA its trust anchor trusts.',
    threat: 'A gate that rejects its own agent is broken; and without a working control, no denial proves anything.',
    remediation: 'Check the trust policy\'s attribute conditions against the certificates your CA issues (subject, URI SAN, issuer), and that the profile lists the role.',
    severity: 'critical',
    tags: ['cloud:aws', 'kind:positive', 'threat:positive-control', 'requires:ca-key'],
  },
  async run(gate, context) {
    const blocker = certificateProbeBlocker(gate);
    if (blocker) return blocker;
    const { outcome } = await context.positiveControl(gate);
    if (issuedCredentials(outcome)) return pass('a correctly attested certificate was issued credentials', { received: describeOutcome(outcome) });
    if (isTransient(outcome)) return inconclusive(`no verdict after retries (${describeOutcome(outcome)})`);
    // Only AWS's own refusal says the gate refuses its agent.
    if (!isAwsAnswer(outcome)) return inconclusive(notTheCloudsAnswer('AWS', describeOutcome(outcome), outcome), { received: describeOutcome(outcome) });
    return fail(`the gate refuses its own correctly attested identity (${describeOutcome(outcome)})`, { received: describeOutcome(outcome) });
  },
  plan: (gate, context) => (certificateProbeBlocker(gate) ? [] : context.plannedControl(gate)),
};
