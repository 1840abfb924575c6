import { logBasedMetricSamples } from '../../lib/model/gcp/log-based-metric';
import { PromQuery } from '../../lib/model/gcp/promql';
import { StepUpMonitor, stepUpLogFilter } from '../../lib/gcp/step-up-monitor';
import { stepUpLogEntry } from '../../conformance/gcp/signals';
import { AttestGateError } from '../../lib/core/errors';
import { NOW_MS } from '../step-up/fixtures';
import { THIEF_VICTIM, realGuardEvents } from '../step-up/guard-events';
import { synthesized, tfStack } from '../fixtures/cdktf';

const DEPLOYER = 'spiffe://example.test/agent/deployer';
type Resource = Record<string, any>;
const resourcesOf = (tf: ReturnType<typeof synthesized>, type: string) => Object.values(tf.resource[type] ?? {}) as Resource[];

function monitored(props: Partial<ConstructorParameters<typeof StepUpMonitor>[2]> = {}) {
  const { stack } = tfStack();
  const monitor = new StepUpMonitor(stack, 'StepUp', { resourceType: 'cloud_run_revision', operations: ['destroy-stack'], identities: [DEPLOYER, THIEF_VICTIM], notificationChannels: ['projects/p/notificationChannels/1'], ...props });
  return { stack, monitor, tf: synthesized(stack) };
}

/** Who the synthesized metrics and alert open an incident for, on a stream of guard events (as Cloud Logging stores them). */
function alerted(tf: ReturnType<typeof synthesized>, events: Awaited<ReturnType<typeof realGuardEvents>>, resourceType = 'cloud_run_revision'): string[] {
  const metrics = resourcesOf(tf, 'google_logging_metric').map((m) => ({ name: m.name, filter: m.filter, labelExtractors: m.label_extractors }));
  const samples = logBasedMetricSamples(metrics, events.map((e) => stepUpLogEntry(e, resourceType)));
  const [policy] = resourcesOf(tf, 'google_monitoring_alert_policy').filter((p) => p.conditions[0].condition_prometheus_query_language);
  return PromQuery.parse(policy.conditions[0].condition_prometheus_query_language.query)
    .evaluate(samples, NOW_MS)
    .map((s) => s.labels.identity);
}

describe('StepUpMonitor (GCP)', () => {
  test('creates two log-based metrics labelled by identity and operation, and a PromQL alert per identity', () => {
    const { tf } = monitored();
    const metrics = resourcesOf(tf, 'google_logging_metric');
    expect(metrics.map((m) => m.name)).toEqual(['attestgate/agents/StepUp/step_up_challenges', 'attestgate/agents/StepUp/step_up_allowed']);
    expect(metrics[0]).toMatchObject({
      filter: stepUpLogFilter('cloud_run_revision', [DEPLOYER, THIEF_VICTIM], ['destroy-stack'], 'challenges'),
      label_extractors: { identity: 'EXTRACT(jsonPayload.identity)', operation: 'EXTRACT(jsonPayload.operation)' },
      metric_descriptor: { metric_kind: 'DELTA', value_type: 'INT64' },
    });
    expect(metrics[0].filter).toContain('jsonPayload.outcome=("step-up" OR "replayed")');
    expect(metrics[1].filter).toContain('jsonPayload.outcome=("allowed")');
    const [policy] = resourcesOf(tf, 'google_monitoring_alert_policy');
    expect(policy).toMatchObject({ notification_channels: ['projects/p/notificationChannels/1'], depends_on: expect.arrayContaining([expect.stringMatching(/^google_logging_metric\./)]) });
    const query = policy.conditions[0].condition_prometheus_query_language.query as string;
    expect(query).toContain('logging_googleapis_com:user_attestgate_agents_StepUp_step_up_challenges{monitored_resource="cloud_run_revision"}[300s]');
    expect(query.trim().endsWith('>= 3')).toBe(true);
  });

  test('on a real guard’s decisions: the thief’s unanswered challenges alert for the migrator only; the deployer answering its challenges does not', async () => {
    const { tf } = monitored();
    expect(alerted(tf, await realGuardEvents())).toEqual([THIEF_VICTIM]);
  });

  test('one unanswered challenge does not alert; entries from another resource type are not counted', async () => {
    const { tf } = monitored();
    const events = await realGuardEvents();
    const oneFailure = events.filter((e) => e.identity !== THIEF_VICTIM).concat(events.find((e) => e.identity === THIEF_VICTIM && e.outcome === 'step-up')!);
    expect(alerted(tf, oneFailure)).toEqual([]);
    expect(alerted(tf, events, 'k8s_container')).toEqual([]);
  });

  test('a raised threshold is honoured; identities not watched are not counted', async () => {
    expect(alerted(monitored({ threshold: { failures: 5, periodSeconds: 300 } }).tf, await realGuardEvents())).toEqual([]);
    expect(alerted(monitored({ identities: [DEPLOYER] }).tf, await realGuardEvents())).toEqual([]);
  });

  test('defaults to the FederationMonitor’s channels', () => {
    const { tf } = monitored({ notificationChannels: undefined });
    const [policy] = resourcesOf(tf, 'google_monitoring_alert_policy').filter((p) => p.conditions[0].condition_prometheus_query_language);
    expect(policy.notification_channels).toEqual([expect.stringMatching(/^\$\{google_monitoring_notification_channel\..*TopicChannel.*\.id\}$/)]);
  });

  test('refuses bad input, naming the field and the fix', () => {
    const { stack } = tfStack();
    const make = (props: Record<string, unknown>) => () => new StepUpMonitor(stack, `M${Math.random()}`, { resourceType: 'cloud_run_revision', operations: ['destroy-stack'], notificationChannels: ['c'], ...props } as never);
    expect(make({ threshold: { failures: 1, periodSeconds: 300 } })).toThrow(/threshold\.failures.*at least 2/s);
    expect(make({ resourceType: 'Cloud Run' })).toThrow(/resourceType.*cloud_run_revision/s);
    expect(make({ operations: [] })).toThrow(AttestGateError);
    expect(make({ identities: ['spiffe://x/"or"'] })).toThrow(/identity.*without quotes/s);
    expect(make({ notificationChannels: [] })).toThrow(/notificationChannels.*notify no one/s);
    const many = new StepUpMonitor(stack, 'Many', { resourceType: 'cloud_run_revision', operations: ['destroy-stack'], notificationChannels: ['c'] });
    expect(() => Array.from({ length: 60 }, (_, i) => many.addIdentity(`spiffe://prod.example/agent/${'x'.repeat(400)}-${i}`))).toThrow(/over the 20000 Logging allows/);
  });

  test('a monitor without identities is a synth error', () => {
    const { app, stack } = tfStack();
    new StepUpMonitor(stack, 'Empty', { resourceType: 'cloud_run_revision', operations: ['destroy-stack'], notificationChannels: ['c'] });
    expect(() => app.synth()).toThrow("StepUpMonitor 'agents/Empty': watches no identity");
  });
});
