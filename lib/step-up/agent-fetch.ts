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

/** All the agent reads of an answer: its status and WWW-Authenticate (the HTTP client's join of its fields). */
export interface ChallengeAnswer {
  readonly status: number;
  readonly wwwAuthenticate: string | null;
}

type Asked = { reason: Exclude<TokenReason, 'initial'>; challenge: ReadBearerChallenge };

/** What an answer asks of the agent, if it is a challenge the agent answers. */
function challengeOf(answer: ChallengeAnswer): Asked | undefined {
  const { status, wwwAuthenticate: header } = answer;
  if (status !== 401 && status !== 403) return undefined;
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
  if (status === 401 && challenge.error === 'insufficient_user_authentication') return { reason: 'step-up', challenge };
  if (status === 401 && challenge.error === 'invalid_token') return { reason: 'invalid-token', challenge };
  // Entra ID's claims challenge (Conditional Access authentication context, CAE): the claims go to the source.
  if (status === 401 && challenge.error === 'insufficient_claims' && challenge.claims !== undefined) return { reason: 'claims-challenge', challenge };
  if (status === 403 && challenge.error === 'insufficient_scope') return { reason: 'insufficient-scope', challenge };
  return undefined;
}

/** The one retry a challenge earned: its stronger token, and the judge of its answer. */
export interface StepUpRetry {
  readonly token: string;
  /**
   * Judges the retry's answer: another challenge is `refused-after-step-up` (after `release`,
   * which frees the answer's body), never a third attempt; anything else is the caller's.
   */
  settle(second: ChallengeAnswer, release?: () => Promise<void>): Promise<void>;
}

/** The options every step-up client shares: stepUpFetch's, and the axios hook's. */
export type StepUpAgentOptions = Pick<StepUpFetchOptions, 'source' | 'resource' | 'audience' | 'scopes' | 'onStepUp'>;

/**
 * The agent's side of step-up, whatever the HTTP client: the configuration checked once, and the
 * decisions stepUpFetch and stepUpAxios share — which origin gets the token, which request may be
 * repeated, what the source is asked for on each challenge, and that a retry is never retried.
 */
export class StepUpAgent {
  public readonly origin: string;
  public readonly audience: string;
  private readonly baseScopes: string[];

  constructor(
    private readonly options: StepUpAgentOptions,
    private readonly where: string,
  ) {
    if (typeof options?.source?.getToken !== 'function') throw new AttestGateError({ where, field: 'source', value: options?.source, problem: 'is not a token source', fix: 'pass a TokenSource: jwtSvidSource(...), oauthTokenSource(...) or your own { getToken(request) }' });
    try {
      this.origin = new URL(options.resource).origin;
    } catch {
      throw new AttestGateError({ where, field: 'resource', value: options.resource, problem: 'is not a URL', fix: "give the resource server's base URL, e.g. https://tools.example" });
    }
    this.audience = options.audience ?? this.origin;
    this.baseScopes = [...(options.scopes ?? [])];
  }

  /** Refuses a URL on another origin (or none): the bearer token goes to the resource server only. */
  public checkOrigin(url: string): void {
    let origin: string | undefined;
    try {
      origin = new URL(url).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== this.origin) {
      throw new AttestGateError({ where: this.where, field: 'url', value: url, problem: `is not on the resource server ${this.origin}`, fix: `use one ${this.where} per resource server: its token must not go to another origin` });
    }
  }

  /** The caller's explicit mark wins; else the idempotent methods (RFC 9110 §9.2.2), else the option's predicate. */
  public isRepeatable(method: string, marked: boolean | undefined, byPredicate: () => boolean): boolean {
    return marked ?? (IDEMPOTENT.has(method) || byPredicate());
  }

  /** The first attempt's token, or `no-token`. */
  public async initialToken(details: { method: string; url: string }, signal?: AbortSignal): Promise<string> {
    try {
      return await this.options.source.getToken({ reason: 'initial', audience: this.audience, scopes: this.baseScopes, ...(signal ? { signal } : {}) });
    } catch (e) {
      throw new StepUpError('no-token', `no token could be had for ${details.method} ${details.url}: ${(e as Error).message}`, details, { cause: e });
    }
  }

