import { runAzureConformance } from '../../../conformance/azure/run-azure-conformance';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { EXAMPLE_AGENT_IDENTITY, EXAMPLE_MANAGED_IDENTITY, azureExampleConfiguration, azureStatuses, probeAzureLocally, resourceOf, tfSourceOf } from '../../fixtures/azure-conformance';
import { azureConfiguration, credential } from '../../fixtures/terraform';

const ALL = ['AGC-AZ-001', 'AGC-AZ-002', 'AGC-AZ-003', 'AGC-AZ-004', 'AGC-AZ-005', 'AGC-AZ-006', 'AGC-AZ-007', 'AGC-AZ-008', 'AGC-AZ-009', 'AGC-AZ-010', 'AGC-AZ-011', 'AGC-AZ-012'];
// AGC-AZ-012 judges the configuration: it needs no key and no token.
const KEYLESS = ['AGC-AZ-002', 'AGC-AZ-003', 'AGC-AZ-009', 'AGC-AZ-010', 'AGC-AZ-012'];

let example: Record<string, any>;
beforeAll(() => {
  example = azureExampleConfiguration();
});
/** A declared federated credential's route: the gate's factors, to the gate's identity. */
const declaredTrustRoute = (to: unknown) => ({ from: expect.any(String), through: expect.any(String), factors: ['a token of the declared issuer', 'the declared subject and audience'], to });
const clone = () => JSON.parse(JSON.stringify(example)) as Record<string, any>;

