import { ACKNOWLEDGED_PATHS_KEY } from '../../../lib/model/azure/issuance-paths';
import { agentGates, sameValue } from '../../../lib/model/azure/agent-issuance-paths';
import { DEPLOYER_AGENT, agentIdConfiguration, agentIdModel } from '../../fixtures/entra-agent-id';

const gateOf = (configuration: Parameters<typeof agentIdModel>[0], agent = DEPLOYER_AGENT) => agentGates(agentIdModel(configuration)).find((g) => g.agent.resource.address === agent)!;
const paths = (configuration: Parameters<typeof agentIdModel>[0], agent?: string) => gateOf(configuration, agent).paths.map((p) => [p.id, p.attested]);

describe('every way to an agent identity’s tokens: its blueprint’s credentials', () => {
  test('the declared SPIRE credential is the only path, attested; the agent is high privilege, alone on its blueprint', () => {
    const gate = gateOf('spire-blueprint');
    expect(paths('spire-blueprint')).toEqual([['federated:msgraph_resource.spire', true]]);
    expect(gate.siblings).toEqual([]);
    expect(gate.highPrivilege).toBe('declared high in its gate manifest');
    expect(gate.manifest?.identity.spiffeId).toBe('spiffe://prod.example/agent/deployer');
  });

  test('the Contributor role makes a brownfield agent high privilege; its configuration is its declaration', () => {
    const gate = gateOf('unusual-but-correct', 'msgraph_resource.release');
    expect(gate.manifest).toBeUndefined();
    expect(gate.highPrivilege).toBe('Contributor on /subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/release');
    expect(gate.paths.map((p) => [p.id, p.attested])).toEqual([
      ['federated:msgraph_resource.spire', true],
      ['federated:azuread_application_federated_identity_credential.spire_eu', true],
      ['flexible:azuread_application_flexible_federated_identity_credential.github_release', true],
    ]);
  });

  test('a blueprint password and an addPassword action are unattested paths to the agent', () => {
    expect(paths('blueprint-password')).toEqual([
      ['federated:msgraph_resource.spire', true],
      ['secret:msgraph_resource_action.blueprint_key', false],
      ['secret:azuread_application_password.blueprint', false],
    ]);
    expect(gateOf('blueprint-password').paths[2].why).toContain('any of its agent identities');
  });

  test('a sibling’s declared credential is another workload’s way to this agent, and says whose', () => {
    const gate = gateOf('shared-blueprint');
    expect(gate.siblings.map((s) => s.resource.address)).toEqual(['msgraph_resource.reporter']);
    expect(gate.paths.map((p) => [p.id, p.attested])).toEqual([
      ['federated:msgraph_resource.spire', true],
      ['federated:msgraph_resource.spire_reporter', false],
    ]);
    expect(gate.paths[1].why).toContain('sibling agent identity msgraph_resource.reporter');
    // And the reporter's gate holds the deployer's credential the same way.
    expect(paths('shared-blueprint', 'msgraph_resource.reporter')).toEqual([
      ['federated:msgraph_resource.spire', false],
      ['federated:msgraph_resource.spire_reporter', true],
    ]);
  });

  test('a wildcard flexible credential admits other agents: unattested, naming what it admits', () => {
    const gate = gateOf('wildcard-flexible');
    const flexible = gate.paths.find((p) => p.id.startsWith('flexible:'))!;
    expect(flexible.attested).toBe(false);
    expect(flexible.why).toContain('spiffe://prod.example/agent/attestgate-probe');
  });

  test('a flexible credential pinning the declared subject exactly is attested; one the manifest does not declare is not', () => {
    const configuration = agentIdConfiguration('wildcard-flexible');
    const flexible = configuration.resource.azuread_application_flexible_federated_identity_credential.agents;
    flexible.claims_matching_expression = "claims['sub'] eq 'spiffe://prod.example/agent/deployer'";
    expect(paths(configuration)).toEqual([['federated:msgraph_resource.spire', true], ['flexible:azuread_application_flexible_federated_identity_credential.agents', true]]);
    flexible.claims_matching_expression = "claims['sub'] eq 'spiffe://prod.example/agent/other'";
    expect(paths(configuration)[1]).toEqual(['flexible:azuread_application_flexible_federated_identity_credential.agents', false]);
    flexible.claims_matching_expression = "claims['sub'] eq 'x' or claims['sub'] eq 'y'";
    expect(paths(configuration)[1]).toEqual(['flexible:azuread_application_flexible_federated_identity_credential.agents', undefined]);
  });

  test('undeclared issuer, subject or audience; a shared subject; values known only at apply', () => {
    const configuration = agentIdConfiguration('spire-blueprint');
    const body = configuration.resource.msgraph_resource.spire.body;
    for (const [field, value] of [['issuer', 'https://oidc.other.example'], ['subject', 'spiffe://prod.example/agent/other'], ['audiences', ['api://other']]] as const) {
      const changed = agentIdConfiguration('spire-blueprint');
      changed.resource.msgraph_resource.spire.body[field] = value;
      expect([field, paths(changed)]).toEqual([field, [['federated:msgraph_resource.spire', false]]]);
    }
    body.subject = 'spiffe://prod.example/ns/agents/sa/default';
    expect(gateOf(configuration).paths[0].why).toContain('default service account');
    body.subject = '${var.subject}';
    configuration.variable = { subject: { type: 'string' } };
    expect(paths(configuration)).toEqual([['federated:msgraph_resource.spire', undefined]]);
  });

  test('a managed identity as the attestation source: its principal ID declared by reference matches the credential that refers to it', () => {
    const configuration = agentIdConfiguration('spire-blueprint');
    const issuer = 'https://login.microsoftonline.com/${data.azurerm_client_config.current.tenant_id}/v2.0';
    configuration.data = { azurerm_client_config: { current: {} } };
    configuration.resource.azurerm_user_assigned_identity = { runner: { name: 'runner', resource_group_name: 'agents', location: 'westeurope' } };
    Object.assign(configuration.resource.msgraph_resource.spire.body, { issuer, subject: '${azurerm_user_assigned_identity.runner.principal_id}' });
    const manifest = configuration.resource.msgraph_resource.deployer['//']['attestgate:gate'];
    manifest.credentials = [{ issuer, subject: '${azurerm_user_assigned_identity.runner.principal_id}', audience: 'api://AzureADTokenExchange' }];
    expect(paths(configuration)).toEqual([['federated:msgraph_resource.spire', true]]);
    manifest.credentials[0].subject = '${azurerm_user_assigned_identity.other.principal_id}';
    expect(paths(configuration)).toEqual([['federated:msgraph_resource.spire', undefined]]);
  });

  test('acknowledged paths: on the blueprint for all its agents, on the agent for itself; never an attested one', () => {
    const configuration = agentIdConfiguration('blueprint-password');
    configuration.resource.msgraph_resource.blueprint['//'] = { [ACKNOWLEDGED_PATHS_KEY]: { 'secret:azuread_application_password.blueprint': 'break-glass, reviewed in SEC-123' } };
    configuration.resource.msgraph_resource.deployer['//'][ACKNOWLEDGED_PATHS_KEY] = { 'federated:msgraph_resource.spire': 'nothing to acknowledge here' };
    const gate = gateOf(configuration);
    expect(gate.paths.map((p) => [p.id, p.acknowledged])).toEqual([
      ['federated:msgraph_resource.spire', undefined],
      ['secret:msgraph_resource_action.blueprint_key', undefined],
      ['secret:azuread_application_password.blueprint', 'break-glass, reviewed in SEC-123'],
    ]);
    expect(gate.ignoredAcknowledgements).toEqual(['federated:msgraph_resource.spire: the path is attested; there is nothing to acknowledge']);
  });

  test('an unreadable gate manifest declares nothing and says why', () => {
    const configuration = agentIdConfiguration('spire-blueprint');
    configuration.resource.msgraph_resource.deployer['//']['attestgate:gate'].kind = 'azure-something';
    const gate = gateOf(configuration);
    expect(gate.manifest).toBeUndefined();
    expect(gate.manifestProblem).toContain('kind');
  });

  test('values compare as text, or as the same reference', () => {
    expect(sameValue('a', 'a')).toBe(true);
    expect(sameValue('a', { symbolic: 'ref', address: 'a' })).toBe(false);
    expect(sameValue({ symbolic: 'ref', address: 'x.y', attribute: 'id' }, { symbolic: 'ref', address: 'x.y', attribute: 'id' })).toBe(true);
    expect(sameValue({ symbolic: 'ref', address: 'x.y', attribute: 'id' }, { symbolic: 'ref', address: 'x.y', attribute: 'name' })).toBe(false);
  });
});
