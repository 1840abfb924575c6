import { CheckRequests, LiveQuota, PlannedRequest, buildRequestPlan, formatDuration, formatPlanLine } from '../../../conformance/engine/request-plan';

const QUOTAS: LiveQuota[] = [
  { id: 'create-session', name: 'CreateSession', perSecond: 10, source: 'test' },
  { id: 'control-plane', name: 'trust-anchor APIs', perSecond: 1, source: 'test' },
];
const request = (key: string, quota?: string): PlannedRequest => ({ key, ...(quota ? { quota } : {}), what: key, shareReason: 'same inputs' });

describe('buildRequestPlan', () => {
  test('a key needed by several checks is planned once: needed counts every need, planned the distinct keys', () => {
    const needs: CheckRequests[] = [
      { gate: 'g1', checkId: 'AGC-AWS-001', requests: [request('control-1', 'create-session')] },
      { gate: 'g1', checkId: 'AGC-AWS-002', requests: [request('control-1', 'create-session'), request('rogue-1', 'create-session')] },
      { gate: 'g2', checkId: 'AGC-AWS-015', requests: [request('anchor', 'control-plane'), request('control-2', 'create-session')] },
      { gate: 'g3', checkId: 'AGC-AWS-015', requests: [request('anchor', 'control-plane'), request('assume', undefined)] },
    ];
    const plan = buildRequestPlan(needs, QUOTAS);
    expect(plan).toMatchObject({ needed: 7, planned: 5, shared: 2, unquoted: 1, unplannedChecks: 0 });
    expect(plan.quotas).toEqual([
      { id: 'create-session', name: 'CreateSession', perSecond: 10, requests: 3, seconds: 0.3 },
      { id: 'control-plane', name: 'trust-anchor APIs', perSecond: 1, requests: 1, seconds: 1 },
    ]);
    // Quotas are separate buckets: the slowest one bounds the run.
    expect(plan.liveSeconds).toBe(1);
  });

  test('checks without a plan are counted, not guessed', () => {
    expect(buildRequestPlan([], QUOTAS, 3)).toMatchObject({ needed: 0, planned: 0, shared: 0, liveSeconds: 0, unplannedChecks: 3 });
  });
});

describe('formatPlanLine', () => {
  test('the issue’s example at 1,000 gates fits 100 columns, figures grouped, the duration a bound', () => {
    const needs: CheckRequests[] = Array.from({ length: 1000 }, (_, g) => ({
      gate: `g${g}`,
      checkId: 'AGC-AWS-001',
      requests: [request(`control-${g}`, 'create-session'), request(`control-${g}`, 'create-session'), ...Array.from({ length: 16 }, (_, m) => request(`m${m}-${g}`, 'create-session'))],
    }));
    const line = formatPlanLine('aws', buildRequestPlan(needs, QUOTAS));
    expect(line).toBe('aws plan: 17,000 requests (1,000 shared), ≥ 29 min at the live quotas');
    expect(line.length).toBeLessThanOrEqual(100);
  });

  test('unplanned checks are named: the figures leave their requests out', () => {
    expect(formatPlanLine('gcp', buildRequestPlan([], QUOTAS, 13))).toBe('gcp plan: 0 requests (0 shared), ≥ 0 s at the live quotas; 13 checks unplanned');
  });

  test('requests under no documented quota bound nothing: the line says so rather than "≥ 0 s"; one quoted request brings the bound back', () => {
    const unquoted = [request('a'), request('b')];
    expect(formatPlanLine('azure', buildRequestPlan([{ gate: 'g', checkId: 'AGC-AZ-001', requests: unquoted }], QUOTAS))).toBe('azure plan: 2 requests (0 shared), no documented live quota');
    expect(formatPlanLine('aws', buildRequestPlan([{ gate: 'g', checkId: 'AGC-AWS-001', requests: [...unquoted, request('c', 'create-session')] }], QUOTAS))).toBe('aws plan: 3 requests (0 shared), ≥ 1 s at the live quotas');
  });

  test('durations round up, as a bound does', () => {
    expect([formatDuration(0.3), formatDuration(59.2), formatDuration(61), formatDuration(3600), formatDuration(7530)]).toEqual(['1 s', '60 s', '2 min', '1 h', '2 h 6 min']);
  });
});
