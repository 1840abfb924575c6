import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AgentTrustAnchor, TrustAnchorSource } from '../../lib/aws/agent-trust-anchor';
import { AttestedRole } from '../../lib/aws/attested-role';
import { CrlImportSchedule, CrlSource } from '../../lib/aws/crl-import-schedule';
import { SignalMonitoring } from '../../lib/core/signal-monitoring';
import {
  IAM_ROLE_CHANGE_EVENTS,
  ISSUANCE_MONITOR_NAMESPACE,
  IssuanceMonitor,
  IssuanceMonitoring,
  ROLES_ANYWHERE_CHANGE_EVENTS,
  ROLES_PER_RULE,
  createSessionPattern,
  unattestedAssumeRolePattern,
} from '../../lib/aws/issuance-monitor';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { matchesEventPattern } from '../../lib/model/aws/event-pattern';
import { newStack } from '../fixtures/cdk';
import {
  assumeRole,
  createSession,
  deployedEventPattern,
  iamCall,
  identities,
  roleArnOf,
  rolesAnywhereCall,
  s3ExpressCreateSession,
} from '../fixtures/cloudtrail-events';
import { deployerIdentity } from '../fixtures/identities';
import { TestPki, makeTestPki } from '../fixtures/pki';

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});

function gatedStack(stack: Stack = newStack()) {
  const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
  const deployer = new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
  return { stack, anchor, deployer };
}

/** The logical IDs of the monitor's rules, by construct ID. */
function ruleIds(stack: Stack, template: Template): Record<string, string> {
  const monitor = IssuanceMonitor.of(stack);
  const ids: Record<string, string> = {};
  for (const rule of monitor.rules) ids[`${rule.node.scope!.node.id}/${rule.node.id}`] = stack.getLogicalId(rule.node.defaultChild as never);
  for (const id of Object.values(ids)) expect(template.toJSON().Resources[id]).toBeDefined();
  return ids;
}

