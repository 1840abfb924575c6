import { IntrinsicContext, Value, isConcrete, isSymbol, isSymbolicString, resolveIntrinsics } from '../../lib/model/aws/intrinsics';
import { TemplateModel, TemplateResource } from '../../lib/model/aws/template';
import { EventPatternError, matchesEventPattern } from '../../lib/model/aws/event-pattern';
import { Advisory } from '../engine/report';
import { AwsGate } from './discover-gates';

/** Stand-ins for the gate role's name and ARN, so rule patterns can be evaluated before deploy. */
const ROLE_NAME = 'attestgate-gate-role';
const ROLE_ARN = `arn:aws:iam::111122223333:role/${ROLE_NAME}`;

/**
 * Detection signals of an AWS gate, as advisories: probes prove issuance fails; these say whether
 * an attack would be seen. Read from the template, so they work for signals written without
 * attestgate too — a rule, alarm or function counts when it refers to the gate's resources.
 */

/** Whether a resolved value refers to a resource of the template (Ref, GetAtt, or inside Sub/Join). */
export function refersTo(value: Value | undefined, logicalId: string): boolean {
  if (value === undefined || value === null) return false;
  if (isSymbol(value)) return value.symbolic === 'ref' && value.logicalId === logicalId;
  if (isSymbolicString(value)) return value.parts.some((p) => typeof p !== 'string' && p.symbolic === 'ref' && p.logicalId === logicalId);
  if (Array.isArray(value)) return value.some((v) => refersTo(v, logicalId));
  if (typeof value === 'object') return Object.values(value).some((v) => refersTo(v, logicalId));
  return false;
}

const enabled = (rule: TemplateResource) => rule.properties.State !== 'DISABLED' && Array.isArray(rule.properties.Targets) && rule.properties.Targets.length > 0;

/**
 * Enabled EventBridge rules with targets that match a CloudTrail event about the gate's role.
 * Each pattern is resolved with the role's name and ARN replaced by stand-ins and evaluated with
 * the EventBridge matcher: a rule counts because it would fire, not because it mentions names.
 */
function rulesMatching(model: TemplateModel, roleLogicalId: string, event: Record<string, unknown>): TemplateResource[] {
  const ctx: IntrinsicContext = {
    ...model.context,
    ref: (name) => (name === roleLogicalId ? ROLE_NAME : model.context.ref(name)),
    getAtt: (logicalId, attribute) => (logicalId === roleLogicalId && attribute === 'Arn' ? ROLE_ARN : model.context.getAtt(logicalId, attribute)),
  };
  return model.resourcesOfType('AWS::Events::Rule').filter((rule) => {
    const raw = (model.template.Resources?.[rule.logicalId]?.Properties as { EventPattern?: unknown } | undefined)?.EventPattern;
    const pattern = resolveIntrinsics(typeof raw === 'string' ? JSON.parse(raw) : raw, ctx);
    if (!enabled(rule) || !isConcrete(pattern)) return false;
    try {
      return matchesEventPattern(pattern, event);
    } catch (e) {
      if (e instanceof EventPatternError) return false;
      throw e;
    }
  });
}

/** A CloudTrail event as EventBridge delivers it ("AWS API Call via CloudTrail"). */
function cloudTrailEvent(service: 'sts' | 'iam', eventName: string, requestParameters: Record<string, unknown>): Record<string, unknown> {
  return {
    source: `aws.${service}`,
    'detail-type': 'AWS API Call via CloudTrail',
    detail: {
      eventSource: `${service}.amazonaws.com`,
      eventName,
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/someone', accountId: '111122223333' },
      requestParameters,
    },
  };
}

/** The advisories of one gate. */
export function awsAdvisoriesOf(model: TemplateModel, gate: AwsGate): Advisory[] {
  const role = gate.role.logicalId;
  const advisory = (id: string, title: string, found: TemplateResource[], present: string, absent: string): Advisory => ({
    id,
    gate: gate.id,
    title,
    present: found.length > 0,
    detail: found.length > 0 ? `${present}: ${found.map((r) => r.logicalId).join(', ')}` : absent,
  });

  const issuance = rulesMatching(model, role, cloudTrailEvent('sts', 'AssumeRole', { roleArn: ROLE_ARN, roleSessionName: 'stolen-key' }));
  const changes = rulesMatching(model, role, cloudTrailEvent('iam', 'UpdateAssumeRolePolicy', { roleName: ROLE_NAME, policyDocument: '{}' }));
  const alarms = model.resourcesOfType('AWS::CloudWatch::Alarm').filter((a) => refersTo(a.properties.Dimensions, role) || refersTo(a.properties.Metrics, role));

  const crls = gate.trustAnchors.flatMap((a) => a.crls.map((c) => c.logicalId));
  const updaters = model.resourcesOfType('AWS::Lambda::Function').filter((f) => crls.some((crl) => refersTo(f.properties.Environment, crl)));
  const scheduled = updaters.filter((f) =>
    [...model.resourcesOfType('AWS::Scheduler::Schedule'), ...model.resourcesOfType('AWS::Events::Rule')].some(
      (s) => (s.type === 'AWS::Scheduler::Schedule' || s.properties.ScheduleExpression !== undefined) && refersTo(s.properties.Target ?? s.properties.Targets, f.logicalId),
    ),
  );

  return [
    advisory('ADV-AWS-001', 'Credentials issued without the certificate are alerted', issuance, 'EventBridge rule on AssumeRole of the role', 'no enabled EventBridge rule watches AssumeRole* of this role (add IssuanceMonitor; it needs a CloudTrail trail)'),
    advisory('ADV-AWS-002', 'Changes to the trust policy are alerted', changes, 'EventBridge rule on IAM role changes', 'no enabled EventBridge rule watches UpdateAssumeRolePolicy and other IAM changes of this role'),
    advisory('ADV-AWS-003', 'Failed issuance for this identity is alarmed', alarms, 'CloudWatch alarm on the role', 'no CloudWatch alarm refers to this role (per-identity CreateSession failures)'),
    advisory('ADV-AWS-004', 'Revocation is kept fresh', scheduled, 'scheduled CRL import function', crls.length === 0 ? 'the trust anchor has no CRL to keep fresh' : 'no scheduled function updates the CRL (add CrlImportSchedule)'),
  ];
}
