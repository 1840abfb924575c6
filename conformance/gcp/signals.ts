import { TerraformModel, TerraformResource, blocks } from '../../lib/model/terraform/configuration';
import { Advisory } from '../engine/report';
import { GcpGate } from './discover-gates';
import { FilterError, GoogleFilter } from '../../lib/model/gcp/google-filter';
import { LogBasedMetricDeclaration, extractedLabels, logBasedMetricSamples, logBasedMetricType } from '../../lib/model/gcp/log-based-metric';
import { PromQlError, PromQuery } from '../../lib/model/gcp/promql';
import { STEP_UP_EVENT, StepUpEvent } from '../../lib/step-up/events';
import { judgeStepUpMonitor } from '../../lib/step-up/failure-signal';
import { stepUpMonitorAdvisory } from '../engine/step-up-monitor-advisory';
import { STAND_IN_PROJECT_NUMBER, TerraformStandIns } from '../discovery/terraform-stand-ins';

/**
 * Detection signals of a GCP gate, as advisories: probes prove issuance fails; these say whether
 * an attack would be seen. Read from the Terraform JSON, so signals written without attestgate
 * count too. Each is judged by evaluating the configuration's filters — log-match alert
 * conditions, and log-based metrics under threshold conditions — on the audit log entry the
 * attack would write, rendered with the gate's own provider and service accounts: a signal
 * counts because it would fire, not because it mentions names.
 */

/** Someone else's credentials, as audit logs name a user. */
const OUTSIDER = { principalEmail: 'attacker@example.com', principalSubject: 'user:attacker@example.com' };
const OTHER_POOL_PRINCIPAL = `principal://iam.googleapis.com/projects/${STAND_IN_PROJECT_NUMBER}/locations/global/workloadIdentityPools/elsewhere/subject/attacker`;
const ACTIVITY = 'cloudaudit.googleapis.com%2Factivity';
const DATA_ACCESS = 'cloudaudit.googleapis.com%2Fdata_access';

type Entry = Record<string, unknown>;

/** A refused STS exchange at the provider (HTTP 400 from STS: INVALID_ARGUMENT). */
function refusedExchange(providerName: string): Entry {
  return {
    logName: `projects/${STAND_IN_PROJECT_NUMBER}/logs/${DATA_ACCESS}`,
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      authenticationInfo: { principalSubject: 'spiffe://attacker.example/agent/forged' },
      serviceName: 'sts.googleapis.com',
      methodName: 'google.identity.sts.v1.SecurityTokenService.ExchangeToken',
      resourceName: providerName,
      request: { '@type': 'type.googleapis.com/google.identity.sts.v1.ExchangeTokenRequest', audience: `//iam.googleapis.com/${providerName}` },
      status: { code: 3, message: 'The given credential is rejected by the attribute condition.' },
    },
    resource: { type: 'audited_resource', labels: { service: 'sts.googleapis.com', method: 'google.identity.sts.v1.SecurityTokenService.ExchangeToken' } },
  };
}

/** A GenerateAccessToken call for a service account, by someone, refused or not. */
function credentialCall(email: string, authenticationInfo: Record<string, string>, refused: boolean): Entry {
  return {
    logName: `projects/${STAND_IN_PROJECT_NUMBER}/logs/${DATA_ACCESS}`,
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      authenticationInfo,
      serviceName: 'iamcredentials.googleapis.com',
      methodName: 'GenerateAccessToken',
      request: { '@type': 'type.googleapis.com/google.iam.credentials.v1.GenerateAccessTokenRequest', name: `projects/-/serviceAccounts/${email}` },
      resourceName: `projects/-/serviceAccounts/${email}`,
      ...(refused ? { status: { code: 7, message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)." } } : {}),
    },
    resource: { type: 'service_account', labels: { email_id: email } },
  };
}

/** An update of the provider (Admin Activity). */
function providerUpdate(providerName: string): Entry {
  return {
    logName: `projects/${STAND_IN_PROJECT_NUMBER}/logs/${ACTIVITY}`,
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      authenticationInfo: OUTSIDER,
      serviceName: 'iam.googleapis.com',
      methodName: 'google.iam.v1.WorkloadIdentityPools.UpdateWorkloadIdentityPoolProvider',
      resourceName: providerName,
    },
    resource: { type: 'audited_resource', labels: { service: 'iam.googleapis.com', method: 'google.iam.v1.WorkloadIdentityPools.UpdateWorkloadIdentityPoolProvider' } },
  };
}

