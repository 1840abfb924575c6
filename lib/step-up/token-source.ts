import { decodeJwt } from 'jose';
import { AttestGateError } from '../core/errors';
import { HttpTransportError, sendRequest } from '../http/send-request';
import { ACR } from './acr';

/** Why the agent asks for a token. */
export type TokenReason =
  /** The first request: any valid token will do; a source may serve it from a cache. */
  | 'initial'
  /** RFC 9470: the resource server asked for a stronger or more recent attestation. */
  | 'step-up'
  /** The resource server refused the token as invalid or expired (RFC 6750 `invalid_token`). */
  | 'invalid-token'
  /** The resource server asked for more scopes (RFC 6750 `insufficient_scope`; the MCP step-up). */
  | 'insufficient-scope'
  /**
   * Entra ID's claims challenge (`insufficient_claims`): `claims` holds the decoded claims
   * request, for an MSAL-based source to pass as `claims` (acquireTokenByClientCredential and
   * kin); `acrValues` holds its `acrs` authentication context IDs.
   */
  | 'claims-challenge';

/** What the agent asks a token source for. */
export interface TokenRequest {
  readonly reason: TokenReason;
  /** The resource the token is for (its `aud`): fixed by the agent's configuration, never by a challenge. */
  readonly audience: string;
  /** From the challenge: ACR values in order of preference, one of which the token must meet. */
  readonly acrValues?: readonly string[];
  /** From the challenge: the most seconds since attestation the resource server accepts. */
  readonly maxAge?: number;
  /** The scopes to ask for: the agent's own, with the challenge's added. */
  readonly scopes?: readonly string[];
  /** From an Entra claims challenge: the claims request, JSON text (MSAL's `claims` parameter). */
  readonly claims?: string;
  readonly signal?: AbortSignal;
}

/**
 * Where an agent gets tokens, and re-attests: a JWT-SVID from the SPIFFE Workload API, a token
 * request to an authorization server, an emulator's issuer. For any reason but `initial` it must
 * return a new token — a cached one is what the resource server just refused — or throw
 * TokenSourceError when it cannot get one that meets the request.
 */
export interface TokenSource {
  getToken(request: TokenRequest): Promise<string>;
}

export type TokenSourceErrorCode =
  /** The source cannot issue what was asked (an ACR it does not speak). */
  | 'cannot-meet'
  /** It produced a token that would be refused again (too old, no jti). */
  | 'unfit-token'
  /** The issuer refused to issue (its OAuth error is in the message). */
  | 'issuer-refused'
  /** The issuer could not be reached, or answered something that is not a token. */
  | 'unavailable';

/** A token source could not get the token asked for. */
export class TokenSourceError extends Error {
  constructor(
    public readonly code: TokenSourceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TokenSourceError';
  }
}

/** The ACR values a JWT-SVID can meet: SPIRE attests; with jti and no cache, freshly. */
const SVID_ACRS: readonly string[] = [ACR.ATTESTED, ACR.ATTESTED_FRESH];

/**
 * JWT-SVIDs from the SPIFFE Workload API, through any client's fetch function (the Workload API
 * client of `attestgate/spiffe`, go-spiffe's over a bridge, `spire-agent api fetch jwt`).
 *
 * A SPIRE agent serves JWT-SVIDs from a cache until half their lifetime has passed, so a fresh
 * attestation needs a registration entry with `jwt_svid_include_jti` (the agent then bypasses
 * its cache and each SVID carries a unique `jti`). The source checks what it got: a step-up for
 * `max_age` or `attested-fresh` answered with an old or jti-less SVID fails here, with the fix,
 * rather than at the resource server.
 */
export function jwtSvidSource(options: {
  readonly fetchJwtSvid: (audience: string, signal?: AbortSignal) => Promise<string>;
  /** @default Date.now */
  readonly nowMs?: () => number;
}): TokenSource {
  if (typeof options?.fetchJwtSvid !== 'function') {
    throw new AttestGateError({ where: 'jwtSvidSource', field: 'fetchJwtSvid', value: options?.fetchJwtSvid, problem: 'is not a function', fix: 'pass (audience, signal) => Promise<string> that fetches a JWT-SVID from the Workload API' });
  }
  return {
    async getToken(request) {
      if (request.acrValues?.length && !request.acrValues.some((v) => SVID_ACRS.includes(v))) {
        throw new TokenSourceError('cannot-meet', `a JWT-SVID cannot meet ${request.acrValues.join(' or ')}: SPIRE attests workloads (${SVID_ACRS.join(', ')}); hardware keys and human approval need an authorization server that verifies them`);
      }
      let svid: string;
      try {
        svid = await options.fetchJwtSvid(request.audience, request.signal);
      } catch (e) {
        throw new TokenSourceError('unavailable', `the Workload API gave no JWT-SVID for ${request.audience}: ${(e as Error).message}`, { cause: e });
      }
      if (request.reason === 'initial') return svid;
      let claims: Record<string, unknown>;
      try {
        claims = decodeJwt(svid);
      } catch (e) {
        throw new TokenSourceError('unavailable', 'the Workload API answered with something that is not a JWT', { cause: e });
      }
      const needsFresh = request.maxAge !== undefined || request.acrValues?.includes(ACR.ATTESTED_FRESH);
      if (needsFresh && (typeof claims.jti !== 'string' || claims.jti.length === 0)) {
        throw new TokenSourceError('unfit-token', 'the JWT-SVID has no jti: the SPIRE agent served it from its cache. Set jwt_svid_include_jti on the registration entry so each fetch is a new attestation');
      }
      if (request.maxAge !== undefined) {
        const age = Math.floor((options.nowMs ?? Date.now)() / 1000) - (typeof claims.iat === 'number' ? claims.iat : 0);
        if (age > request.maxAge) throw new TokenSourceError('unfit-token', `the JWT-SVID was issued ${age} s ago, over the max_age of ${request.maxAge} s the resource server asks for`);
      }
      return svid;
    },
  };
}

