import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AgentTrustAnchor, TrustAnchorSource } from '../../lib/aws/agent-trust-anchor';
import { CRL_IMPORT_RUNTIME, CrlImportSchedule, CrlImportScheduleProps, CrlSource, crlImportBundleDirectory, crlObjectCreatedPattern } from '../../lib/aws/crl-import-schedule';
import { matchesEventPattern } from '../../lib/model/aws/event-pattern';
import { createCrl } from '../../conformance/pki/throwaway-pki';
import { newStack } from '../fixtures/cdk';
import { s3ObjectCreated } from '../fixtures/cloudtrail-events';
import { TestPki, makeTestPki } from '../fixtures/pki';

const URL_SOURCE = 'https://pki.prod.example/agents-ca.crl';
const PCA_ARN = 'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/0a1b2c3d-0000-4000-8000-000000000000';

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});

function setup(props: Partial<CrlImportScheduleProps> = {}, stack: Stack = newStack()) {
  const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
  const schedule = new CrlImportSchedule(stack, 'CrlImport', { trustAnchor: anchor, initialCrlPem: pki.crlPem, source: CrlSource.fromHttpsUrl(URL_SOURCE), ...props });
  return { stack, anchor, schedule, template: Template.fromStack(stack) };
}

/** Every statement of the function's own policy. */
function functionStatements(template: Template): Array<{ Sid: string; Action: string | string[]; Resource: unknown }> {
  const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p).includes('rolesanywhere:UpdateCrl'))!;
  return policy.Properties.PolicyDocument.Statement;
}

