import { AttestGateError } from '../core/errors';
import { ACR, meetsAnyAcr, presentedAcrs } from './acr';
import { StepUpEvent, StepUpEventFields, StepUpOutcome, stepUpEvent } from './events';
import { ResolvedOperation, ResolvedPolicy, StepUpPolicy, operationForRequest, resolvePolicy } from './policy';
import { MemoryReplayStore, ReplayStore } from './replay-store';
import { TokenVerifier, ValidToken, tokenScopes } from './token-verifier';
import { BearerChallengeParams, formatBearerChallenge } from './www-authenticate';

export interface StepUpGuardOptions {
  /** Called with every decision (see `jsonLines`). A sink that throws does not change the decision. */
  readonly onDecision?: (event: StepUpEvent) => void;
  /** Where `attested-fresh` token IDs are remembered. @default a MemoryReplayStore of this process */
  readonly replayStore?: ReplayStore;
  /** The clock, in milliseconds. @default Date.now */
  readonly nowMs?: () => number;
}

/** The body of a refusal: the OAuth error and its description. */
export interface RefusalBody {
  readonly error: string;
  readonly error_description: string;
}

/** What the guard decided for one request, and how to answer it when it is refused. */
export interface StepUpDecision {
  readonly allowed: boolean;
  readonly outcome: StepUpOutcome;
  /** The status to answer a refusal with; 200 when allowed. */
  readonly status: number;
  /** The headers of the refusal: WWW-Authenticate, Cache-Control, Content-Type (and Retry-After on 503). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: RefusalBody;
  /** The operation that covered the request, if one did. */
  readonly operation?: ResolvedOperation;
  /** The verified token, when there was one. */
  readonly token?: ValidToken;
  readonly event: StepUpEvent;
}

/** Which operation a request is for, as the adapter found it. */
export type OperationTarget = ResolvedOperation | 'unmatched' | 'bad-path';

/** The fields of an event that the decision supplies. */
type EventFields = StepUpEventFields;

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The bearer token of an Authorization header (RFC 6750 §2.1), or why there is none. */
export function bearerTokenOf(authorization: string | readonly string[] | undefined): { token: string } | { none: true } | { malformed: string } {
  const values = authorization === undefined ? [] : typeof authorization === 'string' ? [authorization] : authorization;
  if (values.length === 0) return { none: true };
  if (values.length > 1) return { malformed: 'the request carries more than one Authorization header' };
  const value = values[0].trim();
  const space = value.indexOf(' ');
  const scheme = space < 0 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return { none: true };
  const token = space < 0 ? '' : value.slice(space + 1).trim();
  if (!B64TOKEN.test(token)) return { malformed: 'the Authorization header does not carry a bearer token' };
  return { token };
}

/**
 * The resource-server side of RFC 9470 for one policy: verifies the bearer token, and answers a
 * valid but too weak or too old token with the step-up challenge, a forged or expired one with
 * `invalid_token` — never a challenge — and a token without the operation's scopes with
 * `insufficient_scope`. Framework adapters: `./middleware` (Node http, Express, Fastify, MCP).
 */
export class StepUpGuard {
  readonly policy: ResolvedPolicy;
  private readonly verifier: TokenVerifier;
  private readonly replay: ReplayStore;
  private readonly nowMs: () => number;
  private warnedSink = false;

  constructor(
    policy: StepUpPolicy,
    private readonly options: StepUpGuardOptions = {},
  ) {
    this.policy = resolvePolicy(policy);
    this.nowMs = options.nowMs ?? Date.now;
    this.verifier = new TokenVerifier(this.policy, this.nowMs);
    this.replay = options.replayStore ?? new MemoryReplayStore({ nowMs: this.nowMs });
  }

  /** The operation of that name; throws AttestGateError when the policy has none (a route guard pinned to a typo). */
  operation(name: string): ResolvedOperation {
    const op = this.policy.operations.find((o) => o.name === name);
    if (!op) {
      throw new AttestGateError({
        where: 'StepUpGuard',
        field: 'operation',
        value: name,
        problem: 'is not an operation of the policy',
        fix: `use one of: ${this.policy.operations.map((o) => o.name).join(', ') || '(the policy has none)'}`,
      });
    }
    return op;
  }

