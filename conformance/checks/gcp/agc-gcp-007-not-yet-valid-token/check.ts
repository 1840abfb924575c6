import { Check } from '../../../engine/check';
import { GcpProbeContext, MutatedToken, plannedExchangeDenial, probeExchangeDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';

const WHAT = 'a token issued in the future';
const token: MutatedToken = (baseline) => ({ claims: baseline, signer: 'issuer-key', times: 'future' });

export const check: Check<ResolvedGcpGate, GcpProbeContext> = {
  meta: {
    id: 'AGC-GCP-007',
    cloud: 'gcp',
    title: 'A token issued in the future is refused',
    statement: 'Verify that the STS refuses a correctly signed token whose iat and nbf lie ten minutes in the future (beyond the 60 s clock skew).',
    threat: 'Pre-minted tokens (from a compromised issuer or a skewed clock) extend an attacker\'s window past revocation.',
    remediation: 'Nothing to configure in the provider; a failure means the endpoint does not check iat and nbf.',
    severity: 'medium',
    tags: ['cloud:gcp', 'kind:negative', 'threat:not-yet-valid-token', 'requires:issuer-key'],
  },
  run: (gate, context) => probeExchangeDenied(gate, context, WHAT, { status: 400, code: 'invalid_grant', message: /future|not valid before/ }, true, token),
  plan: (gate, context) => plannedExchangeDenial(gate, context, WHAT, true, token),
};
