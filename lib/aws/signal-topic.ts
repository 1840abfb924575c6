import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';

/** The construct ID the stack's signal topic is created under. */
const SIGNAL_TOPIC_ID = 'AttestgateSignals';

/**
 * The SNS topic attestgate's alarms and detection rules notify when no topic is given: one per
 * stack, shared by IssuanceMonitor and every CrlImportSchedule. It refuses unencrypted transport
 * (enforceSSL) and is encrypted at rest with its own KMS key (rotated yearly): the notifications
 * carry CloudTrail records — principals, source IPs, role ARNs. The key lets CloudWatch alarms
 * and EventBridge rules of this account publish; subscribe with email, or grant your subscriber
 * (SQS, Lambda) kms:Decrypt on `key`.
 */
export class SignalTopic extends Construct {
  /** The stack's signal topic, created on first use. */
  public static of(scope: IConstruct): SignalTopic {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(SIGNAL_TOPIC_ID) as SignalTopic | undefined) ?? new SignalTopic(stack, SIGNAL_TOPIC_ID);
  }

  public readonly topic: sns.Topic;
  public readonly key: kms.Key;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'attestgate: encrypts the alarm and detection notifications of this stack',
      enableKeyRotation: true,
    });
    // The two services that publish here. No aws:SourceAccount condition: AWS documents this
    // statement without one, and a condition KMS does not see would silently drop every alarm.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsAndRulesPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'attestgate signals',
      masterKey: this.key,
      enforceSSL: true,
    });
  }
}
