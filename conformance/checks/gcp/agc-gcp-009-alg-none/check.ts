import { Check } from '../../../engine/check';
import { GcpProbeContext, MutatedToken, plannedExchangeDenial, probeExchangeDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';

const WHAT = 'an unsigned token (alg: none)';
const token: MutatedToken = (baseline) => ({ claims: baseline, signer: 'none' });

export const check: Check<ResolvedGcpGate, GcpProbeContext> = {
  meta: {
    id: 'AGC-GCP-009',
    cloud: 'gcp',
    title: 'An unsigned token (alg: none) is refused',
    statement: 'Verify that the STS refuses a token with the right issuer, subject and audience whose header says alg none and that carries no signature.',
    threat: 'The classic JWT bypass: a verifier that honours alg none accepts anything anyone writes.',
    remediation: 'Nothing to configure in the provider; a failure means the endpoint accepts unsigned tokens.',
    severity: 'critical',
    tags: ['cloud:gcp', 'kind:negative', 'threat:alg-none'],
  },
  run: (gate, context) => probeExchangeDenied(gate, context, WHAT, { status: 400, code: 'invalid_grant', message: /algorithm|signature/i }, false, token),
  plan: (gate, context) => plannedExchangeDenial(gate, context, WHAT, false, token),
};
