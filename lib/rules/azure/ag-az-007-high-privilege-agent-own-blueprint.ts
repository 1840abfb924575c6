import { agentIdModel } from '../../model/azure/agent-id';
import { agentGates } from '../../model/azure/agent-issuance-paths';
import { TerraformModel } from '../../model/terraform/configuration';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AZ-007. A blueprint obtains the first-leg token for any agent identity under it, so every
 * workload its credentials admit can act as every one of its agents: siblings share one gate. A
 * high-privilege agent has a blueprint of its own — or its siblings are judged as one gate, which
 * is what acknowledging this finding (with a reason) says.
 */
export const highPrivilegeAgentOwnBlueprint: Rule<TerraformModel> = {
  id: 'AG-AZ-007',
  cloud: 'azure',
  severity: Severity.HIGH,
  title: 'A high-privilege agent identity does not share its blueprint with other agent identities',
  rationale:
    "A blueprint can mint the first-leg token for any of its agent identities (fmi_path). Each sibling's attested workload is then a way to the high-privilege agent's tokens, and a low-privilege sibling's gate becomes the high-privilege agent's.",
  fix: 'Give the high-privilege agent a blueprint of its own (AttestedAgentIdentity creates one per agent). If the siblings are meant to be one gate, acknowledge the finding with why (every sibling attested to the same standard).',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const gate of agentGates(model, agentIdModel(model))) {
      if (gate.highPrivilege === undefined) continue;
      const address = gate.agent.resource.address;
      const head = `High-privilege agent identity ${address} (${gate.highPrivilege})`;
      if (gate.blueprintKey === undefined) {
        findings.push({ resource: address, outcome: 'unjudgeable', message: `${head}: its blueprint is known only at apply, so the agents sharing it cannot be told.`, location: 'body/agentIdentityBlueprintId' });
      } else if (gate.blueprint === undefined) {
        findings.push({ resource: address, outcome: 'unjudgeable', message: `${head}: its blueprint ${gate.blueprintKey} is not in this configuration; agent identities created elsewhere may share it.`, location: 'body/agentIdentityBlueprintId' });
      } else if (gate.siblings.length > 0) {
        findings.push({
          resource: address,
          outcome: 'violation',
          message: `${head} shares blueprint ${gate.blueprintKey} with ${gate.siblings.map((s) => s.resource.address).join(', ')}: the blueprint obtains tokens for any of them, so each sibling's workload can get this agent's tokens. Give it its own blueprint, or acknowledge that the siblings are judged as one gate.`,
          location: 'body/agentIdentityBlueprintId',
        });
      }
    }
    return findings;
  },
};
