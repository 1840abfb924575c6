import { fetchIssuerJwks } from '../../../conformance/azure/issuer-jwks';
import { RunningAzureEmulator, startAzureEmulator } from '../../../conformance/emulator/azure-emulator';
import { tfSourceOf } from '../../fixtures/azure-conformance';
import { azureConfiguration } from '../../fixtures/terraform';

describe("fetching an issuer's JWKS as Entra does (discovery document, then jwks_uri)", () => {
  let emulator: RunningAzureEmulator;
  beforeAll(async () => {
    emulator = await startAzureEmulator({ sources: tfSourceOf(azureConfiguration()) });
  });
  afterAll(() => emulator.close());

  test("reads a played issuer's keys from the emulator, trusting its CA", async () => {
    const [played] = emulator.playedIssuers.values();
    expect(await fetchIssuerJwks(`${emulator.authorityHost}/issuers/${played.slug}/`, { caPem: emulator.caPem })).toEqual(played.jwks);
    // Entra itself as the issuer (a managed identity's token): its discovery document names its jwks_uri.
    expect(await fetchIssuerJwks(`${emulator.authorityHost}/${emulator.tenantId}/v2.0`, { caPem: emulator.caPem })).toEqual({ keys: [emulator.server.tenantKey.publicJwk] });
  });

  test('says why it could not: an untrusted certificate, a 404, not https', async () => {
    const [played] = emulator.playedIssuers.values();
    expect(await fetchIssuerJwks(`${emulator.authorityHost}/issuers/${played.slug}`)).toEqual({ error: expect.stringMatching(/certificate/) });
    expect(await fetchIssuerJwks(`${emulator.authorityHost}/issuers/0000000000000000`, { caPem: emulator.caPem })).toEqual({ error: expect.stringContaining('HTTP 404') });
    expect(await fetchIssuerJwks('http://127.0.0.1:1')).toEqual({ error: expect.stringContaining('not https') });
  });
});
