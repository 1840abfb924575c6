import { Check } from '../../../engine/check';
import { DENIED } from '../../../azure/expected-denials';
import { AzureProbeContext, DenialBuilder, ResolvedAzureGate, identityOf, plannedAzureDenial, probeAzureDenied } from '../../../azure/probe-context';
import { signedAssertion } from '../../../azure/client-assertion';

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-007',
    cloud: 'azure',
    title: 'A token that is not yet valid is refused',
    statement: "Verify that Entra refuses, with AADSTS700024, a token exactly matching a credential and signed by the issuer whose not-before time is an hour ahead.",
    threat: 'Tokens minted ahead of time (by a compromised issuer or with a skewed clock) would otherwise be usable before their window, extending a theft beyond the issuance window.',
    remediation: "Nothing to configure in the gate; a failure means the endpoint ignores the token's nbf claim.",
    severity: 'high',
    tags: ['cloud:azure', 'kind:negative', 'threat:not-yet-valid-token', 'requires:issuer-key'],
  },
  run: (gate, context) => probeAzureDenied(gate, context, 'issuer-key', probes),
  plan: (gate, context) => plannedAzureDenial(gate, context, 'issuer-key', probes),
};

const probes: DenialBuilder = ({ credential, key }) => [
  { what: 'a token valid from an hour ahead', assertion: signedAssertion(key!, identityOf(credential), { iat: 0, nbf: 3600, exp: 7200 }), expected: DENIED.validity },
];
