/**
 * A sliding-window request quota, as the clouds state theirs ("N requests per second / per
 * minute"): a request is admitted while fewer than `limit` were admitted within the last
 * `windowMs` of the emulator's clock. Every emulator throttles through it, so the suite's
 * retries and INCONCLUSIVE verdicts are exercised on each cloud.
 */
export class SlidingWindow {
  private readonly admitted: number[] = [];

  /** `limit` Infinity admits everything. */
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Admits the request at `now` (counting it), or says how many ms until one would be admitted. */
  public admit(now: Date): { readonly admitted: true } | { readonly admitted: false; readonly retryAfterMs: number } {
    if (!Number.isFinite(this.limit)) return { admitted: true };
    const t = now.getTime();
    while (this.admitted.length > 0 && this.admitted[0] <= t - this.windowMs) this.admitted.shift();
    if (this.admitted.length >= this.limit) return { admitted: false, retryAfterMs: this.admitted[0] + this.windowMs - t };
    this.admitted.push(t);
    return { admitted: true };
  }
}
