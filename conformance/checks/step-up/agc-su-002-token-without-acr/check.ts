import { Check, skipped } from '../../../engine/check';
import { StepUpEndpoint, StepUpProbeContext, judgeChallenge } from '../../../step-up/probe-context';

export const check: Check<StepUpEndpoint, StepUpProbeContext> = {
  meta: {
    id: 'AGC-SU-002',
    cloud: 'step-up',
    title: 'A valid token without acr gets the step-up challenge',
    statement:
      'Verify that a token the trusted issuer signed, fresh, but carrying no acr claim, is answered 401 with WWW-Authenticate Bearer error="insufficient_user_authentication" and exactly the endpoint\'s acr_values and max_age (RFC 9470 §3).',
    threat: 'A token that says nothing of how the workload was authenticated — a plain token the agent holds for routine calls, or one stolen from it — performs the irreversible operation.',
    remediation: 'Require an ACR value on the operation; treat a missing acr as too weak, never as any. With attestgate/step-up: give the operation acr values.',
    severity: 'critical',
    tags: ['area:step-up', 'kind:negative', 'threat:weak-authentication', 'requires:issuer-key'],
  },
  async run(endpoint, context) {
    if (endpoint.impliedAcr) return skipped("the endpoint's issuer implies its ACR: no token of it can leave acr out");
    const answer = await context.send(endpoint, context.sign(endpoint, context.freshClaims(endpoint, { acr: undefined, amr: undefined })));
    return judgeChallenge(answer, endpoint, 'a fresh token without acr');
  },
};
