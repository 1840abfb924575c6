import * as crypto from 'node:crypto';
import { IssuerKey, issuerKeyThumbprint } from '../oidc/issuer-key';
import { TokenClaims, signJwt, tamperedJwt, unsignedJwt } from '../oidc/jwt';

/**
 * A client assertion a probe presents to Entra, described before it exists: the request plan
 * needs its key long before (or without) it is minted, and the run mints it only when the request
 * that presents it is sent — a request answered by an identical one sent earlier mints nothing.
 */
export interface ClientAssertion {
  /**
   * Everything Entra's answer to the assertion depends on: its claims, its validity window
   * relative to the moment it is minted, its algorithm and signing key (or how it was derived).
   * Not its `jti`, nor the instant it is minted: each mint is fresh, and a fresh `jti` is never a
   * replay, so two assertions with the same key get the same answer.
   */
  readonly key: string;
  /**
   * Minted anew for each request (a fresh `jti`): true for signed and unsigned assertions; false
   * for a token that exists already, whose every presentation is the same bytes again.
   */
  readonly fresh: boolean;
  /** The compact JWT; a fresh `jti` and `iat` for every signed or unsigned assertion. */
  mint(): string;
}

/** What a probe's token claims: a credential's issuer, subject and audience, or a near miss of them. */
export interface AssertedIdentity {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
}

/**
 * The validity window, in seconds from the moment of minting (`exp` 300: SPIRE's default SVID
 * lifetime). Relative, so the key of an "expired an hour ago" assertion is the same in the plan
 * and at sending, whenever each happens.
 */
export interface RelativeValidity {
  readonly iat: number;
  readonly exp: number;
  readonly nbf?: number;
}

export const FRESH: RelativeValidity = { iat: 0, exp: 300 };

function claimsAt(identity: AssertedIdentity, validity: RelativeValidity): TokenClaims {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: identity.iss,
    sub: identity.sub,
    aud: identity.aud,
    iat: now + validity.iat,
    ...(validity.nbf !== undefined ? { nbf: now + validity.nbf } : {}),
    exp: now + validity.exp,
    jti: crypto.randomUUID(),
  };
}

/**
 * An assertion signed with `key` (its `kid` in the header). The key names the signing key by its
 * public key's thumbprint as well as its `kid`: two keys with one `kid` are two assertions.
 */
export function signedAssertion(key: IssuerKey, identity: AssertedIdentity, validity: RelativeValidity = FRESH): ClientAssertion {
  return {
    fresh: true,
    key: JSON.stringify(['signed', key.alg, key.kid, issuerKeyThumbprint(key), identity.iss, identity.sub, identity.aud, validity.iat, validity.nbf ?? null, validity.exp]),
    mint: () => signJwt(key, claimsAt(identity, validity)),
  };
}

/** An unsigned assertion (`alg: none`). */
export function unsignedAssertion(identity: AssertedIdentity, validity: RelativeValidity = FRESH): ClientAssertion {
  return {
    fresh: true,
    key: JSON.stringify(['unsigned', identity.iss, identity.sub, identity.aud, validity.iat, validity.nbf ?? null, validity.exp]),
    mint: () => unsignedJwt(claimsAt(identity, validity)),
  };
}

/**
 * An assertion with one bit of its signature flipped: the key says which assertion it is derived
 * from. It carries that assertion's `jti` — the same bytes each time it is minted from the same
 * token, so sharing it sends those bytes once rather than presenting them again.
 */
export function signatureFlipped(of: ClientAssertion): ClientAssertion {
  return { fresh: false, key: JSON.stringify(['signature-bit-flipped', of.key]), mint: () => tamperedJwt(of.mint()) };
}

/**
 * A token that exists already (the token command's, a leg-1 token Entra issued): presenting it is
 * presenting those bytes, so its key is given by whoever knows what it is.
 */
export function existingAssertion(key: string, token: () => string): ClientAssertion {
  return { fresh: false, key, mint: token };
}
