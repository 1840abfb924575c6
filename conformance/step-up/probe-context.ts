import * as crypto from 'node:crypto';
import { ACR, AMR_HWK } from '../../lib/step-up/acr';
import { ChallengeParseError, ReadBearerChallenge, readBearerChallenge } from '../../lib/step-up/www-authenticate';
import { Verdict, fail, inconclusive, pass } from '../engine/check';
import { HTTP_RETRY_HINTS, HttpOutcome } from '../engine/http-outcome';
import { RateLimiter, RetryPolicy, withRetries } from '../engine/retry';
import { sendHttp } from '../engine/send-http';
import { IssuerKey, generateIssuerKey } from '../oidc/issuer-key';
import { TokenClaims, signJwt } from '../oidc/jwt';

/**
 * A deployed endpoint behind step-up, as the probes see it: where it is, what its policy
 * requires, and the issuer whose key signs the probes' tokens (an emulator's, or `--pki`'s).
 */
export interface StepUpEndpoint {
  /** Its name in reports. */
  readonly id: string;
  readonly url: string;
  /** @default 'POST' */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The ACR values its policy requires, in its order of preference: the challenge must name them. */
  readonly acrValues: readonly string[];
  /** Its max_age, when it has one: the challenge must carry it. */
  readonly maxAge?: number;
  /** The issuer the endpoint trusts, and the key it signs with. */
  readonly issuer: string;
  readonly key: IssuerKey;
  /** The audience the endpoint expects. */
  readonly audience: string;
  /** The agent identity the tokens are for. */
  readonly subject: string;
  /** Claims the fresh, strong token carries besides iss, sub, aud, iat, exp, acr, auth_time and jti (scopes, amr). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /**
   * The endpoint's issuer puts no `acr` in its tokens but implies one (a SPIRE server): the
   * probes of a missing or weaker `acr` are skipped, and `iat` is the attestation time.
   */
  readonly impliedAcr?: boolean;
  /** CA certificates (PEM) to trust for an https endpoint. */
  readonly extraCa?: string;
}

export interface StepUpProbeOptions {
  readonly limiter: RateLimiter;
  readonly retry: RetryPolicy;
  readonly requestDeadlineMs?: number;
  /** @default Date.now */
  readonly nowMs?: () => number;
}

/** How far past max_age the stale probe's attestation is: beyond any clock tolerance a guard may allow (60 s). */
export const STALE_MARGIN_SECONDS = 120;

/** What an answer is, as the step-up probes judge it. */
export type StepUpAnswer =
  | { readonly kind: 'allowed'; readonly status: number }
  | { readonly kind: 'challenge'; readonly status: number; readonly challenge: ReadBearerChallenge }
  | { readonly kind: 'transient'; readonly described: string }
  | { readonly kind: 'not-oauth'; readonly status: number; readonly described: string };

/** Reads an outcome: 2xx, an OAuth challenge, something transient, or an answer that is not the resource server's. */
export function readAnswer(outcome: HttpOutcome): StepUpAnswer {
  if (outcome.kind === 'network-error') return { kind: 'transient', described: `network error: ${outcome.error}` };
  const { status } = outcome;
  if (status >= 200 && status < 300) return { kind: 'allowed', status };
  if (status === 429 || status >= 500) return { kind: 'transient', described: `HTTP ${status}` };
  const header = outcome.headers['www-authenticate'];
  if ((status === 400 || status === 401 || status === 403) && header !== undefined) {
    try {
      const challenge = readBearerChallenge(header);
      if (challenge) return { kind: 'challenge', status, challenge };
    } catch (e) {
      if (e instanceof ChallengeParseError) return { kind: 'not-oauth', status, described: `HTTP ${status} with an unreadable WWW-Authenticate (${e.reason})` };
      throw e;
    }
  }
  return { kind: 'not-oauth', status, described: `HTTP ${status}${header === undefined ? ' without WWW-Authenticate' : ''}` };
}

export const describeAnswer = (a: StepUpAnswer): string =>
  a.kind === 'allowed' ? `HTTP ${a.status}` : a.kind === 'challenge' ? `HTTP ${a.status}, ${a.challenge.scheme} error="${a.challenge.error ?? '(none)'}"` : a.described;

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Whether an answer is RFC 9470's challenge with the endpoint's own requirements: 401,
 * `insufficient_user_authentication`, its `acr_values` (in its order) and its `max_age`.
 */
