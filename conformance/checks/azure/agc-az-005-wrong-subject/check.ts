import { Check } from '../../../engine/check';
import { DENIED } from '../../../azure/expected-denials';
import { AzureProbeContext, DenialBuilder, DenialProbe, ResolvedAzureGate, identityOf, plannedAzureDenial, probeAzureDenied } from '../../../azure/probe-context';
import { signedAssertion } from '../../../azure/client-assertion';
import { caseOnlyChange, extendedSubject } from '../../../azure/token-mutations';

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-005',
    cloud: 'azure',
    title: 'A token whose subject differs from the credential only slightly is refused',
    statement:
      "Verify that Entra matches subjects exactly: a token signed by the issuer with the credential's subject extended by a path segment is refused with AADSTS700213, and one whose subject differs only in case with AADSTS7002138.",
    threat: "A subject matched by prefix or ignoring case lets workloads with look-alike names (spiffe://td/agent/deployer/x, a Deployer branch) obtain the agent's identity.",
    remediation: "Write each credential's subject exactly as the issuer puts it in the token; a failure means the endpoint matches subjects loosely.",
    severity: 'critical',
    tags: ['cloud:azure', 'kind:negative', 'threat:wrong-subject', 'requires:issuer-key'],
  },
  run: (gate, context) => probeAzureDenied(gate, context, 'issuer-key', probesOf(gate)),
  plan: (gate, context) => plannedAzureDenial(gate, context, 'issuer-key', probesOf(gate)),
};

function probesOf(gate: ResolvedAzureGate): DenialBuilder {
  return ({ credential, key }) => {
    const trusted = new Set(gate.credentials.filter((c) => c.issuer === credential.issuer).map((c) => c.subject));
    const probes: DenialProbe[] = [];
    const extended = extendedSubject(credential.subject);
    if (!trusted.has(extended)) probes.push({ what: `a token for subject '${extended}'`, assertion: signedAssertion(key!, identityOf(credential, { sub: extended })), expected: DENIED.subject });
    const cased = caseOnlyChange(credential.subject);
    if (cased !== undefined && !trusted.has(cased)) {
      probes.push({ what: `a token for subject '${cased}' (case only)`, assertion: signedAssertion(key!, identityOf(credential, { sub: cased })), expected: DENIED.subjectCase });
    }
    return probes;
  };
}
