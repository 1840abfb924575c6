import { IntrinsicContext, Value, isConcrete, isSymbol, isSymbolicString, resolveIntrinsics } from '../../lib/model/aws/intrinsics';
import { TemplateModel, TemplateResource } from '../../lib/model/aws/template';
import { EventPatternError, matchesEventPattern } from '../../lib/model/aws/event-pattern';
import { Advisory } from '../engine/report';
import { AlarmDeclaration, MetricAlarmError, MetricFilterDeclaration, alarmBreaches, publishMetrics } from '../../lib/model/aws/log-metric-alarm';
import { FilterPatternError } from '../../lib/model/aws/log-filter-pattern';
import { STEP_UP_EVENT } from '../../lib/step-up/events';
import { stepUpSignalScenarios } from '../../lib/step-up/failure-signal';
import { stepUpMonitorAdvisory } from '../engine/step-up-monitor-advisory';
import { AwsGate } from './discover-gates';

/** Stand-ins for the gate role's name and ARN, so rule patterns can be evaluated before deploy. */
const ROLE_NAME = 'attestgate-gate-role';
const ROLE_ARN = `arn:aws:iam::111122223333:role/${ROLE_NAME}`;

/**
 * Detection signals of an AWS gate, as advisories: probes prove issuance fails; these say whether
 * an attack would be seen. Read from the template, so they work for signals written without
 * attestgate too — a rule, alarm or function counts when it refers to the gate's resources.
 */

/** Whether a resolved value refers to a resource of the template (Ref, GetAtt, or inside Sub/Join). */
export function refersTo(value: Value | undefined, logicalId: string): boolean {
  if (value === undefined || value === null) return false;
  if (isSymbol(value)) return value.symbolic === 'ref' && value.logicalId === logicalId;
  if (isSymbolicString(value)) return value.parts.some((p) => typeof p !== 'string' && p.symbolic === 'ref' && p.logicalId === logicalId);
  if (Array.isArray(value)) return value.some((v) => refersTo(v, logicalId));
  if (typeof value === 'object') return Object.values(value).some((v) => refersTo(v, logicalId));
  return false;
}

const enabled = (rule: TemplateResource) => rule.properties.State !== 'DISABLED' && Array.isArray(rule.properties.Targets) && rule.properties.Targets.length > 0;

/** The resources a resolved value refers to, as `refersTo` finds them: `refersTo(v, id)` iff `id` is in the set. */
export function referencedIds(value: Value | undefined, into: Set<string> = new Set()): Set<string> {
  if (value === undefined || value === null) return into;
  if (isSymbol(value)) {
    if (value.symbolic === 'ref') into.add(value.logicalId);
  } else if (isSymbolicString(value)) {
    for (const p of value.parts) if (typeof p !== 'string' && p.symbolic === 'ref') into.add(p.logicalId);
  } else if (Array.isArray(value)) {
    for (const v of value) referencedIds(v, into);
  } else if (typeof value === 'object') {
    for (const v of Object.values(value)) referencedIds(v, into);
  }
  return into;
}

/** The CloudTrail events the rules are judged on; the same for every gate (the role is a stand-in). */
const EVENTS = {
  issuance: () => cloudTrailEvent('sts', 'AssumeRole', { roleArn: ROLE_ARN, roleSessionName: 'stolen-key' }),
  changes: () => cloudTrailEvent('iam', 'UpdateAssumeRolePolicy', { roleName: ROLE_NAME, policyDocument: '{}' }),
} as const;
type EventName = keyof typeof EVENTS;

/**
 * An EventBridge rule of a stack, read once for all its gates. A gate's resolution of the pattern
 * differs from the stack's own only where it asks for the gate's role (`Ref` or `Fn::GetAtt`), so
 * the pattern is resolved once with the stack's context, noting every resource it asks for; for a
 * gate whose role is not among them that resolution — and so the verdict on each event — is the
 * gate's own. The rest are resolved per gate, as every rule once was.
 */
interface StackRule {
  readonly rule: TemplateResource;
  /** Undefined when resolving threw: then each gate resolves it (and throws) itself. */
  readonly shared?: { readonly pattern: Value; readonly askedFor: ReadonlySet<string>; readonly verdicts: Map<EventName, boolean> };
}

