import { agentIdModel } from '../../model/azure/agent-id';
import { agentGates } from '../../model/azure/agent-issuance-paths';
import { TerraformModel } from '../../model/terraform/configuration';
import { describeValue, isSymbol, isSymbolicString } from '../../model/terraform/expressions';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AZ-006. Entra's agent model makes a human accountable for each agent identity: its sponsors
 * (users or groups) review its access and are asked when it misbehaves. A high-privilege agent
 * without one has nobody who answers for what it can do. Sponsors are read from the agent's own
 * `sponsors@odata.bind` and from `…/sponsors/$ref` resources that add them later.
 */
export const highPrivilegeAgentSponsored: Rule<TerraformModel> = {
  id: 'AG-AZ-006',
  cloud: 'azure',
  severity: Severity.HIGH,
  title: 'A high-privilege agent identity has a sponsor',
  rationale:
    'A sponsor is the human accountable for an agent identity: access reviews, lifecycle and incident response go to them. A high-privilege agent without a sponsor is broad authority nobody answers for.',
  fix: 'Add "sponsors@odata.bind" with at least one user or group (https://graph.microsoft.com/v1.0/users/<id>) to the agent identity; AttestedAgentIdentity requires sponsors for high-privilege identities.',
  evaluate(model) {
    const agentId = agentIdModel(model);
    const findings: RuleFinding[] = [];
    for (const gate of agentGates(model, agentId)) {
      if (gate.highPrivilege === undefined) continue;
      const address = gate.agent.resource.address;
      if (agentId.sponsorsOf(address).length > 0) continue;
      const body = gate.agent.resource.attributes.body;
      const unknown = body === undefined || isSymbol(body) || isSymbolicString(body);
      findings.push({
        resource: address,
        outcome: unknown ? 'unjudgeable' : 'violation',
        message: unknown
          ? `High-privilege agent identity ${address} (${gate.highPrivilege}): its body is ${describeValue(body)}, known only at apply, so its sponsors cannot be read.`
          : `High-privilege agent identity ${address} (${gate.highPrivilege}) has no sponsor: nobody is accountable for what it can do.`,
        location: 'body/sponsors@odata.bind',
      });
    }
    return findings;
  },
};
