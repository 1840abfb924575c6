import { Check } from '../../../engine/check';
import { unsignedJwt } from '../../../oidc/jwt';
import { GcpProbeContext, probeExchangeDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';

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
  run: (gate, context) =>
    probeExchangeDenied(gate, context, 'an unsigned token (alg: none)', { status: 400, code: 'invalid_grant', message: /algorithm|signature/i }, false, (baseline) => unsignedJwt(baseline)),
};
