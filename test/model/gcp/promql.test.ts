import { PromQuery, PromSample, promQlMetricName } from '../../../lib/model/gcp/promql';

const T = Date.UTC(2026, 11, 4, 12, 0, 0);
const C = 'logging_googleapis_com:user_c';
const A = 'logging_googleapis_com:user_a';
const point = (name: string, identity: string, operation: string, secondsAgo: number, extra: Record<string, string> = {}): PromSample => ({
  labels: { __name__: name, identity, operation, monitored_resource: 'cloud_run_revision', ...extra },
  timeMs: T - secondsAgo * 1000,
  value: 1,
});
const count = (name: string) => `sum by (identity, operation) (increase(${name}{monitored_resource="cloud_run_revision"}[300s]))`;
const SIGNAL = `sum by (identity) (clamp_min((${count(C)} - on (identity, operation) ${count(A)}) or ${count(C)}, 0)) >= 3`;

describe('PromQuery', () => {
  test('names Cloud Monitoring metric types as Google maps them to PromQL', () => {
    expect(promQlMetricName('logging.googleapis.com/user/attestgate/s/step_up_challenges')).toBe('logging_googleapis_com:user_attestgate_s_step_up_challenges');
    expect(promQlMetricName('kubernetes.io/container/cpu/limit_cores')).toBe('kubernetes_io:container_cpu_limit_cores');
  });

  test('the step-up signal: unanswered challenges per identity, floored per operation, compared with the threshold', () => {
    const q = PromQuery.parse(SIGNAL);
    const thief = [0, 10, 20, 30].map((s) => point(C, 'mallory', 'destroy', s));
    // The agent answers each challenge; one surplus success on another operation must not offset anything.
    const agent = [0, 10].flatMap((s) => [point(C, 'agent', 'destroy', s), point(A, 'agent', 'destroy', s)]).concat(point(A, 'agent', 'list', 5), point(A, 'agent', 'list', 6));
    expect(q.evaluate([...thief, ...agent], T)).toEqual([{ labels: { identity: 'mallory' }, value: 4 }]);
    // Two unanswered challenges on each of two operations, with successes elsewhere: 4 ≥ 3.
    const spread = [point(C, 'eve', 'destroy', 1), point(C, 'eve', 'destroy', 2), point(C, 'eve', 'rotate', 3), point(C, 'eve', 'rotate', 4), point(A, 'eve', 'rotate', 5), point(A, 'eve', 'list', 6)];
    expect(q.evaluate(spread, T)).toEqual([{ labels: { identity: 'eve' }, value: 3 }]);
  });

  test('the range is (t − r, t]: points older than the period no longer count', () => {
    const q = PromQuery.parse(SIGNAL);
    const samples = [0, 100, 299, 300, 301].map((s) => point(C, 'mallory', 'destroy', s));
    expect(q.evaluate(samples, T)).toEqual([{ labels: { identity: 'mallory' }, value: 3 }]);
    expect(q.evaluate(samples, T - 100_000)).toEqual([{ labels: { identity: 'mallory' }, value: 4 }]);
    expect(q.evaluate(samples, T + 200_000)).toEqual([]);
  });

  test('selectors match labels exactly (=, !=, =~ anchored, !~) and by the UTF-8 metric name', () => {
    const samples = [point(C, 'a', 'x', 1), point(C, 'ab', 'x', 1), point(C, 'b', 'x', 1, { monitored_resource: 'k8s_container' })];
    const ids = (query: string) => PromQuery.parse(query).evaluate(samples, T).map((s) => s.labels.identity).sort();
    expect(ids(`sum by (identity) (increase(${C}{identity="a"}[5m]))`)).toEqual(['a']);
    expect(ids(`sum by (identity) (increase(${C}{identity=~"a"}[5m]))`)).toEqual(['a']);
    expect(ids(`sum by (identity) (increase(${C}{identity!~"a.*"}[5m]))`)).toEqual(['b']);
    expect(ids(`sum by (identity) (increase({"logging.googleapis.com/user/c", monitored_resource!="k8s_container"}[5m]))`)).toEqual(['a', 'ab']);
    expect(ids(`sum(increase(${C}[5m])) by (identity) > 0`)).toEqual(['a', 'ab', 'b']);
    expect(PromQuery.parse(`count(increase(${C}[5m]))`).evaluate(samples, T)).toEqual([{ labels: {}, value: 3 }]);
  });

  test('arithmetic, bool comparisons, and, unless, rate', () => {
    const samples = [point(C, 'a', 'x', 1), point(C, 'a', 'x', 2), point(A, 'a', 'x', 1)];
    const value = (query: string) => PromQuery.parse(query).evaluate(samples, T).map((s) => s.value);
    expect(value(`sum(rate(${C}[60s])) * 60`)).toEqual([2]);
    expect(value(`sum(increase(${C}[5m])) >= bool 3`)).toEqual([0]);
    expect(value(`sum by (identity) (increase(${C}[5m])) and on (identity) sum by (identity) (increase(${A}[5m]))`)).toEqual([2]);
    expect(value(`sum by (identity) (increase(${C}[5m])) unless sum by (identity) (increase(${A}[5m]))`)).toEqual([]);
  });

  test('refuses what it cannot judge, by name', () => {
    const refused = (query: string, message: RegExp) => expect(() => PromQuery.parse(query).evaluate([], T)).toThrow(message);
    refused(`sum(increase(${C}[5m])) * on (identity) group_left sum(increase(${A}[5m]))`, /group_left/);
    refused(`sum(increase(${C}[5m] offset 1m))`, /offset modifiers are not supported/);
    refused(`histogram_quantile(0.9, ${C})`, /histogram_quantile\(\) is not supported/);
    refused(`sum(increase(${C}[5m:1m]))`, /subqueries/);
    refused(`${C} > 1`, /instant selector of a delta metric/);
    refused(`{identity="a"}`, /exact metric name/);
    refused('1 + 1', /returns a number/);
    refused(`topk(3, increase(${C}[5m]))`, /topk\(\) is not supported/);
  });

  test('one-to-one matching refuses duplicate series rather than guess', () => {
    const samples = [point(C, 'a', 'x', 1), point(C, 'a', 'y', 1), point(A, 'a', 'x', 1)];
    expect(() => PromQuery.parse(`increase(${C}[5m]) - on (identity) increase(${A}[5m])`).evaluate(samples, T)).toThrow(/many-to-many/);
  });
});
