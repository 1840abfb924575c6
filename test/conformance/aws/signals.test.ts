import { awsAdvisoriesOf, referencedIds, refersTo } from '../../../conformance/aws/signals';
import { discoverAwsGates } from '../../../conformance/aws/discover-gates';
import { PkiOnDisk, exampleTemplate, sourceOf, writeTestPki } from '../../fixtures/conformance';
import { attestedStatement, gateTemplate } from '../../fixtures/templates';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { StepUpMonitor } from '../../../lib/aws/step-up-monitor';

const DEPLOYER = 'spiffe://prod.example/agent/deployer';

const presence = (advisories: ReturnType<typeof awsAdvisoriesOf>) => Object.fromEntries(advisories.map((a) => [a.id, a.present]));

describe('AWS detection signals as advisories', () => {
  let pki: PkiOnDisk;
  beforeAll(async () => {
    pki = await writeTestPki();
  });

  test('the example: the monitored deployer has every signal; the read-only reader only the CRL schedule', () => {
    const [source] = sourceOf(exampleTemplate(pki));
    const gates = discoverAwsGates([source]);
    const deployer = gates.find((g) => g.manifest?.identity.name === 'deployer')!;
    const reader = gates.find((g) => g.manifest?.identity.name === 'reader')!;
    expect(presence(awsAdvisoriesOf(source.model, deployer))).toEqual({ 'ADV-AWS-001': true, 'ADV-AWS-002': true, 'ADV-AWS-003': true, 'ADV-AWS-004': true, 'ADV-AWS-005': true });
    // The example's StepUpMonitor watches the deployer, not the reader.
    expect(presence(awsAdvisoriesOf(source.model, reader))).toEqual({ 'ADV-AWS-001': false, 'ADV-AWS-002': false, 'ADV-AWS-003': false, 'ADV-AWS-004': true, 'ADV-AWS-005': false });
  });

  test('a brownfield gate without signals has none; a hand-written rule that would fire counts, a disabled one does not', () => {
    const rule = (state: string) => ({
      Type: 'AWS::Events::Rule',
      Properties: {
        State: state,
        Targets: [{ Id: 'sns', Arn: 'arn:aws:sns:us-east-1:111122223333:alerts' }],
        EventPattern: { source: ['aws.sts'], detail: { eventName: ['AssumeRole'], requestParameters: { roleArn: [{ 'Fn::GetAtt': ['Role', 'Arn'] }] } } },
      },
    });
    const [bare] = sourceOf(gateTemplate({ crl: null }));
    expect(presence(awsAdvisoriesOf(bare.model, discoverAwsGates([bare])[0]))).toEqual({ 'ADV-AWS-001': false, 'ADV-AWS-002': false, 'ADV-AWS-003': false, 'ADV-AWS-004': false });
    const [watched] = sourceOf(gateTemplate({ extra: { Watch: rule('ENABLED') } }));
    expect(awsAdvisoriesOf(watched.model, discoverAwsGates([watched])[0])[0]).toMatchObject({ id: 'ADV-AWS-001', present: true, detail: expect.stringContaining('Watch') });
    const [off] = sourceOf(gateTemplate({ extra: { Watch: rule('DISABLED') } }));
    expect(awsAdvisoriesOf(off.model, discoverAwsGates([off])[0])[0].present).toBe(false);
  });

  test('a rule about another role does not count', () => {
    const [source] = sourceOf(
      gateTemplate({
        extra: {
          Other: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } },
          Watch: {
            Type: 'AWS::Events::Rule',
            Properties: { Targets: [{ Id: 't', Arn: 'arn:aws:sns:us-east-1:111122223333:a' }], EventPattern: { source: ['aws.sts'], detail: { requestParameters: { roleArn: [{ 'Fn::GetAtt': ['Other', 'Arn'] }] } } } },
          },
        },
      }),
    );
    const gate = discoverAwsGates([source]).find((g) => g.role.logicalId === 'Role')!;
    expect(awsAdvisoriesOf(source.model, gate)[0].present).toBe(false);
  });
});

