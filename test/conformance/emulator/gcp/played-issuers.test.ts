import { discoveryDocument, playIssuers, playedIssuerPaths } from '../../../../conformance/emulator/gcp/played-issuers';
import { GcpWorld } from '../../../../conformance/emulator/gcp/world';
import { generateIssuerKey } from '../../../../conformance/oidc/issuer-key';

function worldWith(providers: Array<{ id: string; issuer: string; jwks?: boolean }>): GcpWorld {
  const world = new GcpWorld();
  for (const p of providers) {
    world.providers.set(p.id, {
      name: p.id,
      id: p.id,
      poolName: 'pool',
      disabled: false,
      kind: 'oidc',
      oidc: { issuerUri: p.issuer, allowedAudiences: [], ...(p.jwks ? { jwks: { keys: [generateIssuerKey().publicJwk as never] } } : {}) },
      attributeMapping: { 'google.subject': 'assertion.sub' },
      origin: 't',
    });
  }
  return world;
}

describe('played issuers', () => {
  test('one per issuer without an inline JWKS, shared by the providers that trust it; RS256 keys', () => {
    const played = playIssuers(worldWith([{ id: 'a', issuer: 'https://one.example' }, { id: 'b', issuer: 'https://one.example' }, { id: 'c', issuer: 'https://inline.example', jwks: true }]));
    expect([...played.keys()]).toEqual(['https://one.example']);
    const issuer = played.get('https://one.example')!;
    expect(issuer.keys).toHaveLength(1);
    expect(issuer.keys[0].alg).toBe('RS256');
    expect(issuer.jwks).toEqual({ keys: [issuer.keys[0].publicJwk] });
  });

  test('keys the caller gives are used for their issuer', () => {
    const key = generateIssuerKey('ES256');
    expect(playIssuers(worldWith([{ id: 'a', issuer: 'https://one.example' }]), new Map([['https://one.example', [key]]])).get('https://one.example')!.keys).toEqual([key]);
  });

  test("shared keys (the user's) are published after the issuer's own key, but not for an issuer given its keys", () => {
    const mine = generateIssuerKey('RS256');
    const given = generateIssuerKey('RS256');
    const played = playIssuers(worldWith([{ id: 'a', issuer: 'https://one.example' }, { id: 'b', issuer: 'https://two.example' }]), new Map([['https://two.example', [given]]]), [mine]);
    const one = played.get('https://one.example')!;
    expect(one.keys).toHaveLength(2);
    expect(one.keys[1]).toBe(mine);
    expect(one.jwks.keys.map((k) => k.kid)).toContain(mine.publicJwk.kid);
    expect(played.get('https://two.example')!.keys).toEqual([given]);
  });

  test('paths and the discovery document on the emulator’s origin', () => {
    expect(playedIssuerPaths('https://oidc.prod.example/spire')).toEqual({
      discovery: '/issuers/https%3A%2F%2Foidc.prod.example%2Fspire/.well-known/openid-configuration',
      jwks: '/issuers/https%3A%2F%2Foidc.prod.example%2Fspire/jwks',
    });
    const issuer = playIssuers(worldWith([{ id: 'a', issuer: 'https://one.example' }])).get('https://one.example')!;
    expect(discoveryDocument('http://127.0.0.1:1', issuer)).toMatchObject({
      issuer: 'https://one.example',
      jwks_uri: 'http://127.0.0.1:1/issuers/https%3A%2F%2Fone.example/jwks',
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });
});
