import type { TokenCredential } from '@azure/core-auth';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { RunningAzureEmulator, startAzureEmulator } from '../../../conformance/emulator/azure-emulator';
import { EntraIdentity } from '../../../conformance/emulator/azure/world';
import { TokenClaims, decodeJwt, signJwt } from '../../../conformance/oidc/jwt';
import { AttestGateError } from '../../../lib/core/errors';
import { AgentIdentityCredential, AgentIdentityTokenError } from '../../../lib/credentials';
import { fmiSubject } from '../../../lib/model/azure/fmi-subject';
import { caBundleWith, tfSourceOf } from '../../fixtures/azure-conformance';
import { agentIdConfiguration } from '../../fixtures/entra-agent-id';

const SCOPE = 'https://management.azure.com/.default';

interface MsalResult {
  readonly name: string;
  readonly ok: boolean;
  readonly leg1?: string;
  readonly token?: string;
  readonly leg?: number;
  readonly errorCode?: string;
  readonly message?: string;
}

/** MSAL Node 7.2.4's own fmiPath, unmodified, in a child Node trusting the emulator's CA through NODE_EXTRA_CA_CERTS. */
function runMsal(emulator: RunningAzureEmulator, ids: { blueprintClientId: string; agentClientId: string }, cases: Array<{ name: string; assertion: string; fmiPath?: string; agentClientId?: string }>): Promise<MsalResult[]> {
  const input = JSON.stringify({ tenantId: emulator.tenantId, authorityHost: emulator.authorityHost, scope: SCOPE, ...ids, cases });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, '../../fixtures/msal-fmi-client.js')], { env: { ...process.env, NODE_EXTRA_CA_CERTS: caBundleWith(emulator.caPem) }, cwd: path.join(__dirname, '../../..') });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as MsalResult[]) : reject(new Error(`MSAL's client exited with ${code}: ${stderr}`))));
    child.stdin.end(input);
  });
}

