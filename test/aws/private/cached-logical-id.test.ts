import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, Node } from 'constructs';
import { CachedLogicalIdCfnAlarm, CachedLogicalIdCfnRole } from '../../../lib/aws/private/cached-logical-id';

const PROPS: iam.CfnRoleProps = { assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } };

/** A stack whose logical IDs are counted: how often aws-cdk-lib allocates one, per element. */
class CountingStack extends Stack {
  public readonly allocations = new Map<CfnElement, number>();
  public override getLogicalId(element: CfnElement): string {
    this.allocations.set(element, (this.allocations.get(element) ?? 0) + 1);
    return super.getLogicalId(element);
  }
}

/** Builds the same app twice, once with plain CfnRoles and once with cached ones; returns both templates. */
function synthBoth(build: (stack: Stack, makeRole: (scope: Construct, id: string) => iam.CfnRole) => void): { plain: string; cached: string } {
  const synth = (makeRole: (scope: Construct, id: string) => iam.CfnRole) => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cached-logical-id-')) });
    const stack = new Stack(app, 'Gates');
    build(stack, makeRole);
    return JSON.stringify(app.synth().getStackByName('Gates').template);
  };
  return {
    plain: synth((scope, id) => new iam.CfnRole(scope, id, PROPS)),
    cached: synth((scope, id) => new CachedLogicalIdCfnRole(scope, id, PROPS)),
  };
}

describe('withCachedLogicalId: CachedLogicalIdCfnRole', () => {
  test('gets the logical ID a plain CfnRole at the same path gets, nested, renamed and overridden', () => {
    // GIVEN / WHEN
    const { plain, cached } = synthBoth((stack, makeRole) => {
      makeRole(new Construct(stack, 'Agent0'), 'Resource');
      makeRole(new Construct(new Construct(stack, 'Deep'), 'Agent1'), 'Resource');
      const renamed = makeRole(new Construct(stack, 'Agent2'), 'Resource');
      stack.renameLogicalId(stack.resolve(renamed.logicalId), 'RenamedAgent2');
      makeRole(new Construct(stack, 'Agent3'), 'Resource').overrideLogicalId('OverriddenAgent3');
    });
    // THEN
    expect(Object.keys(JSON.parse(cached).Resources)).toEqual(expect.arrayContaining(['RenamedAgent2', 'OverriddenAgent3']));
    expect(cached).toBe(plain);
  });

  test('allocates its logical ID once from validation on, where a plain CfnRole allocates it at every resolution', () => {
    // GIVEN
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cached-logical-id-')) });
    const stack = new CountingStack(app, 'Gates');
    const plain = new iam.CfnRole(new Construct(stack, 'Plain'), 'Resource', PROPS);
    const cached = new CachedLogicalIdCfnRole(new Construct(stack, 'Cached'), 'Resource', PROPS);
    // A validation plugin, as every app with an AttestedRole has, resolves each ID twice more.
    Validations.of(app).addPlugins({ name: 'noop', validate: () => ({ success: true, violations: [] }) });
    // WHEN
    app.synth();
    // THEN: reference resolution asks before validation; then one allocation serves the rest of synth
    const plainCount = stack.allocations.get(plain)!;
    const cachedCount = stack.allocations.get(cached)!;
    expect(cachedCount).toBeLessThanOrEqual(2);
    expect(plainCount).toBeGreaterThanOrEqual(cachedCount + 3);
  });

  test('registers one validation per stack to learn that synthesis has begun, however many elements it has', () => {
    // GIVEN
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cached-logical-id-')) });
    const stacks = [new CountingStack(app, 'Gates'), new CountingStack(app, 'MoreGates')];
    const addValidation = jest.spyOn(Node.prototype, 'addValidation');
    // WHEN
    const roles = stacks.map((stack) => [0, 1, 2].map((i) => new CachedLogicalIdCfnRole(new Construct(stack, `Agent${i}`), 'Resource', PROPS)));
    const registeredOn = addValidation.mock.contexts.map((node) => (node as Node).path);
    addValidation.mockRestore();
    app.synth();
    // THEN: one per stack, and each stack's roles cache from its validation on
    expect(registeredOn).toEqual(['Gates', 'MoreGates']);
    stacks.forEach((stack, i) => roles[i].forEach((role) => expect(stack.allocations.get(role)).toBeLessThanOrEqual(2)));
  });

  test('does not cache before synthesis: a rename registered after an early resolution still applies', () => {
    // GIVEN
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cached-logical-id-')) });
    const stack = new Stack(app, 'Gates');
    const role = new CachedLogicalIdCfnRole(new Construct(stack, 'Agent'), 'Resource', PROPS);
    const allocated = stack.resolve(role.logicalId) as string;
    // WHEN
    stack.renameLogicalId(allocated, 'RenamedAfterResolution');
    // THEN
    expect(Object.keys(app.synth().getStackByName('Gates').template.Resources)).toContain('RenamedAfterResolution');
  });

  test('overrideLogicalId after the ID was resolved replaces the cached one', () => {
    // GIVEN
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cached-logical-id-')) });
    const stack = new Stack(app, 'Gates');
    const role = new CachedLogicalIdCfnRole(new Construct(stack, 'Agent'), 'Resource', PROPS);
    app.synth();
    expect(stack.resolve(role.logicalId)).toMatch(/^Agent[0-9A-F]{8}$/);
    // WHEN
    role.overrideLogicalId('Replaced');
    // THEN
    expect(stack.resolve(role.logicalId)).toBe('Replaced');
  });
});

describe('withCachedLogicalId: CachedLogicalIdCfnAlarm', () => {
  const ALARM_PROPS = { comparisonOperator: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1, threshold: 1, metricName: 'm', namespace: 'n', period: 300, statistic: 'Sum' };

  test('gets the logical ID a plain CfnAlarm at the same path gets, and allocates it once from validation on', () => {
    // GIVEN
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cached-logical-id-')) });
    const stack = new CountingStack(app, 'Gates');
    const monitor = new Construct(stack, 'Monitor');
    const plain = new CfnAlarm(monitor, 'FailureAlarmPlain', ALARM_PROPS);
    const cached = new CachedLogicalIdCfnAlarm(monitor, 'FailureAlarmCached', ALARM_PROPS);
    Validations.of(app).addPlugins({ name: 'noop', validate: () => ({ success: true, violations: [] }) });
    // WHEN
    const resources = Object.keys(app.synth().getStackByName('Gates').template.Resources);
    // THEN: the cached one is named by the same rule (construct path, hashed)
    expect(resources).toEqual([stack.resolve(plain.logicalId), stack.resolve(cached.logicalId)]);
    expect(resources[1]).toMatch(/^MonitorFailureAlarmCached[0-9A-F]{8}$/);
    expect(stack.allocations.get(cached)!).toBeLessThanOrEqual(3);
    expect(stack.allocations.get(plain)!).toBeGreaterThanOrEqual(stack.allocations.get(cached)! + 3);
  });
});
