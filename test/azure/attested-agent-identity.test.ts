import { Aspects, TerraformStack, Testing } from 'cdktf';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { AgentIdAttestation, AttestedAgentIdentity, AttestedAgentIdentityProps } from '../../lib/azure/attested-agent-identity';
import { MsgraphProvider } from '../../lib/azure/msgraph-provider';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { agentGates } from '../../lib/model/azure/agent-issuance-paths';
import { TerraformModel } from '../../lib/model/terraform/configuration';
import { TerraformAttestationAspect } from '../../lib/packs/terraform-attestation-aspect';
import { AZURE_RULES } from '../../lib/rules/azure';
import { annotations, synthesized, tfStack } from '../fixtures/cdktf';
import { deployerIdentity } from '../fixtures/identities';

const SPIFFE = 'spiffe://prod.example/agent/deployer';
const SPONSOR = '1f0c5e2a-7b64-4d0e-9a51-3c2d8e9f4a10';
const base = (overrides: Partial<AttestedAgentIdentityProps> = {}): AttestedAgentIdentityProps => ({
  identity: deployerIdentity(),
  attestation: AgentIdAttestation.spire('https://oidc.prod.example'),
  sponsors: { users: [SPONSOR] },
  ...overrides,
});
const graph = (tf: ReturnType<typeof synthesized>) => tf.resource.msgraph_resource as Record<string, Record<string, any>>;
const modelOf = (tf: unknown) => TerraformModel.parse(JSON.stringify(tf), 'agents.tf.json');

