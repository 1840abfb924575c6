import * as fs from 'node:fs';
import * as path from 'node:path';
import { discoverGcpGates } from '../../../conformance/gcp/discover-gates';
import { gcpAdvisoriesOf } from '../../../conformance/gcp/signals';
import { loadTerraformSources } from '../../../conformance/discovery/terraform-sources';
import { TerraformSource } from '../../../lib/model/terraform/configuration';
import { synthCdktfExamples } from '../../fixtures/synth-cdktf';
import { gcpConfiguration, tfModel } from '../../fixtures/terraform';

const source = (configuration: unknown): TerraformSource => ({ stackName: 'brownfield', file: 'brownfield.tf.json', model: tfModel(configuration) });
const advisoriesOf = (s: TerraformSource) => gcpAdvisoriesOf(s.model, discoverGcpGates([s])[0]);
const presence = (advisories: ReturnType<typeof gcpAdvisoriesOf>) => Object.fromEntries(advisories.map((a) => [a.id, a.present]));
const NONE = { 'ADV-GCP-001': false, 'ADV-GCP-002': false, 'ADV-GCP-003': false, 'ADV-GCP-004': false, 'ADV-GCP-005': false };

/** Hand-written signals for the brownfield gate, as a team might write them without attestgate. */
function handWrittenSignals(overrides: { metricFilter?: string; conditionFilter?: string; bypassFilter?: string; channels?: unknown; enabled?: boolean } = {}) {
  const channels = overrides.channels ?? ['${google_monitoring_notification_channel.oncall.id}'];
  return {
    google_monitoring_notification_channel: { oncall: { type: 'email', labels: { email_address: 'oncall@example.com' } } },
    google_project_iam_audit_config: {
      all: { project: 'p', service: 'allServices', audit_log_config: [{ log_type: 'ADMIN_READ' }, { log_type: 'DATA_READ' }] },
    },
    google_logging_metric: {
      wif_failures: {
        name: 'wif-failures',
        filter: overrides.metricFilter ?? 'protoPayload.serviceName="sts.googleapis.com" AND severity>=ERROR OR protoPayload.status.code!=0',
        label_extractors: { provider: 'REGEXP_EXTRACT(protoPayload.resourceName, "providers/(.*)$")' },
        metric_descriptor: { metric_kind: 'DELTA', value_type: 'INT64', labels: [{ key: 'provider' }] },
      },
      sa_denials: { name: 'sa-denials', filter: 'protoPayload.methodName="GenerateAccessToken" protoPayload.status.code=7', metric_descriptor: { metric_kind: 'DELTA', value_type: 'INT64' } },
    },
    google_monitoring_alert_policy: {
      failures: {
        display_name: 'WIF failures',
        combiner: 'OR',
        enabled: overrides.enabled ?? true,
        notification_channels: channels,
        conditions: [
          { display_name: 'spire', condition_threshold: { filter: overrides.conditionFilter ?? 'metric.type="logging.googleapis.com/user/${google_logging_metric.wif_failures.name}" AND metric.label.provider="spire"', comparison: 'COMPARISON_GT', duration: '0s' } },
          { display_name: 'denials', condition_threshold: { filter: 'metric.type="logging.googleapis.com/user/sa-denials"', comparison: 'COMPARISON_GT', duration: '0s' } },
        ],
      },
      bypass: {
        display_name: 'deployer outside the gate',
        combiner: 'OR',
        notification_channels: channels,
        alert_strategy: { notification_rate_limit: { period: '300s' } },
        conditions: [
          {
            display_name: 'bypass',
            condition_matched_log: {
              filter:
                overrides.bypassFilter ??
                '(resource.labels.email_id="${google_service_account.deployer.email}" AND -protoPayload.status.code>0 AND NOT protoPayload.authenticationInfo.principalSubject:"workloadIdentityPools/agents/subject/") OR (protoPayload.methodName=~"WorkloadIdentityPools[.]Update" AND protoPayload.resourceName:"/workloadIdentityPools/agents/")',
            },
          },
        ],
      },
    },
  };
}

