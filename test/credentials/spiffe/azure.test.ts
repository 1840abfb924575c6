import { RunningWorkloadApiServer, startWorkloadApiServer } from '../../../conformance/emulator/spiffe/workload-api-server';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { decodeJwt } from '../../../conformance/oidc/jwt';
import { createCa } from '../../../conformance/pki/throwaway-pki';
import { AZURE_TOKEN_EXCHANGE_AUDIENCE, azureAssertionFromSpiffe } from '../../../lib/credentials';
import { WORKLOADS, deployerEntry } from '../../fixtures/workload-api';
import { ISSUER } from '../../fixtures/terraform';

/**
 * azureAssertionFromSpiffe as ClientAssertionCredential calls it. (@azure/identity itself runs
 * against the Entra emulator in the end-to-end test.)
 */

let spire: RunningWorkloadApiServer;
beforeAll(async () => {
  spire = await startWorkloadApiServer({
    trustDomain: 'prod.example',
    // A short JWT TTL, as the rules ask of high privilege: the agent signs anew once half of it has passed.
    entries: [deployerEntry({ jwtSvidTtlSeconds: 120 })],
    workloads: WORKLOADS,
    x509Authority: await createCa({ subject: { CN: 'SPIRE CA' } }),
    jwtAuthority: { key: generateIssuerKey('RS256'), issuer: ISSUER },
  });
});
afterAll(() => spire?.close());

describe('azureAssertionFromSpiffe', () => {
  test('each call returns a current JWT-SVID for api://AzureADTokenExchange, the subject being the SPIFFE ID', async () => {
    const getAssertion = azureAssertionFromSpiffe({ workloadApi: { address: spire.addresses.get('deployer')! } });
    const { header, claims } = decodeJwt(await getAssertion());
    expect(header.alg).toBe('RS256');
    expect(claims).toMatchObject({ aud: [AZURE_TOKEN_EXCHANGE_AUDIENCE], iss: ISSUER, sub: 'spiffe://prod.example/agent/deployer' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(120);
    const calls = spire.log.filter((l) => l.method === 'FetchJWTSVID').length;
    await getAssertion();
    expect(spire.log.filter((l) => l.method === 'FetchJWTSVID').length).toBe(calls + 1);
  });

  test('another audience when the federated credential names one', async () => {
    const getAssertion = azureAssertionFromSpiffe({ audience: 'api://AzureADTokenExchangeUSGov', workloadApi: { address: spire.addresses.get('deployer')! } });
    expect(decodeJwt(await getAssertion()).claims.aud).toEqual(['api://AzureADTokenExchangeUSGov']);
  });

  test('an unregistered workload: the callback rejects with PermissionDenied, which the credential reports', async () => {
    await expect(azureAssertionFromSpiffe({ workloadApi: { address: spire.addresses.get('tampered-image')! } })()).rejects.toMatchObject({ name: 'WorkloadApiError', code: 'PermissionDenied' });
  });

  test('bad options fail at construction', () => {
    expect(() => azureAssertionFromSpiffe({ audience: '', workloadApi: { address: 'unix:///x.sock' } })).toThrow(/^azureAssertionFromSpiffe: audience "" is empty/);
    expect(() => azureAssertionFromSpiffe({ spiffeId: 'deployer', workloadApi: { address: 'unix:///x.sock' } })).toThrow(/^azureAssertionFromSpiffe: spiffeId "deployer"/);
  });
});