describe('ADV-AWS-005: step-up failures of the identity are alarmed', () => {
  let pki: PkiOnDisk;
  beforeAll(async () => {
    pki = await writeTestPki();
  });

  /** The example template, its own StepUpMonitor replaced by one of `identity` edited by `tamper`. */
  function withStepUpMonitor(identity: string, tamper: (resources: Record<string, any>) => void = () => undefined) {
    const stack = new Stack(new App(), 'Tools');
    new StepUpMonitor(stack, 'StepUp', { logGroup: new logs.LogGroup(stack, 'Log'), operations: ['destroy-stack'], identities: [identity] });
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
    tamper(resources);
    const template = exampleTemplate(pki);
    const own = Object.fromEntries(Object.entries(template.Resources as Record<string, any>).filter(([id]) => !id.startsWith('ToolServerStepUp')));
    const [source] = sourceOf({ ...template, Resources: { ...own, ...resources } });
    const deployer = discoverAwsGates([source]).find((g) => g.manifest?.identity.name === 'deployer')!;
    return awsAdvisoriesOf(source.model, deployer).find((a) => a.id === 'ADV-AWS-005');
  }
  const ofType = (resources: Record<string, any>, type: string) => Object.values(resources).filter((r) => r.Type === type);

  test('a StepUpMonitor of the gate’s identity is present', () => {
    expect(withStepUpMonitor(DEPLOYER)).toMatchObject({ present: true, detail: expect.stringContaining(DEPLOYER) });
  });

  test('a template that counts no step-up decisions gets no step-up advisory', () => {
    const [source] = sourceOf(gateTemplate({ crl: null }));
    expect(discoverAwsGates([source]).flatMap((g) => awsAdvisoriesOf(source.model, g)).some((a) => a.id === 'ADV-AWS-005')).toBe(false);
  });

  test('lax or misconfigured monitors are absent: another identity, a threshold of 1, a filter that matches nothing, no alarm action', () => {
    expect(withStepUpMonitor('spiffe://prod.example/agent/someone-else')).toMatchObject({ present: false });
    const laxThreshold = withStepUpMonitor(DEPLOYER, (r) => ofType(r, 'AWS::CloudWatch::Alarm').forEach((a) => (a.Properties.Threshold = 1)));
    expect(laxThreshold).toMatchObject({ present: false, detail: expect.stringContaining('one unanswered challenge') });
    const nothing = withStepUpMonitor(DEPLOYER, (r) => ofType(r, 'AWS::Logs::MetricFilter').forEach((f) => (f.Properties.FilterPattern = f.Properties.FilterPattern.replace('$.outcome', '$.result'))));
    expect(nothing).toMatchObject({ present: false });
    const silent = withStepUpMonitor(DEPLOYER, (r) => ofType(r, 'AWS::CloudWatch::Alarm').forEach((a) => delete a.Properties.AlarmActions));
    expect(silent).toMatchObject({ present: false });
  });

  test('a filter it cannot evaluate is reported as not judged, never counted', () => {
    const regex = withStepUpMonitor(DEPLOYER, (r) => ofType(r, 'AWS::Logs::MetricFilter').forEach((f) => (f.Properties.FilterPattern = '{ $.event = "attestgate.step-up.decision" && $.identity = %deployer% }')));
    expect(regex).toMatchObject({ present: false, detail: expect.stringContaining('could not judge') });
  });
});

