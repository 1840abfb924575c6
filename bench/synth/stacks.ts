import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Names, Resource, Stack, Validations } from 'aws-cdk-lib';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnRule } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnKey } from 'aws-cdk-lib/aws-kms';
import { CfnLogGroup, CfnMetricFilter, CfnResourcePolicy } from 'aws-cdk-lib/aws-logs';
import { CfnCRL, CfnProfile, CfnTrustAnchor } from 'aws-cdk-lib/aws-rolesanywhere';
import { CfnTopic, CfnTopicPolicy } from 'aws-cdk-lib/aws-sns';
import { AgentTrustAnchor, AttestationChecks, AttestedRole, IdentityStacks, SignalMonitoring, TrustAnchorSource } from '../../lib/aws';
import { AgentIdentity, PrivilegeTier } from '../../lib/core';
import { CachedLogicalIdCfnRole } from '../../lib/aws/private/cached-logical-id';

const ISSUER = { CN: 'attestgate Example Agents CA', O: 'attestgate examples' };

/**
 * `attestgate` is the gate alone, to compare with the same resources in raw L1; `+monitoring`
 * adds what the defaults add on top — the IssuanceMonitor's detection signals (rules, alarms, a
 * topic) — and `raw-l1+monitoring` writes those same monitoring resources by hand, so that what
 * the monitoring costs splits into the cost of its resources (raw-l1+monitoring over raw-l1) and
 * the cost of our code (attestgate+monitoring over raw-l1+monitoring). `+checks` adds the rules
 * plugin on top of the monitoring.
 *
 * `raw-l1+nested` and `raw-l1+nested+plugin` split what is left of attestgate's cost into what
 * any construct library pays and what is our code (`DECOMPOSE=1 npm run bench`): the raw roles,
 * each inside a construct of its own as an AttestedRole's CfnRole is — the same logical IDs as
 * attestgate's — and then also with one validation plugin that does nothing, as the 1 MB template
 * check is one (aws-cdk-lib builds a tree of the whole app for any plugin). `raw-l1+nested+cached-id`
 * is `raw-l1+nested` with the roles' logical IDs computed once per synth, as AttestedRole's are
 * (withCachedLogicalId): how much of what the wrapper costs is the logical ID's hash, recomputed
 * at every resolution.
 *
 * `raw-l1+gate-metadata` is raw L1 writing what attestgate's templates hold beyond the same
 * resources: each role's `attestgate:gate` metadata (the gate manifest conformance discovery
 * reads, ~0.6 KB per role). The templates then differ only in the generated names of the anchor,
 * CRL and profiles and in logical IDs. `raw-l1+monitoring` writes that metadata too, as the
 * template of `attestgate+monitoring` holds it.
 */
export type Variant =
  | 'raw-l1'
  | 'raw-l1+gate-metadata'
  | 'raw-l1+monitoring'
  | 'attestgate'
  | 'attestgate+monitoring'
  | 'attestgate+checks'
  | 'raw-l1+nested'
  | 'raw-l1+nested+cached-id'
  | 'raw-l1+nested+plugin';

/** Identities per stack above which the app is spread over IdentityStacks (both variants alike). */
export const IDENTITIES_PER_STACK = 125;

/** Roles per Roles Anywhere profile (the quota AttestedProfilePool splits at). */
const ROLES_PER_PROFILE = 250;

/** Roles per EventBridge rule, as IssuanceMonitor writes them. */
const ROLES_PER_RULE = 12;

/** The example's CA and CRL, so both variants carry the same data. */
interface Pki {
  readonly caPem: string;
  readonly crlPem: string;
}

/**
 * Where the gates go: up to IDENTITIES_PER_STACK in one stack with its trust anchor; more over
 * IdentityStacks — each identity in the stack its name hashes to — with the anchor in a base
 * stack, for raw L1 and attestgate alike, so both variants have the same stacks.
 */
interface Layout {
  readonly anchorStack: Stack;
  readonly stackOf: (name: string) => Stack;
}

function layout(app: App, n: number): Layout {
  if (n <= IDENTITIES_PER_STACK) {
    const stack = new Stack(app, 'Bench');
    return { anchorStack: stack, stackOf: () => stack };
  }
  const stacks = new IdentityStacks(app, 'Agents', { stackCount: Math.ceil(n / IDENTITIES_PER_STACK) });
  return { anchorStack: new Stack(app, 'Base'), stackOf: (name) => stacks.stackFor(name) };
}

