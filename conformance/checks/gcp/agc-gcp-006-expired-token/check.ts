import { Check } from '../../../engine/check';
import { GcpProbeContext, MutatedToken, plannedExchangeDenial, probeExchangeDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';

const WHAT = 'an expired token';
const token: MutatedToken = (baseline) => ({ claims: baseline, signer: 'issuer-key', times: 'expired' });

export const check: Check<ResolvedGcpGate, GcpProbeContext> = {
  meta: {
    id: 'AGC-GCP-006',
    cloud: 'gcp',
    title: 'An expired token is refused',
    statement: 'Verify that the STS refuses a correctly signed token whose exp passed ten minutes ago (beyond the 60 s clock skew).',
    threat: 'Tokens leaked from logs or caches stay usable forever if expiry is not enforced.',
    remediation: 'Nothing to configure in the provider; a failure means the endpoint does not check exp.',
    severity: 'high',
    tags: ['cloud:gcp', 'kind:negative', 'threat:expired-token', 'requires:issuer-key'],
  },
  run: (gate, context) => probeExchangeDenied(gate, context, WHAT, { status: 400, code: 'invalid_grant', message: /stale to sign-in/ }, true, token),
  plan: (gate, context) => plannedExchangeDenial(gate, context, WHAT, true, token),
};
