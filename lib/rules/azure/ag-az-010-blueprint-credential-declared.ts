import { agentIdModel } from '../../model/azure/agent-id';
import { agentGates, sameValue } from '../../model/azure/agent-issuance-paths';
import { FEDERATED_CREDENTIAL_VALUE_MAX_LENGTH } from '../../model/azure/azure-federated-identity';
import { issuerProblem } from '../../model/terraform/oidc-issuer';
import { TerraformModel } from '../../model/terraform/configuration';
import { Value, describeValue } from '../../model/terraform/expressions';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AZ-010. Each federated credential of a blueprint must trust the attestation source its agents
 * declare: the SPIRE OIDC discovery provider and the agent's SPIFFE ID, or a managed identity's
 * tenant issuer and principal ID. A credential for another issuer or subject hands every agent of
 * the blueprint to whoever that token belongs to; an issuer written differently from the token's
 * `iss` (a trailing slash, uppercase) makes the declared one fail at run time (AADSTS700211).
 * Shared subjects are AG-AZ-001's; a sibling's declared trust is AG-AZ-007's.
 */
const show = (v: Value | undefined) => (typeof v === 'string' ? v : describeValue(v));

export const blueprintCredentialDeclared: Rule<TerraformModel> = {
  id: 'AG-AZ-010',
  cloud: 'azure',
  severity: Severity.HIGH,
  title: "A blueprint's federated credentials trust only the issuer and subject its agents declare",
  rationale:
    "A federated credential nobody declared — another issuer, another subject, edited after synth — is another workload's way to every agent identity under the blueprint, without that agent's attestation.",
  fix: "Trust exactly the declared issuer and subject (AttestedAgentIdentity writes them from the AgentIdentity); remove credentials no agent of the blueprint declares.",
  evaluate(model) {
    const agentId = agentIdModel(model);
    const gates = agentGates(model, agentId);
    const findings: RuleFinding[] = [];
    for (const credential of agentId.credentials) {
      if (credential.kind !== 'federated') continue;
      const address = credential.resource.address;
      const location = credential.resource.type.startsWith('msgraph_') ? 'body' : '';
      const key = agentId.keyOf(credential.parent);
      if (key === undefined) {
        findings.push({ resource: address, outcome: 'unjudgeable', message: `Federated credential ${address} belongs to a blueprint known only at apply (${describeValue(credential.resource.attributes.url ?? credential.resource.attributes.application_id)}), so it cannot be compared with what its agents declare.`, location });
        continue;
      }
      if (typeof credential.issuer === 'string') {
        const problem = issuerProblem(credential.issuer, { maxLength: FEDERATED_CREDENTIAL_VALUE_MAX_LENGTH });
        if (problem) findings.push({ resource: address, outcome: 'violation', message: `Federated credential ${address} of blueprint ${key}: issuer ${JSON.stringify(credential.issuer)} ${problem.problem}. ${problem.fix}.`, location: location ? `${location}/issuer` : 'issuer' });
      }
      const manifests = gates.filter((g) => g.blueprintKey === key && g.declared !== undefined);
      // Without any manifest, the configuration is its own declaration (brownfield), as for managed identities.
      if (manifests.length === 0) continue;
      const declared = manifests.flatMap((g) => g.declared!);
      if (declared.some((d) => sameValue(d.issuer, credential.issuer) && sameValue(d.subject, credential.subject))) continue;
      const known = typeof credential.issuer === 'string' && typeof credential.subject === 'string';
      findings.push({
        resource: address,
        outcome: known ? 'violation' : 'unjudgeable',
        message: `Federated credential ${address} of blueprint ${key} trusts subject ${show(credential.subject)} of ${show(credential.issuer)}, which no agent identity of the blueprint declares (declared by ${manifests.map((g) => g.agent.resource.address).join(', ')}: ${declared.map((d) => `${show(d.subject)} of ${show(d.issuer)}`).join('; ')})${known ? '' : '; its values are known only at apply'}.`,
        location,
      });
    }
    return findings;
  },
};
