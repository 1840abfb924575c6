import { Check } from '../../../engine/check';
import { generateIssuerKey } from '../../../oidc/issuer-key';
import { signJwt } from '../../../oidc/jwt';
import { GcpProbeContext, probeExchangeDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';

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
  run: (gate, context) =>
    probeExchangeDenied(
      gate,
      context,
      "a token signed by a key the issuer does not publish",
      { status: 400, code: 'invalid_grant', message: /Error connecting to the given credential's issuer/ },
      false,
      (baseline) => signJwt(generateIssuerKey('RS256'), baseline),
    ),
};
