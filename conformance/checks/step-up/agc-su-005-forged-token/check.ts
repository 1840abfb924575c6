import { Check } from '../../../engine/check';
import { StepUpEndpoint, StepUpProbeContext, judgeInvalidToken } from '../../../step-up/probe-context';

export const check: Check<StepUpEndpoint, StepUpProbeContext> = {
  meta: {
    id: 'AGC-SU-005',
    cloud: 'step-up',
    title: 'A forged token gets invalid_token, not a challenge',
    statement:
      "Verify that a token with every claim of a fresh, strong one but signed by a key the issuer does not publish (under the issuer's own kid) is answered 401 Bearer error=\"invalid_token\", without acr_values or max_age.",
    threat: 'An endpoint that judges claims before the signature lets anyone in, or answers a forgery with its requirements and an invitation to step up (RFC 9470 §9).',
    remediation: "Verify the signature with the issuer's published keys before reading acr, auth_time or jti; answer any failure with invalid_token.",
    severity: 'critical',
    tags: ['area:step-up', 'kind:negative', 'threat:forged-token', 'requires:issuer-key'],
  },
  async run(endpoint, context) {
    const answer = await context.send(endpoint, context.forge(endpoint, context.freshClaims(endpoint)));
    return judgeInvalidToken(answer, 'a forged token');
  },
};
