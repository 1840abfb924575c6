import { agentIdModel as readAgentId, agentsOfBlueprint, credentialsOfBlueprint, graphRefOf } from '../../../lib/model/azure/agent-id';
import { BLUEPRINT, agentIdConfiguration, agentIdModel } from '../../fixtures/entra-agent-id';

const read = (configuration: Parameters<typeof agentIdModel>[0]) => readAgentId(agentIdModel(configuration));
const summary = (configuration: Parameters<typeof agentIdModel>[0]) => {
  const m = read(configuration);
  return {
    blueprints: m.blueprints.map((b) => b.resource.address),
    principals: m.principals.map((p) => [p.resource.address, m.keyOf(p.blueprint)]),
    agents: m.agents.map((a) => [a.resource.address, m.keyOf(a.blueprint)]),
    credentials: m.credentials.map((c) => [c.kind, c.resource.address, m.keyOf(c.parent), c.location]),
  };
};

describe('Entra Agent ID in a Terraform configuration', () => {
  test('msgraph_resource: blueprint, its principal, its federated credential and an agent identity created from it', () => {
    expect(summary('spire-blueprint')).toEqual({
      blueprints: [BLUEPRINT],
      principals: [['msgraph_resource.blueprint_principal', BLUEPRINT]],
      agents: [['msgraph_resource.deployer', BLUEPRINT]],
      credentials: [['federated', 'msgraph_resource.spire', BLUEPRINT, 'body']],
    });
    const m = read('spire-blueprint');
    const [credential] = m.credentials;
    expect(credential.kind === 'federated' && [credential.issuer, credential.subject, credential.audiences]).toEqual(['https://oidc.prod.example', 'spiffe://prod.example/agent/deployer', ['api://AzureADTokenExchange']]);
    expect(m.sponsorsOf('msgraph_resource.deployer').map((s) => s.value)).toEqual(['https://graph.microsoft.com/v1.0/users/1f0c5e2a-7b64-4d0e-9a51-3c2d8e9f4a10']);
    expect(m.ownersOf(BLUEPRINT)).toHaveLength(1);
  });

  test('the unusual but valid ways: full URL, @odata.type on the collection, (appId=…) addressing, $ref sponsors, azuread resources on the blueprint', () => {
    expect(summary('unusual-but-correct')).toEqual({
      blueprints: [BLUEPRINT],
      principals: [],
      agents: [['msgraph_resource.release', BLUEPRINT]],
      credentials: [
        ['federated', 'msgraph_resource.spire', BLUEPRINT, 'body'],
        ['federated', 'azuread_application_federated_identity_credential.spire_eu', BLUEPRINT, ''],
        ['flexible-federated', 'azuread_application_flexible_federated_identity_credential.github_release', BLUEPRINT, 'claims_matching_expression'],
      ],
    });
    const m = read('unusual-but-correct');
    // Sponsors added afterwards through …/sponsors/$ref count as the object's.
    expect(m.sponsorsOf('msgraph_resource.release').map((s) => [s.resource, s.value])).toEqual([['msgraph_resource.release_sponsor', 'https://graph.microsoft.com/v1.0/groups/47309f33-e0ff-7be6-defe-28b504c8cd2e']]);
    expect(m.sponsorsOf(BLUEPRINT).map((s) => s.resource)).toEqual(['msgraph_resource.blueprint_sponsor']);
    // The dashboard application's secret is not a blueprint's.
    expect(m.credentials.some((c) => c.resource.address.includes('dashboard'))).toBe(false);
  });

  test('every way a blueprint gets a secret or key: azuread resources, an addPassword action, a body or a PATCH that writes them', () => {
    const configuration = agentIdConfiguration('blueprint-password');
    configuration.resource.msgraph_resource.blueprint.body.keyCredentials = [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: 'TUlJQy4uLg==' }];
    configuration.resource.msgraph_update_resource = { secrets: { url: 'applications/${msgraph_resource.blueprint.id}', body: { passwordCredentials: '${var.secrets}' } } };
    configuration.resource.azuread_application_certificate = { blueprint: { application_id: '/applications/${msgraph_resource.blueprint.id}', type: 'AsymmetricX509Cert', value: '-----BEGIN CERTIFICATE-----' } };
    configuration.variable = { secrets: { type: 'list' } };
    expect(summary(configuration).credentials.filter(([kind]) => kind !== 'federated')).toEqual([
      ['certificate', BLUEPRINT, BLUEPRINT, 'body.keyCredentials[0]'],
      ['password', 'msgraph_resource_action.blueprint_key', BLUEPRINT, 'action'],
      ['password', 'msgraph_update_resource.secrets', BLUEPRINT, 'body.passwordCredentials'],
      ['password', 'azuread_application_password.blueprint', BLUEPRINT, 'application_id'],
      ['certificate', 'azuread_application_certificate.blueprint', BLUEPRINT, 'application_id'],
    ]);
  });

  test('siblings: agent identities of one blueprint, and its credentials', () => {
    const m = read('shared-blueprint');
    expect(agentsOfBlueprint(m, BLUEPRINT).map((a) => a.resource.address)).toEqual(['msgraph_resource.deployer', 'msgraph_resource.reporter']);
    expect(credentialsOfBlueprint(m, BLUEPRINT).map((c) => c.resource.address)).toEqual(['msgraph_resource.spire', 'msgraph_resource.spire_reporter']);
  });

  test('a blueprint outside the configuration: a literal ID joins what names it the same way; the plain federatedIdentityCredentials path counts', () => {
    const configuration = agentIdConfiguration('spire-blueprint');
    delete configuration.resource.msgraph_resource.blueprint;
    delete configuration.resource.msgraph_resource.blueprint_principal;
    configuration.resource.msgraph_resource.deployer.body.agentIdentityBlueprintId = '65415BB1-9267-4313-bbf5-ae259732ee12';
    // Unsupported by Graph ("might work"), so still a way to the blueprint.
    configuration.resource.msgraph_resource.spire.url = 'applications/65415bb1-9267-4313-bbf5-ae259732ee12/federatedIdentityCredentials';
    const s = summary(configuration);
    expect(s.agents).toEqual([['msgraph_resource.deployer', '65415bb1-9267-4313-bbf5-ae259732ee12']]);
    expect(s.credentials).toEqual([['federated', 'msgraph_resource.spire', '65415bb1-9267-4313-bbf5-ae259732ee12', 'body']]);
  });

  test('a credential of an ordinary application is not a blueprint’s; a blueprint named only by a variable is not known', () => {
    const configuration = agentIdConfiguration('spire-blueprint');
    configuration.resource.msgraph_resource.spire.url = 'applications/${var.app}/federatedIdentityCredentials';
    configuration.variable = { app: { type: 'string' } };
    expect(summary(configuration).credentials).toEqual([]);
    expect(graphRefOf({ symbolic: 'variable', name: 'app' })).toEqual({ unknown: '${var.app}' });
  });

  test('a flexible credential written through Graph: claimsMatchingExpression.value', () => {
    const configuration = agentIdConfiguration('spire-blueprint');
    const body = configuration.resource.msgraph_resource.spire.body;
    delete body.subject;
    body.claimsMatchingExpression = { value: "claims['sub'] matches 'spiffe://prod.example/agent/*'", languageVersion: 1 };
    const [credential] = read(configuration).credentials;
    expect(credential.kind === 'flexible-federated' && credential.expression).toBe("claims['sub'] matches 'spiffe://prod.example/agent/*'");
  });
});