/**
 * Tokens from an OAuth 2.0 authorization server by the client-credentials grant, the client
 * authenticated with an attested assertion (RFC 7523 `private_key_jwt`-style: a JWT-SVID, a
 * managed-identity token). A step-up adds `acr_values` and `max_age` to the token request, as
 * RFC 9470 §4 adds them to an authorization request; the server must issue `acr` and `auth_time`
 * that meet them, or refuse (`unmet_authentication_requirements`). A plain token is cached until
 * 30 s before it expires and served for `initial` requests; a stepped-up one is never cached.
 */
export function oauthTokenSource(options: {
  readonly tokenEndpoint: string;
  readonly clientId: string;
  /** A fresh client assertion for each token request: the attestation itself. */
  readonly clientAssertion: (signal?: AbortSignal) => Promise<string>;
  /** Sends `resource` (RFC 8707) with the audience. @default true */
  readonly sendResource?: boolean;
  /** CA certificates (PEM) to trust besides Node's roots. */
  readonly extraCa?: string;
  /** @default 15000 */
  readonly deadlineMs?: number;
  /** @default Date.now */
  readonly nowMs?: () => number;
}): TokenSource {
  let endpoint: URL;
  try {
    endpoint = new URL(options.tokenEndpoint);
  } catch {
    throw new AttestGateError({ where: 'oauthTokenSource', field: 'tokenEndpoint', value: options.tokenEndpoint, problem: 'is not a URL', fix: "give the authorization server's token endpoint, e.g. https://as.example/oauth2/token" });
  }
  if (endpoint.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(endpoint.hostname)) {
    throw new AttestGateError({ where: 'oauthTokenSource', field: 'tokenEndpoint', value: options.tokenEndpoint, problem: 'is not https', fix: 'send client assertions over https only (http is allowed on loopback, for emulators)' });
  }
  const now = options.nowMs ?? Date.now;
  let cached: { token: string; audience: string; scopes: string; until: number } | undefined;
  return {
    async getToken(request) {
      const scopes = [...(request.scopes ?? [])].join(' ');
      if (request.reason === 'initial' && cached && cached.audience === request.audience && cached.scopes === scopes && now() < cached.until) return cached.token;
      let assertion: string;
      try {
        assertion = await options.clientAssertion(request.signal);
      } catch (e) {
        throw new TokenSourceError('unavailable', `no client assertion could be had: ${(e as Error).message}`, { cause: e });
      }
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: options.clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      });
      if (scopes) form.set('scope', scopes);
      if (options.sendResource ?? true) form.set('resource', request.audience);
      if (request.acrValues?.length) form.set('acr_values', request.acrValues.join(' '));
      if (request.maxAge !== undefined) form.set('max_age', String(request.maxAge));
      let answer;
      try {
        answer = await sendRequest(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
          deadlineMs: options.deadlineMs ?? 15_000,
          maxResponseBytes: 256 * 1024,
          ...(request.signal ? { signal: request.signal } : {}),
          ...(options.extraCa ? { extraCa: options.extraCa } : {}),
        });
      } catch (e) {
        throw new TokenSourceError('unavailable', `the token endpoint ${endpoint.origin} gave no answer: ${(e as HttpTransportError).message}`, { cause: e });
      }
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
      } catch {
        // Judged below by status and shape.
      }
      if (answer.status !== 200) {
        const error = typeof body.error === 'string' ? body.error.slice(0, 100) : `HTTP ${answer.status}`;
        const description = typeof body.error_description === 'string' ? `: ${body.error_description.slice(0, 300)}` : '';
        throw new TokenSourceError(answer.status >= 500 ? 'unavailable' : 'issuer-refused', `the authorization server refused the token request (${error}${description})`);
      }
      if (typeof body.access_token !== 'string' || body.access_token.length === 0) throw new TokenSourceError('unavailable', 'the token endpoint answered 200 without an access_token');
      // A plain token (no step-up requirement) replaces the cached one: after invalid_token, the
      // cached one is what was refused. A stepped-up token is kept for its one request only.
      if (!request.acrValues?.length && request.maxAge === undefined) {
        const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
        cached = { token: body.access_token, audience: request.audience, scopes, until: now() + Math.max(0, lifetime - 30) * 1000 };
      }
      return body.access_token;
    },
  };
}