describe('IssuanceMonitor', () => {
  describe('wiring', () => {
    test('an AttestedRole of a high-privilege identity is watched by the stack’s one monitor', () => {
      // GIVEN
      const { stack, deployer } = gatedStack();
      // WHEN
      const monitor = IssuanceMonitor.of(stack);
      // THEN
      expect(monitor.roles.map((r) => r.roleArn)).toEqual([deployer.roleArn]);
      expect(deployer.monitoring).toBe(monitor.roles[0]);
      expect(IssuanceMonitor.of(deployer)).toBe(monitor);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Events::Rule', 5);
      template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    });

    test('a read-only identity is not watched unless asked; a high-privilege one opts out only with a reason', () => {
      // GIVEN
      const { stack, anchor } = gatedStack();
      const readOnly = deployerIdentity({ name: 'reader', privilege: PrivilegeTier.READ_ONLY, maxCredentialLifetime: undefined });
      // WHEN
      const reader = new AttestedRole(stack, 'Reader', { identity: readOnly, trustAnchors: [anchor] });
      const watchedReader = new AttestedRole(stack, 'WatchedReader', { identity: readOnly, trustAnchors: [anchor], issuanceMonitoring: SignalMonitoring.enabled() });
      const unwatched = new AttestedRole(stack, 'Unwatched', {
        identity: deployerIdentity(),
        trustAnchors: [anchor],
        issuanceMonitoring: SignalMonitoring.disabled('watched by the central detection account, SEC-88'),
      });
      // THEN
      const watched = IssuanceMonitor.of(stack).roles.map((r) => r.roleArn);
      expect(watched).toContain(watchedReader.roleArn);
      expect(watched).not.toContain(reader.roleArn);
      expect(watched).not.toContain(unwatched.roleArn);
      expect(unwatched.node.metadata.find((m) => m.type === 'attestgate:issuanceMonitoringDisabled')?.data).toBe('watched by the central detection account, SEC-88');
      // The former AWS name is the same class, kept for existing code.
      expect(IssuanceMonitoring).toBe(SignalMonitoring);
      expect(() => SignalMonitoring.disabled('nope')).toThrow(/SignalMonitoring.disabled: reason "nope" is shorter than 10 characters/);
      expect(() => new AttestedRole(stack, 'Bad', { identity: deployerIdentity(), trustAnchors: [anchor], issuanceMonitoring: 'off' as never })).toThrow(
        /AttestedRole 'TestStack\/Bad': issuanceMonitoring "off" is not a SignalMonitoring/,
      );
    });

    test('brownfield roles: a CfnRole and an imported role are watched too, each once', () => {
      // GIVEN
      const stack = newStack();
      const legacy = new iam.CfnRole(stack, 'Legacy', { assumeRolePolicyDocument: { Statement: [] } });
      const imported = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::111122223333:role/ci/build-agent');
      // WHEN
      const monitor = IssuanceMonitor.of(stack);
      monitor.addRole(legacy);
      monitor.addRole(imported);
      monitor.addRole(legacy);
      // THEN
      expect(monitor.roles.map((r) => r.roleName)).toEqual([legacy.ref, 'build-agent']);
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'RoleArn', Value: 'arn:aws:iam::111122223333:role/ci/build-agent' }] });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'RoleArn', Value: { 'Fn::GetAtt': [stack.getLogicalId(legacy), 'Arn'] } }] });
    });

    test('a second monitor in one stack is refused', () => {
      const { stack } = gatedStack();
      expect(() => new IssuanceMonitor(stack, 'Mine')).toThrow(/is a second IssuanceMonitor in this stack/);
    });

    test('a monitor created first, with its own topic and thresholds, is the one roles use', () => {
      // GIVEN
      const stack = newStack();
      const topic = sns.Topic.fromTopicArn(stack, 'SecOps', 'arn:aws:sns:eu-west-1:111122223333:secops');
      const monitor = new IssuanceMonitor(stack, 'Monitor', { topic, failuresPerIdentityThreshold: 3 });
      // WHEN
      gatedStack(stack);
      // THEN
      expect(monitor.roles).toHaveLength(1);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::KMS::Key', 0);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: ISSUANCE_MONITOR_NAMESPACE, Threshold: 3, AlarmActions: ['arn:aws:sns:eu-west-1:111122223333:secops'] });
    });

    test.each([
      [{ failuresPerIdentityThreshold: 0 }, /failuresPerIdentityThreshold 0 is not a positive whole number/],
      [{ accountFailureThreshold: 1.5 }, /accountFailureThreshold 1.5 is not a positive whole number/],
      [{ evaluationPeriod: { toSeconds: () => 90 } }, /evaluationPeriod "90 s" is not a whole number of minutes/],
    ])('refuses %j', (props, message) => {
      expect(() => new IssuanceMonitor(newStack(), 'Monitor', props as never)).toThrow(message);
    });
  });

  describe('what it creates', () => {
    let stack: Stack;
    let template: Template;
    beforeAll(() => {
      stack = gatedStack().stack;
      template = Template.fromStack(stack);
    });

    test('every rule sees read-only management events (STS AssumeRole is one) and notifies the encrypted, TLS-only topic', () => {
      const rules = template.findResources('AWS::Events::Rule');
      for (const rule of Object.values(rules)) expect(rule.Properties.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
      const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
      const toTopic = Object.values(rules).filter((r) => JSON.stringify(r.Properties.Targets).includes(topicId));
      expect(toTopic).toHaveLength(4);
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
      });
    });

    test('CreateSession records go to a /aws/events/ log group whose metric filters count calls and failures per role', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/events/attestgate/TestStack/create-session', RetentionInDays: 365 });
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: '{ ($.detail.eventName = "CreateSession") && ($.detail.errorCode = "*") }',
        MetricTransformations: [{ MetricNamespace: ISSUANCE_MONITOR_NAMESPACE, MetricName: 'CreateSessionFailures', MetricValue: '1', Dimensions: [{ Key: 'RoleArn', Value: '$.detail.requestParameters.roleArn' }] }],
      });
      template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.detail.eventName = "CreateSession" }', MetricTransformations: [Match.objectLike({ MetricName: 'CreateSessionCalls' })] });
      template.hasResourceProperties('AWS::Logs::ResourcePolicy', { PolicyDocument: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
      const ids = ruleIds(stack, template);
      const target = template.toJSON().Resources[ids['Roles1/CreateSessionRecords']].Properties.Targets[0].Arn;
      expect(JSON.stringify(target)).toContain(':log-group:');
      expect(JSON.stringify(target)).not.toContain(':*');
    });

    test('alarms: per identity on failed CreateSession, account-wide on AWS/RolesAnywhere Failure (Metrics Insights: the metric has no trust-anchor dimension)', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: ISSUANCE_MONITOR_NAMESPACE,
        MetricName: 'CreateSessionFailures',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [Match.objectLike({ Expression: `SELECT SUM(Failure) FROM SCHEMA("AWS/RolesAnywhere", ErrorType, Operation) WHERE Operation = 'CreateSession'`, Period: 300 })],
        Threshold: 1,
      });
    });

    test('warns that IAM and global STS events arrive in us-east-1 only', () => {
      Annotations.fromStack(stack).hasWarning('/TestStack/AttestgateIssuanceMonitor', Match.stringLikeRegexp('reach EventBridge in us-east-1 only'));
      const east = new Stack(new App(), 'East', { env: { account: '111122223333', region: 'us-east-1' } });
      gatedStack(east);
      expect(Annotations.fromStack(east).findWarning('*', Match.stringLikeRegexp('us-east-1 only'))).toEqual([]);
    });
  });

  describe('what it costs', () => {
    test('says at synth, once every role has registered, the alarms, metric filters and rules it adds and where their prices are — as many as the template has', () => {
      // GIVEN 13 roles: two sets of rules
      const stack = newStack();
      const monitor = IssuanceMonitor.of(stack);
      for (let i = 0; i <= ROLES_PER_RULE; i++) monitor.addRole(iam.Role.fromRoleArn(stack, `R${i}`, `arn:aws:iam::111122223333:role/agent-${i}`));
      // WHEN
      const template = Template.fromStack(stack);
      const notes = Annotations.fromStack(stack).findInfo('/TestStack/AttestgateIssuanceMonitor', Match.anyValue());
      // THEN one note, with the template's counts
      expect(notes).toHaveLength(1);
      const note = String(notes[0].entry.data);
      const count = (type: string) => Object.keys(template.findResources(type)).length;
      expect(count('AWS::CloudWatch::Alarm')).toBe(14);
      expect(note).toContain(`watches 13 identities`);
      expect(note).toContain(`${count('AWS::CloudWatch::Alarm')} CloudWatch alarms evaluating 13 alarm metrics, plus 1 Metrics Insights query alarm`);
      expect(note).toContain(`${count('AWS::Logs::MetricFilter')} metric filters publishing up to 26 custom metrics`);
      expect(note).toContain(`${count('AWS::Events::Rule')} EventBridge rules`);
      expect(note).toContain(`${count('AWS::Logs::LogGroup')} log group`);
      expect(note).toContain('https://aws.amazon.com/cloudwatch/pricing/');
      expect(note).not.toMatch(/\$\s?\d/); // no price of ours: the page has them, by Region
    });
  });

  describe('rules of more roles than one pattern can hold', () => {
    test(`${ROLES_PER_RULE + 1} roles take two sets of rules, and a full pattern of long ARNs stays under EventBridge's 4096 characters`, () => {
      const stack = newStack();
      const monitor = IssuanceMonitor.of(stack);
      const longPath = `${'p'.repeat(104)}/`;
      for (let i = 0; i <= ROLES_PER_RULE; i++) {
        monitor.addRole(iam.Role.fromRoleArn(stack, `R${i}`, `arn:aws:iam::111122223333:role/${longPath}${'r'.repeat(58)}${String(i).padStart(6, '0')}`));
      }
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Events::Rule', 1 + 2 * 4);
      for (const rule of Object.values(template.findResources('AWS::Events::Rule'))) {
        expect(JSON.stringify(rule.Properties.EventPattern).length).toBeLessThan(4096);
      }
      const first = JSON.stringify(unattestedAssumeRolePattern(monitor.roles.slice(0, ROLES_PER_RULE).map((r) => r.roleArn), 'attempted'));
      expect(monitor.roles[0].roleArn.length).toBeGreaterThanOrEqual(200);
      expect(first.length).toBeLessThan(4096);
    });
  });
});