describe('GCP detection signals as advisories', () => {
  test('the example: its FederationMonitor and StepUpMonitor give the deployer’s gate every signal', () => {
    const [example] = loadTerraformSources(synthCdktfExamples()).filter((s) => s.stackName === 'attestgate-gcp-example');
    const advisories = advisoriesOf(example);
    expect(presence(advisories)).toEqual({ 'ADV-GCP-001': true, 'ADV-GCP-002': true, 'ADV-GCP-003': true, 'ADV-GCP-004': true, 'ADV-GCP-005': true, 'ADV-GCP-006': true });
    expect(advisories[0]).toMatchObject({ gate: expect.stringMatching(/^attestgate-gcp-example\/google_iam_workload_identity_pool_provider\./), title: 'Failed token exchanges at this provider are alerted', detail: expect.stringContaining('ExchangeFailureAlert') });
    expect(advisories[2].detail).toContain('BypassAlert1');
  });

  test('brownfield without signals: every advisory absent, saying what to add', () => {
    const advisories = advisoriesOf(source(gcpConfiguration()));
    expect(presence(advisories)).toEqual(NONE);
    expect(advisories[0].detail).toContain('add FederationMonitor');
    expect(advisories[1].detail).toBe('no enabled alert policy with a notification channel fires on a refused GenerateAccessToken for: google_service_account.deployer');
    expect(advisories[4].detail).toContain('sts.googleapis.com (ExchangeToken) and iam.googleapis.com');
  });

  test('brownfield with hand-written signals that refer to the gate’s provider and service account: present', () => {
    const advisories = advisoriesOf(source(gcpConfiguration({ extra: handWrittenSignals() })));
    expect(presence(advisories)).toEqual({ 'ADV-GCP-001': true, 'ADV-GCP-002': true, 'ADV-GCP-003': true, 'ADV-GCP-004': true, 'ADV-GCP-005': true });
    expect(advisories[0].detail).toBe('alert policy on refused ExchangeToken at the provider: google_monitoring_alert_policy.failures');
    expect(advisories[4].detail).toBe('Data Access (ADMIN_READ) audit logs: google_project_iam_audit_config.all, google_project_iam_audit_config.all');
  });

  test('signals that would not fire for this gate do not count: another provider, disabled, nobody notified', () => {
    const otherProvider = advisoriesOf(source(gcpConfiguration({ extra: handWrittenSignals({ conditionFilter: 'metric.type="logging.googleapis.com/user/wif-failures" AND metric.label.provider="other"' }) })));
    expect(presence(otherProvider)['ADV-GCP-001']).toBe(false);
    const otherAccount = advisoriesOf(source(gcpConfiguration({ extra: handWrittenSignals({ bypassFilter: 'resource.labels.email_id="legacy@p.iam.gserviceaccount.com"' }) })));
    expect(presence(otherAccount)).toMatchObject({ 'ADV-GCP-003': false, 'ADV-GCP-004': false });
    const disabled = advisoriesOf(source(gcpConfiguration({ extra: handWrittenSignals({ enabled: false }) })));
    expect(presence(disabled)).toMatchObject({ 'ADV-GCP-001': false, 'ADV-GCP-002': false, 'ADV-GCP-003': true });
    expect(presence(advisoriesOf(source(gcpConfiguration({ extra: handWrittenSignals({ channels: [] }) }))))).toEqual({ ...NONE, 'ADV-GCP-005': true });
  });

  test('a filter it cannot evaluate does not count, and says so', () => {
    const advisories = advisoriesOf(source(gcpConfiguration({ extra: handWrittenSignals({ metricFilter: 'log_id("cloudaudit.googleapis.com/data_access") "ExchangeToken"' }) })));
    expect(advisories[0]).toMatchObject({ present: false, detail: expect.stringContaining('(could not judge google_logging_metric.wif_failures: the function log_id() is not supported)') });
    const unknown = advisoriesOf(source(gcpConfiguration({ extra: handWrittenSignals({ bypassFilter: '${var.filter}' }) })));
    expect(unknown[2].detail).toContain('google_monitoring_alert_policy.bypass: its filter is known only at apply');
  });

  test('in a pool shared with another gate: a provider pinned to its subject is asked to watch its own account, one that admits the other’s subject both', () => {
    const REVIEWER = 'spiffe://prod.example/agent/reviewer';
    const twoGates = (condition?: string) => {
      const configuration = gcpConfiguration(condition ? { provider: { attribute_condition: condition } } : {}) as { resource: Record<string, Record<string, unknown>> };
      configuration.resource.google_iam_workload_identity_pool_provider.reviewer = {
        ...(configuration.resource.google_iam_workload_identity_pool_provider.spire as object),
        workload_identity_pool_provider_id: 'reviewer',
        attribute_condition: `assertion.sub == '${REVIEWER}'`,
      };
      configuration.resource.google_service_account.reviewer = { account_id: 'reviewer-agent' };
      configuration.resource.google_service_account_iam_member.reviewer = {
        service_account_id: '${google_service_account.reviewer.name}',
        role: 'roles/iam.workloadIdentityUser',
        member: `principal://iam.googleapis.com/\${google_iam_workload_identity_pool.pool.name}/subject/${REVIEWER}`,
      };
      const s = source(configuration);
      const spire = discoverGcpGates([s]).find((g) => g.provider.address.endsWith('.spire'))!;
      return gcpAdvisoriesOf(s.model, spire)[1].detail;
    };
    expect(twoGates()).toBe('no enabled alert policy with a notification channel fires on a refused GenerateAccessToken for: google_service_account.deployer');
    // The lax case: a prefix admits the reviewer's subject, so the reviewer's account is reached through this provider too.
    expect(twoGates("assertion.sub.startsWith('spiffe://prod.example/agent/')")).toBe(
      'no enabled alert policy with a notification channel fires on a refused GenerateAccessToken for: google_service_account.deployer, google_service_account.reviewer',
    );
  });

  test('a gate whose principals hold roles directly has no service account to watch', () => {
    const configuration = gcpConfiguration({
      member: 'principal://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/subject/x',
      extra: { google_project_iam_member: { direct: { project: 'p', role: 'roles/storage.admin', member: 'principal://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/subject/x' } } },
    });
    configuration.resource.google_service_account_iam_member = {} as never;
    const advisories = advisoriesOf(source(configuration));
    expect(advisories[1]).toMatchObject({ present: false, detail: expect.stringContaining('no service account is bound to the gate’s principals') });
  });
});

