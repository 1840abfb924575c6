import { DEFAULT_PROBE_SCOPE } from '../../../conformance/azure/probe-context';
import { resolveLiveAzureGates, resolveLocalAzureGates } from '../../../conformance/azure/resolve-gates';
import { discoverAzureGates } from '../../../conformance/azure/discover-gates';
import { startAzureEmulator } from '../../../conformance/emulator/azure-emulator';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { azureExampleConfiguration, resourceOf, tfSourceOf } from '../../fixtures/azure-conformance';
import { BLUEPRINT, DEPLOYER_AGENT, agentIdConfiguration } from '../../fixtures/entra-agent-id';
import { azureConfiguration, credential } from '../../fixtures/terraform';

describe('resolving Azure gates', () => {
  test('locally: client ID and credentials as deployed, manifest-declared credentials marked, keys of the played issuers', async () => {
    const configuration = azureExampleConfiguration();
    const [identityName] = resourceOf(configuration, 'azurerm_user_assigned_identity');
    configuration.resource.azurerm_federated_identity_credential.extra = {
      name: 'extra',
      resource_group_name: 'attestgate-agents',
      parent_id: `\${azurerm_user_assigned_identity.${identityName}.id}`,
      issuer: 'https://oidc.prod.example',
      subject: 'spiffe://prod.example/agent/other',
      audience: ['api://AzureADTokenExchange'],
    };
    const sources = tfSourceOf(configuration, 'cdk.tf.json');
    const emulator = await startAzureEmulator({ sources });
    try {
      const [gate] = resolveLocalAzureGates(discoverAzureGates(sources), emulator, DEFAULT_PROBE_SCOPE);
      const [identity] = emulator.world.identities.values();
      expect(gate).toMatchObject({ tenantId: emulator.tenantId, clientId: identity.clientId, problems: [], agentSubject: 'spiffe://prod.example/agent/deployer', scope: DEFAULT_PROBE_SCOPE });
      expect(gate.credentials.map((c) => [c.address.split('.')[1].slice(0, 28), c.subject, c.declared])).toEqual([
        ['Deployer_FederatedCredential', 'spiffe://prod.example/agent/deployer', true],
        ['Deployer_FederatedCredential', 'spiffe://prod.example/agent/deployer', true],
        ['extra', 'spiffe://prod.example/agent/other', false],
      ]);
      expect(gate.issuerKeys.get('https://oidc.prod.example')).toBe(emulator.playedIssuers.get('https://oidc.prod.example')!.signingKeys);
    } finally {
      await emulator.close();
    }
  });

  test('locally: subjects of the other identities are foreign subjects; a problem of the gate’s own resources is reported', async () => {
    const sources = tfSourceOf(
      azureConfiguration({
        credentials: { spire: credential('spiffe://a/deployer'), broken: credential('spiffe://a/x', { count: 2 }) },
        extra: {
          azurerm_user_assigned_identity: { deployer: { name: 'deployer', resource_group_name: 'agents' }, reader: { name: 'reader', resource_group_name: 'agents' } },
          azurerm_federated_identity_credential: {
            spire: credential('spiffe://a/deployer'),
            broken: credential('spiffe://a/x', { count: 2 }),
            reader: credential('spiffe://a/reader', { parent_id: '${azurerm_user_assigned_identity.reader.id}' }),
          },
        },
      }),
    );
    const emulator = await startAzureEmulator({ sources });
    try {
      const gates = resolveLocalAzureGates(discoverAzureGates(sources), emulator, DEFAULT_PROBE_SCOPE);
      const deployer = gates.find((g) => g.gate.id.endsWith('.deployer'))!;
      expect(deployer.foreignSubjects).toEqual([{ subject: 'spiffe://a/reader', identity: 'agents/azurerm_user_assigned_identity.reader', issuer: 'https://oidc.prod.example' }]);
      expect(deployer.problems).toEqual(['azurerm_federated_identity_credential.broken: count and for_each are not expanded']);
      expect(gates.find((g) => g.gate.id.endsWith('.reader'))!.problems).toEqual([]);
    } finally {
      await emulator.close();
    }
  });

  test('live: credentials read with variables applied; values unknown before apply are problems; no key means a reason', async () => {
    const configuration = { ...azureConfiguration({ credentials: { v: credential('spiffe://a/deployer', { issuer: '${var.issuer}' }) } }), variable: { issuer: { type: 'string' } } };
    const sources = tfSourceOf(configuration);
    const gates = discoverAzureGates(sources);
    const options = { sources, tenantId: 't', clientIds: { deployer: 'c' }, candidateKeys: [], scope: DEFAULT_PROBE_SCOPE };
    const [unknown] = await resolveLiveAzureGates(gates, options);
    expect(unknown.credentials).toEqual([]);
    expect(unknown.problems[0]).toContain('not known before apply');
    const [known] = await resolveLiveAzureGates(gates, { ...options, variables: { issuer: 'https://i.example' } });
    expect(known).toMatchObject({ tenantId: 't', clientId: 'c', problems: [], credentials: [{ issuer: 'https://i.example', subject: 'spiffe://a/deployer', audience: 'api://AzureADTokenExchange', declared: false }] });
    expect(known.noKeyReason).toContain('put the issuer\'s private key in --pki');
  });

  test('live: an agent identity takes both client IDs (its own for leg 2, its blueprint’s for leg 1); its credentials are read from the Graph request body', async () => {
    const sources = tfSourceOf(agentIdConfiguration('spire-blueprint'), 'agents.tf.json');
    const gates = discoverAzureGates(sources);
    const options = { sources, tenantId: 't', candidateKeys: [], scope: DEFAULT_PROBE_SCOPE };
    const [gate] = await resolveLiveAzureGates(gates, { ...options, clientIds: { [`agents/${DEPLOYER_AGENT}`]: 'agent-app', [`agents/${BLUEPRINT}`]: 'blueprint-app' } });
    expect(gate).toMatchObject({ clientId: 'agent-app', blueprintClientId: 'blueprint-app', problems: [], agentSubject: 'spiffe://prod.example/agent/deployer' });
    expect(gate.unresolved).toBeUndefined();
    expect(gate.credentials).toEqual([expect.objectContaining({ issuer: 'https://oidc.prod.example', subject: 'spiffe://prod.example/agent/deployer', audience: 'api://AzureADTokenExchange', declared: true })]);
    // The agent's client ID alone is not enough: leg 1 is the blueprint's request.
    const [half] = await resolveLiveAzureGates(gates, { ...options, clientIds: { [`agents/${DEPLOYER_AGENT}`]: 'agent-app' } });
    expect(half.unresolved).toBe(`a live tenant needs its blueprint's client ID, leg 1's client_id (--client-id agents/${BLUEPRINT}=<blueprint app id>, or clientIds in the API)`);
  });

  test("live: the tenant given wins, then the provider block's literal tenant_id, and only then the environment's", async () => {
    const configuration: Record<string, any> = { ...azureConfiguration(), provider: { azurerm: [{ features: [{}], tenant_id: 'from-the-configuration' }] } };
    const sources = tfSourceOf(configuration);
    const gates = discoverAzureGates(sources);
    const base = { sources, clientIds: { deployer: 'c' }, candidateKeys: [], scope: DEFAULT_PROBE_SCOPE, fallbackTenantId: 'from-the-environment' };
    expect((await resolveLiveAzureGates(gates, base))[0].tenantId).toBe('from-the-configuration');
    expect((await resolveLiveAzureGates(gates, { ...base, tenantId: 'given' }))[0].tenantId).toBe('given');
    const withoutLiteral = tfSourceOf(azureConfiguration());
    expect((await resolveLiveAzureGates(discoverAzureGates(withoutLiteral), { ...base, sources: withoutLiteral }))[0].tenantId).toBe('from-the-environment');
  });

  test('live: keys paired with a given JWKS by public key; an unread JWKS is a reason, not a guess', async () => {
    const key = generateIssuerKey('RS256');
    const sources = tfSourceOf(azureConfiguration());
    const gates = discoverAzureGates(sources);
    const base = { sources, tenantId: 't', clientIds: { deployer: 'c' }, candidateKeys: [key], scope: DEFAULT_PROBE_SCOPE };
    const [paired] = await resolveLiveAzureGates(gates, { ...base, issuerJwks: { 'https://oidc.prod.example': { keys: [{ ...key.publicJwk, kid: 'k1' }] } } });
    expect(paired.issuerKeys.get('https://oidc.prod.example')!.map((k) => k.kid)).toEqual(['k1']);
    const plain = tfSourceOf(azureConfiguration({ credentials: { c: credential('spiffe://a/b', { issuer: 'http://plain.example' }) } }));
    const [unread] = await resolveLiveAzureGates(discoverAzureGates(plain), { ...base, sources: plain });
    expect(unread.noKeyReason).toContain('the keys of http://plain.example could not be read (http://plain.example/.well-known/openid-configuration: not https)');
  });
});
