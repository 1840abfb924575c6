import * as fs from 'node:fs';
import * as path from 'node:path';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { TerraformStack } from 'cdktf';
import { GoogleFilter } from '../../lib/model/gcp/google-filter';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { SignalMonitoring } from '../../lib/core/signal-monitoring';
import { AttestedServiceAccount } from '../../lib/gcp/attested-service-account';
import { AttestedWorkloadIdentityProvider } from '../../lib/gcp/attested-workload-identity-provider';
import { AUDIT_LOG_SERVICES, FederationMonitor, WATCHED_PER_POLICY } from '../../lib/gcp/federation-monitor';
import { WorkloadIdentitySource } from '../../lib/gcp/workload-identity-source';
import { annotations, synthesized, tfStack } from '../fixtures/cdktf';
import { GATE_PRINCIPAL, POOL_NAME, PROVIDER_NAME, SA_EMAIL, exchangeToken, generateAccessToken, poolChange, serviceAccountChange } from '../fixtures/gcp-audit-logs';
import { deployerIdentity } from '../fixtures/identities';

type Tf = ReturnType<typeof synthesized>;

function gated(stack: TerraformStack, options: { name?: string; privilege?: PrivilegeTier; monitoring?: SignalMonitoring; project?: string } = {}) {
  const name = options.name ?? 'deployer';
  const gate = new AttestedWorkloadIdentityProvider(stack, `Gate-${name}`, {
    identity: deployerIdentity({ name, spiffeId: `spiffe://prod.example/agent/${name}`, privilege: options.privilege ?? PrivilegeTier.HIGH }),
    source: WorkloadIdentitySource.oidc({ issuerUri: 'https://oidc.prod.example', allowedAudiences: ['gcp'] }),
    poolId: `${name}-pool`,
    project: options.project,
    federationMonitoring: options.monitoring,
  });
  const account = new AttestedServiceAccount(stack, `Agent-${name}`, { provider: gate });
  return { gate, account };
}

const resourcesOf = (tf: Tf, type: string) => Object.values(tf.resource[type] ?? {}) as Array<Record<string, unknown>>;

/**
 * A filter as deployed: Terraform fills in the pool's name, the provider's pool ID and the
 * service account's email with what the audit log fixtures carry.
 */
function deployed(filter: string, dialect: 'logging' | 'monitoring' = 'logging'): GoogleFilter {
  const text = filter
    .replace(/\$\{google_iam_workload_identity_pool\.[\w-]+\.name\}/g, POOL_NAME)
    .replace(/\$\{google_iam_workload_identity_pool_provider\.[\w-]+\.workload_identity_pool_id\}/g, 'attested-agents')
    .replace(/\$\{google_service_account\.[\w-]+\.email\}/g, SA_EMAIL);
  expect(text).not.toContain('${');
  return GoogleFilter.parse(text, dialect);
}

const matchedLogFilter = (policy: Record<string, unknown>) => (policy.conditions as Array<{ condition_matched_log: { filter: string } }>)[0].condition_matched_log.filter;
const policyNamed = (tf: Tf, prefix: string) => resourcesOf(tf, 'google_monitoring_alert_policy').filter((p) => String(p.display_name).startsWith(prefix));

