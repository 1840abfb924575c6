import { Check, fail, inconclusive, pass } from '../../../engine/check';
import { StepUpEndpoint, StepUpProbeContext, describeAnswer } from '../../../step-up/probe-context';

export const check: Check<StepUpEndpoint, StepUpProbeContext> = {
  meta: {
    id: 'AGC-SU-001',
    cloud: 'step-up',
    title: 'A fresh, strong token from the trusted issuer is let through',
    statement:
      "Verify that the endpoint accepts a token its trusted issuer signed for its audience and the agent's identity, carrying the first ACR value it requires, attested just now and with a new jti — the request it protects goes through (2xx).",
    threat: 'An endpoint that refuses the agent even after it re-attests is broken; and without a working control, no refusal proves anything.',
    remediation:
      "Compare the endpoint's policy with the probe's token: the trusted issuer and its JWKS, the audience, the algorithms, the ACR values and max_age. The probe performs the protected operation once: point it at a test or dry-run route with the same policy.",
    severity: 'critical',
    tags: ['area:step-up', 'kind:positive', 'threat:positive-control', 'requires:issuer-key', 'mutating'],
  },
  async run(endpoint, context) {
    const answer = await context.send(endpoint, context.sign(endpoint, context.freshClaims(endpoint)));
    const evidence = { received: describeAnswer(answer) };
    if (answer.kind === 'allowed') return pass(`a fresh, strong token was let through (${describeAnswer(answer)})`, evidence);
    if (answer.kind === 'transient') return inconclusive(`the fresh, strong token got no verdict after retries (${answer.described})`, evidence);
    if (answer.kind === 'not-oauth') return inconclusive(`the fresh, strong token got an answer that is not an OAuth resource server's (${answer.described})`, evidence);
    return fail(`the endpoint refuses a fresh, strong token (${describeAnswer(answer)}${answer.challenge.errorDescription ? `: ${answer.challenge.errorDescription}` : ''})`, evidence);
  },
};
