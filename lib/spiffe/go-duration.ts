/**
 * Durations as spire-controller-manager reads them: its CRDs hold TTLs as `metav1.Duration`, which
 * Go's `time.ParseDuration` decodes — `"90s"`, `"15m"`, `"1h30m"`, `"1.5h"`, `"0"`; no days, no
 * bare numbers but zero. The CRD schema types them only as strings, so the API server accepts
 * `"1d"` and the controller then fails to decode the object; attestgate reads them the way the
 * controller will.
 */

const NANOSECONDS_PER_UNIT: Readonly<Record<string, number>> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const COMPONENT = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * The whole seconds a Go duration string lasts, truncated as the controller does when it turns
 * the TTL into an entry's `int32` seconds; `undefined` when Go would refuse the string.
 */
export function parseGoDurationSeconds(text: string): number | undefined {
  if (typeof text !== 'string') return undefined;
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest.length === 0) return undefined;
  let nanoseconds = 0;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < rest.length) {
    const match = COMPONENT.exec(rest);
    if (!match) return undefined;
    nanoseconds += Number(match[1]) * NANOSECONDS_PER_UNIT[match[2]];
  }
  return sign * Math.trunc(nanoseconds / 1e9);
}

/** Seconds as the shortest Go duration string that says them exactly: `"1h"`, `"15m"`, `"90s"`. */
export function formatGoDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** Seconds for people: `1 h`, `15 min`, `90 s`. */
export function describeSeconds(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
