import { describeSeconds } from '../../spiffe/go-duration';
import { SpiffeRegistrationModel } from '../../spiffe/registration-model';
import { SPIRE_DEFAULT_JWT_SVID_TTL_SECONDS } from '../../spiffe/spire-server';
import { HIGH_PRIVILEGE_MAX_JWT_SVID_TTL_SECONDS } from '../../spiffe/svid-ttl-limits';
import { Rule, RuleFinding, Severity } from '../rule';
import { issues, issuingEntries, trustDomainOf } from './issuing';

/**
 * AG-SPIFFE-002. A JWT-SVID is a bearer token: whoever copies it from a log or a proxy can exchange
 * it at GCP's STS or Entra until it expires.
 */
export const highPrivilegeJwtSvidTtl: Rule<SpiffeRegistrationModel> = {
  id: 'AG-SPIFFE-002',
  cloud: 'spiffe',
  severity: Severity.MEDIUM,
  title: "A high-privilege identity's JWT-SVIDs live at most 5 minutes",
  rationale:
    'A JWT-SVID is a bearer token that GCP and Entra exchange for cloud credentials; anyone who copies one can use it until it expires, so a high-privilege identity keeps it as short as SPIRE’s default of 5 minutes (the agent fetches a fresh one per exchange).',
  fix: "Set the entry's JWT-SVID TTL (ClusterSPIFFEID spec.jwtTtl, ClusterStaticEntry spec.jwtSVIDTTL, jwt_svid_ttl) to 5m or less; SpiffeRegistration does so by default.",
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const issuing of issuingEntries(model, { highPrivilegeOnly: true })) {
      const { entry, intent } = issuing;
      const serverDefault = (intent.server ?? model.serverOf(trustDomainOf(issuing.spiffeId)))?.defaultJwtSvidTtlSeconds;
      const ttl = entry.jwtSvidTtlSeconds ?? serverDefault;
      const location = entry.locations.jwtSvidTtl;
      if (ttl === undefined) {
        findings.push({
          resource: entry.resource,
          outcome: 'unjudgeable',
          message: `${issues(issuing)} with no JWT-SVID TTL: it falls back to the server's default_jwt_svid_ttl (SPIRE's own default: ${describeSeconds(SPIRE_DEFAULT_JWT_SVID_TTL_SECONDS)}), which this input does not declare.`,
          location,
        });
      } else if (ttl > HIGH_PRIVILEGE_MAX_JWT_SVID_TTL_SECONDS) {
        const from = entry.jwtSvidTtlSeconds === undefined ? " (the server's default)" : '';
        findings.push({ resource: entry.resource, outcome: 'violation', message: `${issues(issuing)}, a high-privilege identity, with JWT-SVIDs that live ${describeSeconds(ttl)}${from}, more than ${describeSeconds(HIGH_PRIVILEGE_MAX_JWT_SVID_TTL_SECONDS)}.`, location });
      }
    }
    return findings;
  },
};
