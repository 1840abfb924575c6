import { Check } from '../../../engine/check';
import { DENIED, attackerKey } from '../../../azure/expected-denials';
import { AzureProbeContext, DenialBuilder, ResolvedAzureGate, identityOf, plannedAzureDenial, probeAzureDenied } from '../../../azure/probe-context';
import { signedAssertion } from '../../../azure/client-assertion';

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-010',
    cloud: 'azure',
    title: 'An ES256 token is refused: Entra accepts RSA signatures only',
    statement:
      "Verify that Entra refuses, with AADSTS5002738, an ES256 token with exactly a credential's issuer, subject and audience — signed by an EC key the issuer publishes when one is at hand (the emulator's played issuers publish one).",
    threat: "Entra's documented algorithm set is RSA only; an endpoint that accepts other algorithms widens what an attacker can try (algorithm confusion), and an issuer that signs ES256 is a gate that never works.",
    remediation: 'Sign the agent\'s tokens RS256 (SPIRE: jwt_key_type = "rsa-2048"; its default ec-p256 fails here). A FAIL means the endpoint accepted ES256.',
    severity: 'high',
    tags: ['cloud:azure', 'kind:negative', 'threat:disallowed-algorithm'],
  },
  run: (gate, context) => probeAzureDenied(gate, context, 'nothing', probesOf(gate)),
  plan: (gate, context) => plannedAzureDenial(gate, context, 'nothing', probesOf(gate)),
};

function probesOf(gate: ResolvedAzureGate): DenialBuilder {
  return ({ credential }) => {
    const published = gate.issuerKeys.get(credential.issuer)?.find((k) => k.alg === 'ES256');
    const key = published ?? attackerKey('ES256');
    return [{ what: `an ES256 token (${published ? 'a key the issuer publishes' : 'a key of our own'})`, assertion: signedAssertion(key, identityOf(credential)), expected: DENIED.algorithm }];
  };
}
