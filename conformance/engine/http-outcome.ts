import { RetryHints, retryAfterMs } from './retry';

/**
 * An HTTP answer as the probes of every cloud judge it. Each cloud reads its own error shape from
 * it (conformance/<cloud>/*-outcome.ts); what is the same for all of them lives here.
 */

/** What came back from a request: a response, or a transport failure. */
export type HttpOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string }
  | { readonly kind: 'network-error'; readonly error: string };

/** The denial a negative probe must get: status and error code exactly; the message softly. */
export interface ExpectedDenial {
  readonly status: number;
  readonly code: string;
  /** Matched softly: a different message still passes, with a note. */
  readonly message?: RegExp;
}

/** Retry hints of any cloud's HTTP answer: its `Retry-After` header. */
export const HTTP_RETRY_HINTS: RetryHints<HttpOutcome> = {
  retryAfterMs: (outcome) => (outcome.kind === 'response' ? retryAfterMs(outcome.headers['retry-after']) : undefined),
};

/**
 * Names throttling in a 429's description: a check left INCONCLUSIVE after its retries must tell
 * the user the service asked them to slow down (and for how long), which a bare status — or the
 * empty body a proxy's 429 has — does not say. A cloud whose throttling is not a 429 (AWS STS:
 * 400 `Throttling`) says so with `throttled`.
 */
export function throttlingNote(outcome: HttpOutcome, throttled: boolean = outcome.kind === 'response' && outcome.status === 429): string {
  if (outcome.kind !== 'response' || !throttled) return '';
  const wait = HTTP_RETRY_HINTS.retryAfterMs?.(outcome);
  return ` — throttled${wait === undefined ? '' : `, asked to retry after ${Math.ceil(wait / 1000)} s`}`;
}

/** The reason an answer that is not the cloud's own gives no verdict. */
export function notTheCloudsAnswer(cloud: string, described: string, outcome: HttpOutcome): string {
  const type = outcome.kind === 'response' ? outcome.headers['content-type'] : undefined;
  return `the answer is not ${cloud}'s (${described}${type ? `; content-type ${type}` : ''}): a proxy, firewall or wrong endpoint in between? It proves nothing either way`;
}
