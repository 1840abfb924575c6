import { FRESH, existingAssertion, signatureFlipped, signedAssertion, unsignedAssertion } from '../../../conformance/azure/client-assertion';
import { generateIssuerKey, issuerKeyOf } from '../../../conformance/oidc/issuer-key';
import { decodeJwt } from '../../../conformance/oidc/jwt';

const IDENTITY = { iss: 'https://oidc.prod.example', sub: 'spiffe://prod.example/agent/deployer', aud: 'api://AzureADTokenExchange' };

describe('client assertions, keyed before they are minted', () => {
  const key = generateIssuerKey('RS256');

  test('each mint is fresh (a new jti) under one key: the key leaves out only what is new each time', () => {
    const assertion = signedAssertion(key, IDENTITY);
    const [a, b] = [decodeJwt(assertion.mint()).claims, decodeJwt(assertion.mint()).claims];
    expect(a.jti).not.toBe(b.jti);
    expect(assertion.fresh).toBe(true);
    expect(signedAssertion(key, IDENTITY).key).toBe(assertion.key);
    expect({ iss: a.iss, sub: a.sub, aud: a.aud }).toEqual(IDENTITY);
    expect((a.exp as number) - (a.iat as number)).toBe(FRESH.exp);
  });

  test('anything the answer depends on changes the key: a claim, the validity window, the signing key — even under the same kid — or signing at all', () => {
    const base = signedAssertion(key, IDENTITY).key;
    const sameKid = issuerKeyOf(generateIssuerKey('RS256').privateKey, key.kid);
    const variants = [
      signedAssertion(key, { ...IDENTITY, iss: `${IDENTITY.iss}/` }),
      signedAssertion(key, { ...IDENTITY, sub: `${IDENTITY.sub}/x` }),
      signedAssertion(key, { ...IDENTITY, aud: 'api://AzureADMyOrg' }),
      signedAssertion(key, IDENTITY, { iat: -7200, exp: -3600 }),
      signedAssertion(key, IDENTITY, { iat: 0, nbf: 3600, exp: 7200 }),
      signedAssertion(sameKid, IDENTITY),
      signedAssertion(generateIssuerKey('ES256'), IDENTITY),
      unsignedAssertion(IDENTITY),
    ].map((a) => a.key);
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  test('the validity window is relative: an assertion that expired an hour ago is that whenever it is minted', () => {
    const expired = decodeJwt(signedAssertion(key, IDENTITY, { iat: -7200, exp: -3600 }).mint()).claims;
    const now = Math.floor(Date.now() / 1000);
    expect(now - (expired.exp as number)).toBeGreaterThanOrEqual(3600);
    expect(now - (expired.exp as number)).toBeLessThan(3660);
  });

  test('a token that exists already is not fresh; flipping its signature keeps its claims (and jti) and names what it came from', () => {
    const token = signedAssertion(key, IDENTITY).mint();
    const control = existingAssertion('control', () => token);
    const flipped = signatureFlipped(control);
    expect([control.fresh, flipped.fresh]).toEqual([false, false]);
    expect(JSON.parse(flipped.key)).toEqual(['signature-bit-flipped', 'control']);
    const minted = flipped.mint();
    expect(minted).not.toBe(token);
    expect(decodeJwt(minted).claims).toEqual(decodeJwt(token).claims);
  });
});