/** What judging the configuration's alert policies found for one entry. */
interface Judgement {
  readonly firing: string[];
  readonly unjudged: string[];
}

/** The enabled alert policies with somewhere to notify that would open an incident for the entry. */
function alertsFor(model: TerraformModel, standIns: TerraformStandIns, entry: Entry): Judgement {
  const firing: string[] = [];
  const unjudged: string[] = [];
  const metrics = model
    .resourcesOfType('google_logging_metric')
    .filter((m) => m.attributes.disabled !== true)
    .map((m) => ({ resource: m, name: standIns.text(m.attributes.name), filter: standIns.text(m.attributes.filter) }));
  const logMatches = (resource: TerraformResource, text: string | undefined): boolean => {
    if (text === undefined) {
      unjudged.push(`${resource.address}: its filter is known only at apply`);
      return false;
    }
    try {
      return GoogleFilter.parse(text, 'logging').matches(entry);
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      unjudged.push(`${resource.address}: ${e.message}`);
      return false;
    }
  };
  // Series the entry adds to: one per log-based metric whose filter matches it.
  const series = metrics
    .filter((m) => m.name !== undefined && logMatches(m.resource, m.filter))
    .map((m) => ({
      metric: { type: logBasedMetricType(m.name!), labels: extractedLabels(standIns.plain(m.resource.attributes.label_extractors), entry) },
      resource: entry.resource,
    }));

  for (const policy of model.resourcesOfType('google_monitoring_alert_policy')) {
    const a = policy.attributes;
    const channels = standIns.plain(a.notification_channels);
    if (a.enabled === false || !Array.isArray(channels) || channels.length === 0) continue;
    const results = blocks(a.conditions).map((condition): boolean => {
      const matchedLog = blocks(condition.condition_matched_log)[0];
      if (matchedLog) return logMatches(policy, standIns.text(matchedLog.filter));
      const threshold = blocks(condition.condition_threshold)[0];
      if (!threshold) return false;
      const text = standIns.text(threshold.filter);
      if (text === undefined) {
        unjudged.push(`${policy.address}: its condition filter is known only at apply`);
        return false;
      }
      try {
        const filter = GoogleFilter.parse(text, 'monitoring');
        return series.some((s) => filter.matches(s));
      } catch (e) {
        if (!(e instanceof FilterError)) throw e;
        unjudged.push(`${policy.address}: ${e.message}`);
        return false;
      }
    });
    const combiner = typeof a.combiner === 'string' ? a.combiner : 'OR';
    const fires = combiner === 'OR' || results.length <= 1 ? results.some(Boolean) : results.every(Boolean);
    if (fires) firing.push(policy.address);
  }
  return { firing, unjudged };
}

/** Whether Data Access audit logs of a service are on (ADMIN_READ) at the project, folder or organization. */
function auditLogged(model: TerraformModel, standIns: TerraformStandIns, service: string): string[] {
  return ['google_project_iam_audit_config', 'google_folder_iam_audit_config', 'google_organization_iam_audit_config']
    .flatMap((type) => model.resourcesOfType(type))
    .filter((c) => {
      const configured = standIns.text(c.attributes.service);
      return (configured === service || configured === 'allServices') && blocks(c.attributes.audit_log_config).some((l) => l.log_type === 'ADMIN_READ');
    })
    .map((c) => c.address);
}

