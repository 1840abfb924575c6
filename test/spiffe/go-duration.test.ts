import { describeSeconds, formatGoDuration, parseGoDurationSeconds } from '../../lib/spiffe/go-duration';

describe('Go durations, as the controller decodes metav1.Duration', () => {
  test('the forms time.ParseDuration accepts, truncated to whole seconds', () => {
    expect(['90s', '15m', '1h30m', '1.5h', '.5m', '0', '2m30s', '1500ms', '+5m'].map(parseGoDurationSeconds)).toEqual([90, 900, 5400, 5400, 30, 0, 150, 1, 300]);
    expect(parseGoDurationSeconds('-1h')).toBe(-3600);
  });

  test('what Go refuses: days, bare numbers, spaces, empty', () => {
    expect(['1d', '300', '5 m', '', 'h', '1h-5m', '.'].map(parseGoDurationSeconds)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  test('formats the shortest exact form, which parses back', () => {
    for (const seconds of [3600, 900, 90, 7200, 150]) expect(parseGoDurationSeconds(formatGoDuration(seconds))).toBe(seconds);
    expect([3600, 900, 90].map(formatGoDuration)).toEqual(['1h', '15m', '90s']);
    expect([3600, 900, 90, 86400].map(describeSeconds)).toEqual(['1 h', '15 min', '90 s', '24 h']);
  });
});