describe('ADV-GCP-006: step-up failures of the identity are alerted', () => {
  type Tf = { resource: Record<string, Record<string, Record<string, any>>> };
  const DEPLOYER = 'spiffe://prod.example/agent/deployer';

  /** The GCP example as synthesized (with its StepUpMonitor), edited by `tamper`. */
  function example(tamper: (tf: Tf) => void = () => undefined) {
    const file = path.join(synthCdktfExamples(), 'stacks', 'attestgate-gcp-example', 'cdk.tf.json');
    const tf = JSON.parse(fs.readFileSync(file, 'utf8')) as Tf;
    tamper(tf);
    return advisoriesOf({ stackName: 'attestgate-gcp-example', file, model: tfModel(tf) }).find((a) => a.id === 'ADV-GCP-006');
  }
  const stepUpPolicies = (tf: Tf) => Object.values(tf.resource.google_monitoring_alert_policy).filter((p) => p.conditions[0].condition_prometheus_query_language);
  const stepUpMetrics = (tf: Tf) => Object.values(tf.resource.google_logging_metric).filter((m) => String(m.filter).includes('attestgate.step-up.decision'));

  test('the example’s StepUpMonitor of the deployer is present', () => {
    expect(example()).toMatchObject({ present: true, detail: expect.stringContaining(`alert policy on ${DEPLOYER}'s unanswered step-up challenges: google_monitoring_alert_policy.`) });
  });

  test('a configuration that counts no step-up decisions gets no step-up advisory', () => {
    expect(example((tf) => stepUpMetrics(tf).forEach((m) => (m.filter = 'severity>=ERROR')))).toBeUndefined();
    expect(advisoriesOf(source(gcpConfiguration({ extra: handWrittenSignals() }))).some((a) => a.id === 'ADV-GCP-006')).toBe(false);
  });

  test('lax or misdirected monitors are absent: another identity, a threshold of 1, a filter matching nothing, no channel', () => {
    const other = example((tf) => stepUpMetrics(tf).forEach((m) => (m.filter = m.filter.replace(DEPLOYER, 'spiffe://prod.example/agent/someone-else'))));
    expect(other).toMatchObject({ present: false, detail: expect.stringContaining('add StepUpMonitor') });
    const one = example((tf) => stepUpPolicies(tf).forEach((p) => (p.conditions[0].condition_prometheus_query_language.query = p.conditions[0].condition_prometheus_query_language.query.replace('>= 3', '>= 1'))));
    expect(one).toMatchObject({ present: false, detail: expect.stringContaining('fires on one unanswered challenge') });
    const nothing = example((tf) => stepUpMetrics(tf).forEach((m) => (m.filter = m.filter.replace('jsonPayload.outcome', 'jsonPayload.result'))));
    expect(nothing).toMatchObject({ present: false });
    const challengesOnly = example((tf) =>
      stepUpPolicies(tf).forEach((p) => (p.conditions[0].condition_prometheus_query_language.query = `sum by (identity) (increase(logging_googleapis_com:user_attestgate_attestgate_gcp_example_ToolServerStepUp_step_up_challenges[300s])) >= 3`)),
    );
    expect(challengesOnly).toMatchObject({ present: false, detail: expect.stringContaining('ten answered challenges') });
    const silent = example((tf) => stepUpPolicies(tf).forEach((p) => (p.notification_channels = [])));
    expect(silent).toMatchObject({ present: false });
  });

  test('a condition it cannot evaluate is reported as not judged, never counted', () => {
    const unjudged = example((tf) => stepUpPolicies(tf).forEach((p) => (p.conditions[0].condition_prometheus_query_language.query = 'topk(1, sum by (identity) (increase(logging_googleapis_com:user_x[5m]))) > 2')));
    expect(unjudged).toMatchObject({ present: false, detail: expect.stringContaining('could not judge google_monitoring_alert_policy.') });
    expect(unjudged!.detail).toContain('topk() is not supported');
  });
});
