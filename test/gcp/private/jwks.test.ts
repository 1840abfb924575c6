import { generateKeyPairSync } from 'node:crypto';
import { checkedJwks } from '../../../lib/gcp/private/jwks';
import { rsaJwks } from '../../fixtures/cdktf';

const where = "AttestedWorkloadIdentityProvider 'agents/Gate'";

describe('checkedJwks', () => {
  test('accepts a public RSA JWKS (text or object) and returns compact JSON', () => {
    const jwks = rsaJwks();
    expect(checkedJwks(jwks, where)).toBe(JSON.stringify(jwks));
    expect(checkedJwks(JSON.stringify(jwks, null, 2), where)).toBe(JSON.stringify(jwks));
  });

  test('accepts EC P-256 keys', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const key = { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: 'ec-1', alg: 'ES256' };
    expect(JSON.parse(checkedJwks({ keys: [key] }, where)).keys[0].crv).toBe('P-256');
  });

  test('rejects a private key, naming the members that leak', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = { ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: 'leaked' };
    expect(() => checkedJwks({ keys: [key] }, where)).toThrow(
      `${where}: jwks.keys[0] "kid \\"leaked\\"" holds private key material (d, p, q, dp, dq, qi); a private key must never be part of a configuration. Fix: publish the public key only`,
    );
  });

  const rsa = () => rsaJwks().keys[0];
  test.each([
    ['{', 'jwks "{" is not JSON'],
    [{ keys: [] }, 'jwks.keys [] is not a non-empty list of keys'],
    [{}, 'jwks.keys (unset) is not a non-empty list of keys'],
    [{ keys: ['x'] }, 'jwks.keys[0] "x" is not a JSON object'],
    [{ keys: [{ ...rsa(), x5c: ['MII'] }] }, 'jwks.keys[0] "x5c" are members GCP does not accept in an inline JWKS'],
    [{ keys: [{ ...rsa(), kid: undefined }] }, 'jwks.keys[0].kid (unset) is missing'],
    [{ keys: [rsa(), rsa()] }, 'jwks.keys[1].kid "spire-1" is used by two keys'],
    [{ keys: [{ ...rsa(), use: 'enc' }] }, 'jwks.keys[0].use "enc" is not "sig"'],
    [{ keys: [{ ...rsa(), n: 'a+b' }] }, 'is an RSA key without base64url n and e'],
    [{ keys: [{ ...rsa(), n: Buffer.alloc(128, 1).toString('base64url') }] }, 'jwks.keys[0].n "1024 bits" is an RSA modulus shorter than 2048 bits'],
    [{ keys: [{ ...rsa(), alg: 'RS512' }] }, 'jwks.keys[0].alg "RS512" is not RS256'],
    [{ keys: [{ kty: 'EC', kid: 'e', crv: 'P-384', x: 'a', y: 'b' }] }, 'jwks.keys[0].crv "P-384" is not P-256'],
    [{ keys: [{ kty: 'EC', kid: 'e', crv: 'P-256', x: 'a' }] }, 'is an EC key without base64url x and y'],
    [{ keys: [{ kty: 'EC', kid: 'e', crv: 'P-256', x: 'a', y: 'b', alg: 'ES384' }] }, 'jwks.keys[0].alg "ES384" is not ES256'],
    [{ keys: [{ kty: 'OKP', kid: 'e', crv: 'Ed25519', x: 'a' }] }, 'jwks.keys[0].kty "OKP" is not RSA or EC'],
  ])('rejects %#', (jwks, message) => {
    expect(() => checkedJwks(jwks as never, where)).toThrow(message);
  });
});
