import * as crypto from 'node:crypto';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { TokenClaims, decodeJwt, signJwt, signJwtAsync } from '../../../conformance/oidc/jwt';

// Times fixed in the claims, so the two signers see the same payload whatever the clock says.
const CLAIMS: TokenClaims = { iss: 'https://oidc.prod.example', sub: 'spiffe://prod.example/agent/deployer', aud: 'gcp', iat: 1_800_000_000, exp: 1_800_000_300, extra: ['a', 1] };

function verifies(token: string, publicKey: crypto.KeyObject, alg: 'RS256' | 'ES256'): boolean {
  const [header, payload, signature] = token.split('.');
  const key = alg === 'RS256' ? publicKey : { key: publicKey, dsaEncoding: 'ieee-p1363' as const };
  return crypto.verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
}

describe('signJwtAsync (the signature on libuv’s pool)', () => {
  test('RS256: the same bytes as signJwt, for the key’s and an overridden header', async () => {
    const key = generateIssuerKey('RS256');
    expect(await signJwtAsync(key, CLAIMS)).toBe(signJwt(key, CLAIMS));
    expect(await signJwtAsync(key, CLAIMS, { kid: 'other', typ: 'at+jwt' })).toBe(signJwt(key, CLAIMS, { kid: 'other', typ: 'at+jwt' }));
    expect(decodeJwt(await signJwtAsync(key, CLAIMS, { kid: 'other' })).header).toEqual({ alg: 'RS256', kid: 'other', typ: 'JWT' });
  });

  test('ES256 (randomized signatures): the same signing input, and a JOSE r||s signature that verifies', async () => {
    const key = generateIssuerKey('ES256');
    const publicKey = crypto.createPublicKey(key.privateKey);
    const [sync, async] = [signJwt(key, CLAIMS), await signJwtAsync(key, CLAIMS)];
    expect(async.split('.').slice(0, 2)).toEqual(sync.split('.').slice(0, 2));
    // 64 bytes: raw r||s (RFC 7518 §3.4); a DER signature is 70–72 and fails this verification.
    expect(Buffer.from(async.split('.')[2], 'base64url')).toHaveLength(64);
    expect(verifies(async, publicKey, 'ES256')).toBe(true);
  });

  test('a token whose payload changed does not verify (the check above can fail)', async () => {
    const key = generateIssuerKey('RS256');
    const [header, , signature] = (await signJwtAsync(key, CLAIMS)).split('.');
    const other = Buffer.from(JSON.stringify({ ...CLAIMS, sub: 'spiffe://prod.example/agent/intruder' })).toString('base64url');
    expect(verifies(`${header}.${other}.${signature}`, crypto.createPublicKey(key.privateKey), 'RS256')).toBe(false);
  });

  test('fresh times when the claims set none, as signJwt', async () => {
    const key = generateIssuerKey('RS256');
    const before = Math.floor(Date.now() / 1000);
    const { claims } = decodeJwt(await signJwtAsync(key, { iss: 'https://i', sub: 's', aud: 'a' }));
    expect(claims.iat as number).toBeGreaterThanOrEqual(before);
    expect(claims.exp).toBe((claims.iat as number) + 300);
  });

  test('a signing failure rejects the promise', async () => {
    const key = generateIssuerKey('RS256');
    await expect(signJwtAsync({ ...key, privateKey: crypto.createPublicKey(key.privateKey) }, CLAIMS)).rejects.toThrow();
  });
});
