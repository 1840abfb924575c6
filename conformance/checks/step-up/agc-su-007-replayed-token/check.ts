import { ACR } from '../../../../lib/step-up/acr';
import { Check, fail, inconclusive, pass, skipped } from '../../../engine/check';
import { StepUpEndpoint, StepUpProbeContext, describeAnswer } from '../../../step-up/probe-context';

export const check: Check<StepUpEndpoint, StepUpProbeContext> = {
  meta: {
    id: 'AGC-SU-007',
    cloud: 'step-up',
    title: 'An attested-fresh token is accepted once only',
    statement:
      'Verify that an endpoint requiring urn:attestgate:acr:attested-fresh refuses (401) a fresh token it accepted once when it is presented again: its jti is remembered until the token expires.',
    threat: 'A fresh token captured in transit or from the agent performs the irreversible operation again within its lifetime.',
    remediation: 'Remember each attested-fresh jti (per issuer) until the token expires, atomically across every instance of the endpoint (a shared store); refuse a jti seen before.',
    severity: 'high',
    tags: ['area:step-up', 'kind:negative', 'threat:replay', 'requires:issuer-key', 'mutating'],
  },
  async run(endpoint, context) {
    if (!endpoint.acrValues.includes(ACR.ATTESTED_FRESH)) return skipped(`the endpoint does not require ${ACR.ATTESTED_FRESH}`);
    const token = context.sign(endpoint, context.freshClaims(endpoint, endpoint.impliedAcr ? {} : { acr: ACR.ATTESTED_FRESH }));
    const first = await context.send(endpoint, token);
    if (first.kind !== 'allowed') return inconclusive(`the first presentation was not let through (${describeAnswer(first)}): the replay cannot be judged`, { first: describeAnswer(first) });
    const second = await context.send(endpoint, token);
    const evidence = { first: describeAnswer(first), second: describeAnswer(second) };
    if (second.kind === 'allowed') return fail(`the endpoint let the same attested-fresh token through twice (${describeAnswer(second)})`, evidence);
    if (second.kind === 'transient') return inconclusive(`the second presentation got no verdict after retries (${second.described})`, evidence);
    if (second.kind === 'challenge' && second.status === 401) return pass(`the second presentation was refused (${describeAnswer(second)})`, evidence);
    return inconclusive(`the second presentation got an answer that is not an OAuth refusal (${describeAnswer(second)})`, evidence);
  },
};
