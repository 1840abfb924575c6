import { compactVerify, importJWK } from 'jose';
import type { EmulatorHttpRequest, EmulatorHttpResponse } from '../http/loopback-server';
import { federate, isRejection } from '../../../lib/model/gcp/federated-identity';
import { PlayedIssuer } from './played-issuers';
import { EmulatedProvider, GcpWorld } from './world';

/**
 * Google STS token exchange (`POST /v1/token`) for OIDC credentials, with the checks and OAuth
 * error shapes of reference/gcp-azure.md §2 and §8, in this order: request parameters, audience
 * (the provider's resource name), provider and pool state, token type, JWT header algorithm,
 * issuer, signing key, signature, audience claim, validity times, attribute mapping, attribute
 * condition. Only RS256 and ES256 are accepted, as GCP does.
 */

/** Behaviours GCP does not document, each set to the safe choice (docs/emulator.md, divergences). */
export interface GcpStsBehaviour {
  /** Tolerated clock difference for `exp`, `iat` and `nbf`. @default 60 (measured on GCP) */
  readonly clockSkewSeconds: number;
  /** Longest federated token. @default 3600 */
  readonly maxFederatedTokenSeconds: number;
  /**
   * Refuse an `iat` or `nbf` further in the future than the skew (GCP's answer is not
   * documented). @default true
   */
  readonly rejectFutureTokens: boolean;
}

export const DEFAULT_GCP_STS_BEHAVIOUR: GcpStsBehaviour = { clockSkewSeconds: 60, maxFederatedTokenSeconds: 3600, rejectFutureTokens: true };

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPES: readonly string[] = ['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token'];

const AUDIENCE = /^(?:https:)?\/\/iam\.googleapis\.com\/(projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+)$/;
const ACCEPTED_ALGORITHMS = new Set(['RS256', 'ES256']);

/** The STS's OAuth error body: exactly `{error, error_description}`. */
export function oauthError(status: number, error: string, description: string): EmulatorHttpResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ error, error_description: description }) };
}

const invalidGrant = (description: string) => oauthError(400, 'invalid_grant', description);

