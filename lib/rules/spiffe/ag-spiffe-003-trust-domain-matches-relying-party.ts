import { SpiffeRegistrationModel } from '../../spiffe/registration-model';
import { trustDomainMismatches } from '../../spiffe/trust-domain-match';
import { Rule, RuleFinding, Severity } from '../rule';
import { issues, issuingEntries, trustDomainOf } from './issuing';

/**
 * AG-SPIFFE-003. The cloud trusts a CA or an issuer, not a trust domain: an anchor or issuer of
 * another trust domain lets that domain's SPIRE server mint the identity.
 */
export const trustDomainMatchesRelyingParty: Rule<SpiffeRegistrationModel> = {
  id: 'AG-SPIFFE-003',
  cloud: 'spiffe',
  severity: Severity.HIGH,
  title: "The SPIFFE ID's trust domain is the one of the server that issues it and of the trust anchor or OIDC issuer it is presented to",
  rationale:
    "IAM Roles Anywhere trusts a CA bundle and GCP/Azure trust an OIDC issuer, not a trust domain: if the anchor is (or includes) another SPIRE server's CA, or the issuer is another server's jwt_issuer, whoever runs that server — a staging one, say — mints the identity; and an entry on a server of another trust domain is never issued at all.",
  fix: "Register the identity on the SPIRE server of its own trust domain, anchor Roles Anywhere to that server's CA bundle (`spire-server bundle show`), and trust that server's jwt_issuer in GCP and Azure; declare the server (SpireServer) so the issuer can be matched.",
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const issuing of issuingEntries(model, { literalOnly: true })) {
      // The server the declaration names is the one it is registered on; the input's other servers tell whose issuer is whose.
      for (const mismatch of trustDomainMismatches(trustDomainOf(issuing.spiffeId), issuing.intent.server, issuing.intent.presentedTo, model.servers)) {
        findings.push({ resource: issuing.entry.resource, outcome: mismatch.outcome, message: `${issues(issuing)}, which ${mismatch.problem}.`, location: issuing.entry.locations.spiffeId });
      }
    }
    return findings;
  },
};
