import * as crypto from 'node:crypto';
import type { PkiMaterial } from '../pki/pki-directory';

/** JWS algorithms the issuers here sign with: Entra accepts RSA only; GCP RSA and P-256. */
export type JwsAlgorithm = 'RS256' | 'ES256';

/** A public key as a JWK, with the members an OIDC JWKS carries. */
export interface PublicJwk {
  readonly kty: 'RSA' | 'EC';
  readonly kid: string;
  readonly alg: JwsAlgorithm;
  readonly use: 'sig';
  readonly n?: string;
  readonly e?: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
}

/** An OIDC issuer's signing key: the private key and the JWK it publishes. */
export interface IssuerKey {
  readonly kid: string;
  readonly alg: JwsAlgorithm;
  readonly privateKey: crypto.KeyObject;
  readonly publicJwk: PublicJwk;
}

/** The RFC 7638 thumbprint of a public JWK (base64url SHA-256 of its required members, sorted). */
export function jwkThumbprint(jwk: { kty: string; n?: string; e?: string; crv?: string; x?: string; y?: string }): string {
  const members = jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return crypto.createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

const thumbprints = new WeakMap<IssuerKey, string>();

/** The RFC 7638 thumbprint of an issuer key's public half, computed once per key (request keys name signers by it: a plan of 1,000 gates asks ~40,000 times). */
export function issuerKeyThumbprint(key: IssuerKey): string {
  let thumbprint = thumbprints.get(key);
  if (thumbprint === undefined) thumbprints.set(key, (thumbprint = jwkThumbprint(key.publicJwk)));
  return thumbprint;
}

/** The issuer key of a private key; `kid` defaults to the RFC 7638 thumbprint. */
export function issuerKeyOf(privateKey: crypto.KeyObject, kid?: string): IssuerKey {
  const jwk = crypto.createPublicKey(privateKey).export({ format: 'jwk' }) as { kty: string; n?: string; e?: string; crv?: string; x?: string; y?: string };
  let alg: JwsAlgorithm;
  if (jwk.kty === 'RSA') alg = 'RS256';
  else if (jwk.kty === 'EC' && jwk.crv === 'P-256') alg = 'ES256';
  else throw new Error(`an OIDC issuer key must be RSA or EC P-256, not ${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ''}`);
  const id = kid ?? jwkThumbprint(jwk);
  const publicJwk: PublicJwk =
    jwk.kty === 'RSA' ? { kty: 'RSA', kid: id, alg, use: 'sig', n: jwk.n, e: jwk.e } : { kty: 'EC', kid: id, alg, use: 'sig', crv: jwk.crv, x: jwk.x, y: jwk.y };
  return { kid: id, alg, privateKey, publicJwk };
}

/** A fresh issuer key (the emulator plays issuers with these; probes forge with them). */
export function generateIssuerKey(alg: JwsAlgorithm = 'RS256'): IssuerKey {
  const { privateKey } = alg === 'RS256' ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }) : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return issuerKeyOf(privateKey);
}

/** Whether two public JWKs are the same key (by key material, never by `kid`). */
export function sameJwkKey(a: { kty?: string }, b: { kty?: string }): boolean {
  try {
    return jwkThumbprint(a as never) === jwkThumbprint(b as never);
  } catch {
    return false;
  }
}

/**
 * The private keys (from `--pki`) whose public keys a JWKS publishes, with the JWKS's `kid`s:
 * how a provider's inline JWKS is paired with the issuer key that signs its tokens.
 */
export function keysForJwks(jwks: { keys?: ReadonlyArray<Record<string, unknown>> }, privateKeys: ReadonlyArray<{ key: crypto.KeyObject }>): IssuerKey[] {
  const found: IssuerKey[] = [];
  for (const published of jwks.keys ?? []) {
    for (const { key } of privateKeys) {
      let candidate: IssuerKey;
      try {
        candidate = issuerKeyOf(key, typeof published.kid === 'string' ? published.kid : undefined);
      } catch {
        continue;
      }
      if (sameJwkKey(candidate.publicJwk, published as { kty?: string })) found.push(candidate);
    }
  }
  return found;
}

/** The `--pki` keys that pair with no certificate and that an OIDC issuer can use (RSA, EC P-256). */
export function pkiIssuerKeys(pki: PkiMaterial | undefined): IssuerKey[] {
  if (!pki) return [];
  const keys: IssuerKey[] = [];
  for (const { key, file } of pki.keys) {
    if (!pki.unmatchedKeys.includes(file)) continue;
    try {
      keys.push(issuerKeyOf(key));
    } catch {
      // An Ed25519 or P-384 key cannot sign for Entra or GCP; it is not an issuer key here.
    }
  }
  return keys;
}