describe('FederationMonitor', () => {
  describe('wiring', () => {
    test('a high-privilege gate and its service account are watched by the stack’s one monitor', () => {
      // GIVEN
      const { stack } = tfStack();
      // WHEN
      const { gate, account } = gated(stack);
      // THEN
      const monitor = FederationMonitor.of(stack);
      expect(gate.monitor).toBe(monitor);
      expect(account.monitor).toBe(monitor);
      expect(monitor.watchedProviders).toEqual([gate.provider]);
      expect(monitor.watchedServiceAccounts).toEqual([account.serviceAccount]);
      const tf = synthesized(stack);
      expect(resourcesOf(tf, 'google_logging_metric')).toHaveLength(2);
      expect(resourcesOf(tf, 'google_monitoring_alert_policy')).toHaveLength(4);
      expect(resourcesOf(tf, 'google_project_iam_audit_config').map((c) => [c.service, c.audit_log_config])).toEqual(
        AUDIT_LOG_SERVICES.map(({ service, logTypes }) => [service, logTypes.map((log_type) => ({ log_type }))]),
      );
    });

    test('a read-only identity is not watched unless asked; opting a high-privilege one out needs a reason', () => {
      // GIVEN
      const { stack } = tfStack();
      // WHEN
      const reader = gated(stack, { name: 'reader', privilege: PrivilegeTier.READ_ONLY });
      const watchedReader = gated(stack, { name: 'watched', privilege: PrivilegeTier.READ_ONLY, monitoring: SignalMonitoring.enabled() });
      const unwatched = gated(stack, { name: 'unwatched', monitoring: SignalMonitoring.disabled('central SIEM rule SEC-88 watches it') });
      // THEN
      expect(reader.gate.monitor).toBeUndefined();
      expect(reader.account.monitor).toBeUndefined();
      expect(unwatched.gate.monitor).toBeUndefined();
      expect(unwatched.gate.node.metadata.find((m) => m.type === 'attestgate:federationMonitoringDisabled')?.data).toBe('central SIEM rule SEC-88 watches it');
      expect(FederationMonitor.of(stack).watchedProviders).toEqual([watchedReader.gate.provider]);
      expect(() => SignalMonitoring.disabled('short')).toThrow('SignalMonitoring.disabled: reason "short" is shorter than 10 characters');
      expect(() => gated(stack, { name: 'bad', monitoring: 'off' as never })).toThrow('federationMonitoring "off" is not a SignalMonitoring');
    });

    test('a service account is watched in its own project; gates of two projects get two monitors', () => {
      // GIVEN
      const { stack } = tfStack();
      // WHEN
      const first = gated(stack, { name: 'first', project: 'agents-prod' });
      const second = gated(stack, { name: 'second', project: 'agents-eu' });
      // THEN
      expect(first.account.monitor).toBe(FederationMonitor.of(stack, 'agents-prod'));
      expect(second.account.monitor).toBe(FederationMonitor.of(stack, 'agents-eu'));
      expect(first.gate.monitor).not.toBe(second.gate.monitor);
      expect(resourcesOf(synthesized(stack), 'google_logging_metric').map((m) => m.project)).toEqual(['agents-prod', 'agents-prod', 'agents-eu', 'agents-eu']);
      expect(annotations(stack, 'warn')).toEqual([]);
    });

    test('a monitor for the default project beside one for a named project is flagged: they may be the same project', () => {
      const { stack } = tfStack();
      gated(stack, { name: 'first', project: 'agents-prod' });
      gated(stack, { name: 'second' });
      expect(annotations(stack, 'warn')).toEqual([expect.stringContaining("A second FederationMonitor in this stack, for the google provider's default project, beside agents/AttestgateFederationMonitor")]);
    });
  });

  describe('signals, evaluated against documented audit log entries', () => {
    const { stack } = tfStack();
    gated(stack);
    const tf = synthesized(stack);
    const [exchangeMetric, impersonationMetric] = resourcesOf(tf, 'google_logging_metric');

    test('failed exchanges, per provider: a refused ExchangeToken counts under its provider; a successful one does not', () => {
      const filter = GoogleFilter.parse(String(exchangeMetric.filter), 'logging');
      expect(filter.matches(exchangeToken({ code: 3 }))).toBe(true);
      expect(filter.matches(exchangeToken())).toBe(false);
      expect(filter.matches(generateAccessToken({ code: 7 }))).toBe(false);
      expect(exchangeMetric.label_extractors).toEqual({ provider: 'EXTRACT(protoPayload.resourceName)' });
      const [alert] = policyNamed(tf, 'attestgate: failed token exchanges');
      expect(alert.conditions).toEqual([
        expect.objectContaining({
          condition_threshold: expect.objectContaining({
            filter: expect.stringContaining('metric.type="logging.googleapis.com/user/${google_logging_metric.'),
            comparison: 'COMPARISON_GE',
            threshold_value: 1,
            aggregations: [expect.objectContaining({ group_by_fields: ['metric.label.provider'], alignment_period: '300s' })],
          }),
        }),
      ]);
    });

    test('refused impersonation, per service account', () => {
      const filter = GoogleFilter.parse(String(impersonationMetric.filter), 'logging');
      expect(filter.matches(generateAccessToken({ code: 7, principalEmail: 'attacker@example.com' }))).toBe(true);
      expect(filter.matches(generateAccessToken())).toBe(false);
      expect(filter.matches(exchangeToken({ code: 3 }))).toBe(false);
      expect(impersonationMetric.label_extractors).toEqual({ service_account: 'EXTRACT(resource.labels.email_id)' });
    });

    test('credentials outside the gate: any principal but the gate’s, a new key, an IAM policy change — of this account only', () => {
      const filter = deployed(matchedLogFilter(policyNamed(tf, 'attestgate: service account credentials outside the gate')[0]));
      expect(filter.matches(generateAccessToken())).toBe(false);
      expect(filter.matches(generateAccessToken({ principalEmail: 'attacker@example.com' }))).toBe(true);
      expect(filter.matches(generateAccessToken({ principal: `principal://iam.googleapis.com/${POOL_NAME}/subject/spiffe://prod.example/agent/other` }))).toBe(true);
      expect(filter.matches(generateAccessToken({ principalEmail: 'attacker@example.com', code: 7 }))).toBe(false);
      expect(filter.matches(generateAccessToken({ principalEmail: 'attacker@example.com', email: 'other@attestgate-example.iam.gserviceaccount.com' }))).toBe(false);
      for (const method of ['CreateServiceAccountKey', 'UploadServiceAccountKey', 'SetIAMPolicy']) expect(filter.matches(serviceAccountChange(method))).toBe(true);
      expect(filter.matches(serviceAccountChange('GetIAMPolicy'))).toBe(false);
      expect(filter.matches(serviceAccountChange('CreateServiceAccountKey', 'other@attestgate-example.iam.gserviceaccount.com'))).toBe(false);
      expect(GATE_PRINCIPAL).toContain(POOL_NAME);
    });

    test('gate changes: the pool or a provider of it created, changed, deleted or restored — not reads, not other pools', () => {
      const filter = deployed(matchedLogFilter(policyNamed(tf, 'attestgate: workload identity gate changed')[0]));
      expect(filter.matches(poolChange('UpdateWorkloadIdentityPoolProvider'))).toBe(true);
      expect(filter.matches(poolChange('CreateWorkloadIdentityPoolProvider', `${POOL_NAME}/providers/intruder`))).toBe(true);
      expect(filter.matches(poolChange('UndeleteWorkloadIdentityPool', POOL_NAME))).toBe(true);
      expect(filter.matches(poolChange('GetWorkloadIdentityPoolProvider'))).toBe(false);
      expect(filter.matches(poolChange('UpdateWorkloadIdentityPoolProvider', `${POOL_NAME}-2/providers/deployer`))).toBe(false);
      expect(PROVIDER_NAME.startsWith(POOL_NAME)).toBe(true);
    });

    test('every alert notifies the stack’s Pub/Sub topic, which the Monitoring service agent may publish to', () => {
      const [channel] = resourcesOf(tf, 'google_monitoring_notification_channel');
      expect(channel).toMatchObject({ type: 'pubsub', labels: { topic: expect.stringMatching(/^\$\{google_pubsub_topic\.\w+\.id\}$/) } });
      expect(resourcesOf(tf, 'google_pubsub_topic_iam_member')).toEqual([
        expect.objectContaining({
          role: 'roles/pubsub.publisher',
          member: expect.stringMatching(/^serviceAccount:service-\$\{data\.google_project\.\w+\.number\}@gcp-sa-monitoring-notification\.iam\.gserviceaccount\.com$/),
          depends_on: [expect.stringMatching(/^google_monitoring_notification_channel\./)],
        }),
      ]);
      for (const policy of resourcesOf(tf, 'google_monitoring_alert_policy')) expect(policy.notification_channels).toEqual([expect.stringMatching(/^\$\{google_monitoring_notification_channel\.\w+\.id\}$/)]);
      for (const policy of policyNamed(tf, 'attestgate: service account')) expect(policy.alert_strategy).toMatchObject({ notification_rate_limit: { period: '300s' } });
    });
  });

  test(`more than ${WATCHED_PER_POLICY} service accounts or pools get another log-match policy each`, () => {
    // GIVEN
    const { stack } = tfStack();
    // WHEN
    for (let i = 0; i <= WATCHED_PER_POLICY; i++) gated(stack, { name: `agent-${i}` });
    // THEN
    const tf = synthesized(stack);
    const bypass = policyNamed(tf, 'attestgate: service account credentials outside the gate');
    expect(bypass).toHaveLength(2);
    expect(matchedLogFilter(bypass[0]).match(/NOT protoPayload\.authenticationInfo\.principalSubject=/g)).toHaveLength(WATCHED_PER_POLICY);
    expect(matchedLogFilter(bypass[1]).match(/NOT protoPayload\.authenticationInfo\.principalSubject=/g)).toHaveLength(1);
    expect(policyNamed(tf, 'attestgate: workload identity gate changed')).toHaveLength(2);
  });

  test('a brownfield service account is watched with the one principal allowed to act as it', () => {
    const { stack } = tfStack();
    const monitor = new FederationMonitor(stack, 'Monitor', { notificationChannels: ['projects/agents-prod/notificationChannels/42'], email: 'security@example.com' });
    const legacy = new ServiceAccount(stack, 'Legacy', { accountId: 'legacy-agent' });
    monitor.addServiceAccount(legacy, GATE_PRINCIPAL);
    monitor.addServiceAccount(legacy, GATE_PRINCIPAL);
    const tf = synthesized(stack);
    expect(resourcesOf(tf, 'google_pubsub_topic')).toEqual([]);
    expect(resourcesOf(tf, 'google_monitoring_notification_channel')).toEqual([expect.objectContaining({ type: 'email', labels: { email_address: 'security@example.com' } })]);
    const [bypass] = policyNamed(tf, 'attestgate: service account credentials outside the gate');
    expect(bypass.notification_channels).toEqual(['projects/agents-prod/notificationChannels/42', expect.stringMatching(/^\$\{google_monitoring_notification_channel\./)]);
    expect(deployed(matchedLogFilter(bypass)).matches(generateAccessToken({ principalEmail: 'attacker@example.com' }))).toBe(true);
    expect(FederationMonitor.of(stack)).toBe(monitor);
  });

  test('a service account of another stack is referred to across stacks, as cdktf wires it', () => {
    const { app, stack } = tfStack();
    const other = new TerraformStack(app, 'identities');
    new GoogleProvider(other, 'google', { project: 'agents-prod' });
    const monitor = new FederationMonitor(stack, 'Monitor', {});
    monitor.addServiceAccount(new ServiceAccount(other, 'Shared', { accountId: 'shared-agent' }), GATE_PRINCIPAL);
    monitor.addServiceAccount(new ServiceAccount(stack, 'Local', { accountId: 'local-agent' }), GATE_PRINCIPAL);
    app.synth();
    const written = JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', 'agents', 'cdk.tf.json'), 'utf8')) as Tf;
    const filter = matchedLogFilter(policyNamed(written, 'attestgate: service account credentials outside the gate')[0]);
    expect(filter).toMatch(/resource\.labels\.email_id="\$\{data\.terraform_remote_state\.[\w-]+\.outputs\.[\w-]+\}"/);
    expect(filter).toMatch(/resource\.labels\.email_id="\$\{google_service_account\.Local\.email\}"/);
  });

  test('Data Access audit logs configured elsewhere: no audit config is written, and why is recorded', () => {
    const { stack } = tfStack();
    const monitor = new FederationMonitor(stack, 'Monitor', { auditLogsConfiguredElsewhereReason: 'organization audit config, SEC-12' });
    expect(monitor.auditConfigs).toEqual([]);
    expect(resourcesOf(synthesized(stack), 'google_project_iam_audit_config')).toEqual([]);
    expect(monitor.node.metadata.find((m) => m.type === 'attestgate:auditLogsConfiguredElsewhere')?.data).toBe('organization audit config, SEC-12');
  });

  test.each([
    [{ failuresPerIdentityThreshold: 0 }, 'failuresPerIdentityThreshold 0 is not a positive whole number'],
    [{ evaluationPeriodSeconds: 90 }, 'evaluationPeriodSeconds 90 is not a whole number of minutes from 60 to 86,400 seconds'],
    [{ auditLogsConfiguredElsewhereReason: 'org' }, 'auditLogsConfiguredElsewhereReason "org" is shorter than 10 characters'],
    [{ email: 'security' }, 'email "security" is not an email address'],
  ])('%j is refused at synth: %s', (props, message) => {
    const { stack } = tfStack();
    expect(() => new FederationMonitor(stack, 'Monitor', props)).toThrow(`FederationMonitor 'agents/Monitor': ${message}`);
  });

  test('a second monitor for the same project is refused, naming the first', () => {
    const { stack } = tfStack();
    gated(stack);
    expect(() => new FederationMonitor(stack, 'Late', {})).toThrow(/FederationMonitor 'agents\/Late': project "\(the provider default\)" already has a FederationMonitor in this stack \(agents\/AttestgateFederationMonitor\)/);
  });
});
