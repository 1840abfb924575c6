import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AttestGateError } from '../core/errors';
import { AgentTrustAnchor } from './agent-trust-anchor';
import { CRL_IMPORT_NAMESPACE, CrlSourceConfig, ENV } from './crl-import/contract';
import { IssuanceMonitor } from './issuance-monitor';
import { SignalTopic } from './signal-topic';
import { TrustAnchorCrl } from './trust-anchor-crl';

/** Where the CA publishes its CRL. */
export class CrlSource {
  /**
   * An HTTPS CRL distribution point (PEM or DER). Plain HTTP is refused: the CRL is signed, but
   * an HTTPS fetch keeps an on-path attacker from withholding updates unnoticed for longer.
   */
  public static fromHttpsUrl(url: string): CrlSource {
    if (!Token.isUnresolved(url)) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(url);
      } catch {
        parsed = undefined;
      }
      if (parsed?.protocol !== 'https:' || !parsed.hostname) {
        throw new AttestGateError({
          where: 'CrlSource.fromHttpsUrl',
          field: 'url',
          value: url,
          problem: 'is not an https:// URL',
          fix: 'publish the CRL over HTTPS, or have the CA write it to S3 and use CrlSource.fromS3Object',
        });
      }
    }
    return new CrlSource({ type: 'https', url });
  }

  /**
   * An object in S3, such as the CRL an AWS Private CA writes (`crl/<CA ID>.crl`, DER). With
   * `triggerOnUpload` (default) a new object triggers an import at once; that needs EventBridge
   * notifications on the bucket (`eventBridgeEnabled: true`).
   */
  public static fromS3Object(bucket: s3.IBucket, key: string, options: { readonly triggerOnUpload?: boolean } = {}): CrlSource {
    if (!Token.isUnresolved(key) && (key.length === 0 || key.startsWith('/'))) {
      throw new AttestGateError({ where: 'CrlSource.fromS3Object', field: 'key', value: key, problem: 'is not an S3 object key', fix: 'give the key without a leading slash, e.g. crl/0a1b2c3d-….crl' });
    }
    return new CrlSource({ type: 's3', bucket, key, triggerOnUpload: options.triggerOnUpload ?? true });
  }

  private constructor(
    public readonly location: { readonly type: 'https'; readonly url: string } | { readonly type: 's3'; readonly bucket: s3.IBucket; readonly key: string; readonly triggerOnUpload: boolean },
  ) {}
}

export interface CrlImportScheduleProps {
  /** The trust anchor whose CRL is kept fresh. */
  readonly trustAnchor: AgentTrustAnchor;
  /**
   * The CRL imported at deployment, verified at synth against the anchor's CAs (as `addCrl`). The
   * schedule updates that CRL from then on; a later change here makes CloudFormation call
   * UpdateCrl with it, and the next run restores the newest verified CRL.
   */
  readonly initialCrlPem: string;
  /** Where the CA publishes the CRL. */
  readonly source: CrlSource;
  /**
   * How often the CRL is fetched, 5 minutes to 1 day. Keep it well under the CRL's validity
   * (nextUpdate − thisUpdate); a revocation reaches Roles Anywhere within one interval.
   *
   * @default Duration.hours(1)
   */
  readonly interval?: Duration;
  /**
   * Where the alarms go.
   *
   * @default - the stack's SignalTopic
   */
  readonly topic?: sns.ITopic;
  /** @default - a name derived from the construct path */
  readonly crlName?: string;
}

/** The Lambda runtime. Node.js 20 left support in April 2026; 22 is supported until 2027. */
export const CRL_IMPORT_RUNTIME = lambda.Runtime.NODEJS_22_X;

/**
 * Keeps a trust anchor's CRL fresh. A Lambda function — run by EventBridge Scheduler every
 * `interval` and, for an S3 source, when a new CRL object lands — fetches the published CRL and
 * updates one fixed CRL resource (created here through `trustAnchor.addCrl`) with UpdateCrl.
 * Never ImportCrl per publish: Roles Anywhere allows 2 CRLs per trust anchor.
 *
 * Before updating it verifies the CRL (see `importCrl`): it parses and fits the API limit; a CA
 * the trust anchor holds now signed it; its issuer is that CA; neither thisUpdate nor the CRL
 * number goes backwards. A CRL failing a check is never imported; the last good one stays.
 *
 * Signals, to the topic: no successful run within two intervals; the held CRL's nextUpdate
 * passed; a CRL rejected. Metrics (namespace `attestgate/CrlImport`, dimensions TrustAnchor and
 * Crl): ImportSucceeded, CrlUpdated, ImportRejected and ImportFailed (with Reason), CrlAgeSeconds,
 * SecondsToNextUpdate — written as Embedded Metric Format log lines.
 *
 * Least privilege: GetCrl and UpdateCrl on that CRL, GetTrustAnchor on that anchor, reading the
 * source object (S3) or the CA certificate (ACM PCA), writing its own log group. One run at a
 * time (reserved concurrency 1): two overlapping runs could each pass the freshness check and
 * the older CRL land last.
 *
 * The function's code is bundled by `npm run build` (esbuild), so synth needs neither Docker nor
 * the network.
 */
