import { extractedLabels, logBasedMetricSamples } from '../../../lib/model/gcp/log-based-metric';
import { FilterError } from '../../../lib/model/gcp/google-filter';

const entry = (identity: string, outcome: string, type = 'cloud_run_revision') => ({
  timestamp: '2026-12-04T12:00:00.000Z',
  resource: { type, labels: { service_name: 'tools' } },
  jsonPayload: { event: 'attestgate.step-up.decision', outcome, identity, operation: 'destroy-stack' },
});

describe('log-based metrics', () => {
  test('extract labels with EXTRACT and REGEXP_EXTRACT; a missing field gives no label', () => {
    const e = entry('spiffe://prod.example/agent/deployer', 'step-up');
    expect(extractedLabels({ identity: 'EXTRACT(jsonPayload.identity)', agent: 'REGEXP_EXTRACT(jsonPayload.identity, "agent/(.*)$")', none: 'EXTRACT(jsonPayload.missing)' }, e)).toEqual({
      identity: 'spiffe://prod.example/agent/deployer',
      agent: 'deployer',
    });
  });

  test('count one point per matching entry, with its resource labels, type and extracted labels, under the PromQL name', () => {
    const metrics = [{ name: 'attestgate/s/step_up_challenges', filter: 'jsonPayload.outcome="step-up" resource.type="cloud_run_revision"', labelExtractors: { identity: 'EXTRACT(jsonPayload.identity)' } }];
    const samples = logBasedMetricSamples(metrics, [entry('a', 'step-up'), entry('b', 'allowed'), entry('c', 'step-up', 'k8s_container')]);
    expect(samples).toEqual([
      {
        labels: { __name__: 'logging_googleapis_com:user_attestgate_s_step_up_challenges', service_name: 'tools', monitored_resource: 'cloud_run_revision', identity: 'a' },
        timeMs: Date.UTC(2026, 11, 4, 12),
        value: 1,
      },
    ]);
  });

  test('a filter the evaluator cannot judge is refused', () => {
    expect(() => logBasedMetricSamples([{ name: 'x', filter: 'sample(insertId, 0.1)' }], [])).toThrow(FilterError);
  });
});
