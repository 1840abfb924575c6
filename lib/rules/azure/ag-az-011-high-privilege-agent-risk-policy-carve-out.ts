import { agentIdModel } from '../../model/azure/agent-id';
import { agentGates } from '../../model/azure/agent-issuance-paths';
import { BLOCK_CONTROL, ConditionalAccessPolicyModel, POLICY_STATE_DISABLED, conditionalAccessPolicies, riskLevelsOf } from '../../model/azure/conditional-access';
import { TerraformModel } from '../../model/terraform/configuration';
import { Value, describeValue, isSymbol, isSymbolicString } from '../../model/terraform/expressions';
import { Rule, RuleFinding, Severity } from '../rule';

const listOf = (v: Value | undefined): Value[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
/** The resource a value refers to (`${msgraph_resource.x.id}`), if it is one reference. */
const referenced = (v: Value): string | undefined => {
  if (isSymbol(v)) return v.symbolic === 'ref' ? v.address : undefined;
  if (isSymbolicString(v) && v.parts.length === 1 && isSymbol(v.parts[0]) && v.parts[0].symbolic === 'ref') return v.parts[0].address;
  return undefined;
};

/** Whether a policy blocks agents at some risk: 'yes', 'no', or 'unknown' (a patch, or values known only at apply). */
function blocksRiskyAgents(policy: ConditionalAccessPolicyModel): 'yes' | 'no' | 'unknown' {
  if (policy.state === POLICY_STATE_DISABLED) return 'no';
  const levels = riskLevelsOf(policy.agentIdRiskLevels);
  const controls = listOf(policy.builtInControls);
  const block = controls.some((c) => typeof c === 'string' && c.toLowerCase() === BLOCK_CONTROL);
  if (levels === undefined || controls.some((c) => typeof c !== 'string') || (policy.builtInControls !== undefined && !Array.isArray(policy.builtInControls))) return 'unknown';
  if (levels.length > 0 && block) return 'yes';
  // A patch writes only what it changes: the policy's risk condition and control may be elsewhere.
  return policy.patch && (levels.length === 0 || policy.builtInControls === undefined) ? 'unknown' : 'no';
}

/**
 * AG-AZ-011. Conditional Access can block an agent identity that Entra ID Protection rates risky
 * (agent risk: a leaked credential, anomalous token use) — the one response that stops a
 * compromised agent without a human. Excluding a high-privilege agent (or its blueprint's
 * principal, which excludes every agent of the blueprint) from such a policy keeps the broadest
 * authority working after it is flagged. An allow-list policy that excludes approved agents from a
 * block of all agents (no risk condition) is Microsoft's documented pattern and is not judged here.
 */
export const highPrivilegeAgentRiskPolicyCarveOut: Rule<TerraformModel> = {
  id: 'AG-AZ-011',
  cloud: 'azure',
  severity: Severity.HIGH,
  title: 'A high-privilege agent identity is not excluded from a Conditional Access policy that blocks risky agents',
  rationale:
    'A policy blocking agents at risk (agentIdRiskLevels, grant control block) is what stops a compromised agent’s tokens; a high-privilege agent or its blueprint principal in excludeAgentIdServicePrincipals keeps Contributor-like authority with whoever compromised it.',
  fix: 'Remove the agent identity (and its blueprint principal) from conditions.clientApplications.excludeAgentIdServicePrincipals of the policy; if it must be exempt for a while, acknowledge this finding with the reason and an end date.',
  evaluate(model) {
    const agentId = agentIdModel(model);
    const highAgents = new Map<string, { agent: string; why: string; via: string }>();
    for (const gate of agentGates(model, agentId)) {
      if (gate.highPrivilege === undefined) continue;
      const agent = gate.agent.resource.address;
      highAgents.set(agent, { agent, why: gate.highPrivilege, via: 'the agent identity' });
      for (const principal of agentId.principals.filter((p) => gate.blueprintKey !== undefined && agentId.keyOf(p.blueprint) === gate.blueprintKey)) {
        if (!highAgents.has(principal.resource.address)) highAgents.set(principal.resource.address, { agent, why: gate.highPrivilege, via: `its blueprint principal ${principal.resource.address}` });
      }
    }
    if (highAgents.size === 0) return [];
    const findings: RuleFinding[] = [];
    for (const policy of conditionalAccessPolicies(model)) {
      const address = policy.resource.address;
      const excluded = policy.excludeAgentIdServicePrincipals;
      if (!policy.bodyKnown || (excluded !== undefined && excluded !== null && !Array.isArray(excluded))) {
        if (policy.bodyKnown && blocksRiskyAgents(policy) === 'no') continue;
        findings.push({
          resource: address,
          outcome: 'unjudgeable',
          message: `Conditional Access policy ${address}: ${policy.bodyKnown ? `its excluded agent identities are ${describeValue(excluded)}` : 'its body is'} known only at apply, so whether it exempts a high-privilege agent identity (${[...new Set([...highAgents.values()].map((h) => h.agent))].join(', ')}) cannot be told.`,
          location: 'body/conditions/clientApplications/excludeAgentIdServicePrincipals',
        });
        continue;
      }
      const hits = listOf(excluded).flatMap((v) => {
        const target = referenced(v);
        const high = target === undefined ? undefined : highAgents.get(target);
        return high ? [high] : [];
      });
      if (hits.length === 0) continue;
      const blocks = blocksRiskyAgents(policy);
      if (blocks === 'no') continue;
      for (const hit of hits) {
        findings.push({
          resource: address,
          outcome: blocks === 'yes' ? 'violation' : 'unjudgeable',
          message:
            blocks === 'yes'
              ? `Conditional Access policy ${address} blocks agents at risk ${(riskLevelsOf(policy.agentIdRiskLevels) ?? []).join(', ')} but excludes high-privilege agent identity ${hit.agent} (${hit.why}) through ${hit.via}: flagged as compromised, it keeps its tokens.`
              : `Conditional Access policy ${address} excludes high-privilege agent identity ${hit.agent} (${hit.why}) through ${hit.via}; whether the policy blocks agents at risk is not known before apply (${policy.patch ? 'a patch of a policy made elsewhere' : 'its risk levels or controls are known only at apply'}).`,
          location: 'body/conditions/clientApplications/excludeAgentIdServicePrincipals',
        });
      }
    }
    return findings;
  },
};