/** `grantType` → `grant_type`: google-github-actions/auth sends camelCase JSON. */
const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The request's parameters from a form or JSON body, snake_case keys. */
export function stsParameters(request: EmulatorHttpRequest): Record<string, string> | { malformed: string } {
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const parameters: Record<string, string> = {};
  if (type === 'application/json' || (type === '' && request.body.trimStart().startsWith('{'))) {
    let json: unknown;
    try {
      json = JSON.parse(request.body);
    } catch (e) {
      return { malformed: `Invalid JSON payload received. ${(e as Error).message}` };
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return { malformed: 'Invalid JSON payload received. The body is not a JSON object.' };
    for (const [key, value] of Object.entries(json)) {
      if (typeof value === 'string') parameters[snakeCase(key)] = value;
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) parameters[snakeCase(key)] = value.join(' ');
      else if (value !== null && value !== undefined) parameters[snakeCase(key)] = JSON.stringify(value);
    }
  } else {
    for (const [key, value] of new URLSearchParams(request.body)) parameters[snakeCase(key)] = value;
  }
  return parameters;
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The keys a provider trusts: its inline JWKS, or the JWKS its (played) issuer publishes. */
function trustedKeys(provider: EmulatedProvider, issuers: ReadonlyMap<string, PlayedIssuer>): ReadonlyArray<Readonly<Record<string, unknown>>> {
  const oidc = provider.oidc!;
  return oidc.jwks?.keys ?? ((issuers.get(oidc.issuerUri)?.jwks.keys ?? []) as unknown as ReadonlyArray<Readonly<Record<string, unknown>>>);
}

const fitsAlgorithm = (jwk: Readonly<Record<string, unknown>>, alg: string) => (alg === 'RS256' ? jwk.kty === 'RSA' : jwk.kty === 'EC' && jwk.crv === 'P-256');

/** The audiences a provider accepts: `allowed_audiences`, or its own resource name with or without `https:`. */
export function acceptedAudiences(provider: EmulatedProvider): readonly string[] {
  const allowed = provider.oidc?.allowedAudiences ?? [];
  return allowed.length > 0 ? allowed : [`//iam.googleapis.com/${provider.name}`, `https://iam.googleapis.com/${provider.name}`];
}

export async function stsToken(world: GcpWorld, issuers: ReadonlyMap<string, PlayedIssuer>, request: EmulatorHttpRequest, now: Date, behaviour: GcpStsBehaviour = DEFAULT_GCP_STS_BEHAVIOUR): Promise<EmulatorHttpResponse> {
  const parameters = stsParameters(request);
  if ('malformed' in parameters) return oauthError(400, 'invalid_request', parameters.malformed);
  for (const required of ['grant_type', 'audience', 'subject_token', 'subject_token_type']) {
    if (!parameters[required]) return oauthError(400, 'invalid_request', `The request is missing a required parameter: ${required}.`);
  }
  if (parameters.grant_type !== TOKEN_EXCHANGE_GRANT) {
    return oauthError(400, 'unsupported_grant_type', `The grant_type "${parameters.grant_type}" is not supported; use ${TOKEN_EXCHANGE_GRANT}.`);
  }
  if (parameters.requested_token_type !== undefined && parameters.requested_token_type !== ACCESS_TOKEN_TYPE) {
    return oauthError(400, 'invalid_request', `Invalid value for "requested_token_type": ${parameters.requested_token_type}; only ${ACCESS_TOKEN_TYPE} is supported.`);
  }
  const audience = AUDIENCE.exec(parameters.audience);
  if (!audience) {
    return oauthError(
      400,
      'invalid_request',
      'Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.',
    );
  }
  const provider = world.providers.get(audience[1]);
  const pool = provider ? world.pools.get(provider.poolName) : undefined;
  if (!provider || provider.disabled || !pool || pool.disabled) {
    return oauthError(
      400,
      'invalid_target',
      `The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist.`,
    );
  }
  if (!JWT_TOKEN_TYPES.includes(parameters.subject_token_type)) {
    return oauthError(400, 'invalid_request', `Invalid value for "subject_token_type": ${parameters.subject_token_type}. An OIDC provider accepts ${JWT_TOKEN_TYPES.join(' or ')}.`);
  }
  if (!provider.oidc) return oauthError(400, 'invalid_request', `The provider accepts ${provider.kind} credentials; the emulator exchanges OIDC tokens only.`);
  const oidc = provider.oidc;

  const segments = parameters.subject_token.split('.');
  const header = segments.length === 3 ? decodeSegment(segments[0]) : undefined;
  const claims = segments.length === 3 ? decodeSegment(segments[1]) : undefined;
  if (!header || !claims) return invalidGrant('Unable to parse the ID Token.');
  if (typeof header.alg !== 'string' || !ACCEPTED_ALGORITHMS.has(header.alg)) {
    return invalidGrant(`The ID Token's signing algorithm ${JSON.stringify(header.alg ?? null)} is not supported; RS256 and ES256 are.`);
  }
  if (claims.iss !== oidc.issuerUri) {
    return invalidGrant(`The issuer in ID Token ${String(claims.iss)} does not match the expected one in config ${oidc.issuerUri}.`);
  }
  const jwk = trustedKeys(provider, issuers).find((k) => k.kid !== undefined && k.kid === header.kid && fitsAlgorithm(k, header.alg as string));
  if (!jwk) return invalidGrant("Error connecting to the given credential's issuer.");
  try {
    const { kid: _kid, alg: _alg, use: _use, ...material } = jwk;
    await compactVerify(parameters.subject_token, await importJWK(material as Parameters<typeof importJWK>[0], header.alg), { algorithms: [header.alg] });
  } catch {
    return invalidGrant('Unable to verify the ID Token signature.');
  }
  const tokenAudiences = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud.filter((a): a is string => typeof a === 'string') : [];
  const accepted = acceptedAudiences(provider);
  if (!tokenAudiences.some((a) => accepted.includes(a))) {
    return invalidGrant(`The audience in ID Token [${tokenAudiences.join(', ')}] does not match the expected audience.`);
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const skew = behaviour.clockSkewSeconds;
  if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number' || claims.exp + skew < nowSeconds) {
    return invalidGrant(`ID Token issued at ${String(claims.iat)} is stale to sign-in.`);
  }
  if (behaviour.rejectFutureTokens && claims.iat > nowSeconds + skew) return invalidGrant(`ID Token issued at ${claims.iat} is in the future.`);
  if (behaviour.rejectFutureTokens && typeof claims.nbf === 'number' && claims.nbf > nowSeconds + skew) {
    return invalidGrant(`ID Token is not valid before ${claims.nbf}.`);
  }

  const federated = federate(provider, claims);
  if (isRejection(federated)) return oauthError(federated.status, federated.error, federated.description);
  const expiresIn = Math.max(1, Math.min(claims.exp - nowSeconds, behaviour.maxFederatedTokenSeconds));
  const accessToken = world.issueToken({
    kind: 'federated',
    ...federated,
    expiresAt: new Date(now.getTime() + expiresIn * 1000),
    issuedAt: now,
    ...(parameters.scope ? { scope: parameters.scope } : {}),
  });
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ access_token: accessToken, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: expiresIn }),
  };
}
