import * as crypto from 'node:crypto';
import { Jwks } from '../../lib/core/jwks';
import { IssuerKey, keysForJwks } from '../oidc/issuer-key';
import { GcpProbeTarget } from './gcp-probe-target';

/**
 * The keys that sign tokens a provider trusts:
 *
 * - an inline JWKS (`oidc.jwks_json`) is paired with the private keys at hand (`--pki`, issuer
 *   keys) by public key, taking the JWKS's `kid`;
 * - locally, an issuer without inline JWKS is played by the emulator, whose keys are used;
 * - live, such an issuer's published JWKS (discovery document → `jwks_uri`) is fetched to pair
 *   the keys at hand and learn their `kid`; when it cannot be fetched the keys are used as given.
 */
export interface GateKeys {
  readonly keys: readonly IssuerKey[];
  readonly noKeyReason?: string;
}

export interface KeySources {
  /** Private keys from `--pki` and the issuer keys given. */
  readonly privateKeys: ReadonlyArray<{ readonly key: crypto.KeyObject }>;
  /** Issuer keys given as such (their own `kid`s), used when a live issuer's JWKS cannot be read. */
  readonly issuerKeys: readonly IssuerKey[];
  /** The emulator's played issuers (local target). */
  readonly played?: ReadonlyMap<string, { readonly keys: readonly IssuerKey[] }>;
  /** Reads a live issuer's JWKS (live target). */
  readonly target?: GcpProbeTarget;
}

const kidsOf = (jwks: Jwks) => jwks.keys.map((k) => (typeof k.kid === 'string' ? k.kid : '(no kid)')).join(', ');

/** The JWKS an issuer publishes, through its discovery document; undefined when it cannot be read. */
export async function fetchIssuerJwks(target: GcpProbeTarget, issuer: string): Promise<Jwks | undefined> {
  const parse = (body: string): Record<string, unknown> | undefined => {
    try {
      const value = JSON.parse(body) as unknown;
      return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const discovery = await target.getJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (discovery.kind !== 'response' || discovery.status !== 200) return undefined;
  const jwksUri = parse(discovery.body)?.jwks_uri;
  if (typeof jwksUri !== 'string') return undefined;
  const jwks = await target.getJson(jwksUri);
  if (jwks.kind !== 'response' || jwks.status !== 200) return undefined;
  const keys = parse(jwks.body)?.keys;
  return Array.isArray(keys) ? { keys: keys as Jwks['keys'] } : undefined;
}

export async function keysForGate(issuer: string | undefined, inlineJwks: Jwks | undefined, sources: KeySources): Promise<GateKeys> {
  if (!issuer) return { keys: [], noKeyReason: 'the provider is not an OIDC provider with an issuer' };
  const all = [...sources.privateKeys, ...sources.issuerKeys.map((k) => ({ key: k.privateKey }))];
  if (inlineJwks) {
    const keys = keysForJwks(inlineJwks, all);
    return keys.length > 0
      ? { keys }
      : { keys: [], noKeyReason: `no private key at hand (--pki, issuer keys) matches the provider's inline JWKS (kid ${kidsOf(inlineJwks)}); keys are matched by public key` };
  }
  const played = sources.played?.get(issuer);
  if (played) return { keys: played.keys };
  if (sources.target) {
    if (all.length === 0) return { keys: [], noKeyReason: `no issuer key for ${issuer} was given (--pki or issuer keys)` };
    const published = await fetchIssuerJwks(sources.target, issuer);
    if (published) {
      const keys = keysForJwks(published, all);
      return keys.length > 0 ? { keys } : { keys: [], noKeyReason: `no private key at hand matches the JWKS ${issuer} publishes (kid ${kidsOf(published)})` };
    }
    if (sources.issuerKeys.length > 0) return { keys: sources.issuerKeys };
    return { keys: [], noKeyReason: `the JWKS of ${issuer} could not be read, and no issuer key was given` };
  }
  return { keys: [], noKeyReason: `no key for issuer ${issuer}` };
}