  /** The operation covering an HTTP request. */
  operationForRequest(method: string, path: string): OperationTarget {
    const found = operationForRequest(this.policy, method, path);
    return found ?? 'unmatched';
  }

  /** The operation covering an MCP tool call. */
  operationForTool(tool: string): OperationTarget {
    return this.policy.operations.find((o) => o.tool === tool) ?? 'unmatched';
  }

  /** Decides one request; emits its event (except for requests passed through unauthenticated). */
  async decide(target: OperationTarget, authorization: string | readonly string[] | undefined): Promise<StepUpDecision> {
    const decision = await this.judge(target, authorization);
    if (decision.outcome !== 'passed-through') this.emit(decision.event);
    return decision;
  }

  private async judge(target: OperationTarget, authorization: string | readonly string[] | undefined): Promise<StepUpDecision> {
    const op = typeof target === 'string' ? undefined : target;
    const base = { operation: op?.name ?? '(unmatched)', requiredAcr: op?.acr ?? [], ...(op?.maxAge !== undefined ? { maxAge: op.maxAge } : {}) };
    if (target === 'bad-path') return this.refuse(op, 400, 'invalid-request', { error: 'invalid_request', errorDescription: 'The request path cannot be decoded' }, base, 'the request path cannot be decoded');
    if (target === 'unmatched' && this.policy.unmatched === 'allow') return this.allow(op, 'passed-through', base, 'no operation covers the request; the policy passes such requests through');
    const bearer = bearerTokenOf(authorization);
    if ('none' in bearer) return this.refuse(op, 401, 'no-token', {}, base, 'the request carries no bearer token');
    if ('malformed' in bearer) return this.refuse(op, 400, 'invalid-request', { error: 'invalid_request', errorDescription: 'The request must carry one bearer token' }, base, bearer.malformed);
    const verified = await this.verifier.verify(bearer.token);
    if (verified.kind === 'unavailable') return this.unavailable(op, base, verified.reason);
    if (verified.kind === 'invalid') {
      const claimed = { ...(verified.claimedIssuer ? { claimedIssuer: verified.claimedIssuer } : {}), ...(verified.claimedSubject ? { claimedIdentity: verified.claimedSubject } : {}) };
      return this.refuse(op, 401, 'invalid-token', { error: 'invalid_token', errorDescription: verified.expired ? 'The access token has expired' : 'The access token is not valid' }, { ...base, ...claimed }, verified.reason);
    }
    const presented = presentedAcrs(verified.facts).join(' ');
    const who = { ...base, identity: verified.subject, issuer: verified.issuer, ...(presented !== '' ? { presentedAcr: presented } : {}), ...(verified.attestationAgeSeconds !== undefined ? { tokenAgeSeconds: verified.attestationAgeSeconds } : {}) };
    if (!op) return this.allow(op, 'allowed', who, 'no operation covers the request; a valid token is all it needs', verified);

    // RFC 9470 §3: strength (acr) and recency (max_age), then scopes.
    const unmet: string[] = [];
    const acr = meetsAnyAcr(op.acr, verified.facts);
    if (!acr.met) unmet.push(acr.because!);
    if (op.maxAge !== undefined) {
      const age = verified.attestationAgeSeconds;
      if (age === undefined) unmet.push('the token does not say when the workload was attested');
      else if (age > op.maxAge + this.policy.clockToleranceSeconds) unmet.push(`the workload was attested ${age} s ago, over max_age ${op.maxAge} s`);
    }
    const scopes = tokenScopes(verified.claims);
    const missingScopes = op.scopes.filter((s) => !scopes.has(s));
    if (unmet.length > 0) {
      const description = acr.met ? 'A more recent attestation is required' : op.maxAge !== undefined ? 'A stronger or more recent attestation is required' : 'A stronger attestation is required';
      return this.refuse(
        op,
        401,
        'step-up',
        { error: 'insufficient_user_authentication', errorDescription: description, acrValues: op.acr, ...(op.maxAge !== undefined ? { maxAge: op.maxAge } : {}), ...(missingScopes.length > 0 ? { scope: op.scopes } : {}) },
        who,
        unmet.join('; '),
        verified,
      );
    }
    if (missingScopes.length > 0) {
      return this.refuse(op, 403, 'insufficient-scope', { error: 'insufficient_scope', errorDescription: 'The access token lacks a scope this operation requires', scope: op.scopes }, who, `the token lacks the scopes ${missingScopes.join(', ')}`, verified);
    }
    // attested-fresh tokens are single-use: the first use consumes the jti.
    if (acr.satisfied === ACR.ATTESTED_FRESH) {
      let fresh: boolean;
      try {
        fresh = await this.replay.consume(`${verified.issuer}\n${verified.facts.jti!}`, verified.expiresAt + this.policy.clockToleranceSeconds);
      } catch (e) {
        return this.unavailable(op, who, `the replay store could not record the token: ${(e as Error).message}`);
      }
      if (!fresh) return this.refuse(op, 401, 'replayed', { error: 'invalid_token', errorDescription: 'The access token was already used' }, who, 'the attested-fresh token was presented before (its jti is already consumed)', verified);
    }
    return this.allow(op, 'allowed', who, acr.satisfied ? `the token meets ${acr.satisfied}` : 'the token meets the operation', verified);
  }

