import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzureConformanceOptions, runAzureConformance } from '../../../conformance/azure/run-azure-conformance';
import { RunningAzureEmulator, startAzureEmulator } from '../../../conformance/emulator/azure-emulator';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { signJwt } from '../../../conformance/oidc/jwt';
import { EntraIdentity } from '../../../conformance/emulator/azure/world';
import { EXAMPLE_AGENT_IDENTITY, EXAMPLE_MANAGED_IDENTITY, azureExampleConfiguration, azureStatuses, tfSourceOf, withoutAgentIdentity } from '../../fixtures/azure-conformance';

/**
 * The live-Entra code path — tenant and client IDs given, issuer keys paired with the issuers'
 * JWKS, the authority host overridden — exercised against the emulator standing in for Entra,
 * since no tenant exists here.
 */
describe('--target azure against an authority host override', () => {
  const userKey = generateIssuerKey('RS256');
  let configuration: Record<string, any>;
  let emulator: RunningAzureEmulator;
  let live: Partial<AzureConformanceOptions>;
  let agent: EntraIdentity;
  const saved = { ...process.env };
  beforeAll(async () => {
    configuration = azureExampleConfiguration();
    emulator = await startAzureEmulator({ sources: tfSourceOf(configuration, 'cdk.tf.json'), issuerKeys: [userKey] });
    const identities = [...emulator.world.identities.values()];
    const identity = identities.find((i) => i.kind === 'user-assigned-identity')!;
    agent = identities.find((i) => i.kind === 'agent-identity')!;
    const blueprint = emulator.world.identities.get(agent.blueprintClientId!)!;
    live = {
      target: 'azure',
      endpoints: { authorityHost: emulator.authorityHost, caPem: emulator.caPem },
      tenantId: emulator.tenantId,
      // The managed identity by its name; the agent identity and its blueprint (leg 1's client_id)
      // by `<stack>/<address>`, as --client-id takes them: their app IDs are known only after apply.
      clientIds: { 'deployer-agent': identity.clientId, [agent.origins[0]]: agent.clientId, [blueprint.origins[0]]: blueprint.clientId },
      issuerJwks: Object.fromEntries([...emulator.playedIssuers].map(([issuer, played]) => [issuer, played.jwks])),
      ratePerSecond: Infinity,
    };
  });
  afterAll(() => emulator.close());
  afterEach(() => {
    process.env = { ...saved };
  });
  const run = (options: Partial<AzureConformanceOptions>) => runAzureConformance({ sources: tfSourceOf(configuration, 'cdk.tf.json'), target: 'azure', ...live, ...options });

  test('with the issuer key: every check runs and passes, the managed identity found by its name, the agent identity by both client IDs', async () => {
    const result = await run({ issuerKeys: [userKey] });
    expect(result.target).toBe(`azure (${new URL(emulator.authorityHost).host})`);
    expect(result.results.filter((r) => r.gate.includes(EXAMPLE_MANAGED_IDENTITY)).map((r) => r.status)).toEqual(Array(12).fill('PASS'));
    // The agent's two legs ran live: its blueprint's client ID at leg 1, its own at leg 2.
    const agentResults = result.results.filter((r) => r.gate.includes(EXAMPLE_AGENT_IDENTITY));
    expect(agentResults.filter((r) => r.status !== 'PASS').map((r) => `${r.checkId} ${r.status}: ${r.reason}`)).toEqual([
      'AGC-AZ-014 SKIPPED: needs another blueprint in this run whose attested token can be minted (an issuer key for one of its credentials)',
      "AGC-AZ-015 SKIPPED: needs a leg-1 token that expired, which only the local emulator can make (its tenant key re-dates one it issued)",
    ]);
    expect(agentResults).toHaveLength(15);
    expect(agentResults[0].reason).toContain('got an access token for the identity');
  });

  test('an agent identity given without its blueprint’s client ID is SKIPPED throughout, naming the --client-id to add; the managed identity is still probed', async () => {
    const clientIds = Object.fromEntries(Object.entries(live.clientIds!).filter(([, id]) => id !== agent.blueprintClientId));
    const result = await run({ issuerKeys: [userKey], clientIds, tags: ['AGC-AZ-001'] });
    expect(azureStatuses(result.results, EXAMPLE_MANAGED_IDENTITY)).toEqual({ 'AGC-AZ-001': 'PASS' });
    const [agentControl] = result.results.filter((r) => r.gate.includes(EXAMPLE_AGENT_IDENTITY));
    expect(agentControl.status).toBe('SKIPPED');
    expect(agentControl.reason).toMatch(/^a live tenant needs its blueprint's client ID, leg 1's client_id \(--client-id cdk\/msgraph_resource\.DeployerAgent_Blueprint_\w+=<blueprint app id>/);
  });

  test('the tenant from the provider block, the client ID from AZURE_CLIENT_ID for a single gate', async () => {
    const withTenant = withoutAgentIdentity(configuration);
    withTenant.provider.azurerm[0].tenant_id = emulator.tenantId;
    process.env.AZURE_CLIENT_ID = live.clientIds!['deployer-agent'];
    delete process.env.AZURE_TENANT_ID;
    const result = await runAzureConformance({ ...live, target: 'azure', sources: tfSourceOf(withTenant, 'cdk.tf.json'), tenantId: undefined, clientIds: undefined, issuerKeys: [userKey], tags: ['AGC-AZ-001'] });
    expect(azureStatuses(result.results)).toEqual({ 'AGC-AZ-001': 'PASS' });
  });

  test('without a client ID every check is SKIPPED, saying what to pass', async () => {
    delete process.env.AZURE_CLIENT_ID;
    const result = await run({ clientIds: {}, issuerKeys: [userKey] });
    expect(new Set(result.results.map((r) => r.status))).toEqual(new Set(['SKIPPED']));
    expect(result.results[0].reason).toContain(`--client-id ${result.gates[0].id}=<client id>`);
  });

  test('with a token command and no key: the control and the tampered signature use its token; re-signing checks are SKIPPED', async () => {
    const identity = [...emulator.world.identities.values()].find((i) => i.kind === 'user-assigned-identity')!;
    const credential = identity.federatedCredentials[1];
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-svid-')), 'svid.jwt');
    fs.writeFileSync(file, `${signJwt(userKey, { iss: credential.issuer, sub: credential.subject, aud: credential.audiences[0] })}\n`);
    const result = await run({ tokenCommand: `cat ${file}` });
    const mine = result.results.filter((r) => r.gate.includes(EXAMPLE_MANAGED_IDENTITY));
    const statuses = azureStatuses(mine);
    expect(statuses).toEqual({
      'AGC-AZ-001': 'PASS',
      'AGC-AZ-002': 'PASS',
      'AGC-AZ-003': 'PASS',
      'AGC-AZ-004': 'SKIPPED',
      'AGC-AZ-005': 'SKIPPED',
      'AGC-AZ-006': 'SKIPPED',
      'AGC-AZ-007': 'SKIPPED',
      'AGC-AZ-008': 'PASS',
      'AGC-AZ-009': 'PASS',
      'AGC-AZ-010': 'PASS',
      'AGC-AZ-011': 'SKIPPED',
      // Judged from the configuration: the declared credentials are the only paths.
      'AGC-AZ-012': 'PASS',
    });
    expect(mine[0].reason).toContain("a token command's token for azurerm_federated_identity_credential.Deployer_FederatedCredential2");
    expect(mine[4].reason).toContain('the control came from the token command');
  });

  test('a key the issuer does not publish pairs with nothing: the control is SKIPPED with the reason', async () => {
    const result = await run({ issuerKeys: [generateIssuerKey('RS256')], tags: ['AGC-AZ-001'] });
    expect(result.results[0]).toMatchObject({ status: 'SKIPPED', reason: expect.stringContaining('none of the 1 issuer key(s) given is published by https://oidc.prod.example') });
  });

  test('an authority host that does not answer: INCONCLUSIVE after retries, never PASS', async () => {
    const result = await run({ issuerKeys: [userKey], endpoints: { authorityHost: 'https://127.0.0.1:1', caPem: emulator.caPem }, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 }, tags: ['AGC-AZ-001', 'AGC-AZ-003'] });
    for (const gate of [EXAMPLE_MANAGED_IDENTITY, EXAMPLE_AGENT_IDENTITY]) expect([gate, azureStatuses(result.results, gate)]).toEqual([gate, { 'AGC-AZ-001': 'INCONCLUSIVE', 'AGC-AZ-003': 'INCONCLUSIVE' }]);
    expect(result.results[0].reason).toContain('ECONNREFUSED');
    // Two attempts at each gate's control; the mutations are not sent once the control is unproven.
    expect(result.requests).toBe(8);
  });

  test('the authority host must be https', async () => {
    await expect(run({ endpoints: { authorityHost: 'http://127.0.0.1:1' } })).rejects.toThrow('must use https');
  });
});
