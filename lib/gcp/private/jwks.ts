import { AttestGateError } from '../../core/errors';
import type { JsonWebKeySet } from '../workload-identity-source';

/** Members GCP accepts in an inline JWKS key; anything else makes the provider call fail. */
const ALLOWED_MEMBERS = new Set(['kty', 'alg', 'use', 'kid', 'n', 'e', 'x', 'y', 'crv']);
/** Members of private keys (RFC 7518 §6.2.2, §6.3.2, §6.4). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Checks an inline JWKS as GCP will read it and returns it as compact JSON. Hand-written rather
 * than through jose: jose imports keys one by one and would accept private JWKs and members GCP
 * rejects; what matters here is exactly GCP's accepted subset (reference/gcp-azure.md §1.2, §2.2:
 * RSA and EC P-256 only, members kty, alg, use, kid, n, e, x, y, crv).
 */
export function checkedJwks(jwks: string | JsonWebKeySet, where: string): string {
  const fail = (field: string, value: unknown, problem: string, fix: string): never => {
    throw new AttestGateError({ where, field: `jwks${field}`, value, problem, fix });
  };
  let parsed: unknown = jwks;
  if (typeof jwks === 'string') {
    try {
      parsed = JSON.parse(jwks);
    } catch (e) {
      fail('', jwks, `is not JSON (${(e as Error).message})`, 'give the issuer’s /keys document (a JWKS) as JSON');
    }
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    return fail('.keys', keys, 'is not a non-empty list of keys', 'give a JWKS: {"keys": [{"kty": "RSA", "kid": …, "n": …, "e": …}]}');
  }
  const kids = new Set<string>();
  keys.forEach((key: unknown, i) => {
    const at = `.keys[${i}]`;
    if (key === null || typeof key !== 'object' || Array.isArray(key)) fail(at, key, 'is not a JSON object', 'give each key as a JWK object');
    const k = key as Record<string, unknown>;
    const secret = PRIVATE_MEMBERS.filter((m) => m in k);
    if (secret.length > 0) {
      fail(at, `kid ${JSON.stringify(k.kid)}`, `holds private key material (${secret.join(', ')}); a private key must never be part of a configuration`, 'publish the public key only (drop d, p, q, dp, dq, qi), and rotate the leaked key');
    }
    const unknown = Object.keys(k).filter((m) => !ALLOWED_MEMBERS.has(m));
    if (unknown.length > 0) fail(at, unknown.join(', '), 'are members GCP does not accept in an inline JWKS', `keep only ${[...ALLOWED_MEMBERS].join(', ')}`);
    if (typeof k.kid !== 'string' || k.kid.length === 0) fail(`${at}.kid`, k.kid, 'is missing; GCP picks the verification key by the token’s kid', 'give every key a kid');
    if (kids.has(k.kid as string)) fail(`${at}.kid`, k.kid, 'is used by two keys', 'give every key its own kid');
    kids.add(k.kid as string);
    if (k.use !== undefined && k.use !== 'sig') fail(`${at}.use`, k.use, 'is not "sig"', 'publish signing keys only');
    if (k.kty === 'RSA') {
      if (typeof k.n !== 'string' || !BASE64URL.test(k.n) || typeof k.e !== 'string' || !BASE64URL.test(k.e)) fail(at, k.kid, 'is an RSA key without base64url n and e', 'copy the key whole');
      const bits = Buffer.from(k.n as string, 'base64url').length * 8;
      if (bits < 2048) fail(`${at}.n`, `${bits} bits`, 'is an RSA modulus shorter than 2048 bits', 'use an RSA key of at least 2048 bits (SPIRE: jwt_key_type = "rsa-2048")');
      if (k.alg !== undefined && k.alg !== 'RS256') fail(`${at}.alg`, k.alg, 'is not RS256, the RSA algorithm GCP verifies', 'sign with RS256');
    } else if (k.kty === 'EC') {
      if (k.crv !== 'P-256') fail(`${at}.crv`, k.crv, 'is not P-256; GCP rejects other curves (P-384 measured as rejected)', 'use an ec-p256 or rsa-2048 JWT key');
      if (typeof k.x !== 'string' || !BASE64URL.test(k.x) || typeof k.y !== 'string' || !BASE64URL.test(k.y)) fail(at, k.kid, 'is an EC key without base64url x and y', 'copy the key whole');
      if (k.alg !== undefined && k.alg !== 'ES256') fail(`${at}.alg`, k.alg, 'is not ES256', 'sign with ES256');
    } else {
      fail(`${at}.kty`, k.kty, 'is not RSA or EC', 'use RSA or EC P-256 keys');
    }
  });
  return JSON.stringify({ keys });
}
