import * as crypto from 'node:crypto';
import type { Jwks } from '../../../lib/core/jwks';
import { IssuerKey, PublicJwk, generateIssuerKey, keysForJwks } from '../../oidc/issuer-key';

export type { Jwks };

/**
 * An OIDC issuer the emulator plays in local mode: Entra would fetch the issuer's discovery
 * document and JWKS over the Internet; the emulator answers from here, and serves the same
 * documents on its own origin under `/issuers/<slug>/` for people and tools to look at.
 */
export interface PlayedIssuer {
  /** The issuer exactly as the federated credentials name it (the tokens' `iss`). */
  readonly issuer: string;
  /** A stable path segment for it: the first 16 hex digits of SHA-256(issuer). */
  readonly slug: string;
  /** The keys it publishes. */
  readonly jwks: Jwks;
  /**
   * Private keys whose public keys it publishes, for the in-process suite: the user's keys first
   * (RSA before EC), then the emulator's own RS256 and ES256 keys.
   */
  readonly signingKeys: readonly IssuerKey[];
  /** `given`: its JWKS came from `issuerJwks` (a real issuer's keys); `played`: the emulator made it. */
  readonly source: 'given' | 'played';
}

export interface PlayedIssuerOptions {
  /**
   * The public keys of an issuer, by issuer: the emulator publishes exactly these for it, and
   * signs for it only with `issuerKeys` whose public key is among them (matched by key material).
   */
  readonly issuerJwks?: Readonly<Record<string, Jwks>>;
  /**
   * Private issuer keys the user holds (`--pki` keys that pair with no certificate, or given
   * through the API): every issuer without `issuerJwks` publishes them besides its own keys, so
   * probes can sign with the user's key, as with the real issuer.
   */
  readonly issuerKeys?: readonly IssuerKey[];
}

export const issuerSlug = (issuer: string): string => crypto.createHash('sha256').update(issuer).digest('hex').slice(0, 16);

const byAlgorithm = (keys: readonly IssuerKey[]) => [...keys.filter((k) => k.alg === 'RS256'), ...keys.filter((k) => k.alg !== 'RS256')];

/** Plays every issuer: its keys, generated once per emulator start, or the given JWKS. */
export function playIssuers(issuers: readonly string[], options: PlayedIssuerOptions = {}): Map<string, PlayedIssuer> {
  const userKeys = options.issuerKeys ?? [];
  const played = new Map<string, PlayedIssuer>();
  for (const issuer of issuers) {
    const given = options.issuerJwks?.[issuer];
    if (given) {
      const signingKeys = keysForJwks(given, userKeys.map((k) => ({ key: k.privateKey })));
      played.set(issuer, { issuer, slug: issuerSlug(issuer), jwks: given, signingKeys: byAlgorithm(signingKeys), source: 'given' });
      continue;
    }
    // An ES256 key too: the ES256 probe is then validly signed by a published key, so only the
    // algorithm can be the reason Entra refuses it.
    const own = [generateIssuerKey('RS256'), generateIssuerKey('ES256')];
    const signingKeys = [...byAlgorithm(userKeys), ...own];
    const jwks: Jwks = { keys: signingKeys.map((k): PublicJwk => k.publicJwk) as unknown as Array<Record<string, unknown>> };
    played.set(issuer, { issuer, slug: issuerSlug(issuer), jwks, signingKeys, source: 'played' });
  }
  return played;
}

/** The discovery document of a played issuer: its `issuer` is the credential's, its keys on the emulator. */
export function issuerDiscoveryDocument(played: PlayedIssuer, origin: string): Record<string, unknown> {
  return {
    issuer: played.issuer,
    jwks_uri: `${origin}/issuers/${played.slug}/keys`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...new Set(played.jwks.keys.map((k) => (typeof k.alg === 'string' ? k.alg : k.kty === 'EC' ? 'ES256' : 'RS256')))],
  };
}
