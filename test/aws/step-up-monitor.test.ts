import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { StepUpMonitor, StepUpMonitorProps, stepUpFilterPattern } from '../../lib/aws/step-up-monitor';
import { AttestGateError } from '../../lib/core/errors';
import { AlarmDeclaration, MetricFilterDeclaration, alarmBreaches, publishMetrics } from '../../lib/model/aws/log-metric-alarm';
import { LogFilterPattern } from '../../lib/model/aws/log-filter-pattern';
import { StepUpEvent } from '../../lib/step-up/events';
import { stepUpFailures, stepUpSignalScenarios } from '../../lib/step-up/failure-signal';
import { NOW_MS } from '../step-up/fixtures';
import { AGENT, THIEF_VICTIM, realGuardEvents } from '../step-up/guard-events';

function synth(props: Partial<StepUpMonitorProps> = {}) {
  const stack = new Stack(new App(), 'Tools', { env: { account: '111122223333', region: 'eu-west-1' } });
  const logGroup = new logs.LogGroup(stack, 'ToolServerLog', { logGroupName: '/tools/step-up' });
  const monitor = new StepUpMonitor(stack, 'StepUp', { logGroup, operations: ['destroy-stack'], identities: [AGENT, THIEF_VICTIM], ...props });
  return { monitor, template: Template.fromStack(stack) };
}

/** The template's filters and alarms, read back as CloudFormation has them. */
function declared(template: Template) {
  const camel = (o: unknown): unknown =>
    Array.isArray(o) ? o.map(camel) : o !== null && typeof o === 'object' ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k[0].toLowerCase() + k.slice(1), camel(v)])) : o;
  const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).map((r) => camel(r.Properties) as MetricFilterDeclaration);
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => ({ description: r.Properties.AlarmDescription as string, alarm: camel(r.Properties) as AlarmDeclaration }));
  return { filters, alarms };
}

const firing = (template: Template, events: readonly StepUpEvent[]) => {
  const { filters, alarms } = declared(template);
  const data = publishMetrics(filters, events as unknown as Array<Record<string, unknown>>);
  return alarms.filter((a) => alarmBreaches(a.alarm, data)).map((a) => a.description);
};

describe('StepUpMonitor (AWS)', () => {
  test('says at synth what it adds that is billed monthly: one metric math alarm per identity reading two metrics per operation, two filters per identity', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Tools', { env: { account: '111122223333', region: 'eu-west-1' } });
    const logGroup = new logs.LogGroup(stack, 'ToolServerLog', { logGroupName: '/tools/step-up' });
    const monitor = new StepUpMonitor(stack, 'StepUp', { logGroup, operations: ['destroy-stack', 'rotate-keys'], identities: [AGENT] });
    // WHEN an identity is added after construction, it is counted too
    monitor.addIdentity(THIEF_VICTIM);
    const template = Template.fromStack(stack);
    // THEN
    const notes = Annotations.fromStack(stack).findInfo('/Tools/StepUp', Match.anyValue());
    expect(notes).toHaveLength(1);
    const note = String(notes[0].entry.data);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const metricsRead = alarms.flatMap((a) => a.Properties.Metrics as Array<{ MetricStat?: unknown }>).filter((m) => m.MetricStat).length;
    expect(note).toContain(`watches 2 identities`);
    expect(note).toContain(`${alarms.length} CloudWatch alarms evaluating ${metricsRead} alarm metrics (2 metric math alarms reading 4 metrics each)`);
    expect(note).toContain(`${Object.keys(template.findResources('AWS::Logs::MetricFilter')).length} metric filters publishing up to 8 custom metrics`);
    expect(note).toContain('https://aws.amazon.com/cloudwatch/pricing/');
  });

  test('on the events a real guard writes, the thief’s identity alarms and the agent that answers its challenges does not — as stepUpFailures says', async () => {
    const events = await realGuardEvents();
    const { template } = synth();
    const fired = firing(template, events);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toContain(THIEF_VICTIM);
    expect(stepUpFailures(events, undefined, NOW_MS).filter((s) => s.alarm).map((s) => s.identity)).toEqual([THIEF_VICTIM]);
  });

  test('its patterns select the real events by field: challenges and successes of one identity on the watched operations only', async () => {
    const events = await realGuardEvents();
    const challenges = LogFilterPattern.parse(stepUpFilterPattern(THIEF_VICTIM, ['destroy-stack'], 'challenges'));
    const allowed = LogFilterPattern.parse(stepUpFilterPattern(AGENT, ['destroy-stack'], 'allowed'));
    const asLines = events.map((e) => JSON.stringify(e));
    expect(asLines.filter((l) => challenges.matches(l))).toHaveLength(5); // four step-up, one replayed
    expect(asLines.filter((l) => allowed.matches(l))).toHaveLength(2); // not list-stacks
  });

  test('each identity has its own filters and alarm, dimensioned by identity and operation, notifying the signal topic', () => {
    const { template } = synth({ operations: ['destroy-stack', 'rotate-root-key'] });
    template.resourceCountIs('AWS::Logs::MetricFilter', 4);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    const { alarms } = declared(template);
    expect(alarms[0].alarm).toMatchObject({ threshold: 3, comparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(alarms[0].alarm.metrics).toHaveLength(5);
  });

  test.each(stepUpSignalScenarios(AGENT, 'destroy-stack', NOW_MS))('the default threshold on $name: alarms=$alarms', ({ events, alarms }) => {
    expect(firing(synth().template, events).length > 0).toBe(alarms);
  });

  test('a threshold of 1, too many operations, a name that would change the pattern, a missing log group: refused, naming the field', () => {
    expect(() => synth({ threshold: { failures: 1, periodSeconds: 300 } })).toThrow(/threshold.failures.*at least 2/s);
    expect(() => synth({ operations: ['a', 'b', 'c', 'd', 'e', 'f'] })).toThrow(/operations.*1 to 5/s);
    expect(() => synth({ identities: ['spiffe://x/a" || $.outcome = "allowed'] })).toThrow(AttestGateError);
    expect(() => synth({ identities: ['spiffe://x/*'] })).toThrow(/identity.*without quotes/s);
    expect(() => new StepUpMonitor(new Stack(), 'M', { operations: ['x'] } as unknown as StepUpMonitorProps)).toThrow(/logGroup.*missing/s);
  });
});
