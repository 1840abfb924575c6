import { AgentIdAttestation, AttestedAgentIdentity, AttestedAgentIdentityProps } from '../../lib/azure/attested-agent-identity';
import { WELL_KNOWN_RESOURCES } from '../../lib/azure/agent-conditional-access';
import { MsgraphProvider } from '../../lib/azure/msgraph-provider';
import { TerraformModel } from '../../lib/model/terraform/configuration';
import { AZURE_RULES } from '../../lib/rules/azure';
import { annotations, synthesized, tfStack } from '../fixtures/cdktf';
import { deployerIdentity } from '../fixtures/identities';

const SPONSOR = '1f0c5e2a-7b64-4d0e-9a51-3c2d8e9f4a10';
const MCP_SERVER = '5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d';
const props = (conditionalAccess: AttestedAgentIdentityProps['conditionalAccess']): AttestedAgentIdentityProps => ({
  identity: deployerIdentity(),
  attestation: AgentIdAttestation.spire('https://oidc.prod.example'),
  sponsors: { users: [SPONSOR] },
  conditionalAccess,
});
const graph = (tf: ReturnType<typeof synthesized>) => tf.resource.msgraph_resource as Record<string, Record<string, any>>;

describe('AttestedAgentIdentity conditionalAccess (beta)', () => {
  test('one enforced beta policy per condition, each blocking the agent identity by its object ID: outside the allowed resources, and at the declared risk', () => {
    // GIVEN
    const { stack } = tfStack();
    new MsgraphProvider(stack, 'msgraph', { useOidc: true });
    // WHEN
    const agent = new AttestedAgentIdentity(stack, 'Deployer', props({ allowedResources: [WELL_KNOWN_RESOURCES.azureResourceManager, MCP_SERVER], blockAtRisk: ['high', 'medium'] }));
    // THEN
    const resources = graph(synthesized(stack));
    const agentId = `\${msgraph_resource.${agent.agentIdentity.friendlyUniqueId}.id}`;
    const [outside, atRisk] = agent.conditionalAccess!.policies.map((p) => {
      const { '//': _metadata, ...block } = resources[p.friendlyUniqueId];
      return block;
    });
    const common = { clientAppTypes: ['all'], users: { includeUsers: ['None'] }, clientApplications: { includeAgentIdServicePrincipals: [agentId] } };
    expect(outside).toEqual({
      url: 'identity/conditionalAccess/policies',
      api_version: 'beta',
      body: {
        displayName: 'deployer agent: block outside allowed resources',
        state: 'enabled',
        conditions: { ...common, applications: { includeApplications: ['All'], excludeApplications: ['797f4846-ba00-4fd7-ba43-dac1f8f63013', MCP_SERVER] } },
        grantControls: { operator: 'OR', builtInControls: ['block'] },
      },
    });
    expect(atRisk).toEqual({
      url: 'identity/conditionalAccess/policies',
      api_version: 'beta',
      body: {
        displayName: 'deployer agent: block at medium/high agent risk',
        state: 'enabled',
        // A flags enum: the levels in Graph's order, comma-separated.
        conditions: { ...common, applications: { includeApplications: ['All'] }, agentIdRiskLevels: 'medium,high' },
        grantControls: { operator: 'OR', builtInControls: ['block'] },
      },
    });
    expect(annotations(stack, 'info')).toContainEqual(expect.stringContaining('Microsoft Graph beta'));
    expect(annotations(stack, 'warn')).toEqual([]);
  });

  test('report-only only with a reason, which the synth warning repeats; the rules stay clean on the construct', () => {
    const { stack } = tfStack();
    new MsgraphProvider(stack, 'msgraph', { useOidc: true });
    const agent = new AttestedAgentIdentity(stack, 'Deployer', props({ blockAtRisk: ['high'], reportOnlyReason: 'first week in production, see CHG-1234' }));
    const tf = synthesized(stack);
    expect(agent.conditionalAccess!.policies).toHaveLength(1);
    expect(graph(tf)[agent.conditionalAccess!.policies[0].friendlyUniqueId].body.state).toBe('enabledForReportingButNotEnforced');
    expect(annotations(stack, 'warn')).toEqual([expect.stringContaining('report-only (first week in production, see CHG-1234): they block nothing')]);
    const model = TerraformModel.parse(JSON.stringify(tf), 'agents.tf.json');
    expect(AZURE_RULES.flatMap((r) => r.evaluate(model))).toEqual([]);
  });

  test.each<[string, AttestedAgentIdentityProps['conditionalAccess'], RegExp]>([
    ['no condition', {}, /conditionalAccess.*declares no condition/],
    ['an empty allow-list', { allowedResources: [] }, /conditionalAccess\.allowedResources.*is empty: the agent would be blocked from every resource/],
    ['All as an allowed resource', { allowedResources: ['All'] }, /allows every resource: the policy would block nothing/],
    ['a resource by name', { allowedResources: ['Microsoft Graph'] }, /"Microsoft Graph".*is not an app ID/],
    ['a duplicate resource', { allowedResources: [MCP_SERVER, MCP_SERVER.toUpperCase()] }, /is named twice/],
    ['no risk level', { blockAtRisk: [] }, /conditionalAccess\.blockAtRisk.*is empty/],
    ['a user risk level agents do not have', { blockAtRisk: ['hidden' as never] }, /"hidden".*is not an agent risk level \(Graph takes low, medium, high for agents\)/],
    ['a short report-only reason', { blockAtRisk: ['high'], reportOnlyReason: 'testing' }, /reportOnlyReason.*shorter than 10 characters/],
  ])('refuses %s, naming the construct, field, value and fix', (_case, conditionalAccess, message) => {
    const { stack } = tfStack();
    expect(() => new AttestedAgentIdentity(stack, 'Deployer', props(conditionalAccess))).toThrow(message);
    expect(() => new AttestedAgentIdentity(tfStack().stack, 'Deployer', props(conditionalAccess))).toThrow(/AttestedAgentIdentity 'agents\/Deployer'/);
  });
});
