import { Check } from '../../../engine/check';
import { DENIED, attackerKey } from '../../../azure/expected-denials';
import { AzureProbeContext, DenialBuilder, ResolvedAzureGate, identityOf, plannedAzureDenial, probeAzureDenied } from '../../../azure/probe-context';
import { signedAssertion } from '../../../azure/client-assertion';

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-003',
    cloud: 'azure',
    title: "A token signed with a key the issuer does not publish is refused",
    statement:
      "Verify that Entra refuses, with AADSTS7000272, a token with exactly a credential's issuer, subject and audience, signed RS256 by a key whose key ID the issuer's JWKS does not list.",
    threat: "Without the issuer's keys checked, anyone can forge the agent's token: the claims alone are public.",
    remediation: "Nothing to configure; a failure means the endpoint does not verify tokens against the issuer's published keys.",
    severity: 'critical',
    tags: ['cloud:azure', 'kind:negative', 'threat:unknown-key'],
  },
  run: (gate, context) => probeAzureDenied(gate, context, 'nothing', probes),
  plan: (gate, context) => plannedAzureDenial(gate, context, 'nothing', probes),
};

const probes: DenialBuilder = ({ credential }) => [
  { what: 'a token signed by a key the issuer does not publish', assertion: signedAssertion(attackerKey('RS256'), identityOf(credential)), expected: DENIED.unknownKey },
];
