import { highPrivilegeAgentRiskPolicyCarveOut } from '../../../lib/rules/azure/ag-az-011-high-privilege-agent-risk-policy-carve-out';
import { agentIdConfiguration, agentIdModel } from '../../fixtures/entra-agent-id';

/** The spire-blueprint configuration (a high-privilege deployer agent) with one hand-written policy. */
function withPolicy(policy: Record<string, unknown>, type = 'msgraph_resource') {
  const configuration = agentIdConfiguration('spire-blueprint');
  configuration.resource[type] = { ...(configuration.resource[type] ?? {}), risky_agents: policy };
  return agentIdModel(configuration);
}
const riskBlock = (excluded: unknown, extra: Record<string, unknown> = {}) => ({
  url: 'identity/conditionalAccess/policies',
  api_version: 'beta',
  body: {
    displayName: 'Block risky agents',
    state: 'enabled',
    conditions: {
      clientAppTypes: ['all'],
      applications: { includeApplications: ['All'] },
      clientApplications: { includeAgentIdServicePrincipals: ['All'], excludeAgentIdServicePrincipals: excluded },
      agentIdRiskLevels: 'medium,high',
      ...extra,
    },
    grantControls: { operator: 'OR', builtInControls: ['block'] },
  },
});
const evaluate = (model: ReturnType<typeof agentIdModel>) => highPrivilegeAgentRiskPolicyCarveOut.evaluate(model);

describe('AG-AZ-011: a high-privilege agent identity is not carved out of a policy that blocks risky agents', () => {
  test('Noncompliance: the agent identity excluded by reference from an enforced risk block', () => {
    expect(evaluate(withPolicy(riskBlock(['${msgraph_resource.deployer.id}'])))).toEqual([
      {
        resource: 'msgraph_resource.risky_agents',
        outcome: 'violation',
        message:
          'Conditional Access policy msgraph_resource.risky_agents blocks agents at risk medium, high but excludes high-privilege agent identity msgraph_resource.deployer (declared high in its gate manifest) through the agent identity: flagged as compromised, it keeps its tokens.',
        location: 'body/conditions/clientApplications/excludeAgentIdServicePrincipals',
      },
    ]);
  });

  test('Noncompliance: its blueprint principal excluded (every agent of the blueprint), in a report-only policy addressed by its full beta URL', () => {
    const policy = riskBlock(['${msgraph_resource.blueprint_principal.id}']);
    const model = withPolicy({ ...policy, url: 'https://graph.microsoft.com/beta/identity/conditionalAccess/policies', body: { ...policy.body, state: 'enabledForReportingButNotEnforced' } });
    expect(evaluate(model)).toEqual([expect.objectContaining({ outcome: 'violation', message: expect.stringContaining('through its blueprint principal msgraph_resource.blueprint_principal') })]);
  });

  test('Noncompliance: a patch of a tenant policy that writes the exclusion, the risk levels as a list and the block', () => {
    const model = withPolicy(
      {
        url: 'identity/conditionalAccess/policies/7e1c2d3f-0a9b-4c8d-9e7f-6a5b4c3d2e1f',
        body: { conditions: { agentIdRiskLevels: ['high'], clientApplications: { excludeAgentIdServicePrincipals: ['${msgraph_resource.deployer.id}'] } }, grantControls: { builtInControls: ['block'] } },
      },
      'msgraph_update_resource',
    );
    expect(evaluate(model)).toEqual([expect.objectContaining({ resource: 'msgraph_update_resource.risky_agents', outcome: 'violation' })]);
  });

  test('Compliance: the allow-list pattern (block all agents but approved ones, no risk condition), a disabled policy, another agent excluded, no exclusion', () => {
    const allowList = riskBlock(['${msgraph_resource.deployer.id}']);
    delete (allowList.body.conditions as Record<string, unknown>).agentIdRiskLevels;
    expect(evaluate(withPolicy(allowList))).toEqual([]);
    const disabled = riskBlock(['${msgraph_resource.deployer.id}']);
    expect(evaluate(withPolicy({ ...disabled, body: { ...disabled.body, state: 'disabled' } }))).toEqual([]);
    expect(evaluate(withPolicy(riskBlock(['3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f'])))).toEqual([]);
    expect(evaluate(withPolicy(riskBlock([])))).toEqual([]);
  });

  test('Compliance: a carve-out for an agent that is not high privilege', () => {
    const configuration = agentIdConfiguration('spire-blueprint');
    configuration.resource.msgraph_resource.deployer['//']['attestgate:gate'].identity.privilege = 'standard';
    delete configuration.resource.azurerm_role_assignment;
    configuration.resource.msgraph_resource.risky_agents = riskBlock(['${msgraph_resource.deployer.id}']);
    expect(evaluate(agentIdModel(configuration))).toEqual([]);
  });

  test('Unjudgeable: the exclusions known only at apply; a patch that excludes the agent without showing the policy’s conditions', () => {
    const configuration = agentIdConfiguration('spire-blueprint');
    configuration.variable = { excluded: { type: 'list(string)' } };
    configuration.resource.msgraph_resource.risky_agents = riskBlock('${var.excluded}');
    expect(evaluate(agentIdModel(configuration))).toEqual([expect.objectContaining({ outcome: 'unjudgeable', message: expect.stringContaining('known only at apply') })]);
    const patch = withPolicy({ url: 'identity/conditionalAccess/policies/7e1c2d3f-0a9b-4c8d-9e7f-6a5b4c3d2e1f', body: { conditions: { clientApplications: { excludeAgentIdServicePrincipals: ['${msgraph_resource.deployer.id}'] } } } }, 'msgraph_update_resource');
    expect(evaluate(patch)).toEqual([expect.objectContaining({ outcome: 'unjudgeable', message: expect.stringContaining('a patch of a policy made elsewhere') })]);
  });
});
