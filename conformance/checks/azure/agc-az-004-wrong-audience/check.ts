import { Check } from '../../../engine/check';
import { DENIED } from '../../../azure/expected-denials';
import { AzureProbeContext, DenialBuilder, ResolvedAzureGate, identityOf, plannedAzureDenial, probeAzureDenied } from '../../../azure/probe-context';
import { signedAssertion } from '../../../azure/client-assertion';

/** An audience the agent's tokens for other relying parties carry; the first the identity does not trust. */
const WRONG_AUDIENCES = ['api://AzureADMyOrg', 'https://attestgate-probe.invalid/other-relying-party'];

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-004',
    cloud: 'azure',
    title: 'A token for another audience is refused',
    statement: "Verify that Entra refuses, with AADSTS700212, a token signed by the issuer with a credential's issuer and subject but an audience no credential of the identity names.",
    threat: 'A token the agent presented to another relying party (replayed by that party or stolen from it) would otherwise be good for this identity too.',
    remediation: 'Give each federated credential the one audience the agent requests for Entra (api://AzureADTokenExchange), never a shared one.',
    severity: 'high',
    tags: ['cloud:azure', 'kind:negative', 'threat:wrong-audience', 'requires:issuer-key'],
  },
  run: (gate, context) => probeAzureDenied(gate, context, 'issuer-key', probesOf(gate)),
  plan: (gate, context) => plannedAzureDenial(gate, context, 'issuer-key', probesOf(gate)),
};

function probesOf(gate: ResolvedAzureGate): DenialBuilder {
  return ({ credential, key }) => {
    const audience = WRONG_AUDIENCES.find((a) => !gate.credentials.some((c) => c.audience === a))!;
    return [{ what: `a token for audience '${audience}'`, assertion: signedAssertion(key!, identityOf(credential, { aud: audience })), expected: DENIED.audience }];
  };
}
