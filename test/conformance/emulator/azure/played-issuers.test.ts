import { issuerDiscoveryDocument, issuerSlug, playIssuers } from '../../../../conformance/emulator/azure/played-issuers';
import { generateIssuerKey, sameJwkKey } from '../../../../conformance/oidc/issuer-key';

describe('played issuers', () => {
  const userRsa = generateIssuerKey('RS256');
  const userEc = generateIssuerKey('ES256');

  test('each issuer gets its own RS256 and ES256 keys, published with the user keys; the user RSA key signs first', () => {
    const played = playIssuers(['https://a.example', 'https://b.example'], { issuerKeys: [userEc, userRsa] });
    const a = played.get('https://a.example')!;
    const b = played.get('https://b.example')!;
    expect(a.source).toBe('played');
    expect(a.signingKeys.map((k) => k.alg)).toEqual(['RS256', 'ES256', 'RS256', 'ES256']);
    expect(a.signingKeys[0]).toBe(userRsa);
    expect(a.jwks.keys.map((k) => k.kid)).toEqual(a.signingKeys.map((k) => k.kid));
    expect(a.jwks.keys.every((k) => !('d' in k))).toBe(true);
    // The emulator's own keys differ per issuer.
    expect(a.signingKeys[2].kid).not.toBe(b.signingKeys[2].kid);
  });

  test('a given JWKS is served as is; only user keys whose public key it lists sign, under its kid', () => {
    const published = { ...userRsa.publicJwk, kid: 'spire-2026' };
    const played = playIssuers(['https://spire.example'], { issuerJwks: { 'https://spire.example': { keys: [published] } }, issuerKeys: [userEc, userRsa] }).get('https://spire.example')!;
    expect(played.source).toBe('given');
    expect(played.jwks.keys).toEqual([published]);
    expect(played.signingKeys).toHaveLength(1);
    expect(played.signingKeys[0].kid).toBe('spire-2026');
    expect(sameJwkKey(played.signingKeys[0].publicJwk, userRsa.publicJwk)).toBe(true);
    const none = playIssuers(['https://spire.example'], { issuerJwks: { 'https://spire.example': { keys: [published] } } }).get('https://spire.example')!;
    expect(none.signingKeys).toEqual([]);
  });

  test('slug and discovery document: issuer exactly as the credential names it, keys on the emulator', () => {
    expect(issuerSlug('https://a.example')).toMatch(/^[0-9a-f]{16}$/);
    expect(issuerSlug('https://a.example/')).not.toBe(issuerSlug('https://a.example'));
    const played = playIssuers(['https://a.example/'], {}).get('https://a.example/')!;
    expect(issuerDiscoveryDocument(played, 'https://127.0.0.1:9')).toEqual({
      issuer: 'https://a.example/',
      jwks_uri: `https://127.0.0.1:9/issuers/${played.slug}/keys`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256'],
    });
  });
});