describe('AttestedAgentIdentity', () => {
  test('a blueprint of its own, its principal, one exact federated credential and the agent identity, through msgraph_resource', () => {
    // GIVEN
    const { stack } = tfStack();
    new MsgraphProvider(stack, 'msgraph', { useOidc: true });
    // WHEN
    const agent = new AttestedAgentIdentity(stack, 'Deployer', base());
    // THEN
    const tf = synthesized(stack);
    const resources = graph(tf);
    const blueprint = `msgraph_resource.${agent.blueprint.friendlyUniqueId}`;
    const principal = `msgraph_resource.${agent.blueprintPrincipal.friendlyUniqueId}`;
    const { '//': _b, ...blueprintBlock } = resources[agent.blueprint.friendlyUniqueId];
    expect(blueprintBlock).toEqual({
      url: 'applications/microsoft.graph.agentIdentityBlueprint',
      api_version: 'v1.0',
      body: { displayName: 'deployer agent blueprint', 'sponsors@odata.bind': [`https://graph.microsoft.com/v1.0/users/${SPONSOR}`] },
      response_export_values: { app_id: 'appId' },
      retry: { error_message_regex: expect.arrayContaining(['(?i)does not exist']) },
    });
    expect(resources[agent.blueprintPrincipal.friendlyUniqueId].body).toEqual({ appId: `\${${blueprint}.output.app_id}` });
    const credential = resources[agent.federatedCredentials[0].friendlyUniqueId];
    expect([credential.url, credential.body, credential.depends_on]).toEqual([
      `applications/\${${blueprint}.id}/microsoft.graph.agentIdentityBlueprint/federatedIdentityCredentials`,
      { name: 'deployer-1', issuer: 'https://oidc.prod.example', subject: SPIFFE, audiences: ['api://AzureADTokenExchange'] },
      [principal],
    ]);
    const agentBlock = resources[agent.agentIdentity.friendlyUniqueId];
    expect(agentBlock.body).toEqual({ displayName: 'deployer agent', agentIdentityBlueprintId: `\${${blueprint}.output.app_id}`, 'sponsors@odata.bind': [`https://graph.microsoft.com/v1.0/users/${SPONSOR}`] });
    expect(agentBlock['//']['attestgate:gate']).toEqual({
      schema: 'attestgate/gate-manifest/v2',
      kind: 'azure-federated-identity-credential',
      identity: deployerIdentity().describe(),
      credentials: [{ issuer: 'https://oidc.prod.example', subject: SPIFFE, audience: 'api://AzureADTokenExchange' }],
    });
    // The provider: microsoft/msgraph, never the CLI's user token (403 on Agent ID writes).
    expect((tf as any).terraform.required_providers.msgraph).toEqual(expect.objectContaining({ source: 'microsoft/msgraph' }));
    expect((tf as any).provider.msgraph).toEqual([{ use_cli: false, use_oidc: true }]);
    expect(annotations(stack, 'info')).toEqual([expect.stringContaining('RSA')]);
  });

  test('the model reads the construct as it reads hand-written JSON: one attested path, high privilege, no sibling; every Azure rule is clean', () => {
    const { stack } = tfStack();
    const agent = new AttestedAgentIdentity(stack, 'Deployer', base());
    agent.addFederatedCredential(AgentIdAttestation.spire('https://oidc.eu.prod.example'));
    const model = modelOf(synthesized(stack));
    const [gate] = agentGates(model);
    expect(gate.paths.map((p) => [p.id.replace(/\.[^.]*$/, ''), p.attested])).toEqual([['federated:msgraph_resource', true], ['federated:msgraph_resource', true]]);
    expect([gate.highPrivilege, gate.siblings]).toEqual(['declared high in its gate manifest', []]);
    expect(AZURE_RULES.flatMap((r) => r.evaluate(model))).toEqual([]);
    // Written one after another.
    const [first, second] = agent.federatedCredentials;
    expect(model.dependsOn(`msgraph_resource.${second.friendlyUniqueId}`, `msgraph_resource.${first.friendlyUniqueId}`)).toBe(true);
  });

  test('a managed identity as the attestation source: its tenant issuer and principal ID, declared by reference', () => {
    const { stack } = tfStack();
    const runner = new UserAssignedIdentity(stack, 'Runner', { name: 'runner', resourceGroupName: 'agents', location: 'westeurope' });
    new AttestedAgentIdentity(stack, 'Deployer', base({ attestation: AgentIdAttestation.managedIdentity(runner.tenantId, runner.principalId) }));
    const tf = synthesized(stack);
    const credential = Object.values(graph(tf)).find((r) => String(r.url).endsWith('federatedIdentityCredentials'))!;
    expect(credential.body).toEqual(expect.objectContaining({ issuer: 'https://login.microsoftonline.com/${azurerm_user_assigned_identity.Runner.tenant_id}/v2.0', subject: '${azurerm_user_assigned_identity.Runner.principal_id}' }));
    const [gate] = agentGates(modelOf(tf));
    expect(gate.paths.map((p) => p.attested)).toEqual([true]);
  });

  test('the TerraformAttestationAspect judges it at synth: a password added to the blueprint by hand is refused', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'agents');
    const agent = new AttestedAgentIdentity(stack, 'Deployer', base());
    agent.blueprint.addOverride('body.passwordCredentials', [{ displayName: 'ci' }]);
    Aspects.of(stack).add(new TerraformAttestationAspect());
    synthesized(stack);
    expect(annotations(stack, 'error').join('\n')).toContain('AG-AZ-005');
  });

  test.each<[string, Partial<AttestedAgentIdentityProps>, string]>([
    ['no sponsor', { sponsors: {} }, 'sponsors {} is empty; Graph requires a sponsor for a blueprint and an agent identity, and deployer is high privilege'],
    ['a sponsor by name', { sponsors: { users: ['alice@example.com'] } }, 'sponsors.users "alice@example.com" is not an object ID'],
    ['six sponsor groups', { sponsors: { groups: Array.from({ length: 6 }, (_, i) => `47309f33-e0ff-7be6-defe-28b504c8cd2${i}`) } }, 'more than 5 groups'],
    ['an issuer with a trailing slash', { attestation: AgentIdAttestation.spire('https://oidc.prod.example/') }, 'attestation.issuer "https://oidc.prod.example/" ends with a slash'],
    ['an http issuer', { attestation: AgentIdAttestation.spire('http://oidc.prod.example') }, 'attestation.issuer "http://oidc.prod.example" uses http'],
    ['a managed identity by name', { attestation: AgentIdAttestation.managedIdentity('5f1b7c1e-9a4b-4c55-8a9e-2f6d3b7e4a10', 'runner') }, 'attestation.principalId "runner" is not a GUID'],
    ['no attestation source', { attestation: undefined as never }, 'attestation (unset) is not an attestation source'],
  ])('refuses %s, naming the construct, the field, the value and the fix', (_case, overrides, message) => {
    const { stack } = tfStack();
    expect(() => new AttestedAgentIdentity(stack, 'Deployer', base(overrides))).toThrow(message);
    expect(() => new AttestedAgentIdentity(stack, 'Other', base(overrides))).toThrow(/^AttestedAgentIdentity 'agents\/Other': .* Fix: /);
  });

  test('a standard-tier agent also needs a sponsor (Graph requires one), said without the high-privilege reason', () => {
    const { stack } = tfStack();
    expect(() => new AttestedAgentIdentity(stack, 'Reader', base({ identity: deployerIdentity({ privilege: PrivilegeTier.STANDARD }), sponsors: {} }))).toThrow(/requires a sponsor for a blueprint and an agent identity\. Fix/);
  });

  test('refuses a duplicate trust and an issuer differing only by a trailing slash', () => {
    const { stack } = tfStack();
    const agent = new AttestedAgentIdentity(stack, 'Deployer', base({ attestation: AgentIdAttestation.spire('https://oidc.prod.example/spire', {}) }));
    expect(() => agent.addFederatedCredential(AgentIdAttestation.spire('https://oidc.prod.example/spire'))).toThrow('is already trusted');
    expect(() => agent.addFederatedCredential(AgentIdAttestation.spire('https://oidc.prod.example/spire/', { issuerTrailingSlashReason: 'the discovery document says so' }))).toThrow('only by a trailing slash');
  });
});