describe('AgentIdentityCredential against the emulated Entra, side by side with MSAL Node’s fmiPath', () => {
  let emulator: RunningAzureEmulator;
  let blueprint: EntraIdentity;
  let deployer: EntraIdentity;
  let reporter: EntraIdentity;
  let assertion: (overrides?: Partial<TokenClaims>) => string;
  beforeAll(async () => {
    // Two agents under one blueprint, each with its declared SPIFFE ID trusted by the blueprint.
    emulator = await startAzureEmulator({ sources: tfSourceOf(agentIdConfiguration('shared-blueprint')) });
    const all = [...emulator.world.identities.values()];
    blueprint = all.find((i) => i.kind === 'agent-blueprint')!;
    deployer = all.find((i) => i.name === 'deployer')!;
    reporter = all.find((i) => i.name === 'reporter')!;
    const credential = blueprint.federatedCredentials[0];
    const key = emulator.playedIssuers.get(credential.issuer)!.signingKeys.find((k) => k.alg === 'RS256')!;
    assertion = (overrides = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return signJwt(key, { iss: credential.issuer, sub: credential.subject, aud: 'api://AzureADTokenExchange', iat: now, exp: now + 300, ...overrides });
    };
  });
  afterAll(() => emulator.close());

  const credentialFor = (agent: EntraIdentity, getAssertion = async () => assertion(), now?: () => Date) =>
    new AgentIdentityCredential({ tenantId: emulator.tenantId, blueprintClientId: blueprint.clientId, agentClientId: agent.clientId, getAssertion, authorityHost: emulator.authorityHost, caPem: emulator.caPem, ...(now ? { now } : {}) });
  const tokenPosts = () => emulator.server.log.filter((l) => l.method === 'POST').length;

  test('is a TokenCredential: the attested JWT → leg 1 → leg 2 gives the agent’s token, as MSAL’s own two legs do', async () => {
    const credential: TokenCredential = credentialFor(deployer);
    const ours = await credential.getToken(SCOPE);
    const [msal] = await runMsal(emulator, { blueprintClientId: blueprint.clientId, agentClientId: deployer.clientId }, [{ name: 'valid', assertion: assertion() }]);
    expect(msal).toMatchObject({ ok: true });
    // MSAL sent fmi_path in leg 1: its token names the agent's path.
    expect(decodeJwt(msal.leg1!).claims).toMatchObject({ sub: fmiSubject(emulator.tenantId, blueprint.clientId, deployer.clientId), aud: 'api://AzureADTokenExchange', azp: blueprint.clientId });
    const expected = { sub: deployer.principalId, oid: deployer.principalId, azp: deployer.clientId, xms_par_app_azp: blueprint.clientId, aud: 'https://management.azure.com' };
    expect(decodeJwt(ours!.token).claims).toMatchObject(expected);
    expect(decodeJwt(msal.token!).claims).toMatchObject(expected);
    expect(ours!.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3000_000);
  });

  test('caches both legs until five minutes before expiry; a second scope reuses leg 1; past the refresh time both legs run again', async () => {
    let clock = new Date();
    let assertions = 0;
    const credential = credentialFor(deployer, async () => (assertions++, assertion()), () => clock);
    const before = tokenPosts();
    const first = await credential.getToken(SCOPE);
    const [again, concurrent] = await Promise.all([credential.getToken([SCOPE]), credential.getToken(SCOPE)]);
    expect([again.token, concurrent.token]).toEqual([first.token, first.token]);
    expect(tokenPosts() - before).toBe(2);
    await credential.getToken('https://graph.microsoft.com');
    expect(tokenPosts() - before).toBe(3);
    expect(assertions).toBe(1);
    expect(first.refreshAfterTimestamp).toBe(first.expiresOnTimestamp - 5 * 60_000);
    clock = new Date(first.refreshAfterTimestamp + 1);
    const renewed = await credential.getToken(SCOPE);
    expect(renewed.token).not.toBe(first.token);
    expect(tokenPosts() - before).toBe(5);
    expect(assertions).toBe(2);
  });

  test('refusals agree with MSAL’s: the leg and the AADSTS code', async () => {
    const cases = [
      { name: 'wrong subject', assertion: assertion({ sub: 'spiffe://prod.example/agent/intruder' }), leg: 1, code: 700213 },
      { name: 'wrong issuer', assertion: assertion({ iss: 'https://oidc.prod.example/' }), leg: 1, code: 700211 },
      { name: 'wrong audience', assertion: assertion({ aud: 'api://AzureADMyOrg' }), leg: 1, code: 700212 },
      { name: 'expired', assertion: assertion({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }), leg: 1, code: 700024 },
    ];
    const msal = await runMsal(emulator, { blueprintClientId: blueprint.clientId, agentClientId: deployer.clientId }, cases);
    for (const [i, c] of cases.entries()) {
      const error = await credentialFor(deployer, async () => c.assertion).getToken(SCOPE).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AgentIdentityTokenError);
      const ours = error as AgentIdentityTokenError;
      expect([c.name, ours.leg, ours.aadsts, ours.code]).toEqual([c.name, c.leg, c.code, 'invalid_client']);
      expect([msal[i].ok, msal[i].leg, /AADSTS(\d+):/.exec(msal[i].message ?? '')?.[1]]).toEqual([false, c.leg, String(c.code)]);
    }
  });

  test('the sibling under the same blueprint is reachable with the same attestation — by MSAL and by us: the shared gate', async () => {
    const ours = await credentialFor(reporter).getToken(SCOPE);
    const [msal] = await runMsal(emulator, { blueprintClientId: blueprint.clientId, agentClientId: reporter.clientId }, [{ name: 'sibling', assertion: assertion() }]);
    expect(decodeJwt(ours.token).claims.oid).toBe(reporter.principalId);
    expect(decodeJwt(msal.token!).claims.oid).toBe(reporter.principalId);
  });

  test('MSAL’s leg-1 token for one agent presented as the other agent: AADSTS7002137 at leg 2', async () => {
    const [result] = await runMsal(emulator, { blueprintClientId: blueprint.clientId, agentClientId: deployer.clientId }, [{ name: 'crossed', assertion: assertion(), fmiPath: reporter.clientId, agentClientId: deployer.clientId }]);
    expect([result.ok, result.leg, /AADSTS(\d+):/.exec(result.message ?? '')?.[1]]).toEqual([false, 2, '7002137']);
  });

  test('bad options are refused when the credential is made', async () => {
    const base = { tenantId: 't', blueprintClientId: '11111111-2222-4333-a444-555555555555', agentClientId: '11111111-2222-4333-a444-666666666666', getAssertion: async () => 'x' };
    expect(() => new AgentIdentityCredential({ ...base, agentClientId: 'deployer' })).toThrow(AttestGateError);
    expect(() => new AgentIdentityCredential({ ...base, agentClientId: base.blueprintClientId })).toThrow(/blueprint/);
    expect(() => new AgentIdentityCredential({ ...base, authorityHost: 'http://login.example' })).toThrow(/https/);
    await expect(credentialFor(deployer).getToken(['a/.default', 'b/.default'])).rejects.toThrow(/exactly one scope/);
  });
});