/** The example scaled to `n` identities behind one trust anchor, written with attestgate. */
function attestgateGates(where: Layout, n: number, { caPem, crlPem }: Pki, monitored: boolean): void {
  const anchor = new AgentTrustAnchor(where.anchorStack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(caPem) });
  anchor.addCrl('Crl', crlPem);
  // One policy object for every role, as an app declaring many identities writes it (creating
  // one per role cost aws-cdk-lib ~0.25 ms each at 1,000).
  const powerUser = iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess');
  for (let i = 0; i < n; i++) {
    const name = `agent-${i}`;
    new AttestedRole(where.stackOf(name), `Agent${i}`, {
      identity: new AgentIdentity({
        name,
        spiffeId: `spiffe://prod.example/agent/${name}`,
        subject: { CN: name, O: 'attestgate examples' },
        issuingCa: ISSUER,
        privilege: PrivilegeTier.HIGH,
        maxCredentialLifetime: Duration.hours(1),
      }),
      trustAnchors: [anchor],
      managedPolicies: [powerUser],
      ...(monitored ? {} : { issuanceMonitoring: SignalMonitoring.disabled('the benchmark compares the gate alone with raw L1') }),
    });
  }
}

/** A construct holding one raw role, as an AttestedRole holds its CfnRole. */
class Nest extends Resource {}

/**
 * The same resources and trust policies, written by hand with L1 constructs: profiles shared by
 * 250 roles; with `nested`, each role inside a construct of its own (see Variant).
 */
function rawGates(where: Layout, n: number, { caPem, crlPem }: Pki, options: { monitored: boolean; nested: boolean; gateMetadata: boolean; cachedLogicalIds: boolean }): void {
  const { monitored, nested } = options;
  const anchor = new CfnTrustAnchor(where.anchorStack, 'Anchor', {
    name: 'agents',
    enabled: true,
    source: { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: caPem } },
    notificationSettings: ['CA_CERTIFICATE_EXPIRY', 'END_ENTITY_CERTIFICATE_EXPIRY'].map((event) => ({ enabled: true, event, threshold: 45, channel: 'ALL' })),
  });
  new CfnCRL(where.anchorStack, 'Crl', { name: 'agents-crl', crlData: crlPem, trustAnchorArn: anchor.attrTrustAnchorArn, enabled: true });
  const rolesOf = new Map<Stack, iam.CfnRole[]>();
  for (let i = 0; i < n; i++) {
    const name = `agent-${i}`;
    const stack = where.stackOf(name);
    const Role = options.cachedLogicalIds ? CachedLogicalIdCfnRole : iam.CfnRole;
    const role = new Role(nested ? new Nest(stack, `Agent${i}`) : stack, nested ? 'Resource' : `Agent${i}`, {
      description: `Attested agent spiffe://prod.example/agent/${name} (high privilege)`,
      maxSessionDuration: 3600,
      managedPolicyArns: [`arn:${stack.partition}:iam::aws:policy/PowerUserAccess`],
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'rolesanywhere.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
            Condition: {
              ArnEquals: { 'aws:SourceArn': anchor.attrTrustAnchorArn },
              StringEquals: {
                'aws:PrincipalTag/x509Subject/CN': name,
                'aws:PrincipalTag/x509Subject/O': 'attestgate examples',
                'aws:PrincipalTag/x509SAN/URI': `spiffe://prod.example/agent/${name}`,
                'aws:PrincipalTag/x509Issuer/CN': ISSUER.CN,
                'aws:PrincipalTag/x509Issuer/O': ISSUER.O,
              },
            },
          },
        ],
      },
    });
    if (options.gateMetadata) {
      role.addMetadata('attestgate:gate', {
        schema: 'attestgate/gate-manifest/v2',
        kind: 'aws-iam-roles-anywhere',
        identity: {
          name,
          spiffeId: `spiffe://prod.example/agent/${name}`,
          subject: { CN: name, O: 'attestgate examples' },
          sanUri: `spiffe://prod.example/agent/${name}`,
          issuingCa: ISSUER,
          privilege: 'high',
          maxCredentialLifetimeSeconds: 3600,
        },
      });
    }
    if (!rolesOf.has(stack)) rolesOf.set(stack, []);
    rolesOf.get(stack)!.push(role);
  }
  for (const [stack, roles] of rolesOf) {
    for (let p = 0; p * ROLES_PER_PROFILE < roles.length; p++) {
      new CfnProfile(stack, `Profile${p}`, {
        name: `${stack.stackName}-agents-${p}`,
        enabled: true,
        roleArns: roles.slice(p * ROLES_PER_PROFILE, (p + 1) * ROLES_PER_PROFILE).map((r) => r.attrArn),
        durationSeconds: 3600,
        acceptRoleSessionName: false,
        attributeMappings: [
          { certificateField: 'x509Subject', mappingRules: [{ specifier: 'CN' }, { specifier: 'O' }] },
          { certificateField: 'x509Issuer', mappingRules: [{ specifier: 'CN' }, { specifier: 'O' }] },
          { certificateField: 'x509SAN', mappingRules: [{ specifier: 'URI' }] },
        ],
      });
    }
    if (monitored) rawMonitoring(stack, roles);
  }
}

