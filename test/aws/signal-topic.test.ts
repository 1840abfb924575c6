import { Template } from 'aws-cdk-lib/assertions';
import { SignalTopic } from '../../lib/aws/signal-topic';
import { newStack } from '../fixtures/cdk';

describe('SignalTopic', () => {
  test('one per stack: encrypted with its own rotated key, TLS only, usable by CloudWatch alarms and EventBridge', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const first = SignalTopic.of(stack);
    const again = SignalTopic.of(first);
    // THEN
    expect(again).toBe(first);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(first.key.node.defaultChild as never), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const statements = Object.values(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement as Array<Record<string, any>>;
    const publishers = statements.find((s) => s.Sid === 'AlarmsAndRulesPublish')!;
    expect(publishers.Principal.Service).toEqual(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);
    expect(publishers.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    const policy = Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0].Properties.PolicyDocument.Statement;
    expect(policy).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });
});
