import { deployTerraform } from '../../../../conformance/emulator/azure/deploy-terraform';
import { AzureWorld, EntraIdentity } from '../../../../conformance/emulator/azure/world';
import { tfSourceOf } from '../../../fixtures/azure-conformance';
import { agentIdConfiguration } from '../../../fixtures/entra-agent-id';
import { AgentIdAttestation, AttestedAgentIdentity } from '../../../../lib/azure/attested-agent-identity';
import { MsgraphProvider } from '../../../../lib/azure/msgraph-provider';
import { synthesized, tfStack } from '../../../fixtures/cdktf';
import { deployerIdentity } from '../../../fixtures/identities';

function deploy(configuration: Record<string, unknown>) {
  const world = new AzureWorld();
  const [applied] = deployTerraform(world, tfSourceOf(configuration));
  const of = (kind: EntraIdentity['kind']) => [...world.identities.values()].filter((i) => i.kind === kind);
  return { world, applied, blueprints: of('agent-blueprint'), agents: of('agent-identity') };
}

describe('deploying Entra Agent ID from Terraform JSON', () => {
  test('a blueprint with its principal and federated credential, and its agent identity bound to the blueprint’s app ID', () => {
    const { applied, blueprints, agents, world } = deploy(agentIdConfiguration('spire-blueprint'));
    expect(applied.problems).toEqual([]);
    expect(blueprints).toHaveLength(1);
    const [blueprint] = blueprints;
    expect(blueprint).toMatchObject({ hasServicePrincipal: true, name: 'deployer blueprint', origins: ['agents/msgraph_resource.blueprint'] });
    expect(blueprint.federatedCredentials).toEqual([expect.objectContaining({ issuer: 'https://oidc.prod.example', subject: 'spiffe://prod.example/agent/deployer', audiences: ['api://AzureADTokenExchange'], origin: 'agents/msgraph_resource.spire' })]);
    expect(agents).toEqual([expect.objectContaining({ name: 'deployer', blueprintClientId: blueprint.clientId, federatedCredentials: [] })]);
    // The role assignment names the agent by its object ID, which the emulator gave its principal.
    expect(world.roleAssignments.map((r) => r.principalId)).toEqual([agents[0].principalId]);
    expect(world.issuers()).toEqual(['https://oidc.prod.example']);
  });

  test('siblings of one blueprint share it; the appId export of the configuration is the client ID deployed', () => {
    const { blueprints, agents, applied } = deploy(agentIdConfiguration('shared-blueprint'));
    expect(agents.map((a) => a.blueprintClientId)).toEqual([blueprints[0].clientId, blueprints[0].clientId]);
    expect(applied.resources.get('msgraph_resource.blueprint')!.attributes.output).toEqual({ app_id: blueprints[0].clientId });
    expect(blueprints[0].federatedCredentials.map((c) => c.subject)).toEqual(['spiffe://prod.example/agent/deployer', 'spiffe://prod.example/agent/reporter']);
  });

  test('unusual but valid writing: casts in @odata.type, applications(appId=…), an azuread credential on the blueprint; no principal means none', () => {
    const { blueprints, agents, applied } = deploy(agentIdConfiguration('unusual-but-correct'));
    expect(blueprints[0].hasServicePrincipal).toBe(false);
    expect(blueprints[0].federatedCredentials.map((c) => c.origin).sort()).toEqual(['agents/azuread_application_federated_identity_credential.spire_eu', 'agents/msgraph_resource.spire']);
    expect(agents[0].blueprintClientId).toBe(blueprints[0].clientId);
    expect(applied.problems).toEqual([]);
  });

  test('a flexible credential written through Graph is not emulated: a problem of that resource, nothing stored', () => {
    const configuration = agentIdConfiguration('spire-blueprint');
    configuration.resource.msgraph_resource.spire.body = { name: 'f', issuer: 'https://oidc.prod.example', audiences: ['api://AzureADTokenExchange'], claimsMatchingExpression: { value: "claims['sub'] matches 'spiffe://prod.example/*'", languageVersion: 1 } };
    const { applied, blueprints } = deploy(configuration);
    expect(applied.problems).toEqual([{ address: 'msgraph_resource.spire', problem: expect.stringContaining('flexible') }]);
    expect(blueprints[0].federatedCredentials).toEqual([]);
  });

  test('a duplicate (issuer, subject) on a blueprint is refused as Entra refuses it', () => {
    const configuration = agentIdConfiguration('spire-blueprint');
    configuration.resource.msgraph_resource.spire_again = { ...configuration.resource.msgraph_resource.spire, body: { ...configuration.resource.msgraph_resource.spire.body, name: 'again' } };
    const { applied, blueprints } = deploy(configuration);
    expect(applied.problems).toEqual([{ address: 'msgraph_resource.spire_again', problem: expect.stringContaining('already trusts issuer') }]);
    expect(blueprints[0].federatedCredentials).toHaveLength(1);
  });

  test('what AttestedAgentIdentity synthesizes deploys as a blueprint with one exact credential and the agent under it', () => {
    const { stack } = tfStack();
    new MsgraphProvider(stack, 'msgraph', { useOidc: true });
    const agent = new AttestedAgentIdentity(stack, 'Deployer', { identity: deployerIdentity(), attestation: AgentIdAttestation.spire('https://oidc.prod.example'), sponsors: { users: ['1f0c5e2a-7b64-4d0e-9a51-3c2d8e9f4a10'] } });
    agent.addFederatedCredential(AgentIdAttestation.spire('https://oidc.eu.prod.example'));
    const { applied, blueprints, agents } = deploy(synthesized(stack) as unknown as Record<string, unknown>);
    expect(applied.problems).toEqual([]);
    expect(blueprints).toEqual([expect.objectContaining({ hasServicePrincipal: true })]);
    expect(blueprints[0].federatedCredentials.map((c) => [c.issuer, c.subject, c.audiences])).toEqual([
      ['https://oidc.prod.example', 'spiffe://prod.example/agent/deployer', ['api://AzureADTokenExchange']],
      ['https://oidc.eu.prod.example', 'spiffe://prod.example/agent/deployer', ['api://AzureADTokenExchange']],
    ]);
    expect(agents).toEqual([expect.objectContaining({ name: 'deployer agent', blueprintClientId: blueprints[0].clientId })]);
  });
});
