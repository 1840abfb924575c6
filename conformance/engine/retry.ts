import { countRequest, probeSignal } from './probe-scope';

/** Backoff for transient failures: throttling, 5xx, network errors. Bounded, with full jitter. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * The longest one request may spend waiting between its attempts. A `Retry-After` that would
   * take it past this ends the retries: the last answer stays transient (INCONCLUSIVE).
   *
   * @default 30000
   */
  readonly budgetMs?: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 4000, budgetMs: 30_000 };

const DEFAULT_BUDGET_MS = 30_000;

/** Resolves after `ms`, or at once when the signal aborts (then `false`). */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (slept: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(slept);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The wait a `Retry-After` header asks for, in ms: delay-seconds or an HTTP date (RFC 9110
 * §10.2.3). Undefined when absent or malformed.
 */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date names its day and month: "Fri, 04 Dec 2026 12:00:05 GMT".
  const date = /[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** What the caller can tell about a result besides whether it is transient. */
export interface RetryHints<T> {
  /** The wait the service asked for (`Retry-After`), in ms: never retried sooner. */
  readonly retryAfterMs?: (result: T) => number | undefined;
}

/** Thrown when the run was interrupted before a request could be sent. */
export class InterruptedError extends Error {
  constructor() {
    super('the run was interrupted before the request was sent');
    this.name = 'InterruptedError';
  }
}

/**
 * Runs `attempt` until `isTransient` says its result is final or the attempts run out; returns
 * the last result and how many attempts it took. A transient last result stays transient: the
 * caller turns it into INCONCLUSIVE, never PASS. Waits at least what the service asked for
 * (`Retry-After`), within the policy's budget; an interrupted run (the running check's abort
 * signal) sends nothing more and returns what it has.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  isTransient: (result: T) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  hints: RetryHints<T> = {},
): Promise<{ result: T; attempts: number }> {
  const signal = probeSignal();
  if (signal?.aborted) throw new InterruptedError();
  const budget = policy.budgetMs ?? DEFAULT_BUDGET_MS;
  let waited = 0;
  countRequest();
  let result = await attempt();
  let attempts = 1;
  while (isTransient(result) && attempts < policy.attempts) {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1));
    const delay = Math.max(Math.random() * ceiling, hints.retryAfterMs?.(result) ?? 0);
    if (waited + delay > budget) break;
    if (!(await sleep(delay, signal))) break;
    waited += delay;
    countRequest();
    result = await attempt();
    attempts++;
  }
  return { result, attempts };
}

/**
 * Paces every probe of a run evenly, so a run never exceeds the target's quota (Roles Anywhere:
 * 10 CreateSession requests per second per account). A bucket of one token: no bursts, since a
 * burst plus the refill can put more than the quota into one second.
 */
export class RateLimiter {
  private tokens = 1;
  private last = Date.now();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly perSecond: number) {}

  /** Resolves when a request may be sent. Infinity disables limiting. */
  public take(): Promise<void> {
    if (!Number.isFinite(this.perSecond)) return Promise.resolve();
    this.queue = this.queue.then(async () => {
      for (;;) {
        const now = Date.now();
        this.tokens = Math.min(1, this.tokens + ((now - this.last) / 1000) * this.perSecond);
        this.last = now;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await sleep(((1 - this.tokens) / this.perSecond) * 1000, probeSignal());
        if (probeSignal()?.aborted) return;
      }
    });
    return this.queue;
  }
}
