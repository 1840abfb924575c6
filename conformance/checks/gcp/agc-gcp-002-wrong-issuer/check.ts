import { Check } from '../../../engine/check';
import { GcpProbeContext, MutatedToken, plannedExchangeDenial, probeExchangeDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';

/** An issuer the attacker runs: a name the provider does not trust, keys of its own. */
export const ROGUE_ISSUER = 'https://attestgate-probe.invalid/rogue-issuer';

const WHAT = 'a token from another issuer';
/** Signed by the run's key that no issuer publishes: the rogue issuer's own. */
const token: MutatedToken = (baseline) => ({ claims: { ...baseline, iss: ROGUE_ISSUER }, signer: 'unknown-key' });

export const check: Check<ResolvedGcpGate, GcpProbeContext> = {
  meta: {
    id: 'AGC-GCP-002',
    cloud: 'gcp',
    title: 'A token from another issuer is refused',
    statement: 'Verify that the STS refuses a token with the right subject and audience whose issuer is not the provider\'s issuer_uri, signed by that other issuer\'s key.',
    threat: 'Anyone can run an OIDC issuer; if the issuer is not pinned, an attacker mints the agent\'s subject for themselves.',
    remediation: 'Nothing to configure beyond issuer_uri; a failure means the endpoint does not compare iss with the provider\'s issuer.',
    severity: 'critical',
    tags: ['cloud:gcp', 'kind:negative', 'threat:wrong-issuer'],
  },
  run: (gate, context) => probeExchangeDenied(gate, context, WHAT, { status: 400, code: 'invalid_grant', message: /issuer/i }, false, token),
  plan: (gate, context) => plannedExchangeDenial(gate, context, WHAT, false, token),
};