/** What a stack's advisories read, once per stack rather than once per gate (per-gate reading was quadratic in gates). */
interface StackSignals {
  readonly rules: readonly StackRule[];
  /** Alarms, with the resources their Dimensions and Metrics refer to. */
  readonly alarms: ReadonlyArray<{ readonly alarm: TemplateResource; readonly refersTo: ReadonlySet<string> }>;
  /** Functions, with the resources their Environment refers to. */
  readonly functions: ReadonlyArray<{ readonly fn: TemplateResource; readonly refersTo: ReadonlySet<string> }>;
  /** What any schedule (or scheduled EventBridge rule) targets. */
  readonly scheduledTargets: ReadonlySet<string>;
}

const stackSignalsByModel = new WeakMap<TemplateModel, StackSignals>();

function stackSignalsOf(model: TemplateModel): StackSignals {
  let signals = stackSignalsByModel.get(model);
  if (signals !== undefined) return signals;
  const rules = model.resourcesOfType('AWS::Events::Rule').map((rule): StackRule => {
    const askedFor = new Set<string>();
    const asking: IntrinsicContext = {
      ...model.context,
      ref: (name) => (askedFor.add(name), model.context.ref(name)),
      getAtt: (logicalId, attribute) => (askedFor.add(logicalId), model.context.getAtt(logicalId, attribute)),
    };
    try {
      return { rule, shared: { pattern: resolveIntrinsics(rawPattern(model, rule), asking), askedFor, verdicts: new Map() } };
    } catch {
      return { rule };
    }
  });
  const scheduledTargets = new Set<string>();
  for (const s of [...model.resourcesOfType('AWS::Scheduler::Schedule'), ...model.resourcesOfType('AWS::Events::Rule')]) {
    if (s.type === 'AWS::Scheduler::Schedule' || s.properties.ScheduleExpression !== undefined) referencedIds(s.properties.Target ?? s.properties.Targets, scheduledTargets);
  }
  signals = {
    rules,
    alarms: model.resourcesOfType('AWS::CloudWatch::Alarm').map((alarm) => ({ alarm, refersTo: referencedIds(alarm.properties.Metrics, referencedIds(alarm.properties.Dimensions)) })),
    functions: model.resourcesOfType('AWS::Lambda::Function').map((fn) => ({ fn, refersTo: referencedIds(fn.properties.Environment) })),
    scheduledTargets,
  };
  stackSignalsByModel.set(model, signals);
  return signals;
}

function rawPattern(model: TemplateModel, rule: TemplateResource): unknown {
  const raw = (model.template.Resources?.[rule.logicalId]?.Properties as { EventPattern?: unknown } | undefined)?.EventPattern;
  return typeof raw === 'string' ? JSON.parse(raw) : raw;
}

function patternMatches(pattern: Value, event: Record<string, unknown>): boolean {
  if (!isConcrete(pattern)) return false;
  try {
    return matchesEventPattern(pattern, event);
  } catch (e) {
    if (e instanceof EventPatternError) return false;
    throw e;
  }
}

/**
 * Enabled EventBridge rules with targets that match a CloudTrail event about the gate's role.
 * Each pattern is resolved with the role's name and ARN replaced by stand-ins and evaluated with
 * the EventBridge matcher: a rule counts because it would fire, not because it mentions names.
 */
function rulesMatching(model: TemplateModel, signals: StackSignals, roleLogicalId: string, eventName: EventName): TemplateResource[] {
  const ctx: IntrinsicContext = {
    ...model.context,
    ref: (name) => (name === roleLogicalId ? ROLE_NAME : model.context.ref(name)),
    getAtt: (logicalId, attribute) => (logicalId === roleLogicalId && attribute === 'Arn' ? ROLE_ARN : model.context.getAtt(logicalId, attribute)),
  };
  return signals.rules
    .filter(({ rule, shared }) => {
      if (shared === undefined || shared.askedFor.has(roleLogicalId)) {
        const pattern = resolveIntrinsics(rawPattern(model, rule), ctx);
        return enabled(rule) && patternMatches(pattern, EVENTS[eventName]());
      }
      if (!enabled(rule)) return false;
      let verdict = shared.verdicts.get(eventName);
      if (verdict === undefined) shared.verdicts.set(eventName, (verdict = patternMatches(shared.pattern, EVENTS[eventName]())));
      return verdict;
    })
    .map(({ rule }) => rule);
}

