import { Check } from '../../../engine/check';
import { StepUpEndpoint, StepUpProbeContext, judgeInvalidToken } from '../../../step-up/probe-context';

export const check: Check<StepUpEndpoint, StepUpProbeContext> = {
  meta: {
    id: 'AGC-SU-006',
    cloud: 'step-up',
    title: 'An expired token gets invalid_token, not a challenge',
    statement:
      'Verify that a token the trusted issuer signed with the endpoint\'s ACR but whose exp passed 10 minutes ago is answered 401 Bearer error="invalid_token", without acr_values or max_age.',
    threat: "A stolen token outlives its lifetime, or is answered with the requirements its holder should never learn.",
    remediation: 'Check exp (with a clock tolerance of seconds, not minutes) before anything else of the token.',
    severity: 'critical',
    tags: ['area:step-up', 'kind:negative', 'threat:expired-token', 'requires:issuer-key'],
  },
  async run(endpoint, context) {
    const now = context.nowSeconds;
    const claims = context.freshClaims(endpoint, { iat: now - 900, exp: now - 600, ...(endpoint.impliedAcr ? {} : { auth_time: now - 900 }) });
    const answer = await context.send(endpoint, context.sign(endpoint, claims));
    return judgeInvalidToken(answer, 'a token expired 10 minutes ago');
  },
};
