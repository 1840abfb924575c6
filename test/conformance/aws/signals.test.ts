import { awsAdvisoriesOf } from '../../../conformance/aws/signals';
import { discoverAwsGates } from '../../../conformance/aws/discover-gates';
import { PkiOnDisk, exampleTemplate, sourceOf, writeTestPki } from '../../fixtures/conformance';
import { gateTemplate } from '../../fixtures/templates';
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