/** The advisories of one gate. */
export function gcpAdvisoriesOf(model: TerraformModel, gate: GcpGate): Advisory[] {
  const standIns = new TerraformStandIns(model);
  const providerName = standIns.attribute(gate.provider.address, 'name');
  // Its accounts: bound to a principal of its pool and reachable through its own provider (the
  // issuance paths: a provider proven pinned to one subject is no path to another subject's
  // binding, as AG-GCP-004 reads it). Every account bound in the pool made each gate's advisories
  // judge N accounts — N² in the gates of a pool — and asked a gate to watch other gates' accounts.
  const throughProvider = new Set(gate.paths.flatMap((p) => (p.kind === 'federation' && p.provider === gate.provider.address ? [p.account] : [])));
  const accounts = [...new Set(gate.boundPrincipals.flatMap((p) => p.serviceAccounts.map((s) => s.address)))]
    .filter((address) => throughProvider.has(address))
    .map((address) => ({ address, email: standIns.attribute(address, 'email') }));
  const advisory = (id: string, title: string, present: boolean, detail: string): Advisory => ({ id, gate: gate.id, title, present, detail });
  const withUnjudged = (detail: string, unjudged: readonly string[]) => (unjudged.length > 0 ? `${detail} (could not judge ${[...new Set(unjudged)].join('; ')})` : detail);

  const forProvider = (make: (name: string) => Entry, present: string, absent: string) => {
    if (providerName === undefined) return { present: false, detail: 'the provider’s name is not known before apply' };
    const { firing, unjudged } = alertsFor(model, standIns, make(providerName));
    return { present: firing.length > 0, detail: withUnjudged(firing.length > 0 ? `${present}: ${firing.join(', ')}` : absent, unjudged) };
  };
  /** Every bound service account must be covered. */
  const forAccounts = (make: (email: string) => Entry, present: string, absent: string) => {
    if (accounts.length === 0) return { present: false, detail: 'no service account is bound to the gate’s principals: there is nothing to impersonate, and nothing to watch' };
    const judged = accounts.map(({ address, email }) => ({ address, ...(email === undefined ? { firing: [], unjudged: [`${address}: its email is not known before apply`] } : alertsFor(model, standIns, make(email))) }));
    const missing = judged.filter((j) => j.firing.length === 0).map((j) => j.address);
    const firing = [...new Set(judged.flatMap((j) => j.firing))];
    const unjudged = judged.flatMap((j) => j.unjudged);
    return {
      present: missing.length === 0,
      detail: withUnjudged(missing.length === 0 ? `${present}: ${firing.join(', ')}` : `${absent}: ${missing.join(', ')}`, unjudged),
    };
  };

  const exchange = forProvider(refusedExchange, 'alert policy on refused ExchangeToken at the provider', 'no enabled alert policy with a notification channel fires on a refused token exchange at this provider (add FederationMonitor: a log-based metric of failed ExchangeToken calls by provider, and an alert on it)');
  const denied = forAccounts(
    (email) => credentialCall(email, { principalSubject: OTHER_POOL_PRINCIPAL }, true),
    'alert policy on refused credential calls',
    'no enabled alert policy with a notification channel fires on a refused GenerateAccessToken for',
  );
  const issued = forAccounts(
    (email) => credentialCall(email, OUTSIDER, false),
    'log-match alert on credentials issued to another principal',
    'no enabled alert policy fires when another principal (a user, a key) gets a token of',
  );
  const changed = forProvider(providerUpdate, 'alert policy on changes to the pool and provider', 'no enabled alert policy with a notification channel fires on UpdateWorkloadIdentityPoolProvider of this provider (Admin Activity logs, always on)');
  const sts = auditLogged(model, standIns, 'sts.googleapis.com');
  const iam = auditLogged(model, standIns, 'iam.googleapis.com');

  return [
    advisory('ADV-GCP-001', 'Failed token exchanges at this provider are alerted', exchange.present, exchange.detail),
    advisory('ADV-GCP-002', 'Refused impersonation of its service accounts is alerted', denied.present, denied.detail),
    advisory('ADV-GCP-003', 'Credentials of its service accounts issued outside the gate are alerted', issued.present, issued.detail),
    advisory('ADV-GCP-004', 'Changes to its pool and provider are alerted', changed.present, changed.detail),
    advisory(
      'ADV-GCP-005',
      'Audit logs record token exchanges and impersonation',
      sts.length > 0 && iam.length > 0,
      sts.length > 0 && iam.length > 0
        ? `Data Access (ADMIN_READ) audit logs: ${[...sts, ...iam].join(', ')}`
        : `no ADMIN_READ Data Access audit config in this configuration for ${[sts.length === 0 ? 'sts.googleapis.com (ExchangeToken)' : '', iam.length === 0 ? 'iam.googleapis.com (carries iamcredentials GenerateAccessToken)' : ''].filter(Boolean).join(' and ')}; without them the failure and issuance signals see nothing, unless an organization or folder config outside it enables them`,
    ),
    ...stepUpAdvisory(model, standIns, gate),
  ];
}

/**
 * Where a resource server's stdout reaches Cloud Logging: a step-up monitor is judged on the
 * guard's events arriving from each, and counts if it is sound for one (it names its own).
 */
export const STEP_UP_RESOURCE_TYPES = ['cloud_run_revision', 'k8s_container', 'gce_instance', 'cloud_function', 'gae_app', 'global'] as const;

/**
 * A decision event as Cloud Logging stores a JSON line the guard wrote: the object becomes
 * `jsonPayload`, less `time`, which the logging agents lift into the entry's timestamp.
 */
