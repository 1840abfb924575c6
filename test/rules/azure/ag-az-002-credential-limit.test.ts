import { credentialLimit } from '../../../lib/rules/azure/ag-az-002-credential-limit';
import { azureConfiguration, credential, tfModel } from '../../fixtures/terraform';
import { agentIdConfiguration, agentIdModel } from '../../fixtures/entra-agent-id';

/** `n` credentials on the deployer identity, each depending on the one before. */
function chain(n: number): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`c${i}`, credential(`spiffe://prod.example/agent/a${i}`, i > 0 ? { depends_on: [`azurerm_federated_identity_credential.c${i - 1}`] } : {})]),
  );
}

describe('AG-AZ-002: no identity has more than 20 federated identity credentials', () => {
  test('Noncompliance 1: 21 credentials on one identity', () => {
    expect(credentialLimit.evaluate(tfModel(azureConfiguration({ credentials: chain(21) })))).toEqual([
      {
        resource: 'azurerm_user_assigned_identity.deployer',
        outcome: 'violation',
        message: 'Identity azurerm_user_assigned_identity.deployer has 21 federated identity credentials; Entra accepts at most 20.',
        location: '',
      },
    ]);
  });

  test('Noncompliance 2: count and for_each add up, also on an identity outside the configuration', () => {
    const credentials = {
      many: credential('spiffe://x/a', { count: 15, parent_id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other' }),
      more: credential('spiffe://x/b', { for_each: { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }, parent_id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other' }),
    };
    expect(credentialLimit.evaluate(tfModel(azureConfiguration({ credentials })))).toEqual([
      expect.objectContaining({ resource: 'azurerm_federated_identity_credential.many', outcome: 'violation', message: expect.stringContaining('has 21 federated identity credentials') }),
    ]);
  });

  test('Compliance: exactly 20', () => {
    expect(credentialLimit.evaluate(tfModel(azureConfiguration({ credentials: chain(20) })))).toEqual([]);
    expect(credentialLimit.evaluate(tfModel(azureConfiguration()))).toEqual([]);
  });

  test('Unjudgeable: a count known only at apply', () => {
    expect(credentialLimit.evaluate(tfModel(azureConfiguration({ credentials: { n: credential('spiffe://x/a', { count: '${var.n}' }) } })))).toEqual([
      expect.objectContaining({ outcome: 'unjudgeable', message: expect.stringContaining('azurerm_federated_identity_credential.n create is known only at apply') }),
    ]);
  });
});

describe('AG-AZ-002 on agent identity blueprints: every federated credential of the blueprint counts toward its agents’ gate', () => {
  /** A raw msgraph federated credential on the blueprint, as a user writes it by hand. */
  const graphCredential = (subject: string, extra: Record<string, unknown> = {}) => ({
    url: 'applications/${msgraph_resource.blueprint.id}/microsoft.graph.agentIdentityBlueprint/federatedIdentityCredentials',
    body: { name: subject.replace(/\W/g, '-'), issuer: 'https://oidc.prod.example', subject, audiences: ['api://AzureADTokenExchange'] },
    ...extra,
  });
  const azureadCredential = (subject: string, applicationId: string) => ({ application_id: applicationId, display_name: subject.replace(/\W/g, '-'), issuer: 'https://oidc.eu.prod.example', subject, audiences: ['api://AzureADTokenExchange'] });

  test('Noncompliance: 21 across raw msgraph (count), azuread exact and flexible credentials, naming both agents the blueprint gates and its password', () => {
    // The fixture's own credentials (one per agent: 2) + 14 msgraph (count) + 3 azuread + 2 flexible = 21.
    const configuration = agentIdConfiguration('shared-blueprint');
    configuration.resource.msgraph_resource.more = graphCredential('spiffe://prod.example/agent/extra', { count: 14 });
    configuration.resource.azuread_application_federated_identity_credential = Object.fromEntries(
      [0, 1, 2].map((i) => [`eu${i}`, azureadCredential(`spiffe://prod.example/agent/eu${i}`, '/applications/${msgraph_resource.blueprint.id}')]),
    );
    configuration.resource.azuread_application_flexible_federated_identity_credential = {
      github: { for_each: { a: 'x', b: 'y' }, application_id: '/applications/${msgraph_resource.blueprint.id}', display_name: 'gh', issuer: 'https://token.actions.githubusercontent.com', audience: 'api://AzureADTokenExchange', claims_matching_expression: "claims['sub'] eq 'repo:acme/infra:environment:${each.value}'" },
    };
    configuration.resource.azuread_application_password = { blueprint: { application_id: '${msgraph_resource.blueprint.id}', display_name: 'break-glass' } };
    const agents = Object.entries(configuration.resource.msgraph_resource)
      .filter(([, r]: [string, any]) => r.url === 'servicePrincipals/microsoft.graph.agentIdentity')
      .map(([name]) => `msgraph_resource.${name}`);
    expect(agents.length).toBeGreaterThanOrEqual(2);
    expect(credentialLimit.evaluate(agentIdModel(configuration))).toEqual([
      {
        resource: 'msgraph_resource.blueprint',
        outcome: 'violation',
        message: `Agent identity blueprint msgraph_resource.blueprint has 21 federated identity credentials (19 exact, 2 flexible), the gate of its agent identities ${agents.join(', ')}; Entra accepts at most 20 per application; that gate also has 1 password(s) or certificate(s) (AG-AZ-005).`,
        location: '',
      },
    ]);
  });

  test('Noncompliance: a blueprint outside the configuration, named by its appId in the URL and by an agent identity, counted once per form', () => {
    const blueprintAppId = '6c1f2e3d-4b5a-4978-8a6b-5c4d3e2f1a0b';
    const configuration = agentIdConfiguration('spire-blueprint');
    const { deployer } = configuration.resource.msgraph_resource;
    deployer.body.agentIdentityBlueprintId = blueprintAppId;
    delete deployer.depends_on;
    configuration.resource.msgraph_resource = {
      deployer,
      trusts: {
        for_each: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`w${i}`, `spiffe://prod.example/agent/w${i}`])),
        url: `/beta/applications(appId='${blueprintAppId}')/microsoft.graph.agentIdentityBlueprint/federatedIdentityCredentials`,
        body: { name: '${each.key}', issuer: 'https://oidc.prod.example', subject: '${each.value}', audiences: ['api://AzureADTokenExchange'] },
      },
    };
    expect(credentialLimit.evaluate(agentIdModel(configuration))).toEqual([
      expect.objectContaining({ resource: 'msgraph_resource.trusts', outcome: 'violation', message: expect.stringMatching(new RegExp(`^Agent identity blueprint ${blueprintAppId} has 21 federated identity credentials \\(21 exact, 0 flexible\\), the gate of its agent identities msgraph_resource\\.deployer;`)) }),
    ]);
  });

  test('Compliance, unusual: exactly 20 in four forms, an azuread credential naming the blueprint by plain reference counted once, secrets not counted against the 20', () => {
    const configuration = agentIdConfiguration('unusual-but-correct');
    // unusual-but-correct has 3 (msgraph by appId, azuread exact, azuread flexible): 17 more.
    configuration.resource.msgraph_resource.more = graphCredential('spiffe://prod.example/ci/more', { count: 16, url: "applications(appId='${msgraph_resource.blueprint.output.appId}')/microsoft.graph.agentIdentityBlueprint/federatedIdentityCredentials" });
    configuration.resource.azuread_application_federated_identity_credential.plain = azureadCredential('spiffe://prod.example/ci/plain', '${msgraph_resource.blueprint.id}');
    configuration.resource.msgraph_resource.blueprint.body.passwordCredentials = [{ displayName: 'a' }, { displayName: 'b' }];
    expect(credentialLimit.evaluate(agentIdModel(configuration))).toEqual([]);
    // It is exactly 20: one more is the 21st.
    configuration.resource.msgraph_resource.more.count = 17;
    expect(credentialLimit.evaluate(agentIdModel(configuration))).toEqual([expect.objectContaining({ outcome: 'violation', message: expect.stringContaining('has 21 federated identity credentials (20 exact, 1 flexible), the gate of its agent identities msgraph_resource.release;') })]);
  });

  test('Unjudgeable: a blueprint credential whose count is known only at apply, naming the agents it would gate', () => {
    const configuration = agentIdConfiguration('spire-blueprint');
    configuration.resource.msgraph_resource.more = graphCredential('spiffe://prod.example/agent/more', { count: '${var.regions}' });
    expect(credentialLimit.evaluate(agentIdModel(configuration))).toEqual([
      {
        resource: 'msgraph_resource.blueprint',
        outcome: 'unjudgeable',
        message: 'Agent identity blueprint msgraph_resource.blueprint (the gate of its agent identities msgraph_resource.deployer): how many credentials msgraph_resource.more create is known only at apply (count/for_each).',
        location: '',
      },
    ]);
  });
});
