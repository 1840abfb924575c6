import { AttestGateError } from '../core/errors';
import { TokenReason, TokenSource } from './token-source';
import { ChallengeParseError, ReadBearerChallenge, readBearerChallenge } from './www-authenticate';

/** A fetch function that takes a WHATWG Request: Node's global fetch (undici's, bundled), or any wrapper of it. */
export type FetchLike = (input: Request) => Promise<Response>;

/** `RequestInit`, plus whether this one request may be sent twice. */
export interface StepUpRequestInit extends RequestInit {
  readonly stepUp?: {
    /**
     * That the request may be repeated after a challenge. The guard refused it before any
     * handler ran, but only the caller knows nothing between them acted on it.
     * @default true for GET, HEAD, OPTIONS, TRACE, PUT and DELETE (idempotent, RFC 9110 §9.2.2)
     */
    readonly repeatable?: boolean;
  };
}

export type StepUpErrorCode =
  /** No token could be had for the first attempt. */
  | 'no-token'
  /** Challenged, but the request may not be sent twice: nothing was retried. */
  | 'not-repeatable'
  /** Challenged, and the token source could not get the stronger token. */
  | 'reattestation-failed'
  /** Challenged, re-attested, retried once — and refused again. */
  | 'refused-after-step-up';

/** The agent could not get past the resource server's challenge; `challenge` is what it asked. */
export class StepUpError extends Error {
  constructor(
    public readonly code: StepUpErrorCode,
    message: string,
    public readonly details: {
      readonly method: string;
      readonly url: string;
      /** The status of the last answer, when there was one. */
      readonly status?: number;
      /** The last challenge. */
      readonly challenge?: ReadBearerChallenge;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StepUpError';
  }
}

/** One step-up as the agent saw it, for its own logs: never the token. */
export interface AgentStepUpEvent {
  readonly method: string;
  readonly url: string;
  readonly reason: Exclude<TokenReason, 'initial'>;
  readonly challenge: ReadBearerChallenge;
  /** `retried` when the retry was answered with anything but another challenge. */
  readonly outcome: 'retried' | StepUpErrorCode;
}

export interface StepUpFetchOptions {
  /** Where tokens come from, and re-attestation. */
  readonly source: TokenSource;
  /**
   * The resource server's base URL. Requests to another origin are refused, so the bearer token
   * never goes elsewhere; its origin is also the default audience.
   */
  readonly resource: string;
  /** The audience tokens are asked for. @default the resource's origin */
  readonly audience?: string;
  /** The scopes tokens are asked for; a `insufficient_scope` challenge adds its own (MCP: combined, not replaced). */
  readonly scopes?: readonly string[];
  /** @default globalThis.fetch */
  readonly fetch?: FetchLike;
  /** Which requests may be repeated, beyond the idempotent methods (e.g. MCP `tools/call` POSTs the guard refused). */
  readonly repeatable?: (request: Request) => boolean;
  /** Told of every challenge the agent answered, and how it ended. */
  readonly onStepUp?: (event: AgentStepUpEvent) => void;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** What a response asks of the agent, if it is a challenge the agent answers. */
function challengeOf(response: Response): { reason: Exclude<TokenReason, 'initial'>; challenge: ReadBearerChallenge } | undefined {
  if (response.status !== 401 && response.status !== 403) return undefined;
  const header = response.headers.get('www-authenticate');
  if (header === null) return undefined;
  let challenge: ReadBearerChallenge | undefined;
  try {
    challenge = readBearerChallenge(header);
  } catch (e) {
    // A challenge that cannot be read is not obeyed: the caller gets the response as it came.
    if (e instanceof ChallengeParseError) return undefined;
    throw e;
  }
  if (!challenge) return undefined;
  if (response.status === 401 && challenge.error === 'insufficient_user_authentication') return { reason: 'step-up', challenge };
  if (response.status === 401 && challenge.error === 'invalid_token') return { reason: 'invalid-token', challenge };
  // Entra ID's claims challenge (Conditional Access authentication context, CAE): the claims go to the source.
  if (response.status === 401 && challenge.error === 'insufficient_claims' && challenge.claims !== undefined) return { reason: 'claims-challenge', challenge };
  if (response.status === 403 && challenge.error === 'insufficient_scope') return { reason: 'insufficient-scope', challenge };
  return undefined;
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Nothing to release.
  }
}

/**
 * A fetch that answers step-up challenges. It sends each request with a token from `source`; on
 * RFC 9470's `insufficient_user_authentication` it re-attests through the source with the
 * challenge's `acr_values` and `max_age`, and sends the request once more; `invalid_token` and
 * `insufficient_scope` (the MCP step-up, scopes combined) likewise get one new token and one
 * retry. It never loops: a second challenge is a StepUpError. It never repeats a request that
 * may not be repeated (a POST, unless marked), and never sends the token to another origin.
 */
export function stepUpFetch(options: StepUpFetchOptions): (input: string | URL | Request, init?: StepUpRequestInit) => Promise<Response> {
  const where = 'stepUpFetch';
  if (typeof options?.source?.getToken !== 'function') throw new AttestGateError({ where, field: 'source', value: options?.source, problem: 'is not a token source', fix: 'pass a TokenSource: jwtSvidSource(...), oauthTokenSource(...) or your own { getToken(request) }' });
  let origin: string;
  try {
    origin = new URL(options.resource).origin;
  } catch {
    throw new AttestGateError({ where, field: 'resource', value: options.resource, problem: 'is not a URL', fix: "give the resource server's base URL, e.g. https://tools.example" });
  }
  const audience = options.audience ?? origin;
  const doFetch: FetchLike = options.fetch ?? ((request) => globalThis.fetch(request));
  const baseScopes = [...(options.scopes ?? [])];

  const withToken = (request: Request, token: string) => {
    const headers = new Headers(request.headers);
    headers.set('authorization', `Bearer ${token}`);
    return new Request(request, { headers });
  };

  return async (input, init) => {
    const { stepUp, ...requestInit } = init ?? {};
    const request = new Request(input, requestInit);
    if (new URL(request.url).origin !== origin) {
      throw new AttestGateError({ where, field: 'url', value: request.url, problem: `is not on the resource server ${origin}`, fix: 'use one stepUpFetch per resource server: its token must not go to another origin' });
    }
    const details = { method: request.method, url: request.url };
    const repeatable = stepUp?.repeatable ?? (IDEMPOTENT.has(request.method) || (options.repeatable?.(request) ?? false));
    // The body can be read once: keep a copy for the one retry.
    const spare = repeatable ? request.clone() : undefined;
    let token: string;
    try {
      token = await options.source.getToken({ reason: 'initial', audience, scopes: baseScopes, signal: request.signal });
    } catch (e) {
      throw new StepUpError('no-token', `no token could be had for ${request.method} ${request.url}: ${(e as Error).message}`, details, { cause: e });
    }
    const first = await doFetch(withToken(request, token));
    const asked = challengeOf(first);
    if (!asked) return first;
    const report = (outcome: AgentStepUpEvent['outcome']) => options.onStepUp?.({ ...details, reason: asked.reason, challenge: asked.challenge, outcome });
    await discard(first);
    const challenged = { ...details, status: first.status, challenge: asked.challenge };
    if (!spare) {
      report('not-repeatable');
      throw new StepUpError('not-repeatable', `${request.method} ${request.url} was challenged (${asked.challenge.error}) and is not marked repeatable: it was not retried`, challenged);
    }
    const scopes = [...new Set([...baseScopes, ...asked.challenge.scope])];
    let stronger: string;
    try {
      stronger = await options.source.getToken({
        reason: asked.reason,
        audience,
        scopes,
        ...(asked.challenge.acrValues.length > 0 ? { acrValues: asked.challenge.acrValues } : asked.challenge.claimsAcrs?.length ? { acrValues: asked.challenge.claimsAcrs } : {}),
        ...(asked.challenge.claims !== undefined ? { claims: asked.challenge.claims } : {}),
        ...(asked.challenge.maxAge !== undefined ? { maxAge: asked.challenge.maxAge } : {}),
        signal: request.signal,
      });
    } catch (e) {
      report('reattestation-failed');
      throw new StepUpError('reattestation-failed', `${request.method} ${request.url} was challenged (${asked.challenge.error}) and no stronger token could be had: ${(e as Error).message}`, challenged, { cause: e });
    }
    const second = await doFetch(withToken(spare, stronger));
    const again = challengeOf(second);
    if (again) {
      await discard(second);
      report('refused-after-step-up');
      throw new StepUpError('refused-after-step-up', `${request.method} ${request.url} was refused again after re-attestation (${again.challenge.error})`, { ...details, status: second.status, challenge: again.challenge });
    }
    report('retried');
    return second;
  };
}