export class CrlImportSchedule extends Construct {
  /** The CRL resource the function updates. */
  public readonly crl: TrustAnchorCrl;
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly schedule: scheduler.Schedule;
  /** For an S3 source with triggerOnUpload: the rule on Object Created. */
  public readonly uploadRule?: events.Rule;
  public readonly topic: sns.ITopic;
  /** No successful run (imported or already current) within two intervals. Silence is a failure. */
  public readonly noRecentImportAlarm: cloudwatch.Alarm;
  /** The CRL Roles Anywhere holds is past its nextUpdate. */
  public readonly nextUpdatePassedAlarm: cloudwatch.Alarm;
  /** A fetched CRL was refused (forged, replayed, garbage, oversize, …). */
  public readonly crlRejectedAlarm: cloudwatch.Alarm;
  public readonly interval: Duration;
  private readonly trustAnchorId: string;

  constructor(scope: Construct, id: string, props: CrlImportScheduleProps) {
    super(scope, id);
    const where = `CrlImportSchedule '${this.node.path}'`;
    if (!(props.trustAnchor instanceof AgentTrustAnchor)) {
      throw new AttestGateError({
        where,
        field: 'trustAnchor',
        value: props.trustAnchor,
        problem: 'is not an AgentTrustAnchor of this app; the schedule creates the CRL it updates through addCrl',
        fix: 'give the AgentTrustAnchor construct',
      });
    }
    if (!(props.source instanceof CrlSource)) {
      throw new AttestGateError({ where, field: 'source', value: props.source, problem: 'is not a CrlSource', fix: 'use CrlSource.fromHttpsUrl(url) or CrlSource.fromS3Object(bucket, key)' });
    }
    this.interval = props.interval ?? Duration.hours(1);
    const minutes = this.interval.toSeconds() / 60;
    if (!Number.isInteger(minutes) || minutes < 5 || minutes > 1440) {
      throw new AttestGateError({ where, field: 'interval', value: `${this.interval.toSeconds()} s`, problem: 'is not a whole number of minutes from 5 minutes to 1 day', fix: 'use e.g. Duration.hours(1)' });
    }
    const bundle = crlImportBundleDirectory(where);
    this.trustAnchorId = props.trustAnchor.trustAnchorId;

    this.crl = props.trustAnchor.addCrl(`${id}Crl`, props.initialCrlPem, { crlName: props.crlName });
    const validityMs = this.crl.info?.nextUpdate ? this.crl.info.nextUpdate.getTime() - this.crl.info.thisUpdate.getTime() : undefined;
    if (validityMs !== undefined && 2 * this.interval.toMilliseconds() > validityMs) {
      Annotations.of(this).addWarningV2(
        '@attestgate/aws:crlIntervalTooLong',
        `The CRL is valid for ${Math.round(validityMs / 60_000)} minutes but is fetched every ${minutes}: one failed run lets it go stale. Use an interval of at most half its validity.`,
      );
    }

    const stack = Stack.of(this);
    const crlArn = stack.formatArn({ service: 'rolesanywhere', resource: 'crl', resourceName: this.crl.crlId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const logGroup = new logs.LogGroup(this, 'Log', { retention: logs.RetentionDays.ONE_YEAR });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'attestgate CRL import: reads and updates one CRL of one trust anchor',
    });
    const statements = [
      new iam.PolicyStatement({ sid: 'UpdateTheOneCrl', actions: ['rolesanywhere:GetCrl', 'rolesanywhere:UpdateCrl'], resources: [crlArn] }),
      new iam.PolicyStatement({ sid: 'ReadTheTrustAnchor', actions: ['rolesanywhere:GetTrustAnchor'], resources: [props.trustAnchor.trustAnchorArn] }),
      new iam.PolicyStatement({ sid: 'WriteItsLog', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    ];
    const source = props.trustAnchor.source;
    if (source.sourceType === 'AWS_ACM_PCA') {
      statements.push(new iam.PolicyStatement({ sid: 'ReadTheCaCertificate', actions: ['acm-pca:GetCertificateAuthorityCertificate'], resources: [source.data] }));
    }
    let sourceConfig: CrlSourceConfig;
    const location = props.source.location;
    if (location.type === 's3') {
      statements.push(new iam.PolicyStatement({ sid: 'ReadTheCrlObject', actions: ['s3:GetObject'], resources: [location.bucket.arnForObjects(location.key)] }));
      location.bucket.encryptionKey?.grantDecrypt(this.role);
      sourceConfig = { type: 's3', bucket: location.bucket.bucketName, key: location.key, region: location.bucket.env.region };
    } else {
      sourceConfig = { type: 'https', url: location.url };
    }
    // An inline policy, not a managed one: nothing else should ever get these grants.
    const policy = new iam.Policy(this, 'Policy', { statements });
    this.role.attachInlinePolicy(policy);

    this.function = new lambda.Function(this, 'Function', {
      description: 'attestgate: verifies the published CRL and updates the trust anchor’s CRL with it',
      runtime: CRL_IMPORT_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundle),
      role: this.role,
      logGroup,
      timeout: Duration.minutes(2),
      memorySize: 256,
      reservedConcurrentExecutions: 1,
      environment: {
        [ENV.trustAnchorId]: props.trustAnchor.trustAnchorId,
        [ENV.crlId]: this.crl.crlId,
        [ENV.source]: stack.toJsonString(sourceConfig),
      },
    });
    this.function.node.addDependency(policy);

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'attestgate: fetch and verify the CRL, update the trust anchor',
      schedule: scheduler.ScheduleExpression.rate(this.interval),
      target: new schedulerTargets.LambdaInvoke(this.function, {
        input: scheduler.ScheduleTargetInput.fromObject({ source: 'attestgate.schedule' }),
        // A run older than one interval is superseded by the next one.
        maxEventAge: Duration.seconds(Math.min(this.interval.toSeconds(), 86_400)),
        retryAttempts: 2,
      }),
    });

