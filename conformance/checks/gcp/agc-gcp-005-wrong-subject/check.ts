import { Check } from '../../../engine/check';
import { GcpProbeContext, MutatedToken, plannedExchangeDenial, probeExchangeDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';
import { siblingSubject } from '../../../gcp/token-plan';

const WHAT = 'a token of another subject of the same issuer';
/** The same token AGC-GCP-011 sends: one exchange answers both. */
const token: MutatedToken = (baseline) => ({ claims: { ...baseline, sub: siblingSubject(baseline.sub) }, signer: 'issuer-key' });

export const check: Check<ResolvedGcpGate, GcpProbeContext> = {
  meta: {
    id: 'AGC-GCP-005',
    cloud: 'gcp',
    title: 'A token of another subject of the same issuer is refused by the attribute condition',
    statement: 'Verify that the attribute condition rejects a validly signed token of the right issuer and audience whose subject is another workload of the same issuer.',
    threat: 'Every workload the issuer vouches for — every SPIFFE ID of the trust domain — could otherwise enter the pool as itself.',
    remediation: "Pin the subject in attribute_condition (assertion.sub == '<SPIFFE ID>'), not only the trust domain or a prefix.",
    severity: 'critical',
    tags: ['cloud:gcp', 'kind:negative', 'threat:wrong-subject', 'requires:issuer-key'],
  },
  run: (gate, context) => probeExchangeDenied(gate, context, WHAT, { status: 400, code: 'unauthorized_client', message: /rejected by the attribute condition/ }, true, token),
  plan: (gate, context) => plannedExchangeDenial(gate, context, WHAT, true, token),
};
