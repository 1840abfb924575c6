import { IssuerKey, PublicJwk, generateIssuerKey } from '../../oidc/issuer-key';
import { GcpWorld } from './world';

/**
 * The OIDC issuers the emulator plays: every issuer an OIDC provider trusts without an inline
 * JWKS. Google would fetch `<issuer>/.well-known/openid-configuration` and its `jwks_uri`; the
 * emulator cannot reach the issuer, so it signs for it with keys it generates (or that the caller
 * supplies) and serves the same two documents under `/issuers/<url-encoded issuer>/` on its own
 * origin. Its STS reads the keys in-process, which is what fetching that JWKS would return.
 */
export interface PlayedIssuer {
  readonly issuer: string;
  /** Private keys, for probes and tests that need tokens this issuer signed. */
  readonly keys: readonly IssuerKey[];
  readonly jwks: { readonly keys: readonly PublicJwk[] };
}

/** Paths on the emulator's origin where a played issuer's documents are served. */
export function playedIssuerPaths(issuer: string): { discovery: string; jwks: string } {
  const base = `/issuers/${encodeURIComponent(issuer)}`;
  return { discovery: `${base}/.well-known/openid-configuration`, jwks: `${base}/jwks` };
}

/**
 * One played issuer per distinct issuer URI of the world's OIDC providers that carry no JWKS. An
 * issuer in `given` signs with exactly those keys; any other with a fresh RS256 key and, after it,
 * `shared` — keys the user holds (`--pki`), so their own tokens verify as the real issuer's would.
 */
export function playIssuers(world: GcpWorld, given: ReadonlyMap<string, readonly IssuerKey[]> = new Map(), shared: readonly IssuerKey[] = []): Map<string, PlayedIssuer> {
  const played = new Map<string, PlayedIssuer>();
  for (const provider of world.providers.values()) {
    const oidc = provider.oidc;
    if (!oidc || oidc.jwks || played.has(oidc.issuerUri)) continue;
    const keys = given.get(oidc.issuerUri) ?? [generateIssuerKey('RS256'), ...shared];
    played.set(oidc.issuerUri, { issuer: oidc.issuerUri, keys, jwks: { keys: keys.map((k) => k.publicJwk) } });
  }
  return played;
}

/** The discovery document of a played issuer, as an OIDC discovery provider (SPIRE's) serves it. */
export function discoveryDocument(endpoint: string, issuer: PlayedIssuer): Record<string, unknown> {
  return {
    issuer: issuer.issuer,
    jwks_uri: `${endpoint}${playedIssuerPaths(issuer.issuer).jwks}`,
    authorization_endpoint: '',
    response_types_supported: ['id_token'],
    subject_types_supported: [],
    id_token_signing_alg_values_supported: [...new Set(issuer.keys.map((k) => k.alg))],
  };
}