  /**
   * Reads the first attempt's answer. Not a challenge the agent answers (an unreadable one
   * included): undefined, and the caller hands the answer back as it came. A challenge: the
   * stronger token for the one retry — or `not-repeatable` (`repeatable` is true, or why not),
   * or `reattestation-failed`, after `release`.
   */
  public async answer(
    details: { method: string; url: string },
    first: ChallengeAnswer,
    repeatable: true | string,
    release: () => Promise<void>,
    signal?: AbortSignal,
  ): Promise<StepUpRetry | undefined> {
    const asked = challengeOf(first);
    if (!asked) return undefined;
    const report = (outcome: AgentStepUpEvent['outcome']) => this.options.onStepUp?.({ ...details, reason: asked.reason, challenge: asked.challenge, outcome });
    await release();
    const challenged = { ...details, status: first.status, challenge: asked.challenge };
    if (repeatable !== true) {
      report('not-repeatable');
      throw new StepUpError('not-repeatable', `${details.method} ${details.url} was challenged (${asked.challenge.error}) and ${repeatable}: it was not retried`, challenged);
    }
    const scopes = [...new Set([...this.baseScopes, ...asked.challenge.scope])];
    let token: string;
    try {
      token = await this.options.source.getToken({
        reason: asked.reason,
        audience: this.audience,
        scopes,
        ...(asked.challenge.acrValues.length > 0 ? { acrValues: asked.challenge.acrValues } : asked.challenge.claimsAcrs?.length ? { acrValues: asked.challenge.claimsAcrs } : {}),
        ...(asked.challenge.claims !== undefined ? { claims: asked.challenge.claims } : {}),
        ...(asked.challenge.maxAge !== undefined ? { maxAge: asked.challenge.maxAge } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      report('reattestation-failed');
      throw new StepUpError('reattestation-failed', `${details.method} ${details.url} was challenged (${asked.challenge.error}) and no stronger token could be had: ${(e as Error).message}`, challenged, { cause: e });
    }
    return {
      token,
      settle: async (second, releaseSecond) => {
        const again = challengeOf(second);
        if (again) {
          await releaseSecond?.();
          report('refused-after-step-up');
          throw new StepUpError('refused-after-step-up', `${details.method} ${details.url} was refused again after re-attestation (${again.challenge.error})`, { ...details, status: second.status, challenge: again.challenge });
        }
        report('retried');
      },
    };
  }
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Nothing to release.
  }
}

const answerOf = (response: Response): ChallengeAnswer => ({ status: response.status, wwwAuthenticate: response.headers.get('www-authenticate') });

/**
 * A fetch that answers step-up challenges. It sends each request with a token from `source`; on
 * RFC 9470's `insufficient_user_authentication` it re-attests through the source with the
 * challenge's `acr_values` and `max_age`, and sends the request once more; `invalid_token` and
 * `insufficient_scope` (the MCP step-up, scopes combined) likewise get one new token and one
 * retry. It never loops: a second challenge is a StepUpError. It never repeats a request that
 * may not be repeated (a POST, unless marked), and never sends the token to another origin.
 */
export function stepUpFetch(options: StepUpFetchOptions): (input: string | URL | Request, init?: StepUpRequestInit) => Promise<Response> {
  const agent = new StepUpAgent(options, 'stepUpFetch');
  const doFetch: FetchLike = options.fetch ?? ((request) => globalThis.fetch(request));

  const withToken = (request: Request, token: string) => {
    const headers = new Headers(request.headers);
    headers.set('authorization', `Bearer ${token}`);
    return new Request(request, { headers });
  };

  return async (input, init) => {
    const { stepUp, ...requestInit } = init ?? {};
    const request = new Request(input, requestInit);
    agent.checkOrigin(request.url);
    const details = { method: request.method, url: request.url };
    const repeatable = agent.isRepeatable(request.method, stepUp?.repeatable, () => options.repeatable?.(request) ?? false);
    // The body can be read once: keep a copy for the one retry.
    const spare = repeatable ? request.clone() : undefined;
    const token = await agent.initialToken(details, request.signal);
    const first = await doFetch(withToken(request, token));
    const retry = await agent.answer(details, answerOf(first), spare ? true : 'is not marked repeatable', () => discard(first), request.signal);
    if (!retry) return first;
    const second = await doFetch(withToken(spare!, retry.token));
    await retry.settle(answerOf(second), () => discard(second));
    return second;
  };
}
