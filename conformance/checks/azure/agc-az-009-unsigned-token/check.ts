import { Check } from '../../../engine/check';
import { DENIED } from '../../../azure/expected-denials';
import { AzureProbeContext, DenialBuilder, ResolvedAzureGate, identityOf, plannedAzureDenial, probeAzureDenied } from '../../../azure/probe-context';
import { unsignedAssertion } from '../../../azure/client-assertion';

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-009',
    cloud: 'azure',
    title: 'An unsigned token (alg: none) is refused',
    statement:
      "Verify that Entra refuses an unsigned token (alg: none) with exactly a credential's issuer, subject and audience: AADSTS5002738 (an unsupported algorithm) or AADSTS50027 (an invalid JWT) — Entra documents no code for this case.",
    threat: 'Accepting alg: none means accepting anything anyone writes: the oldest JWT verification bypass.',
    remediation: 'Nothing to configure; a failure means the endpoint honours alg: none.',
    severity: 'critical',
    tags: ['cloud:azure', 'kind:negative', 'threat:alg-none'],
  },
  run: (gate, context) => probeAzureDenied(gate, context, 'nothing', probes),
  plan: (gate, context) => plannedAzureDenial(gate, context, 'nothing', probes),
};

const probes: DenialBuilder = ({ credential }) => [{ what: 'an unsigned token (alg: none)', assertion: unsignedAssertion(identityOf(credential)), expected: [DENIED.algorithm, DENIED.malformed] }];
