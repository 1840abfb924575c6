import { Check } from '../../../engine/check';
import { ATTACKER_ISSUER, DENIED, attackerKey } from '../../../azure/expected-denials';
import { AzureProbeContext, DenialBuilder, DenialProbe, ResolvedAzureGate, identityOf, plannedAzureDenial, probeAzureDenied } from '../../../azure/probe-context';
import { signedAssertion } from '../../../azure/client-assertion';
import { issuerNearMisses } from '../../../azure/token-mutations';

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-002',
    cloud: 'azure',
    title: 'A token from an issuer no credential names is refused',
    statement:
      "Verify that Entra refuses, with AADSTS700211, a token whose issuer matches no federated credential of the identity exactly: a foreign issuer, and the credential's issuer with its trailing slash toggled or its host upper-cased (signed with the real issuer's key when at hand).",
    threat: 'Any OIDC issuer can mint tokens with any subject; an identity that does not pin the issuer exactly can be obtained with a token from an issuer the attacker runs.',
    remediation: 'Nothing to configure beyond the exact issuer; a failure means the endpoint matches issuers loosely.',
    severity: 'critical',
    tags: ['cloud:azure', 'kind:negative', 'threat:wrong-issuer'],
  },
  run: (gate, context) => probeAzureDenied(gate, context, 'nothing', probesOf(gate)),
  plan: (gate, context) => plannedAzureDenial(gate, context, 'nothing', probesOf(gate)),
};

function probesOf(gate: ResolvedAzureGate): DenialBuilder {
  return ({ credential, key }) => {
    const trusted = new Set(gate.credentials.map((c) => c.issuer));
    const probes: DenialProbe[] = [
      { what: `a token from ${ATTACKER_ISSUER}`, assertion: signedAssertion(attackerKey('RS256'), identityOf(credential, { iss: ATTACKER_ISSUER })), expected: DENIED.issuer },
    ];
    for (const issuer of issuerNearMisses(credential.issuer).filter((i) => !trusted.has(i))) {
      // Signed by the issuer's real key when at hand: a loose match then issues a token, and the check fails.
      probes.push({ what: `a token from issuer '${issuer}'`, assertion: signedAssertion(key ?? attackerKey('RS256'), identityOf(credential, { iss: issuer })), expected: DENIED.issuer });
    }
    return probes;
  };
}
