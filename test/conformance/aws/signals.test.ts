import { awsAdvisoriesOf } from '../../../conformance/aws/signals';
import { discoverAwsGates } from '../../../conformance/aws/discover-gates';
import { PkiOnDisk, exampleTemplate, sourceOf, writeTestPki } from '../../fixtures/conformance';
import { gateTemplate } from '../../fixtures/templates';

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
    expect(presence(awsAdvisoriesOf(source.model, deployer))).toEqual({ 'ADV-AWS-001': true, 'ADV-AWS-002': true, 'ADV-AWS-003': true, 'ADV-AWS-004': true });
    expect(presence(awsAdvisoriesOf(source.model, reader))).toEqual({ 'ADV-AWS-001': false, 'ADV-AWS-002': false, 'ADV-AWS-003': false, 'ADV-AWS-004': true });
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