export function judgeChallenge(answer: StepUpAnswer, endpoint: StepUpEndpoint, what: string): Verdict {
  const evidence = { received: describeAnswer(answer) };
  if (answer.kind === 'transient') return inconclusive(`${what}: no verdict after retries (${answer.described})`, evidence);
  if (answer.kind === 'not-oauth') return inconclusive(`${what}: the answer is not an OAuth resource server's (${answer.described}): a proxy or the wrong endpoint? It proves nothing either way`, evidence);
  if (answer.kind === 'allowed') return fail(`the endpoint let ${what} through (${describeAnswer(answer)})`, evidence);
  const c = answer.challenge;
  if (answer.status !== 401 || c.error !== 'insufficient_user_authentication') {
    return fail(`${what} was refused with ${describeAnswer(answer)}, not RFC 9470's 401 insufficient_user_authentication: the agent cannot learn what to re-attest with`, evidence);
  }
  const problems: string[] = [];
  if (!sameList(c.acrValues, endpoint.acrValues)) problems.push(`acr_values "${c.acrValues.join(' ')}" instead of "${endpoint.acrValues.join(' ')}"`);
  if (c.maxAge !== endpoint.maxAge) problems.push(`max_age ${c.maxAge ?? '(none)'} instead of ${endpoint.maxAge ?? '(none)'}`);
  if (problems.length > 0) return fail(`${what} got the step-up challenge, but with ${problems.join(' and ')}`, { ...evidence, challenge: c });
  return pass(`${what} got the RFC 9470 challenge with the endpoint's acr_values${endpoint.maxAge !== undefined ? ' and max_age' : ''}`, { ...evidence, challenge: c });
}

/**
 * Whether an answer refuses a token that is not valid as RFC 6750 says — 401 `invalid_token` —
 * and never with a step-up challenge, which would disclose the requirements and invite the
 * holder of a forged token to "re-attest".
 */
export function judgeInvalidToken(answer: StepUpAnswer, what: string): Verdict {
  const evidence = { received: describeAnswer(answer) };
  if (answer.kind === 'transient') return inconclusive(`${what}: no verdict after retries (${answer.described})`, evidence);
  if (answer.kind === 'not-oauth') return inconclusive(`${what}: the answer is not an OAuth resource server's (${answer.described}): a proxy or the wrong endpoint? It proves nothing either way`, evidence);
  if (answer.kind === 'allowed') return fail(`the endpoint let ${what} through (${describeAnswer(answer)})`, evidence);
  const c = answer.challenge;
  if (c.error === 'insufficient_user_authentication' || c.acrValues.length > 0 || c.maxAge !== undefined) {
    return fail(`${what} got a step-up challenge (${describeAnswer(answer)}): a token that is not valid must get invalid_token, never the requirements`, { ...evidence, challenge: c });
  }
  if (answer.status === 401 && c.error === 'invalid_token') return pass(`${what} was refused: 401 invalid_token, no requirements disclosed`, evidence);
  return fail(`${what} was refused with ${describeAnswer(answer)}, not 401 invalid_token`, evidence);
}

/** What the probes share for a run: pacing, retries, the clock, and a key no issuer publishes. */
export class StepUpProbeContext {
  private readonly nowMs: () => number;
  private strangerKeys = new Map<string, IssuerKey>();

  constructor(private readonly options: StepUpProbeOptions) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  get nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /**
   * The token the endpoint must accept: its issuer, audience and subject, the first of its ACR
   * values (with `amr` `hwk` when that is attested-hwk), attested just now, a new `jti`.
   * `overrides` change one property; a claim set to undefined is left out.
   */
  freshClaims(endpoint: StepUpEndpoint, overrides: Readonly<Record<string, unknown>> = {}): TokenClaims {
    const now = this.nowSeconds;
    const acr = endpoint.acrValues[0];
    const claims: Record<string, unknown> = {
      iss: endpoint.issuer,
      sub: endpoint.subject,
      aud: endpoint.audience,
      iat: now,
      exp: now + 300,
      jti: crypto.randomUUID(),
      ...(endpoint.impliedAcr ? {} : { auth_time: now, ...(acr !== undefined ? { acr } : {}) }),
      ...(acr === ACR.ATTESTED_HWK ? { amr: [AMR_HWK] } : {}),
      ...endpoint.claims,
      ...overrides,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return claims as unknown as TokenClaims;
  }

  /** Signs claims with the endpoint's issuer key. */
  sign(endpoint: StepUpEndpoint, claims: TokenClaims): string {
    return signJwt(endpoint.key, claims);
  }

  /** Signs with a key the issuer does not have, under the issuer's own `kid`: a forgery. */
  forge(endpoint: StepUpEndpoint, claims: TokenClaims): string {
    let stranger = this.strangerKeys.get(endpoint.key.alg);
    if (!stranger) this.strangerKeys.set(endpoint.key.alg, (stranger = generateIssuerKey(endpoint.key.alg)));
    return signJwt(stranger, claims, { kid: endpoint.key.kid });
  }

  /** Sends the endpoint's request with a bearer token, paced and retried on what is transient. */
  async send(endpoint: StepUpEndpoint, token: string): Promise<StepUpAnswer> {
    const headers = { ...endpoint.headers, authorization: `Bearer ${token}` };
    const { result } = await withRetries(
      async () => {
        await this.options.limiter.take();
        return sendHttp(endpoint.url, endpoint.method ?? 'POST', headers, endpoint.body ?? '', this.options.requestDeadlineMs, endpoint.extraCa ? { extraCa: endpoint.extraCa } : {});
      },
      (outcome) => readAnswer(outcome).kind === 'transient',
      this.options.retry,
      HTTP_RETRY_HINTS,
    );
    return readAnswer(result);
  }
}
