/** Backoff for transient failures: throttling, 5xx, network errors. Bounded, with full jitter. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 4000 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until `isTransient` says its result is final or the attempts run out; returns
 * the last result and how many attempts it took. A transient last result stays transient: the
 * caller turns it into INCONCLUSIVE, never PASS.
 */
export async function withRetries<T>(attempt: () => Promise<T>, isTransient: (result: T) => boolean, policy: RetryPolicy = DEFAULT_RETRY_POLICY): Promise<{ result: T; attempts: number }> {
  let result = await attempt();
  let attempts = 1;
  while (isTransient(result) && attempts < policy.attempts) {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1));
    await sleep(Math.random() * ceiling);
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
        await sleep(((1 - this.tokens) / this.perSecond) * 1000);
      }
    });
    return this.queue;
  }
}