/** A CloudTrail event as EventBridge delivers it ("AWS API Call via CloudTrail"). */
function cloudTrailEvent(service: 'sts' | 'iam', eventName: string, requestParameters: Record<string, unknown>): Record<string, unknown> {
  return {
    source: `aws.${service}`,
    'detail-type': 'AWS API Call via CloudTrail',
    detail: {
      eventSource: `${service}.amazonaws.com`,
      eventName,
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/someone', accountId: '111122223333' },
      requestParameters,
    },
  };
}

/** The advisories of one gate. */
export function awsAdvisoriesOf(model: TemplateModel, gate: AwsGate): Advisory[] {
  const role = gate.role.logicalId;
  const advisory = (id: string, title: string, found: TemplateResource[], present: string, absent: string): Advisory => ({
    id,
    gate: gate.id,
    title,
    present: found.length > 0,
    detail: found.length > 0 ? `${present}: ${found.map((r) => r.logicalId).join(', ')}` : absent,
  });

  const signals = stackSignalsOf(model);
  const issuance = rulesMatching(model, signals, role, 'issuance');
  const changes = rulesMatching(model, signals, role, 'changes');
  const alarms = signals.alarms.filter((a) => a.refersTo.has(role)).map((a) => a.alarm);

  const crls = gate.trustAnchors.flatMap((a) => a.crls.map((c) => c.logicalId));
  const updaters = signals.functions.filter((f) => crls.some((crl) => f.refersTo.has(crl))).map((f) => f.fn);
  const scheduled = updaters.filter((f) => signals.scheduledTargets.has(f.logicalId));

  return [
    advisory('ADV-AWS-001', 'Credentials issued without the certificate are alerted', issuance, 'EventBridge rule on AssumeRole of the role', 'no enabled EventBridge rule watches AssumeRole* of this role (add IssuanceMonitor; it needs a CloudTrail trail)'),
    advisory('ADV-AWS-002', 'Changes to the trust policy are alerted', changes, 'EventBridge rule on IAM role changes', 'no enabled EventBridge rule watches UpdateAssumeRolePolicy and other IAM changes of this role'),
    advisory('ADV-AWS-003', 'Failed issuance for this identity is alarmed', alarms, 'CloudWatch alarm on the role', 'no CloudWatch alarm refers to this role (per-identity CreateSession failures)'),
    advisory('ADV-AWS-004', 'Revocation is kept fresh', scheduled, 'scheduled CRL import function', crls.length === 0 ? 'the trust anchor has no CRL to keep fresh' : 'no scheduled function updates the CRL (add CrlImportSchedule)'),
    ...stepUpAdvisory(model, gate),
  ];
}

/** CloudFormation's PascalCase properties as the model's camelCase declarations. */
const camel = (o: unknown): unknown =>
  Array.isArray(o) ? o.map(camel) : o !== null && typeof o === 'object' ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k[0].toLowerCase() + k.slice(1), camel(v)])) : o;

/**
 * ADV-AWS-005, for templates that count step-up decisions (a metric filter naming the event):
 * the gate's identity (its SPIFFE ID, the subject its tokens carry) must alarm on the step-up
 * failure scenarios — JUDGED_FAILURES unanswered challenges — and not on one, nor on an agent
 * that answers its challenges. Every metric filter and alarm of the template is run on the
 * events, per operation an alarm watches: a lax threshold, a pattern that matches nothing or
 * another identity, or a missing alarm each leave it absent.
 */
