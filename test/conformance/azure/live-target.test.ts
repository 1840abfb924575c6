import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzureConformanceOptions, runAzureConformance } from '../../../conformance/azure/run-azure-conformance';
import { RunningAzureEmulator, startAzureEmulator } from '../../../conformance/emulator/azure-emulator';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { signJwt } from '../../../conformance/oidc/jwt';
import { azureExampleConfiguration, azureStatuses, tfSourceOf } from '../../fixtures/azure-conformance';

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
  const saved = { ...process.env };
  beforeAll(async () => {
    configuration = azureExampleConfiguration();
    emulator = await startAzureEmulator({ sources: tfSourceOf(configuration, 'cdk.tf.json'), issuerKeys: [userKey] });
    const [identity] = emulator.world.identities.values();
    live = {
      target: 'azure',
      endpoints: { authorityHost: emulator.authorityHost, caPem: emulator.caPem },
      tenantId: emulator.tenantId,
      clientIds: { 'deployer-agent': identity.clientId },
      issuerJwks: Object.fromEntries([...emulator.playedIssuers].map(([issuer, played]) => [issuer, played.jwks])),
      ratePerSecond: Infinity,
    };
  });
  afterAll(() => emulator.close());
  afterEach(() => {
    process.env = { ...saved };
  });
  const run = (options: Partial<AzureConformanceOptions>) => runAzureConformance({ sources: tfSourceOf(configuration, 'cdk.tf.json'), target: 'azure', ...live, ...options });

  test('with the issuer key: every check runs and passes, the identity found by its name', async () => {
    const result = await run({ issuerKeys: [userKey] });
    expect(result.target).toBe(`azure (${new URL(emulator.authorityHost).host})`);
    expect(result.results.filter((r) => r.status !== 'PASS').map((r) => `${r.checkId} ${r.status}: ${r.reason}`)).toEqual([]);
    expect(result.results).toHaveLength(12);
  });

  test('the tenant from the provider block, the client ID from AZURE_CLIENT_ID for a single gate', async () => {
    const withTenant = JSON.parse(JSON.stringify(configuration));
    withTenant.provider.azurerm[0].tenant_id = emulator.tenantId;
    process.env.AZURE_CLIENT_ID = [...emulator.world.identities.values()][0].clientId;
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
    const [identity] = emulator.world.identities.values();
    const credential = identity.federatedCredentials[1];
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-svid-')), 'svid.jwt');
    fs.writeFileSync(file, `${signJwt(userKey, { iss: credential.issuer, sub: credential.subject, aud: credential.audiences[0] })}\n`);
    const result = await run({ tokenCommand: `cat ${file}` });
    const statuses = azureStatuses(result.results);
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
    expect(result.results[0].reason).toContain("a token command's token for azurerm_federated_identity_credential.Deployer_FederatedCredential2");
    expect(result.results[4].reason).toContain('the control came from the token command');
  });

  test('a key the issuer does not publish pairs with nothing: the control is SKIPPED with the reason', async () => {
    const result = await run({ issuerKeys: [generateIssuerKey('RS256')], tags: ['AGC-AZ-001'] });
    expect(result.results[0]).toMatchObject({ status: 'SKIPPED', reason: expect.stringContaining('none of the 1 issuer key(s) given is published by https://oidc.prod.example') });
  });

  test('an authority host that does not answer: INCONCLUSIVE after retries, never PASS', async () => {
    const result = await run({ issuerKeys: [userKey], endpoints: { authorityHost: 'https://127.0.0.1:1', caPem: emulator.caPem }, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 }, tags: ['AGC-AZ-001', 'AGC-AZ-003'] });
    expect(azureStatuses(result.results)).toEqual({ 'AGC-AZ-001': 'INCONCLUSIVE', 'AGC-AZ-003': 'INCONCLUSIVE' });
    expect(result.results[0].reason).toContain('ECONNREFUSED');
    expect(result.requests).toBe(4);
  });

  test('the authority host must be https', async () => {
    await expect(run({ endpoints: { authorityHost: 'http://127.0.0.1:1' } })).rejects.toThrow('must use https');
  });
});