    if (location.type === 's3' && location.triggerOnUpload) {
      this.uploadRule = new events.Rule(this, 'OnUpload', {
        description: 'attestgate: a new CRL object was written; import it now',
        eventPattern: crlObjectCreatedPattern(location.bucket.bucketName, location.key) as events.EventPattern,
        targets: [new eventTargets.LambdaFunction(this.function, { retryAttempts: 2 })],
      });
    }

    IssuanceMonitor.allowCrlUpdatesBy(this, this.role.roleArn);

    this.topic = props.topic ?? SignalTopic.of(this).topic;
    const action = new cwActions.SnsAction(this.topic);
    this.noRecentImportAlarm = this.metric('ImportSucceeded', cloudwatch.Stats.SUM).createAlarm(this, 'NoRecentImport', {
      alarmDescription: `attestgate: no successful CRL import for ${2 * minutes} minutes. Revocations stop reaching Roles Anywhere; look at the function's log.`,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      // No data means the function did not run or died before reporting: that is the failure.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.nextUpdatePassedAlarm = this.metric('SecondsToNextUpdate', cloudwatch.Stats.MINIMUM).createAlarm(this, 'NextUpdatePassed', {
      alarmDescription: "attestgate: the CRL Roles Anywhere holds is past its nextUpdate: the CA stopped publishing, or every newer CRL was refused.",
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // Every run that can read the held CRL reports this; silence is already NoRecentImport's alarm.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.crlRejectedAlarm = this.metric('ImportRejected', cloudwatch.Stats.SUM).createAlarm(this, 'CrlRejected', {
      alarmDescription: 'attestgate: a fetched CRL was refused and not imported (forged, replayed, wrong issuer, garbage or oversize). The Reason dimension says which.',
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.noRecentImportAlarm, this.nextUpdatePassedAlarm, this.crlRejectedAlarm]) alarm.addAlarmAction(action);
  }

  /** A metric of this schedule's runs, per interval. */
  public metric(metricName: string, statistic: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: CRL_IMPORT_NAMESPACE,
      metricName,
      dimensionsMap: { TrustAnchor: this.trustAnchorId, Crl: this.crl.crlId },
      statistic,
      period: this.interval,
      ...props,
    });
  }
}

/** S3 "Object Created" (EventBridge notifications) for one object. */
export function crlObjectCreatedPattern(bucketName: string, key: string): Record<string, unknown> {
  return { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: [bucketName] }, object: { key: [key] } } };
}

/**
 * The directory of the bundled function, found from the package root: dist/lambda/crl-import
 * next to the package.json named attestgate (the source tree in this repository, the installed
 * package otherwise).
 */
export function crlImportBundleDirectory(where: string, from: string = __dirname): string {
  let root: string | undefined;
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name === 'attestgate') {
      root = dir;
      break;
    }
  }
  const directory = path.join(root ?? '(package root not found)', 'dist', 'lambda', 'crl-import');
  if (root === undefined || !fs.existsSync(path.join(directory, 'index.js'))) {
    throw new AttestGateError({
      where,
      field: 'function code',
      value: path.join(directory, 'index.js'),
      problem: 'is missing: the CRL import function is bundled when the package is built, never at synth',
      fix: 'run npm run build',
    });
  }
  return directory;
}