const CLOUDTRAIL = 'AWS API Call via CloudTrail';
const ignoringCase = (values: readonly string[]) => values.map((value) => ({ 'equals-ignore-case': value }));
const notByRolesAnywhere = [{ userIdentity: { invokedBy: [{ 'anything-but': 'rolesanywhere.amazonaws.com' }] } }, { userIdentity: { invokedBy: [{ exists: false }] } }];
const IAM_CHANGES = ['UpdateAssumeRolePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'PutRolePolicy', 'DeleteRolePolicy', 'PutRolePermissionsBoundary', 'DeleteRolePermissionsBoundary', 'UpdateRole', 'DeleteRole'];
const RA_CHANGES = ['CreateTrustAnchor', 'UpdateTrustAnchor', 'DeleteTrustAnchor', 'EnableTrustAnchor', 'DisableTrustAnchor', 'CreateProfile', 'UpdateProfile', 'DeleteProfile', 'EnableProfile', 'DisableProfile', 'PutAttributeMapping', 'DeleteAttributeMapping', 'ImportCrl', 'UpdateCrl', 'DeleteCrl', 'EnableCrl', 'DisableCrl', 'PutNotificationSettings', 'ResetNotificationSettings'];

/**
 * The resources IssuanceMonitor and its SignalTopic write for a stack's roles, written by hand
 * with L1 constructs and the same properties: the encrypted topic and its key, the log group of
 * CreateSession records with its resource policy and two metric filters, the account-wide
 * alarm, the Roles Anywhere change rule, four rules per 12 roles and one alarm per role.
 */
function rawMonitoring(stack: Stack, roles: readonly iam.CfnRole[]): void {
  const key = new CfnKey(stack, 'SignalsKey', {
    description: 'attestgate: encrypts the alarm and detection notifications of this stack',
    enableKeyRotation: true,
    keyPolicy: {
      Statement: [
        { Action: 'kms:*', Effect: 'Allow', Principal: { AWS: `arn:${stack.partition}:iam::${stack.account}:root` }, Resource: '*' },
        { Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Effect: 'Allow', Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] }, Resource: '*', Sid: 'AlarmsAndRulesPublish' },
        { Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Resource: '*' },
      ],
      Version: '2012-10-17',
    },
  });
  const topic = new CfnTopic(stack, 'SignalsTopic', { displayName: 'attestgate signals', kmsMasterKeyId: key.attrArn });
  new CfnTopicPolicy(stack, 'SignalsTopicPolicy', {
    topics: [topic.ref],
    policyDocument: {
      Statement: [
        { Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Effect: 'Deny', Principal: '*', Resource: topic.ref, Sid: 'AllowPublishThroughSSLOnly' },
        { Action: 'sns:Publish', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Resource: topic.ref, Sid: '1' },
      ],
      Version: '2012-10-17',
    },
  });
  const log = new CfnLogGroup(stack, 'CreateSessionLog', { logGroupName: `/aws/events/attestgate/${stack.stackName}/create-session`, retentionInDays: 365 });
  new CfnResourcePolicy(stack, 'CreateSessionLogPolicy', {
    policyName: `${stack.stackName}CreateSessionLogPolicy`,
    policyDocument: stack.toJsonString({
      Statement: [{ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Resource: log.attrArn }],
      Version: '2012-10-17',
    }),
  });
  const dimensions = [{ key: 'RoleArn', value: '$.detail.requestParameters.roleArn' }];
  new CfnMetricFilter(stack, 'Calls', {
    logGroupName: log.ref,
    filterPattern: '{ $.detail.eventName = "CreateSession" }',
    metricTransformations: [{ metricNamespace: 'attestgate/IssuanceMonitor', metricName: 'CreateSessionCalls', metricValue: '1', dimensions }],
  });
  new CfnMetricFilter(stack, 'Failures', {
    logGroupName: log.ref,
    filterPattern: '{ ($.detail.eventName = "CreateSession") && ($.detail.errorCode = "*") }',
    metricTransformations: [{ metricNamespace: 'attestgate/IssuanceMonitor', metricName: 'CreateSessionFailures', metricValue: '1', dimensions }],
  });
  new CfnAlarm(stack, 'AccountFailureAlarm', {
    alarmDescription:
      'attestgate: Roles Anywhere refused CreateSession in this account and Region (AWS/RolesAnywhere Failure). Someone presented a certificate that is not attested: wrong CA, revoked, expired, or a bad signature.',
    metrics: [{ id: 'expr_1', label: 'Roles Anywhere CreateSession failures', period: 300, expression: `SELECT SUM(Failure) FROM SCHEMA("AWS/RolesAnywhere", ErrorType, Operation) WHERE Operation = 'CreateSession'`, returnData: true }],
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
    alarmActions: [topic.ref],
  });
  const toTopic = [{ arn: topic.ref, id: 'Target0' }];
  const state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
  new CfnRule(stack, 'RolesAnywhereChanged', {
    description: 'attestgate: a Roles Anywhere trust anchor, profile, attribute mapping, CRL or notification setting changed',
    eventPattern: { source: ['aws.rolesanywhere'], 'detail-type': [CLOUDTRAIL], detail: { eventSource: ['rolesanywhere.amazonaws.com'], eventName: RA_CHANGES } },
    state,
    targets: toTopic,
  });
  const logArn = `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${log.ref}`;
  for (let c = 0; c * ROLES_PER_RULE < roles.length; c++) {
    const chunk = roles.slice(c * ROLES_PER_RULE, (c + 1) * ROLES_PER_RULE);
    const arns = ignoringCase(chunk.map((r) => r.attrArn));
    const assume = (exists: boolean) => ({
      source: ['aws.sts'],
      'detail-type': [CLOUDTRAIL],
      detail: { eventSource: ['sts.amazonaws.com'], eventName: [{ prefix: 'AssumeRole' }], requestParameters: { roleArn: arns }, errorCode: [{ exists }], $or: notByRolesAnywhere },
    });
    new CfnRule(stack, `Roles${c}UnattestedIssuance`, { description: 'attestgate: credentials were issued for a gated role without Roles Anywhere — no certificate was checked', eventPattern: assume(false), state, targets: toTopic });
    new CfnRule(stack, `Roles${c}UnattestedAttempt`, { description: 'attestgate: someone tried to assume a gated role without Roles Anywhere (denied)', eventPattern: assume(true), state, targets: toTopic });
    new CfnRule(stack, `Roles${c}GatedRoleChanged`, {
      description: 'attestgate: the trust policy, permissions or session length of a gated role changed',
      eventPattern: { source: ['aws.iam'], 'detail-type': [CLOUDTRAIL], detail: { eventSource: ['iam.amazonaws.com'], eventName: IAM_CHANGES, requestParameters: { roleName: ignoringCase(chunk.map((r) => r.ref)) } } },
      state,
      targets: toTopic,
    });
    new CfnRule(stack, `Roles${c}CreateSessionRecords`, {
      description: 'attestgate: CreateSession records of gated roles, for the per-identity failure metrics',
      eventPattern: { source: ['aws.rolesanywhere'], 'detail-type': [CLOUDTRAIL], detail: { eventSource: ['rolesanywhere.amazonaws.com'], eventName: ['CreateSession'], requestParameters: { roleArn: arns } } },
      state,
      targets: [{ arn: logArn, id: 'Target0' }],
    });
  }
  for (const role of roles) {
    // Named as IssuanceMonitor names it. (It was the role's unresolved logical ID — a token whose
    // number depended on what else the process had synthesized, so the alarms' IDs were not stable.)
    new CfnAlarm(stack, `FailureAlarm${Names.uniqueId(role)}`, {
      alarmDescription: `attestgate: Roles Anywhere refused CreateSession for ${role.attrArn}: a certificate for this identity was refused (wrong CA, revoked, expired, wrong subject) — a stolen or forged credential may be being tried.`,
      namespace: 'attestgate/IssuanceMonitor',
      metricName: 'CreateSessionFailures',
      dimensions: [{ name: 'RoleArn', value: role.attrArn }],
      statistic: 'Sum',
      period: 300,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [topic.ref],
    });
  }
}