describe('IssuanceMonitor rules against CloudTrail events of the documented shape', () => {
  // GIVEN a high-privilege role, a CRL import schedule on its anchor, and the monitor's rules as deployed
  let stack: Stack;
  let template: Template;
  let ids: Record<string, string>;
  let gated: string;
  let gatedName: string;
  let crlFunctionRole: string;
  const other = 'arn:aws:iam::111122223333:role/SomeOtherRole';

  beforeAll(() => {
    const { stack: s, anchor, deployer } = gatedStack();
    stack = s;
    const schedule = new CrlImportSchedule(stack, 'CrlImport', { trustAnchor: anchor, initialCrlPem: pki.crlPem, source: CrlSource.fromHttpsUrl('https://pki.prod.example/agents-ca.crl') });
    template = Template.fromStack(stack);
    ids = ruleIds(stack, template);
    gatedName = stack.getLogicalId(deployer.cfnRole);
    gated = roleArnOf(gatedName);
    crlFunctionRole = stack.getLogicalId(schedule.role.node.defaultChild as never);
  });
  const pattern = (rule: string) => deployedEventPattern(template.toJSON() as never, ids[rule]);

  describe('UnattestedIssuance: credentials issued for the gated role without Roles Anywhere', () => {
    test.each([
      ['an IAM user’s AssumeRole (a stolen access key)', () => assumeRole({ roleArn: gated, by: identities.iamUser() })],
      ['another role chaining into it', () => assumeRole({ roleArn: gated, by: identities.assumedRole('ci-runner') })],
      ['another AWS service assuming it', () => assumeRole({ roleArn: gated, by: identities.awsService('ec2.amazonaws.com') })],
      ['AssumeRoleWithWebIdentity', () => assumeRole({ roleArn: gated, by: identities.webIdentity(), eventName: 'AssumeRoleWithWebIdentity' })],
      ['AssumeRoleWithSAML', () => assumeRole({ roleArn: gated, by: identities.iamUser(), eventName: 'AssumeRoleWithSAML' })],
      ['the role ARN in another letter case', () => assumeRole({ roleArn: gated.toUpperCase().replace('ARN:AWS:IAM', 'arn:aws:iam'), by: identities.iamUser() })],
    ])('matches %s', (_, event) => {
      expect(matchesEventPattern(pattern('Roles1/UnattestedIssuance'), event())).toBe(true);
    });

    test.each([
      ['Roles Anywhere’s own AssumeRole (the attested path)', () => assumeRole({ roleArn: gated, by: identities.awsService('rolesanywhere.amazonaws.com'), sourceIdentity: 'CN=deployer' })],
      ['an AssumeRole of another role', () => assumeRole({ roleArn: other, by: identities.iamUser() })],
      ['a denied attempt (reported by UnattestedAttempt instead)', () => assumeRole({ roleArn: gated, by: identities.iamUser(), errorCode: 'AccessDenied' })],
      ['AssumeRoot, which only shares a prefix with no role', () => assumeRole({ roleArn: gated, by: identities.iamUser(), eventName: 'AssumeRoot' })],
      ['GetCallerIdentity by the same user', () => assumeRole({ roleArn: gated, by: identities.iamUser(), eventName: 'GetCallerIdentity' })],
    ])('does not match %s', (_, event) => {
      expect(matchesEventPattern(pattern('Roles1/UnattestedIssuance'), event())).toBe(false);
    });
  });

  describe('UnattestedAttempt: a denied AssumeRole of the gated role outside Roles Anywhere', () => {
    test('matches an IAM user’s denied AssumeRole', () => {
      expect(matchesEventPattern(pattern('Roles1/UnattestedAttempt'), assumeRole({ roleArn: gated, by: identities.iamUser(), errorCode: 'AccessDenied' }))).toBe(true);
    });
    test.each([
      ['a successful one', () => assumeRole({ roleArn: gated, by: identities.iamUser() })],
      ['a denied one by Roles Anywhere', () => assumeRole({ roleArn: gated, by: identities.awsService('rolesanywhere.amazonaws.com'), errorCode: 'AccessDenied' })],
      ['a denied one of another role', () => assumeRole({ roleArn: other, by: identities.iamUser(), errorCode: 'AccessDenied' })],
    ])('does not match %s', (_, event) => {
      expect(matchesEventPattern(pattern('Roles1/UnattestedAttempt'), event())).toBe(false);
    });
  });

  describe('GatedRoleChanged: IAM changes to the gated role', () => {
    test.each(IAM_ROLE_CHANGE_EVENTS.map((e) => [e]))('matches %s on the gated role', (eventName) => {
      expect(matchesEventPattern(pattern('Roles1/GatedRoleChanged'), iamCall({ eventName, roleName: gatedName }))).toBe(true);
    });
    test('matches the role name in another letter case', () => {
      expect(matchesEventPattern(pattern('Roles1/GatedRoleChanged'), iamCall({ eventName: 'UpdateAssumeRolePolicy', roleName: gatedName.toLowerCase() }))).toBe(true);
    });
    test.each([
      ['UpdateAssumeRolePolicy on another role', () => iamCall({ eventName: 'UpdateAssumeRolePolicy', roleName: 'SomeOtherRole', extra: { policyDocument: '{}' } })],
      ['GetRole of the gated role (a read)', () => iamCall({ eventName: 'GetRole', roleName: gatedName })],
      ['TagRole of the gated role', () => iamCall({ eventName: 'TagRole', roleName: gatedName })],
    ])('does not match %s', (_, event) => {
      expect(matchesEventPattern(pattern('Roles1/GatedRoleChanged'), event())).toBe(false);
    });
  });

  describe('RolesAnywhereChanged: trust anchors, profiles, attribute mappings, CRLs', () => {
    test.each(ROLES_ANYWHERE_CHANGE_EVENTS.filter((e) => e !== 'UpdateCrl').map((e) => [e]))('matches %s', (eventName) => {
      expect(matchesEventPattern(pattern('AttestgateIssuanceMonitor/RolesAnywhereChanged'), rolesAnywhereCall({ eventName }))).toBe(true);
    });
    test.each([
      ['by an IAM user (no session issuer)', identities.iamUser()],
      ['by another role', identities.assumedRole('SomeOtherRole')],
    ])('matches UpdateCrl %s', (_, by) => {
      expect(matchesEventPattern(pattern('AttestgateIssuanceMonitor/RolesAnywhereChanged'), rolesAnywhereCall({ eventName: 'UpdateCrl', by }))).toBe(true);
    });
    test.each([
      ['UpdateCrl by the CRL import function (its routine, verified work)', () => rolesAnywhereCall({ eventName: 'UpdateCrl', by: identities.assumedRole(crlFunctionRole) })],
      ['ListTrustAnchors (a read)', () => rolesAnywhereCall({ eventName: 'ListTrustAnchors' })],
      ['GetCrl (a read)', () => rolesAnywhereCall({ eventName: 'GetCrl', by: identities.assumedRole(crlFunctionRole) })],
      ['CreateSession (issuance, not configuration)', () => createSession({ roleArn: gated })],
      ['UpdateAssumeRolePolicy (IAM, another rule)', () => iamCall({ eventName: 'UpdateAssumeRolePolicy', roleName: gatedName })],
    ])('does not match %s', (_, event) => {
      expect(matchesEventPattern(pattern('AttestgateIssuanceMonitor/RolesAnywhereChanged'), event())).toBe(false);
    });
  });

  describe('CreateSessionRecords: Roles Anywhere CreateSession for the gated role, to the metric log group', () => {
    test.each([
      ['a successful CreateSession', () => createSession({ roleArn: gated })],
      ['a failed CreateSession', () => createSession({ roleArn: gated, errorCode: 'AccessDeniedException' })],
    ])('matches %s', (_, event) => {
      expect(matchesEventPattern(pattern('Roles1/CreateSessionRecords'), event())).toBe(true);
    });
    test.each([
      ['S3 Express CreateSession (another eventSource, same eventName)', () => s3ExpressCreateSession({ roleArn: gated })],
      ['S3 Express CreateSession under a forged source', () => s3ExpressCreateSession({ roleArn: gated, forgedSource: true })],
      ['CreateSession for another role', () => createSession({ roleArn: other })],
      ['UpdateTrustAnchor', () => rolesAnywhereCall({ eventName: 'UpdateTrustAnchor', requestParameters: { roleArn: gated } })],
    ])('does not match %s', (_, event) => {
      expect(matchesEventPattern(pattern('Roles1/CreateSessionRecords'), event())).toBe(false);
    });
  });

  test('the pattern builders and the synthesized rules agree', () => {
    expect(pattern('Roles1/CreateSessionRecords')).toEqual(createSessionPattern([gated]));
    expect(pattern('Roles1/UnattestedIssuance')).toEqual(unattestedAssumeRolePattern([gated], 'issued'));
  });
});
