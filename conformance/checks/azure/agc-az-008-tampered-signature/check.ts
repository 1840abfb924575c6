import { Check } from '../../../engine/check';
import { DENIED } from '../../../azure/expected-denials';
import { AzureProbeContext, DenialBuilder, ResolvedAzureGate, plannedAzureDenial, probeAzureDenied } from '../../../azure/probe-context';
import { signatureFlipped } from '../../../azure/client-assertion';

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-008',
    cloud: 'azure',
    title: 'A token with a tampered signature is refused',
    statement: "Verify that Entra refuses, with AADSTS700027, the positive control's own token with one bit of its signature flipped.",
    threat: "A key ID that matches a published key is not a signature: an endpoint that finds the key but does not verify with it accepts forged claims.",
    remediation: 'Nothing to configure; a failure means the endpoint does not verify signatures.',
    severity: 'critical',
    tags: ['cloud:azure', 'kind:negative', 'threat:tampered-signature', 'requires:valid-token'],
  },
  run: (gate, context) => probeAzureDenied(gate, context, 'valid-token', probes),
  plan: (gate, context) => plannedAzureDenial(gate, context, 'valid-token', probes),
};

const probes: DenialBuilder = ({ validToken }) => [{ what: "the control's token with a flipped signature bit", assertion: signatureFlipped(validToken!), expected: DENIED.signature }];
