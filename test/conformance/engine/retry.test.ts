import { DEFAULT_RETRY_POLICY, RateLimiter, retryAfterMs, withRetries } from '../../../conformance/engine/retry';

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

/** An attempt that answers the given results in turn, the last one from then on. */
function answering(...results: string[]) {
  return jest.fn(async () => (results.length > 1 ? results.shift()! : results[0]));
}

const NO_WAIT = { attempts: 4, baseDelayMs: 0, maxDelayMs: 0 };
const busy = (r: string) => r === 'busy';

describe('withRetries', () => {
  test('a final first result is returned after one attempt', async () => {
    const attempt = answering('denied');
    expect(await withRetries(attempt, busy, NO_WAIT)).toEqual({ result: 'denied', attempts: 1 });
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  test('transient results are retried until a final one', async () => {
    const attempt = answering('busy', 'busy', 'denied');
    expect(await withRetries(attempt, busy, NO_WAIT)).toEqual({ result: 'denied', attempts: 3 });
    expect(attempt).toHaveBeenCalledTimes(3);
  });

  test('attempts are bounded; the last result stays transient for the caller to judge', async () => {
    const attempt = answering('busy');
    expect(await withRetries(attempt, busy, { ...NO_WAIT, attempts: 3 })).toEqual({ result: 'busy', attempts: 3 });
    expect(attempt).toHaveBeenCalledTimes(3);
    const once = answering('busy');
    expect(await withRetries(once, busy, { ...NO_WAIT, attempts: 1 })).toEqual({ result: 'busy', attempts: 1 });
    expect(once).toHaveBeenCalledTimes(1);
  });

  test('waits a random share (full jitter) of a doubling ceiling, capped at maxDelayMs', async () => {
    jest.useFakeTimers();
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const timeouts = jest.spyOn(global, 'setTimeout');
    const run = withRetries(answering('busy'), busy, { attempts: 5, baseDelayMs: 100, maxDelayMs: 300 });
    await jest.runAllTimersAsync();
    expect(await run).toEqual({ result: 'busy', attempts: 5 });
    // Ceilings 100, 200, 400→300, 800→300; half of each.
    expect(timeouts.mock.calls.map(([, ms]) => ms)).toEqual([50, 100, 150, 150]);
  });

  test('the default policy makes four attempts with ceilings of 250, 500 and 1000 ms', async () => {
    jest.useFakeTimers();
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const timeouts = jest.spyOn(global, 'setTimeout');
    const run = withRetries(answering('busy'), busy);
    await jest.runAllTimersAsync();
    expect(await run).toEqual({ result: 'busy', attempts: DEFAULT_RETRY_POLICY.attempts });
    expect(timeouts.mock.calls.map(([, ms]) => ms)).toEqual([125, 250, 500]);
  });
});

describe('Retry-After', () => {
  test('is read as delay-seconds or an HTTP date; anything else is no hint', () => {
    const now = Date.parse('2026-12-04T12:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Fri, 04 Dec 2026 12:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Fri, 04 Dec 2026 11:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-1', now)).toBeUndefined();
  });

  test('a retry never comes sooner than the service asked, even when the jitter would be shorter', async () => {
    jest.useFakeTimers();
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const timeouts = jest.spyOn(global, 'setTimeout');
    const run = withRetries(answering('throttled', 'throttled', 'denied'), (r) => r === 'throttled', DEFAULT_RETRY_POLICY, { retryAfterMs: () => 3000 });
    await jest.runAllTimersAsync();
    expect(await run).toEqual({ result: 'denied', attempts: 3 });
    expect(timeouts.mock.calls.map(([, ms]) => ms)).toEqual([3000, 3000]);
  });

  test('a Retry-After beyond the budget ends the retries: the transient answer is returned, not waited out', async () => {
    const timeouts = jest.spyOn(global, 'setTimeout');
    const attempt = answering('throttled');
    expect(await withRetries(attempt, (r) => r === 'throttled', { ...DEFAULT_RETRY_POLICY, budgetMs: 10_000 }, { retryAfterMs: () => 120_000 })).toEqual({ result: 'throttled', attempts: 1 });
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(timeouts).not.toHaveBeenCalled();
  });

  test('the budget bounds the waits of one request in all', async () => {
    jest.useFakeTimers();
    const run = withRetries(answering('throttled'), (r) => r === 'throttled', { attempts: 10, baseDelayMs: 0, maxDelayMs: 0, budgetMs: 7000 }, { retryAfterMs: () => 3000 });
    await jest.runAllTimersAsync();
    // Two waits of 3 s fit in 7 s; a third would not.
    expect(await run).toEqual({ result: 'throttled', attempts: 3 });
  });
});

describe('RateLimiter', () => {
  test('lets one request through at once, then one per 1/rate seconds, in call order', async () => {
    jest.useFakeTimers({ now: 0 });
    const limiter = new RateLimiter(10);
    const released: number[] = [];
    for (const i of [0, 1, 2, 3, 4]) void limiter.take().then(() => released.push(i));

    await jest.advanceTimersByTimeAsync(0);
    expect(released).toEqual([0]);
    await jest.advanceTimersByTimeAsync(99);
    expect(released).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(released).toEqual([0, 1]);
    await jest.advanceTimersByTimeAsync(200);
    expect(released).toEqual([0, 1, 2, 3]);
    await jest.advanceTimersByTimeAsync(100);
    expect(released).toEqual([0, 1, 2, 3, 4]);
  });

  test('idle time does not save up a burst', async () => {
    jest.useFakeTimers({ now: 0 });
    const limiter = new RateLimiter(10);
    await jest.advanceTimersByTimeAsync(5000);
    const released: number[] = [];
    for (const i of [0, 1, 2]) void limiter.take().then(() => released.push(i));
    await jest.advanceTimersByTimeAsync(0);
    expect(released).toEqual([0]);
    await jest.advanceTimersByTimeAsync(100);
    expect(released).toEqual([0, 1]);
  });

  test('a rate of Infinity does not limit', async () => {
    const limiter = new RateLimiter(Infinity);
    const released: number[] = [];
    await Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => limiter.take().then(() => released.push(i))));
    expect(released).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