/** Builds and synthesizes one app; returns the number of resources written over its stacks. */
export function synthesize(variant: Variant, n: number, outdir: string, repoRoot: string): number {
  const dir = path.join(repoRoot, 'examples/aws/pki');
  const pki = { caPem: fs.readFileSync(path.join(dir, 'example-ca.pem'), 'utf8'), crlPem: fs.readFileSync(path.join(dir, 'example-ca.crl.pem'), 'utf8') };
  const app = new App({ outdir });
  if (variant === 'attestgate+checks') Validations.of(app).addPlugins(new AttestationChecks());
  if (variant === 'raw-l1+nested+plugin') Validations.of(app).addPlugins({ name: 'noop', validate: () => ({ success: true, violations: [] }) });
  const where = layout(app, n);
  if (variant.startsWith('raw-l1')) {
    rawGates(where, n, pki, {
      monitored: variant === 'raw-l1+monitoring',
      nested: variant.startsWith('raw-l1+nested'),
      gateMetadata: variant === 'raw-l1+gate-metadata' || variant === 'raw-l1+monitoring',
      cachedLogicalIds: variant === 'raw-l1+nested+cached-id',
    });
  } else attestgateGates(where, n, pki, variant !== 'attestgate');
  const assembly = app.synth();
  return assembly.stacks.reduce((sum, stack) => sum + Object.keys(stack.template.Resources ?? {}).length, 0);
}
