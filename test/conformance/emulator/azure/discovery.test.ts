import { openIdConfiguration } from '../../../../conformance/emulator/azure/discovery';

describe("the tenant's OpenID configuration", () => {
  const origin = 'https://127.0.0.1:8443';
  const document = openIdConfiguration(origin, 'tenant-1');

  test('has what MSAL requires: authorization_endpoint, token_endpoint, issuer and jwks_uri, all on the authority origin', () => {
    expect(document).toMatchObject({
      authorization_endpoint: `${origin}/tenant-1/oauth2/v2.0/authorize`,
      token_endpoint: `${origin}/tenant-1/oauth2/v2.0/token`,
      issuer: `${origin}/tenant-1/v2.0`,
      jwks_uri: `${origin}/tenant-1/discovery/v2.0/keys`,
    });
    // msal-common validateIssuer: the issuer's scheme and host (with port) must be the authority's.
    expect(new URL(document.issuer as string).origin).toBe(origin);
  });

  test('announces private_key_jwt client authentication and RS256 like Entra v2', () => {
    expect(document.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(document.id_token_signing_alg_values_supported).toEqual(['RS256']);
    for (const value of Object.values(document)) if (typeof value === 'string' && value.startsWith('http')) expect(value.startsWith(origin)).toBe(true);
  });
});