  private event(outcome: StepUpOutcome, status: number, fields: EventFields, reason: string): StepUpEvent {
    return stepUpEvent(outcome, status, fields, reason, this.nowMs());
  }

  private allow(op: ResolvedOperation | undefined, outcome: 'allowed' | 'passed-through', fields: EventFields, reason: string, token?: ValidToken): StepUpDecision {
    return { allowed: true, outcome, status: 200, headers: {}, ...(op ? { operation: op } : {}), ...(token ? { token } : {}), event: this.event(outcome, 200, fields, reason) };
  }

  private refuse(
    op: ResolvedOperation | undefined,
    status: number,
    outcome: StepUpOutcome,
    challenge: Omit<BearerChallengeParams, 'realm' | 'resourceMetadata'>,
    fields: EventFields,
    reason: string,
    token?: ValidToken,
  ): StepUpDecision {
    const www = formatBearerChallenge({ realm: this.policy.realm, ...challenge, ...(this.policy.resourceMetadata ? { resourceMetadata: this.policy.resourceMetadata } : {}) });
    // RFC 6750 §3.1: a request without a token gets no error code; its body says only that.
    const body: RefusalBody =
      challenge.error !== undefined
        ? { error: challenge.error, error_description: challenge.errorDescription ?? '' }
        : { error: 'unauthorized', error_description: 'A bearer token is required' };
    return {
      allowed: false,
      outcome,
      status,
      headers: { 'www-authenticate': www, 'cache-control': 'no-store', 'content-type': 'application/json' },
      body,
      ...(op ? { operation: op } : {}),
      ...(token ? { token } : {}),
      event: this.event(outcome, status, fields, reason),
    };
  }

  private unavailable(op: ResolvedOperation | undefined, fields: EventFields, reason: string): StepUpDecision {
    return {
      allowed: false,
      outcome: 'unavailable',
      status: 503,
      headers: { 'retry-after': '10', 'cache-control': 'no-store', 'content-type': 'application/json' },
      body: { error: 'temporarily_unavailable', error_description: 'The access token cannot be judged now' },
      ...(op ? { operation: op } : {}),
      event: this.event('unavailable', 503, fields, reason),
    };
  }

  private emit(event: StepUpEvent): void {
    if (!this.options.onDecision) return;
    try {
      this.options.onDecision(event);
    } catch (e) {
      if (!this.warnedSink) {
        this.warnedSink = true;
        process.emitWarning(`attestgate step-up: the onDecision sink threw (${(e as Error).message}); decisions are unaffected`);
      }
    }
  }
}

/** A guard for a policy: `stepUpGuard(policy, { onDecision: jsonLines(process.stdout) })`. */
export function stepUpGuard(policy: StepUpPolicy, options?: StepUpGuardOptions): StepUpGuard {
  return new StepUpGuard(policy, options);
}
