import { agentRiskLevelsValue, conditionalAccessPolicies, riskLevelsOf } from '../../../lib/model/azure/conditional-access';
import { TerraformModel } from '../../../lib/model/terraform/configuration';

const modelOf = (resource: Record<string, unknown>) => TerraformModel.parse(JSON.stringify({ resource }), 'policies.tf.json');

describe('Conditional Access for agents in a Terraform configuration', () => {
  test('agent risk levels: written as Graph’s flags enum in its own order, read from that text or from a list', () => {
    expect(agentRiskLevelsValue(['high', 'low'])).toBe('low,high');
    expect(riskLevelsOf('Medium, high')).toEqual(['medium', 'high']);
    expect(riskLevelsOf(['high'])).toEqual(['high']);
    expect(riskLevelsOf(undefined)).toEqual([]);
    expect(riskLevelsOf({ symbolic: 'ref', address: 'var.levels', text: 'var.levels' } as never)).toBeUndefined();
  });

  test('created policies (any URL form) and patches of one policy are read; other Graph resources are not', () => {
    const policies = conditionalAccessPolicies(
      modelOf({
        msgraph_resource: {
          created: { url: '/beta/identity/conditionalAccess/policies', body: { state: 'enabled', conditions: { agentIdRiskLevels: 'high', clientApplications: { excludeAgentIdServicePrincipals: ['a'] } }, grantControls: { builtInControls: ['block'] } } },
          named_location: { url: 'identity/conditionalAccess/namedLocations', body: {} },
          blueprint: { url: 'applications/microsoft.graph.agentIdentityBlueprint', body: {} },
        },
        msgraph_update_resource: { patched: { url: 'identity/conditionalAccess/policies/7e1c2d3f-0a9b-4c8d-9e7f-6a5b4c3d2e1f', body: { state: 'disabled' } } },
      }),
    );
    expect(policies.map((p) => [p.resource.address, p.patch, p.state, p.agentIdRiskLevels, p.excludeAgentIdServicePrincipals, p.builtInControls])).toEqual([
      ['msgraph_resource.created', false, 'enabled', 'high', ['a'], ['block']],
      ['msgraph_update_resource.patched', true, 'disabled', undefined, undefined, undefined],
    ]);
  });
});
