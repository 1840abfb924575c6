import { PrivilegeTier } from '../../../../lib/core/privilege-tier';
import { Check, pass, skipped } from '../../../engine/check';
import { DENIED } from '../../../azure/expected-denials';
import { AzureProbeContext, DenialBuilder, DenialProbe, ResolvedAzureGate, identityOf, plannedAzureDenial, probeAzureDenied } from '../../../azure/probe-context';
import { signedAssertion } from '../../../azure/client-assertion';

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-013',
    cloud: 'azure',
    title: "A sibling agent's attestation does not get a high-privilege agent identity's tokens",
    statement:
      "Verify that a high-privilege Entra agent identity's tokens are refused, at leg 1 or leg 2, to the attested token of a sibling agent identity of its blueprint presenting the agent's client ID as fmi_path — or that it has a blueprint of its own, or that the siblings are acknowledged as one gate.",
    threat: "A blueprint obtains the first-leg token for any of its agent identities: the workload of a low-value sibling (a reporter) names the high-privilege agent in fmi_path and gets its tokens without the agent's attestation.",
    remediation:
      'Give the high-privilege agent a blueprint of its own (AttestedAgentIdentity creates one per agent); if the siblings are meant to be one gate, name the sibling’s credential under the agent’s "//" object "attestgate:acknowledged-paths" with a reason.',
    severity: 'critical',
    tags: ['cloud:azure', 'kind:negative', 'threat:shared-blueprint', 'requires:issuer-key'],
  },
  // Entra agent identities only: a managed identity has no blueprint, no fmi_path, no leg 1.
  appliesTo: (gate) => gate.gate.agent !== undefined,
  async run(gate, context) {
    if (gate.gate.privilege !== PrivilegeTier.HIGH) return skipped(`the agent is not high privilege (${gate.gate.privilege}): siblings may share its blueprint (AG-AZ-007)`);
    return probeAzureDenied(gate, context, 'issuer-key', probesOf(gate, context));
  },
  plan: (gate, context) => (gate.gate.privilege !== PrivilegeTier.HIGH ? [] : plannedAzureDenial(gate, context, 'issuer-key', probesOf(gate, context))),
};

function probesOf(gate: ResolvedAzureGate, context: AzureProbeContext): DenialBuilder {
  const agent = gate.gate.agent!;
  return () => {
    if (agent.siblingCredentials.length === 0) {
      // The blueprint's other credentials (undeclared, shared subjects, secrets) are AGC-AZ-011's and AGC-AZ-012's.
      return pass(`no sibling agent identity's trust is on blueprint ${agent.blueprint ?? '(unknown)'}${agent.siblings.length > 0 ? ` (siblings ${agent.siblings.join(', ')} declare none of its credentials)` : ': the agent has a blueprint of its own'}`);
    }
    const probes: DenialProbe[] = [];
    for (const { address, sibling } of agent.siblingCredentials) {
      const credential = gate.credentials.find((c) => c.address === address);
      const key = credential && context.rsaKeyFor(gate, credential);
      if (!credential || !key) return skipped(`needs the issuer key of sibling ${sibling}'s credential ${address}`);
      const acknowledged = gate.gate.paths.find((p) => p.resource === address)?.acknowledged;
      probes.push({
        what: `sibling ${sibling}'s attested token (${address}, subject '${credential.subject}') with fmi_path = this agent`,
        assertion: signedAssertion(key, identityOf(credential)),
        expected: [DENIED.fmiPath, DENIED.fmiSubject],
        // The sibling's credential is the blueprint's and the fmi_path an agent of it: leg 1
        // issues; whether leg 2 refuses is what the check finds out.
        leg1Issues: true,
        ...(acknowledged ? { acknowledged } : {}),
      });
    }
    return probes;
  };
}