describe('Azure conformance on the local emulator', () => {
  test('examples/azure: for the managed identity and both agent identities, the positive control passes and every mutation is denied for its reason, another blueprint’s included', async () => {
    const run = await runAzureConformance({ sources: tfSourceOf(example, 'cdk.tf.json'), target: 'local', ratePerSecond: Infinity });
    expect(run.target).toBe('local');
    expect(run.gates).toEqual([
      {
        id: 'cdk/azurerm_user_assigned_identity.Deployer_Identity_71F47558',
        cloud: 'azure',
        source: expect.stringMatching(/cdk\.tf\.json$/),
        privilege: 'high',
        identity: expect.objectContaining({ privilege: 'high', spiffeId: expect.stringMatching(/^spiffe:\/\//) }),
        drift: [],
        // Its two declared federated credentials are the only ways to its tokens.
        paths: [
          { id: expect.stringMatching(/^federated:azurerm_federated_identity_credential\.Deployer_FederatedCredential1_/), attested: true, description: expect.stringContaining('of https://oidc.prod.example: a trust the gate manifest declares'), route: declaredTrustRoute('cdk/azurerm_user_assigned_identity.Deployer_Identity_71F47558') },
          { id: expect.stringMatching(/^federated:azurerm_federated_identity_credential\.Deployer_FederatedCredential2_/), attested: true, description: expect.stringContaining('of https://oidc.eu.prod.example: a trust the gate manifest declares'), route: declaredTrustRoute('cdk/azurerm_user_assigned_identity.Deployer_Identity_71F47558') },
        ],
      },
      {
        id: expect.stringMatching(/^cdk\/msgraph_resource\.DeployerAgent_AgentIdentity_/),
        cloud: 'azure',
        source: expect.stringMatching(/cdk\.tf\.json$/),
        privilege: 'high',
        identity: expect.objectContaining({ privilege: 'high', spiffeId: expect.stringMatching(/^spiffe:\/\//) }),
        drift: [],
        // The same two trusts, held by its blueprint (leg 1 of its tokens).
        paths: [
          { id: expect.stringMatching(/^federated:msgraph_resource\.DeployerAgent_FederatedCredential1_/), attested: true, description: expect.stringContaining('of https://oidc.prod.example: a trust the gate manifest declares'), route: declaredTrustRoute(expect.stringMatching(/^cdk\/msgraph_resource\.DeployerAgent_AgentIdentity_/)) },
          { id: expect.stringMatching(/^federated:msgraph_resource\.DeployerAgent_FederatedCredential2_/), attested: true, description: expect.stringContaining('of https://oidc.eu.prod.example: a trust the gate manifest declares'), route: declaredTrustRoute(expect.stringMatching(/^cdk\/msgraph_resource\.DeployerAgent_AgentIdentity_/)) },
        ],
      },
      {
        id: expect.stringMatching(/^cdk\/msgraph_resource\.ReviewerAgent_AgentIdentity_/),
        cloud: 'azure',
        source: expect.stringMatching(/cdk\.tf\.json$/),
        privilege: 'read-only',
        identity: expect.objectContaining({ privilege: 'read-only', spiffeId: 'spiffe://prod.example/agent/reviewer' }),
        drift: [],
        paths: [
          {
            id: expect.stringMatching(/^federated:msgraph_resource\.ReviewerAgent_FederatedCredential1_/),
            attested: true,
            description: expect.stringContaining('subject spiffe://prod.example/agent/reviewer of https://oidc.prod.example: a trust the gate manifest declares'),
            route: declaredTrustRoute(expect.stringMatching(/^cdk\/msgraph_resource\.ReviewerAgent_AgentIdentity_/)),
          },
        ],
      },
    ]);
    const managed = run.results.filter((r) => r.gate.includes(EXAMPLE_MANAGED_IDENTITY));
    const agent = run.results.filter((r) => r.gate.includes(EXAMPLE_AGENT_IDENTITY));
    const reviewer = run.results.filter((r) => r.gate.includes('msgraph_resource.ReviewerAgent_AgentIdentity'));
    expect(managed.map((r) => r.checkId)).toEqual(ALL);
    expect(agent.map((r) => r.checkId)).toEqual([...ALL, 'AGC-AZ-013', 'AGC-AZ-014', 'AGC-AZ-015']);
    expect(reviewer.map((r) => r.checkId)).toEqual([...ALL, 'AGC-AZ-013', 'AGC-AZ-014', 'AGC-AZ-015']);
    // AGC-AZ-014 runs now that the example has two blueprints; the reviewer is read-only, so siblings could share its blueprint.
    expect(run.results.filter((r) => r.status !== 'PASS').map((r) => `${r.gate.includes('ReviewerAgent') ? 'reviewer' : r.gate} ${r.checkId} ${r.status}: ${r.reason}`)).toEqual([
      'reviewer AGC-AZ-013 SKIPPED: the agent is not high privilege (read-only): siblings may share its blueprint (AG-AZ-007)',
    ]);
    // Each agent is probed with the other's blueprint: its attested token with fmi_path = this agent, and its own leg-1 token.
    const anotherBlueprint = (results: typeof agent) => results.find((r) => r.checkId === 'AGC-AZ-014')!.reason;
    expect(anotherBlueprint(agent)).toMatch(/ReviewerAgent_Blueprint/);
    expect(anotherBlueprint(reviewer)).toMatch(/DeployerAgent_Blueprint/);
    // Both credentials (two issuers) are exercised by each control; the agent's through both legs.
    expect(managed[0].reason.match(/got an access token for the identity/g)).toHaveLength(2);
    expect(agent[0].reason.match(/got an access token for the identity/g)).toHaveLength(2);
    // Managed identity: 2 controls, 3 issuers, 1 key, 1 audience, 2 subjects, 2 validity, 1 signature, 2 algorithms, 1 other workload.
    expect(run.requests).toBeGreaterThan(15);
  });

  test('weakened: a credential for the namespace default service account — another pod of the namespace gets the identity (FAIL)', async () => {
    const sources = tfSourceOf(azureConfiguration({ credentials: { k8s: credential('system:serviceaccount:agents:default', { issuer: 'https://aks.example/oidc' }) } }));
    const results = await probeAzureLocally(sources, { tags: ['AGC-AZ-001', 'AGC-AZ-011'] });
    expect(azureStatuses(results)).toEqual({ 'AGC-AZ-001': 'PASS', 'AGC-AZ-011': 'FAIL' });
    expect(results[1].reason).toContain("another workload's token for subject 'system:serviceaccount:agents:default'");
    expect(results[1].reason).toContain('every pod of the namespace without its own service account');
  });

  test('weakened: a second credential added outside the construct, for another issuer and subject the probe can mint (FAIL)', async () => {
    const weak = clone();
    const [identityName] = resourceOf(weak, 'azurerm_user_assigned_identity');
    weak.resource.azurerm_federated_identity_credential.ci = {
      name: 'ci',
      resource_group_name: 'attestgate-agents',
      parent_id: `\${azurerm_user_assigned_identity.${identityName}.id}`,
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'repo:example/deployer:ref:refs/heads/main',
      audience: ['api://AzureADTokenExchange'],
    };
    const results = (await probeAzureLocally(tfSourceOf(weak, 'cdk.tf.json'), { tags: ['AGC-AZ-001', 'AGC-AZ-011'] })).filter((r) => r.gate.includes(EXAMPLE_MANAGED_IDENTITY));
    expect(azureStatuses(results)).toEqual({ 'AGC-AZ-001': 'PASS', 'AGC-AZ-011': 'FAIL' });
    expect(results[1].reason).toContain("subject 'repo:example/deployer:ref:refs/heads/main' (azurerm_federated_identity_credential.ci: neither the agent's spiffe://prod.example/agent/deployer nor declared in the gate manifest)");
  });

  test('weakened: the example with a VM the identity is attached to — every probe of the credentials passes, but the VM is a path without attestation (AGC-AZ-012 FAIL)', async () => {
    const weak = clone();
    const [identityName] = resourceOf(weak, 'azurerm_user_assigned_identity');
    weak.resource.azurerm_linux_virtual_machine = {
      build: { name: 'build', resource_group_name: 'attestgate-agents', location: 'westeurope', size: 'Standard_B2s', identity: [{ type: 'UserAssigned', identity_ids: [`\${azurerm_user_assigned_identity.${identityName}.id}`] }] },
    };
    const run = await runAzureConformance({ sources: tfSourceOf(weak, 'cdk.tf.json'), target: 'local', ratePerSecond: Infinity });
    expect(run.results.filter((r) => r.status !== 'PASS' && r.gate.includes(EXAMPLE_MANAGED_IDENTITY)).map((r) => `${r.checkId} ${r.status}`)).toEqual(['AGC-AZ-012 FAIL']);
    expect(run.results.find((r) => r.checkId === 'AGC-AZ-012')!.reason).toMatch(/^1 unattested path to the identity’s tokens: \[attached:azurerm_linux_virtual_machine\.build\] .*any process running there gets its tokens/);
    expect(run.gates[0].paths!.map((p) => [p.id, p.attested])).toEqual([
      [expect.stringMatching(/^federated:/), true],
      [expect.stringMatching(/^federated:/), true],
      ['attached:azurerm_linux_virtual_machine.build', false],
    ]);
  });

  test("another identity's subject is probed against this one, and denied", async () => {
    const sources = tfSourceOf(
      azureConfiguration({
        extra: {
          azurerm_user_assigned_identity: { deployer: { name: 'deployer', resource_group_name: 'agents' }, reader: { name: 'reader', resource_group_name: 'agents' } },
          azurerm_federated_identity_credential: {
            spire: credential('spiffe://prod.example/agent/deployer'),
            reader: credential('spiffe://prod.example/agent/reader', { parent_id: '${azurerm_user_assigned_identity.reader.id}' }),
          },
        },
      }),
    );
    const results = await probeAzureLocally(sources, { tags: ['AGC-AZ-011'] });
    expect(azureStatuses(results, 'deployer')).toEqual({ 'AGC-AZ-001': 'PASS', 'AGC-AZ-011': 'PASS' });
    expect(results.find((r) => r.gate.endsWith('deployer') && r.checkId === 'AGC-AZ-011')!.reason).toContain("subject 'spiffe://prod.example/agent/reader', which identity");
  });

  test('an endpoint that matches subjects ignoring case (Entra before 2024–25) fails AGC-AZ-005; one accepting ES256 fails AGC-AZ-010', async () => {
    const sources = tfSourceOf(example, 'cdk.tf.json');
    const lax = await probeAzureLocally(sources, { tags: ['AGC-AZ-005', 'AGC-AZ-010'], emulator: { behaviour: { subjectMatching: 'case-insensitive', acceptedAlgorithms: ['RS256', 'ES256'] } } });
    expect(azureStatuses(lax)).toEqual({ 'AGC-AZ-001': 'PASS', 'AGC-AZ-005': 'FAIL', 'AGC-AZ-010': 'FAIL' });
    expect(lax.find((r) => r.checkId === 'AGC-AZ-005')!.reason).toContain('(case only): an access token was issued');
  });

  test('a positive control that fails makes every mutation INCONCLUSIVE, never PASS (an app without a service principal)', async () => {
    const sources = tfSourceOf({
      resource: {
        azuread_application: { agent: { display_name: 'agent' } },
        azuread_application_federated_identity_credential: {
          spire: { application_id: '${azuread_application.agent.id}', display_name: 'spire', issuer: 'https://oidc.prod.example', subject: 'spiffe://prod.example/agent/deployer', audiences: ['api://AzureADTokenExchange'] },
        },
      },
    });
    const results = await probeAzureLocally(sources);
    const statuses = azureStatuses(results);
    expect(statuses['AGC-AZ-001']).toBe('FAIL');
    expect(results[0].reason).toContain('AADSTS7000229');
    for (const id of ALL.slice(1)) expect([id, statuses[id]]).toEqual([id, 'INCONCLUSIVE']);
  });

  test("an issuer's real JWKS with no matching key: the control and re-signing checks are SKIPPED; keyless mutations run, but prove nothing", async () => {
    const elsewhere = generateIssuerKey('RS256');
    const sources = tfSourceOf(example, 'cdk.tf.json');
    const issuerJwks = {
      'https://oidc.prod.example': { keys: [{ ...elsewhere.publicJwk }] },
      'https://oidc.eu.prod.example': { keys: [{ ...elsewhere.publicJwk }] },
    };
    const results = await probeAzureLocally(sources, { issuerJwks });
    const statuses = azureStatuses(results);
    for (const id of ALL) expect([id, statuses[id]]).toEqual([id, KEYLESS.includes(id) ? 'INCONCLUSIVE' : 'SKIPPED']);
    expect(results.find((r) => r.checkId === 'AGC-AZ-003')!.reason).toContain('but this proves nothing: its positive control AGC-AZ-001 did not pass in this run (SKIPPED:');
  });

  test('a gate not deployed faithfully (an issuer from a variable without a value) is INCONCLUSIVE throughout', async () => {
    const sources = tfSourceOf({ ...azureConfiguration({ credentials: { spire: credential('spiffe://prod.example/agent/deployer', { issuer: '${var.issuer}' }) } }), variable: { issuer: { type: 'string' } } });
    const results = await probeAzureLocally(sources, { tags: ['AGC-AZ-001', 'AGC-AZ-003'] });
    expect(azureStatuses(results)).toEqual({ 'AGC-AZ-001': 'INCONCLUSIVE', 'AGC-AZ-003': 'INCONCLUSIVE' });
    expect(results[0].reason).toContain('var.issuer');
    const given = await probeAzureLocally(sources, { tags: ['AGC-AZ-001'], variables: { issuer: 'https://oidc.prod.example' } });
    expect(azureStatuses(given)).toEqual({ 'AGC-AZ-001': 'PASS' });
  });

  test('selection by tag; results reported as they come', async () => {
    const seen: string[] = [];
    const results = await probeAzureLocally(tfSourceOf(example, 'cdk.tf.json'), { tags: ['kind:negative', '!requires:issuer-key', '!requires:valid-token'], onResult: (r) => seen.push(r.checkId) });
    // Each of the three gates: the managed identity and the two agent identities.
    expect(results.map((r) => r.checkId)).toEqual([...KEYLESS, ...KEYLESS, ...KEYLESS]);
    expect([...seen].sort()).toEqual([...KEYLESS, ...KEYLESS, ...KEYLESS].sort());
  });
});
