import { Check } from '../../../engine/check';
import { DENIED } from '../../../azure/expected-denials';
import { AzureProbeContext, DenialBuilder, ResolvedAzureGate, identityOf, plannedAzureDenial, probeAzureDenied } from '../../../azure/probe-context';
import { signedAssertion } from '../../../azure/client-assertion';

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-006',
    cloud: 'azure',
    title: 'An expired token is refused',
    statement: "Verify that Entra refuses, with AADSTS700024, a token exactly matching a credential and signed by the issuer whose expiry passed an hour ago.",
    threat: "A token leaked from logs or a crash dump stays usable forever if expiry is not enforced — the point of short-lived attestation is lost.",
    remediation: "Nothing to configure in the gate; a failure means the endpoint does not check the token's expiry.",
    severity: 'critical',
    tags: ['cloud:azure', 'kind:negative', 'threat:expired-token', 'requires:issuer-key'],
  },
  run: (gate, context) => probeAzureDenied(gate, context, 'issuer-key', probes),
  plan: (gate, context) => plannedAzureDenial(gate, context, 'issuer-key', probes),
};

const probes: DenialBuilder = ({ credential, key }) => [
  { what: 'a token that expired an hour ago', assertion: signedAssertion(key!, identityOf(credential), { iat: -7200, exp: -3600 }), expected: DENIED.validity },
];
