import { ACR } from '../../../../lib/step-up/acr';
import { Check, skipped } from '../../../engine/check';
import { StepUpEndpoint, StepUpProbeContext, judgeChallenge } from '../../../step-up/probe-context';

/** An ACR the endpoint does not accept: the profile's weakest, or, when that is accepted, one outside every profile. */
export function weakerAcr(endpoint: StepUpEndpoint): string {
  return endpoint.acrValues.includes(ACR.ATTESTED) ? 'urn:attestgate:conformance:unattested' : ACR.ATTESTED;
}

export const check: Check<StepUpEndpoint, StepUpProbeContext> = {
  meta: {
    id: 'AGC-SU-003',
    cloud: 'step-up',
    title: 'A valid token with a weaker acr gets the step-up challenge',
    statement:
      "Verify that a fresh token the trusted issuer signed with an ACR value the endpoint does not list (urn:attestgate:acr:attested, or a value outside the profile when attested is listed) is answered 401 insufficient_user_authentication with the endpoint's acr_values and max_age.",
    threat: "A token issued at a lower level — attested once, but not freshly, not with a hardware key, not approved — performs the operation that demands more.",
    remediation: "Compare the token's acr with the operation's list exactly (or by the profile's rules); never accept a value because it is present.",
    severity: 'critical',
    tags: ['area:step-up', 'kind:negative', 'threat:weak-authentication', 'requires:issuer-key'],
  },
  async run(endpoint, context) {
    if (endpoint.impliedAcr) return skipped("the endpoint's issuer implies its ACR: no token of it can carry a weaker one");
    const acr = weakerAcr(endpoint);
    const answer = await context.send(endpoint, context.sign(endpoint, context.freshClaims(endpoint, { acr, amr: undefined })));
    return judgeChallenge(answer, endpoint, `a fresh token with acr "${acr}"`);
  },
};
