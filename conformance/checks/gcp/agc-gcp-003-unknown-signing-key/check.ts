import { Check } from '../../../engine/check';
import { GcpProbeContext, MutatedToken, plannedExchangeDenial, probeExchangeDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';

const WHAT = 'a token signed by a key the issuer does not publish';
const token: MutatedToken = (baseline) => ({ claims: baseline, signer: 'unknown-key' });

export const check: Check<ResolvedGcpGate, GcpProbeContext> = {
  meta: {
    id: 'AGC-GCP-003',
    cloud: 'gcp',
    title: 'A token of the right issuer signed by an unknown key is refused',
    statement: 'Verify that the STS refuses a token with the right issuer, subject and audience signed by a key the issuer does not publish.',
    threat: 'Claims are only as good as the signature: accepting any key lets anyone claim to be the issuer.',
    remediation: 'Check that jwks_json (or the issuer\'s published JWKS) holds only the issuer\'s current keys.',
    severity: 'critical',
    tags: ['cloud:gcp', 'kind:negative', 'threat:unknown-key'],
  },
  run: (gate, context) => probeExchangeDenied(gate, context, WHAT, { status: 400, code: 'invalid_grant', message: /Error connecting to the given credential's issuer/ }, false, token),
  plan: (gate, context) => plannedExchangeDenial(gate, context, WHAT, false, token),
};