describe('CrlImportSchedule', () => {
  test('updates one CRL created through addCrl, hourly, with a function that runs one at a time', () => {
    // GIVEN / WHEN
    const { stack, anchor, schedule, template } = setup();
    // THEN
    expect(anchor.revocationLists).toEqual([schedule.crl]);
    template.resourceCountIs('AWS::RolesAnywhere::CRL', 1);
    template.hasResourceProperties('AWS::RolesAnywhere::CRL', { Enabled: true, CrlData: pki.crlPem });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [stack.getLogicalId(schedule.function.node.defaultChild as never), 'Arn'] }, RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 2 } }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: CRL_IMPORT_RUNTIME.name,
      Handler: 'index.handler',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: {
          ATTESTGATE_TRUST_ANCHOR_ID: { 'Fn::GetAtt': [stack.getLogicalId(anchor.cfnTrustAnchor), 'TrustAnchorId'] },
          ATTESTGATE_CRL_ID: { 'Fn::GetAtt': [stack.getLogicalId(schedule.crl.cfnCrl), 'CrlId'] },
          ATTESTGATE_CRL_SOURCE: JSON.stringify({ type: 'https', url: URL_SOURCE }),
        },
      },
    });
    expect(CRL_IMPORT_RUNTIME.name).toBe('nodejs22.x');
  });

  test('least privilege: GetCrl and UpdateCrl on that CRL, GetTrustAnchor on that anchor, its own log — nothing else', () => {
    const { stack, anchor, schedule, template } = setup();
    const crlId = stack.getLogicalId(schedule.crl.cfnCrl);
    expect(functionStatements(template)).toEqual([
      {
        Sid: 'UpdateTheOneCrl',
        Effect: 'Allow',
        Action: ['rolesanywhere:GetCrl', 'rolesanywhere:UpdateCrl'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rolesanywhere:eu-west-1:111122223333:crl/', { 'Fn::GetAtt': [crlId, 'CrlId'] }]] },
      },
      { Sid: 'ReadTheTrustAnchor', Effect: 'Allow', Action: 'rolesanywhere:GetTrustAnchor', Resource: { 'Fn::GetAtt': [stack.getLogicalId(anchor.cfnTrustAnchor), 'TrustAnchorArn'] } },
      { Sid: 'WriteItsLog', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [stack.getLogicalId(schedule.function.logGroup.node.defaultChild as never), 'Arn'] } },
    ]);
    const role = template.toJSON().Resources[stack.getLogicalId(schedule.role.node.defaultChild as never)];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    // Nothing in the template grants ImportCrl: the function can never add a third CRL.
    expect(JSON.stringify(template.toJSON())).not.toContain('rolesanywhere:ImportCrl');
  });

  test('alarms: no successful run in two intervals (silence breaches), nextUpdate passed, a CRL rejected — to the stack’s signal topic', () => {
    const { stack, anchor, schedule, template } = setup({ interval: Duration.minutes(15) });
    const dimensions = [
      { Name: 'Crl', Value: { 'Fn::GetAtt': [stack.getLogicalId(schedule.crl.cfnCrl), 'CrlId'] } },
      { Name: 'TrustAnchor', Value: { 'Fn::GetAtt': [stack.getLogicalId(anchor.cfnTrustAnchor), 'TrustAnchorId'] } },
    ];
    const topic = { Ref: stack.getLogicalId(schedule.topic.node.defaultChild as never) };
    const common = { Namespace: 'attestgate/CrlImport', Dimensions: dimensions, Period: 900, AlarmActions: [topic] };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { ...common, MetricName: 'ImportSucceeded', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 2, DatapointsToAlarm: 2, TreatMissingData: 'breaching' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { ...common, MetricName: 'SecondsToNextUpdate', Statistic: 'Minimum', Threshold: 0, ComparisonOperator: 'LessThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { ...common, MetricName: 'ImportRejected', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(15 minutes)' });
  });

  test('a given topic replaces the signal topic', () => {
    const stack = newStack();
    const topic = sns.Topic.fromTopicArn(stack, 'PkiTeam', 'arn:aws:sns:eu-west-1:111122223333:pki-team');
    const { template } = setup({ topic }, stack);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:111122223333:pki-team']);
  });

  test('an S3 source: GetObject on that object only, the bucket key to decrypt, an import on every new object', () => {
    // GIVEN a private CA's CRL bucket, encrypted with a customer key
    const stack = newStack();
    const key = new kms.Key(stack, 'BucketKey');
    const bucket = new s3.Bucket(stack, 'CrlBucket', { encryptionKey: key, eventBridgeEnabled: true });
    // WHEN
    const { schedule, template } = setup({ source: CrlSource.fromS3Object(bucket, 'crl/0a1b2c3d.crl') }, stack);
    // THEN
    const statements = functionStatements(template);
    expect(statements.find((s) => s.Sid === 'ReadTheCrlObject')).toEqual({
      Sid: 'ReadTheCrlObject',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [stack.getLogicalId(bucket.node.defaultChild as never), 'Arn'] }, '/crl/0a1b2c3d.crl']] },
    });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('kms:Decrypt');
    const uploadRule = template.toJSON().Resources[stack.getLogicalId(schedule.uploadRule!.node.defaultChild as never)];
    expect(uploadRule.Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [{ Ref: stack.getLogicalId(bucket.node.defaultChild as never) }] }, object: { key: ['crl/0a1b2c3d.crl'] } },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [stack.getLogicalId(schedule.uploadRule!.node.defaultChild as never), 'Arn'] } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ATTESTGATE_CRL_SOURCE: Match.objectLike({ 'Fn::Join': Match.anyValue() }) }) },
    });
  });

  test('the upload rule matches the CRL object’s creation, and nothing else', () => {
    const pattern = crlObjectCreatedPattern('pca-crls-111122223333', 'crl/0a1b2c3d.crl');
    expect(matchesEventPattern(pattern, s3ObjectCreated('pca-crls-111122223333', 'crl/0a1b2c3d.crl'))).toBe(true);
    expect(matchesEventPattern(pattern, s3ObjectCreated('pca-crls-111122223333', 'crl/ffffffff.crl'))).toBe(false);
    expect(matchesEventPattern(pattern, s3ObjectCreated('someone-elses-bucket', 'crl/0a1b2c3d.crl'))).toBe(false);
    expect(matchesEventPattern(pattern, { ...s3ObjectCreated('pca-crls-111122223333', 'crl/0a1b2c3d.crl'), 'detail-type': 'Object Deleted' })).toBe(false);
  });

  test('an S3 source without the upload trigger relies on the schedule alone', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Crls', 'pca-crls');
    const { schedule, template } = setup({ source: CrlSource.fromS3Object(bucket, 'crl/a.crl', { triggerOnUpload: false }) }, stack);
    expect(schedule.uploadRule).toBeUndefined();
    template.resourceCountIs('AWS::Events::Rule', 0);
  });

  test('an ACM PCA anchor: the function may read that CA’s certificate, and only it', async () => {
    const stack = newStack();
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromAcmPca(PCA_ARN) });
    new CrlImportSchedule(stack, 'CrlImport', { trustAnchor: anchor, initialCrlPem: (await createCrl({ issuer: pki.ca })).pem, source: CrlSource.fromHttpsUrl(URL_SOURCE) });
    const statements = functionStatements(Template.fromStack(stack));
    expect(statements.find((s) => s.Sid === 'ReadTheCaCertificate')).toEqual({ Sid: 'ReadTheCaCertificate', Effect: 'Allow', Action: 'acm-pca:GetCertificateAuthorityCertificate', Resource: PCA_ARN });
  });

  test('warns when the interval is too long for the CRL’s validity', async () => {
    const stack = newStack();
    const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    const now = Date.now();
    const shortLived = await createCrl({ issuer: pki.ca, thisUpdate: new Date(now - 60_000), nextUpdate: new Date(now + 3 * 3_600_000) });
    new CrlImportSchedule(stack, 'CrlImport', { trustAnchor: anchor, initialCrlPem: shortLived.pem, source: CrlSource.fromHttpsUrl(URL_SOURCE), interval: Duration.hours(2) });
    Annotations.fromStack(stack).hasWarning('/TestStack/CrlImport', Match.stringLikeRegexp('The CRL is valid for 181 minutes but is fetched every 120'));
  });

  describe('refuses bad input at synth', () => {
    test.each([
      ['an interval under 5 minutes', { interval: Duration.minutes(4) }, /interval "240 s" is not a whole number of minutes from 5 minutes to 1 day/],
      ['an interval of seconds', { interval: Duration.seconds(330) }, /interval "330 s" is not a whole number of minutes/],
      ['an interval over a day', { interval: Duration.days(2) }, /interval "172800 s"/],
      ['a source that is not a CrlSource', { source: 'https://pki.example/a.crl' as never }, /CrlImportSchedule 'TestStack\/CrlImport': source "https:\/\/pki.example\/a.crl" is not a CrlSource/],
      ['a CRL of another CA', { initialCrlPem: 'SELF' }, /is not signed by any CA of the trust anchor/],
    ] as Array<[string, Partial<CrlImportScheduleProps>, RegExp]>)('%s', async (_, props, message) => {
      const initialCrlPem = props.initialCrlPem === 'SELF' ? (await createCrl({ issuer: (await makeTestPki()).ca })).pem : pki.crlPem;
      expect(() => setup({ ...props, initialCrlPem })).toThrow(message);
    });

    test.each(['http://pki.prod.example/agents-ca.crl', 'ftp://pki.example/a.crl', 'not a url'])('the URL %j', (url) => {
      expect(() => CrlSource.fromHttpsUrl(url)).toThrow(/CrlSource.fromHttpsUrl: url .* is not an https:\/\/ URL. Fix: publish the CRL over HTTPS/);
    });

    test('an S3 key with a leading slash', () => {
      const bucket = s3.Bucket.fromBucketName(newStack(), 'B', 'crl-bucket');
      expect(() => CrlSource.fromS3Object(bucket, '/crl/a.crl')).toThrow(/key "\/crl\/a.crl" is not an S3 object key/);
    });

    test('an imported trust anchor: the schedule must create the CRL it updates', () => {
      const stack = newStack();
      const imported = AgentTrustAnchor.fromTrustAnchorArn(stack, 'Imported', 'arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/0a1b2c3d-0000-4000-8000-000000000000');
      expect(() => new CrlImportSchedule(stack, 'CrlImport', { trustAnchor: imported as never, initialCrlPem: pki.crlPem, source: CrlSource.fromHttpsUrl(URL_SOURCE) })).toThrow(
        /trustAnchor .* is not an AgentTrustAnchor of this app/,
      );
    });

    test('a third CRL on the anchor (Roles Anywhere allows 2, a hard quota)', () => {
      const { stack, anchor } = setup();
      anchor.addCrl('Second', pki.crlPem);
      expect(() => new CrlImportSchedule(stack, 'Another', { trustAnchor: anchor, initialCrlPem: pki.crlPem, source: CrlSource.fromHttpsUrl(URL_SOURCE) })).toThrow(/exceeds the 2 CRLs Roles Anywhere allows/);
    });
  });

  describe('the function code, bundled at build time', () => {
    test('is the esbuild bundle from dist/lambda: it loads on its own in a plain Node process and exports the handler', () => {
      const directory = crlImportBundleDirectory('test');
      expect(directory).toBe(path.join(__dirname, '..', '..', 'dist', 'lambda', 'crl-import'));
      const exported = execFileSync(process.execPath, ['-e', `const m = require(${JSON.stringify(path.join(directory, 'index.js'))}); console.log(typeof m.handler, Object.keys(require.cache).some((f) => f.includes('node_modules')))`], {
        cwd: os.tmpdir(),
        encoding: 'utf8',
      });
      expect(exported.trim()).toBe('function false');
    });

    test('is an asset of the cloud assembly, so synth needs neither Docker nor the network', () => {
      const { stack, schedule, template } = setup();
      const code = template.toJSON().Resources[stack.getLogicalId(schedule.function.node.defaultChild as never)].Properties.Code;
      expect(code).toEqual({ S3Bucket: expect.any(String), S3Key: expect.stringMatching(/^[0-9a-f]{64}\.zip$/) });
      const assembly = (stack.node.root as unknown as { synth(): { directory: string } }).synth();
      const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'TestStack.assets.json'), 'utf8'));
      const asset = (manifest.files as Record<string, { source: { path: string; packaging: string } }>)[code.S3Key.replace(/\.zip$/, '')].source;
      expect(asset.packaging).toBe('zip');
      const staged = fs.readFileSync(path.join(assembly.directory, asset.path, 'index.js'));
      expect(staged.equals(fs.readFileSync(path.join(crlImportBundleDirectory('test'), 'index.js')))).toBe(true);
    });

    test('missing, it fails synth with the fix', () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-pkg-'));
      fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'attestgate', version: '0.0.0' }));
      fs.mkdirSync(path.join(root, 'dist', 'lib', 'aws'), { recursive: true });
      expect(() => crlImportBundleDirectory("CrlImportSchedule 'S/C'", path.join(root, 'dist', 'lib', 'aws'))).toThrow(
        /CrlImportSchedule 'S\/C': function code ".*dist\/lambda\/crl-import\/index.js" is missing: the CRL import function is bundled when the package is built, never at synth. Fix: run npm run build/,
      );
    });
  });
});
