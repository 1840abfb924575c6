import { Check } from '../../../engine/check';
import { tamperedJwt } from '../../../oidc/jwt';
import { DENIED } from '../../../azure/expected-denials';
import { AzureProbeContext, ResolvedAzureGate, probeAzureDenied } from '../../../azure/probe-context';

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
  run: (gate, context) =>
    probeAzureDenied(gate, context, 'valid-token', ({ validToken }) => [
      { what: "the control's token with a flipped signature bit", assertion: tamperedJwt(validToken!), expected: DENIED.signature },
    ]),
};
