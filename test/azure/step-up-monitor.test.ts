import { TerraformStack, Testing } from 'cdktf';
import { StepUpMonitor, stepUpFailureQuery } from '../../lib/azure/step-up-monitor';
import { KqlTableQuery } from '../../lib/model/azure/kql-table';
import { scheduledQueryAlerts } from '../../lib/model/azure/scheduled-query-rule';
import { stepUpLogRows } from '../../conformance/azure/signals';
import { THIEF_VICTIM, realGuardEvents } from '../step-up/guard-events';
import { synthesized, tfStack } from '../fixtures/cdktf';

const DEPLOYER = 'spiffe://example.test/agent/deployer';
type Resource = Record<string, any>;

function monitored(props: Partial<ConstructorParameters<typeof StepUpMonitor>[2]> = {}) {
  const { stack } = tfStack();
  new StepUpMonitor(stack, 'StepUp', {
    resourceGroupName: 'ops',
    location: 'westeurope',
    table: 'ContainerAppConsoleLogs_CL',
    column: 'Log_s',
    operations: ['destroy-stack'],
    identities: [DEPLOYER, THIEF_VICTIM],
    workspaceId: '/subscriptions/s/resourceGroups/ops/providers/Microsoft.OperationalInsights/workspaces/w',
    actionGroupId: '/subscriptions/s/resourceGroups/ops/providers/microsoft.insights/actionGroups/oncall',
    ...props,
  });
  return Object.values(synthesized(stack).resource.azurerm_monitor_scheduled_query_rules_alert_v2) as Resource[];
}

/** Who the synthesized rule alerts for on the guard's decisions, as the console-log table stores them. */
function alerted(rule: Resource, events: Awaited<ReturnType<typeof realGuardEvents>>): unknown[] {
  const c = rule.criteria[0];
  const { schema, rows } = stepUpLogRows(KqlTableQuery.parse(c.query), c.query, events);
  return scheduledQueryAlerts({ query: c.query, timeAggregationMethod: c.time_aggregation_method, metricMeasureColumn: c.metric_measure_column, operator: c.operator, threshold: c.threshold, dimensions: c.dimension }, schema, rows).map((a) => a.identity);
}

describe('StepUpMonitor (Azure)', () => {
  test('one scheduled query rule: the KQL summarizes per identity and operation, then per identity; the threshold is in the criteria', () => {
    const [rule] = monitored();
    expect(rule).toMatchObject({
      scopes: ['/subscriptions/s/resourceGroups/ops/providers/Microsoft.OperationalInsights/workspaces/w'],
      window_duration: 'PT5M',
      evaluation_frequency: 'PT5M',
      action: { action_groups: ['/subscriptions/s/resourceGroups/ops/providers/microsoft.insights/actionGroups/oncall'] },
      criteria: [{ time_aggregation_method: 'Total', metric_measure_column: 'failures', operator: 'GreaterThanOrEqual', threshold: 3, dimension: [{ name: 'identity', operator: 'Include', values: ['*'] }] }],
    });
    expect(rule.criteria[0].query).toBe(stepUpFailureQuery('ContainerAppConsoleLogs_CL', 'Log_s', [DEPLOYER, THIEF_VICTIM], ['destroy-stack']));
  });

  test('on a real guard’s decisions: alerts for the migrator only, not for the deployer answering its challenges', async () => {
    expect(alerted(monitored()[0], await realGuardEvents())).toEqual([THIEF_VICTIM]);
  });

  test('one unanswered challenge does not alert; a raised threshold is honoured; unwatched identities are not counted', async () => {
    const events = await realGuardEvents();
    const one = events.filter((e) => e.identity !== THIEF_VICTIM).concat(events.find((e) => e.identity === THIEF_VICTIM && e.outcome === 'step-up')!);
    expect(alerted(monitored()[0], one)).toEqual([]);
    expect(alerted(monitored({ threshold: { failures: 5, periodSeconds: 300 } })[0], events)).toEqual([]);
    expect(alerted(monitored({ identities: [DEPLOYER] })[0], events)).toEqual([]);
  });

  test('refuses bad input, naming the field and the fix', () => {
    const { stack } = tfStack();
    const make = (props: Record<string, unknown>) => () =>
      new StepUpMonitor(stack, `M${Math.random()}`, { resourceGroupName: 'ops', location: 'westeurope', table: 'T', column: 'C', operations: ['destroy-stack'], workspaceId: 'w', actionGroupId: 'a', ...props } as never);
    expect(make({ threshold: { failures: 1, periodSeconds: 300 } })).toThrow(/threshold\.failures.*at least 2/s);
    expect(make({ threshold: { failures: 3, periodSeconds: 120 } })).toThrow(/threshold\.periodSeconds.*5, 10, 15, 30, 45, 60/s);
    expect(make({ table: 'T | where true' })).toThrow(/table.*ContainerAppConsoleLogs_CL/s);
    expect(make({ identities: ['spiffe://x/") or true'] })).toThrow(/identity.*without quotes/s);
  });

  test('a monitor without identities is a synth error', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'empty');
    new StepUpMonitor(stack, 'Empty', { resourceGroupName: 'ops', location: 'westeurope', table: 'T', column: 'C', operations: ['x'], workspaceId: 'w', actionGroupId: 'a' });
    expect(() => app.synth()).toThrow("StepUpMonitor 'empty/Empty': watches no identity");
  });
});
