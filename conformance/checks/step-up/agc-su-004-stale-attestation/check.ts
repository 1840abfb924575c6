import { Check, skipped } from '../../../engine/check';
import { STALE_MARGIN_SECONDS, StepUpEndpoint, StepUpProbeContext, judgeChallenge } from '../../../step-up/probe-context';

export const check: Check<StepUpEndpoint, StepUpProbeContext> = {
  meta: {
    id: 'AGC-SU-004',
    cloud: 'step-up',
    title: 'A strong token whose attestation is older than max_age gets the step-up challenge',
    statement:
      "Verify that a token with the endpoint's ACR, signed by the trusted issuer and unexpired, but whose attestation time (auth_time, or iat for an issuer that implies its ACR) lies max_age + 120 s in the past, is answered 401 insufficient_user_authentication with the endpoint's acr_values and max_age.",
    threat: 'A token attested long ago — copied from the agent, or kept past the moment it was meant for — performs the operation that demands a fresh attestation.',
    remediation: "Compare now with the token's attestation time against max_age, with at most a small clock tolerance; refuse a token that carries no attestation time.",
    severity: 'high',
    tags: ['area:step-up', 'kind:negative', 'threat:stale-attestation', 'requires:issuer-key'],
  },
  async run(endpoint, context) {
    if (endpoint.maxAge === undefined) return skipped('the endpoint requires no max_age');
    const then = context.nowSeconds - endpoint.maxAge - STALE_MARGIN_SECONDS;
    const claims = context.freshClaims(endpoint, endpoint.impliedAcr ? { iat: then } : { auth_time: then });
    const answer = await context.send(endpoint, context.sign(endpoint, claims));
    return judgeChallenge(answer, endpoint, `a token attested ${endpoint.maxAge + STALE_MARGIN_SECONDS} s ago`);
  },
};