describe('a stack is read once for all its gates, each gate judged as if alone', () => {
  // Two gates in one stack, and rules about one, the other, or every role: what is read once per
  // stack must never carry one gate's answer to another.
  const target = { Targets: [{ Id: 'sns', Arn: 'arn:aws:sns:us-east-1:111122223333:alerts' }] };
  const assumeRoleOf = (roleArn: unknown) => ({ Type: 'AWS::Events::Rule', Properties: { ...target, EventPattern: { source: ['aws.sts'], detail: { eventName: ['AssumeRole'], requestParameters: { roleArn: [roleArn] } } } } });
  const twoGates = (rules: Record<string, unknown>) =>
    gateTemplate({
      profile: { RoleArns: [{ 'Fn::GetAtt': ['Role', 'Arn'] }, { 'Fn::GetAtt': ['Other', 'Arn'] }] },
      extra: {
        Other: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [attestedStatement()] } } },
        ...rules,
      },
    });
  const detailsOf = (template: unknown, order: readonly string[]) => {
    const [source] = sourceOf(template);
    const gates = discoverAwsGates([source]);
    expect(gates.map((g) => g.role.logicalId).sort()).toEqual(['Other', 'Role']);
    return Object.fromEntries(order.map((role) => [role, awsAdvisoriesOf(source.model, gates.find((g) => g.role.logicalId === role)!).map((a) => `${a.id} ${a.present} ${a.detail}`)]));
  };
  const rules = {
    WatchRole: assumeRoleOf({ 'Fn::GetAtt': ['Role', 'Arn'] }),
    WatchOtherBySub: assumeRoleOf({ 'Fn::Sub': '${Other.Arn}' }),
    WatchEveryRole: { Type: 'AWS::Events::Rule', Properties: { ...target, EventPattern: { source: ['aws.sts'], detail: { eventName: ['AssumeRole'] } } } },
  };

  test('each gate counts the rules about its role and those about every role, whichever gate is asked first', () => {
    const roleFirst = detailsOf(twoGates(rules), ['Role', 'Other']);
    const otherFirst = detailsOf(twoGates(rules), ['Other', 'Role']);
    expect(roleFirst).toEqual(otherFirst);
    expect(roleFirst.Role[0]).toBe('ADV-AWS-001 true EventBridge rule on AssumeRole of the role: WatchRole, WatchEveryRole');
    expect(roleFirst.Other[0]).toBe('ADV-AWS-001 true EventBridge rule on AssumeRole of the role: WatchOtherBySub, WatchEveryRole');
  });

  test('a stack one byte away is read anew: a rule about every role that names another event counts for neither gate', () => {
    expect(detailsOf(twoGates(rules), ['Role']).Role[0]).toContain('WatchEveryRole');
    const changed = { ...rules, WatchEveryRole: { Type: 'AWS::Events::Rule', Properties: { ...target, EventPattern: { source: ['aws.sts'], detail: { eventName: ['AssumeRolf'] } } } } };
    const details = detailsOf(twoGates(changed), ['Role', 'Other']);
    expect(details.Role[0]).toBe('ADV-AWS-001 true EventBridge rule on AssumeRole of the role: WatchRole');
    expect(details.Other[0]).toBe('ADV-AWS-001 true EventBridge rule on AssumeRole of the role: WatchOtherBySub');
  });

  test('an alarm counts for the role its dimensions or metrics refer to, and only that one', () => {
    const alarm = (properties: Record<string, unknown>) => ({ Type: 'AWS::CloudWatch::Alarm', Properties: { ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, EvaluationPeriods: 1, ...properties } });
    const details = detailsOf(
      twoGates({
        RoleAlarm: alarm({ Dimensions: [{ Name: 'Role', Value: { Ref: 'Role' } }] }),
        OtherAlarm: alarm({ Metrics: [{ Id: 'm', MetricStat: { Metric: { Dimensions: [{ Name: 'Role', Value: { 'Fn::Join': ['', ['role/', { Ref: 'Other' }]] } }] } } }] }),
      }),
      ['Other', 'Role'],
    );
    expect(details.Role[2]).toBe('ADV-AWS-003 true CloudWatch alarm on the role: RoleAlarm');
    expect(details.Other[2]).toBe('ADV-AWS-003 true CloudWatch alarm on the role: OtherAlarm');
  });
});

describe('referencedIds', () => {
  test('holds exactly the resources refersTo finds, in every shape a resolved value takes', () => {
    const [source] = sourceOf(
      gateTemplate({
        extra: {
          Shapes: {
            Type: 'AWS::Test::Shapes',
            Properties: {
              Ref: { Ref: 'Role' },
              Arn: { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] },
              Joined: { 'Fn::Join': ['', ['a', { Ref: 'Profile' }]] },
              Sub: { 'Fn::Sub': 'x-${Crl}' },
              Nested: [{ deep: [{ Ref: 'Anchor' }] }],
              Plain: 'Role',
            },
          },
        },
      }),
    );
    const properties = source.model.resource('Shapes')!.properties;
    for (const value of [...Object.values(properties), properties]) {
      const found = referencedIds(value);
      for (const id of ['Role', 'Anchor', 'Profile', 'Crl', 'Shapes']) expect(found.has(id)).toBe(refersTo(value, id));
    }
    expect([...referencedIds(properties)].sort()).toEqual(['Anchor', 'Crl', 'Profile', 'Role']);
  });
});