export function stepUpAdvisory(model: TemplateModel, gate: AwsGate): Advisory[] {
  const stack = stepUpSignalsOf(model);
  if (stack === undefined) return [];
  const title = 'Step-up failures of this identity are alarmed';
  const identity = gate.manifest?.identity.spiffeId;
  if (identity === undefined) return [{ id: 'ADV-AWS-005', gate: gate.id, title, present: false, detail: 'the role has no gate manifest, so the identity its step-up tokens carry is not known' }];
  const { declarations, alarms } = stack;
  const unjudged = [...stack.unjudged];
  type Dimensions = Array<{ Name?: unknown; Value?: unknown }> | undefined;
  const operationsOf = (props: unknown) => {
    const p = props as { Dimensions?: Dimensions; Metrics?: Array<{ MetricStat?: { Metric?: { Dimensions?: Dimensions } } }> };
    const all = [...(p.Dimensions ?? []), ...(p.Metrics ?? []).flatMap((m) => m.MetricStat?.Metric?.Dimensions ?? [])];
    return [...new Set(all.filter((d) => d.Name === 'Operation' && typeof d.Value === 'string').map((d) => d.Value as string))];
  };
  const sound: string[] = [];
  const lax: string[] = [];
  for (const alarm of alarms) {
    const operations = operationsOf(alarm.props);
    if (operations.length === 0) continue;
    try {
      const verdicts = operations.map((op) =>
        stepUpSignalScenarios(identity, op, Date.now()).map((s) => ({ s, fired: alarmBreaches(camel(alarm.props) as AlarmDeclaration, publishMetrics(declarations, s.events as unknown as Array<Record<string, unknown>>)) })),
      );
      const wrong = verdicts.flat().filter((v) => v.fired !== v.s.alarms);
      if (wrong.length === 0) sound.push(alarm.id);
      else if (verdicts.flat().some((v) => v.s.alarms && v.fired)) lax.push(`${alarm.id} (fires on ${wrong.map((v) => v.s.name).join(', ')})`);
    } catch (e) {
      if (!(e instanceof MetricAlarmError || e instanceof FilterPatternError)) throw e;
      unjudged.push(`${alarm.id}: ${e.message}`);
    }
  }
  return [stepUpMonitorAdvisory({ id: 'ADV-AWS-005', gate: gate.id, title }, identity, { monitor: 'CloudWatch alarm', monitors: 'alarms', absent: 'no CloudWatch alarm fires' }, { sound, lax, unjudged })];
}

/** What ADV-AWS-005 reads of a stack, the same for each of its gates; undefined when no metric filter names the step-up event. */
interface StepUpSignals {
  readonly declarations: readonly MetricFilterDeclaration[];
  readonly alarms: ReadonlyArray<{ readonly id: string; readonly props: Record<string, unknown> }>;
  /** Filters and alarms not known before deploy, in the order they are reported. */
  readonly unjudged: readonly string[];
}

const stepUpSignalsByModel = new WeakMap<TemplateModel, { readonly signals?: StepUpSignals }>();

function stepUpSignalsOf(model: TemplateModel): StepUpSignals | undefined {
  const known = stepUpSignalsByModel.get(model);
  if (known !== undefined) return known.signals;
  const signals = readStepUpSignals(model);
  stepUpSignalsByModel.set(model, { signals });
  return signals;
}

function readStepUpSignals(model: TemplateModel): StepUpSignals | undefined {
  const resolved = (r: TemplateResource) => resolveIntrinsics(model.template.Resources?.[r.logicalId]?.Properties, model.context);
  const filters = model.resourcesOfType('AWS::Logs::MetricFilter').map((r) => ({ id: r.logicalId, props: resolved(r) }));
  if (!filters.some((f) => JSON.stringify(f.props ?? '').includes(STEP_UP_EVENT))) return undefined;
  const unjudged: string[] = [];
  // Only what decides matching must be known; the log group and alarm actions may be references.
  const pick = (props: unknown, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, (props as Record<string, unknown> | undefined)?.[k]]).filter(([, v]) => v !== undefined));
  const declarations = filters
    .map((f) => ({ id: f.id, props: pick(f.props, ['FilterPattern', 'MetricTransformations']) }))
    .filter((f) => isConcrete(f.props as Value) || (unjudged.push(`${f.id}: its pattern is not known before deploy`) && false))
    .map((f) => camel(f.props) as MetricFilterDeclaration);
  const alarms = model
    .resourcesOfType('AWS::CloudWatch::Alarm')
    .map((r) => ({ id: r.logicalId, raw: resolved(r) as Record<string, unknown> | undefined }))
    .filter((a) => Array.isArray(a.raw?.AlarmActions) && (a.raw.AlarmActions as unknown[]).length > 0 && a.raw.ActionsEnabled !== false)
    .map((a) => ({ id: a.id, props: pick(a.raw, ['ComparisonOperator', 'Threshold', 'Statistic', 'Namespace', 'MetricName', 'Dimensions', 'Metrics']) }))
    .filter((a) => isConcrete(a.props as Value) || (unjudged.push(`${a.id}: its metrics are not known before deploy`) && false));
  return { declarations, alarms, unjudged };
}
