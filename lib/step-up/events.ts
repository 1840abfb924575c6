/**
 * Every step-up decision as a structured event: the signal the detection monitors count (the
 * step-up failure rate per identity) and an audit trail. It never holds the token.
 */

/** What the resource server did with a request. */
export type StepUpOutcome =
  /** The token met the operation's requirements. */
  | 'allowed'
  /** RFC 9470: a valid token, too weak or too old: 401 `insufficient_user_authentication`. */
  | 'step-up'
  /** A valid, strong enough token without the operation's scopes: 403 `insufficient_scope`. */
  | 'insufficient-scope'
  /** An `attested-fresh` token presented a second time: 401 `invalid_token`. */
  | 'replayed'
  /** A forged, expired, foreign or malformed token: 401 `invalid_token`. */
  | 'invalid-token'
  /** No bearer token: 401 with a bare challenge. */
  | 'no-token'
  /** Two tokens, a malformed Authorization header or an unreadable path: 400 `invalid_request`. */
  | 'invalid-request'
  /** The issuer's keys or the replay store could not be had: 503, nothing decided. */
  | 'unavailable'
  /** No operation covers the request and the policy lets such requests through unauthenticated. */
  | 'passed-through';

/** The event's `event` field: what log filters and metric filters select on. */
export const STEP_UP_EVENT = 'attestgate.step-up.decision';

export interface StepUpEvent {
  readonly event: typeof STEP_UP_EVENT;
  /** The schema version of this event. */
  readonly version: 1;
  /** ISO 8601. */
  readonly time: string;
  readonly outcome: StepUpOutcome;
  /** The HTTP status answered (200 when allowed: the handler decides the rest). */
  readonly status: number;
  /** The operation's name, or `(unmatched)`. */
  readonly operation: string;
  /** The verified subject (a SPIFFE ID, an agent identity's client ID): only from a verified token. */
  readonly identity?: string;
  /** The verified issuer. */
  readonly issuer?: string;
  /** A refused token's claimed subject, unverified: who it says it is, not who it is. */
  readonly claimedIdentity?: string;
  readonly claimedIssuer?: string;
  /** The ACR values the operation requires, in order of preference. */
  readonly requiredAcr: readonly string[];
  /** The operation's max_age, seconds. */
  readonly maxAge?: number;
  /** The ACR the verified token presented (its `acr`, or its issuer's implied one), then, space-separated, those its Entra `acrs` map to. */
  readonly presentedAcr?: string;
  /** Seconds since the workload's attestation, per the verified token. */
  readonly tokenAgeSeconds?: number;
  /** Why, in one sentence. */
  readonly reason: string;
}

/**
 * The fields the detection monitors select on, by their names in the event. Typed against
 * StepUpEvent, so renaming a field breaks the monitors' build instead of silently emptying
 * their metrics: every cloud's filter is written from these.
 */
export const STEP_UP_FIELDS = {
  event: 'event',
  outcome: 'outcome',
  identity: 'identity',
  operation: 'operation',
} as const satisfies Record<string, keyof StepUpEvent>;

/** The fields a decision event carries besides the ones every event has. */
export type StepUpEventFields = Omit<StepUpEvent, 'event' | 'version' | 'time' | 'outcome' | 'status' | 'reason'>;

/** Builds a decision event: the one constructor the guard (and the monitors' judges) use. */
export function stepUpEvent(outcome: StepUpOutcome, status: number, fields: StepUpEventFields, reason: string, nowMs: number): StepUpEvent {
  return { event: STEP_UP_EVENT, version: 1, time: new Date(nowMs).toISOString(), outcome, status, ...fields, reason };
}

/**
 * A sink that writes each event as one line of JSON (what CloudWatch Logs metric filters, Google
 * log-based metrics and Log Analytics parse): `stepUpGuard(policy, { onDecision: jsonLines(process.stdout) })`.
 */
export function jsonLines(stream: { write(chunk: string): unknown }): (event: StepUpEvent) => void {
  return (event) => {
    stream.write(`${JSON.stringify(event)}\n`);
  };
}
