import { Check } from '../../../engine/check';
import { generateIssuerKey } from '../../../oidc/issuer-key';
import { signJwt } from '../../../oidc/jwt';
import { GcpProbeContext, probeExchangeDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';

/** An issuer the attacker runs: a name the provider does not trust, keys of its own. */
export const ROGUE_ISSUER = 'https://attestgate-probe.invalid/rogue-issuer';

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
  run: (gate, context) =>
    probeExchangeDenied(gate, context, 'a token from another issuer', { status: 400, code: 'invalid_grant', message: /issuer/i }, false, (baseline) =>
      signJwt(generateIssuerKey('RS256'), { ...baseline, iss: ROGUE_ISSUER }),
    ),
};