export function stepUpLogEntry(event: StepUpEvent, resourceType: string): Entry {
  const { time, ...payload } = event;
  return { logName: `projects/${STAND_IN_PROJECT_NUMBER}/logs/stdout`, timestamp: time, severity: 'DEFAULT', resource: { type: resourceType, labels: {} }, jsonPayload: payload };
}

/**
 * ADV-GCP-006, for configurations that count step-up decisions (a log-based metric whose filter
 * names the event): an enabled alert policy with a channel must open an incident for the gate's
 * identity on JUDGED_FAILURES unanswered challenges and not on one, nor on an agent answering
 * its challenges. Every log-based metric and every PromQL condition is run on the guard's
 * events (attestgate's Logging filter, label extractor and PromQL evaluators), for each
 * operation the metrics' filters name.
 */
function stepUpAdvisory(model: TerraformModel, standIns: TerraformStandIns, gate: GcpGate): Advisory[] {
  const declared = model
    .resourcesOfType('google_logging_metric')
    .filter((m) => m.attributes.disabled !== true)
    .map((m) => ({ address: m.address, name: standIns.text(m.attributes.name), filter: standIns.text(m.attributes.filter), labelExtractors: standIns.plain(m.attributes.label_extractors) }));
  if (!declared.some((m) => m.filter?.includes(STEP_UP_EVENT))) return [];
  const id = 'ADV-GCP-006';
  const title = 'Step-up failures of this identity are alerted';
  const identity = gate.manifest?.identity.spiffeId;
  if (identity === undefined) return [{ id, gate: gate.id, title, present: false, detail: 'the provider has no gate manifest, so the identity its step-up tokens carry is not known' }];
  const unjudged: string[] = [];
  const metrics: LogBasedMetricDeclaration[] = declared.filter((m): m is typeof m & LogBasedMetricDeclaration => {
    if (m.name === undefined || m.filter === undefined) return unjudged.push(`${m.address}: its name or filter is known only at apply`) < 0;
    try {
      GoogleFilter.parse(m.filter, 'logging');
      return true;
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      return unjudged.push(`${m.address}: ${e.message}`) < 0;
    }
  });
  // The operations the step-up metrics may watch: every quoted value of their filters.
  const operations = [...new Set(declared.filter((m) => m.filter?.includes(STEP_UP_EVENT)).flatMap((m) => [...m.filter!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1])))];
  const sound: string[] = [];
  const lax: string[] = [];
  for (const policy of model.resourcesOfType('google_monitoring_alert_policy')) {
    const a = policy.attributes;
    const channels = standIns.plain(a.notification_channels);
    if (a.enabled === false || !Array.isArray(channels) || channels.length === 0) continue;
    const queries = blocks(a.conditions).flatMap((c) => blocks(c.condition_prometheus_query_language).map((p) => standIns.text(p.query)));
    if (queries.length === 0) continue;
    try {
      const parsed = queries.map((q) => {
        if (q === undefined) throw new PromQlError('its query is known only at apply');
        return PromQuery.parse(q);
      });
      const fires = (resourceType: string) => (events: readonly StepUpEvent[]) => {
        const samples = logBasedMetricSamples(metrics, events.map((e) => stepUpLogEntry(e, resourceType)));
        // The result rises only when an event arrives: evaluate at each one.
        const instants = events.map((e) => Date.parse(e.time));
        return parsed.some((q) => instants.some((t) => q.evaluate(samples, t).some((s) => s.labels.identity === undefined || s.labels.identity === identity)));
      };
      const verdicts = STEP_UP_RESOURCE_TYPES.map((type) => judgeStepUpMonitor(identity, operations, Date.now(), fires(type)));
      if (verdicts.some((v) => v.sound)) sound.push(policy.address);
      else if (verdicts.some((v) => v.laxOn.length > 0)) lax.push(`${policy.address} (fires on ${[...new Set(verdicts.flatMap((v) => v.laxOn))].join(', ')})`);
    } catch (e) {
      if (!(e instanceof PromQlError || e instanceof FilterError)) throw e;
      unjudged.push(`${policy.address}: ${e.message}`);
    }
  }
  return [stepUpMonitorAdvisory({ id, gate: gate.id, title }, identity, { monitor: 'alert policy', monitors: 'policies', absent: 'no enabled alert policy with a notification channel fires' }, { sound, lax, unjudged })];
}
