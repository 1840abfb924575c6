import { Check, fail, inconclusive, pass, skipped } from '../../../engine/check';
import { notTheCloudsAnswer } from '../../../engine/http-outcome';
import { describeGcpOutcome, gcpErrorCodeOf, isGcpAnswer, isTransientGcp, issuedToken } from '../../../gcp/gcp-outcome';
import { GcpProbeContext, gateProbeBlocker } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';

export const check: Check<ResolvedGcpGate, GcpProbeContext> = {
  meta: {
    id: 'AGC-GCP-001',
    cloud: 'gcp',
    title: 'A correctly attested token gets a federated token and its service account',
    statement:
      'Verify that the provider exchanges a token carrying exactly the identity it declares (issuer, subject, audience) for a federated token, and that this token may impersonate the service account bound to its principal.',
    threat: 'A gate that rejects its own agent is broken; and without a working control, no denial proves anything.',
    remediation:
      "Check the provider's issuer_uri, allowed_audiences, attribute mapping and condition against the tokens your issuer mints, and the roles/iam.workloadIdentityUser binding of principal://…/subject/<subject> on the service account.",
    severity: 'critical',
    tags: ['cloud:gcp', 'kind:positive', 'threat:positive-control', 'requires:issuer-key'],
  },
  async run(gate, context) {
    const blocker = gateProbeBlocker(gate);
    if (blocker) return blocker;
    const control = await context.positiveControl(gate);
    if (control.kind === 'unavailable') return skipped(control.reason);
    if (control.kind === 'error') return inconclusive(`the positive control could not run: ${control.reason}`);
    const evidence = { token: control.source, sts: describeGcpOutcome(control.exchange), ...(control.impersonation ? { generateAccessToken: describeGcpOutcome(control.impersonation.outcome) } : {}) };
    if (isTransientGcp(control.exchange)) return inconclusive(`STS: no verdict after retries (${describeGcpOutcome(control.exchange)})`, evidence);
    // STS knows no enabled provider by the audience's name: the gate was not reached at all, most
    // often a wrong --project-number on a live run, so nothing about it is proven either way.
    if (gcpErrorCodeOf(control.exchange) === 'invalid_target') {
      return inconclusive(`STS knows no enabled provider ${gate.providerName ?? gate.gate.id}: is it deployed and enabled, and is the project number right? (${describeGcpOutcome(control.exchange)})`, evidence);
    }
    // Only Google's own refusal says the provider refuses its agent.
    if (!isGcpAnswer(control.exchange)) return inconclusive(`STS: ${notTheCloudsAnswer('Google', describeGcpOutcome(control.exchange), control.exchange)}`, evidence);
    if (!issuedToken(control.exchange)) return fail(`the provider refuses its own correctly attested token (STS: ${describeGcpOutcome(control.exchange)})`, evidence);
    if (!control.impersonation) return pass(`a correctly attested token (${control.source}) got a federated token; no service account is bound to its principal`, evidence);
    const { serviceAccount, outcome } = control.impersonation;
    if (isTransientGcp(outcome)) return inconclusive(`generateAccessToken for ${serviceAccount}: no verdict after retries (${describeGcpOutcome(outcome)})`, evidence);
    if (!isGcpAnswer(outcome)) return inconclusive(`generateAccessToken for ${serviceAccount}: ${notTheCloudsAnswer('Google', describeGcpOutcome(outcome), outcome)}`, evidence);
    if (!issuedToken(outcome)) return fail(`the federated token of the attested identity cannot impersonate ${serviceAccount}, the service account bound to it (${describeGcpOutcome(outcome)})`, evidence);
    return pass(`a correctly attested token (${control.source}) got a federated token and a token for ${serviceAccount}`, evidence);
  },
  plan: (gate, context) => context.plannedControl(gate),
};
