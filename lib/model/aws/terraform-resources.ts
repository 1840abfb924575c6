import { TerraformModel, TerraformResource, block, blocks } from '../terraform/configuration';
import { Value, describeValue, isConcrete, isSymbol, isSymbolicString } from '../terraform/expressions';
import { AFTER_APPLY_INTRINSIC } from './intrinsics';

/**
 * AWS resources of a Terraform plan or state (the AWS provider's `aws_rolesanywhere_*` and
 * `aws_iam_*`, the Cloud Control provider's `awscc_rolesanywhere_crl`, which the AWS provider
 * lacks), written as the CloudFormation resources they are — so the AWS rules, gate discovery,
 * issuance paths and the emulator judge them through the one AWS model, exactly as a template.
 *
 * Logical IDs are the Terraform addresses, so findings name the resource the user wrote. An ARN
 * that is another translated resource's (a profile's `role_arns`, a trust policy's
 * `aws:SourceArn`) becomes the Fn::GetAtt CloudFormation would have, because that is how the model
 * knows which anchor a role is pinned to. Attachments and inline-policy resources are folded into
 * their role, as CloudFormation writes them. A value the plan knows only after apply stays unknown.
 *
 * Read from plans and states, whose values are literal; a Terraform JSON configuration of AWS
 * resources (templates and references) is not translated.
 */

/** The CloudFormation types, and the attribute an ARN of each is read from. */
const TYPES = {
  aws_iam_role: { type: 'AWS::IAM::Role', arnAttribute: 'Arn' },
  aws_iam_policy: { type: 'AWS::IAM::ManagedPolicy', arnAttribute: undefined },
  aws_rolesanywhere_trust_anchor: { type: 'AWS::RolesAnywhere::TrustAnchor', arnAttribute: 'TrustAnchorArn' },
  aws_rolesanywhere_profile: { type: 'AWS::RolesAnywhere::Profile', arnAttribute: 'ProfileArn' },
  awscc_rolesanywhere_crl: { type: 'AWS::RolesAnywhere::CRL', arnAttribute: 'CrlArn' },
} as const;

type Json = Record<string, unknown>;

/** Whether a Terraform model holds AWS resources this reads. */
export function hasTranslatableAwsResources(model: TerraformModel): boolean {
  return model.origin !== 'configuration' && model.resources.some((r) => r.mode === 'managed' && (r.type in TYPES || r.type === 'aws_iam_role_policy' || r.type === 'aws_iam_role_policy_attachment'));
}

/** A value as template JSON: literals as they are, an unknown as the marker intrinsic that keeps its reason. */
function json(value: Value | undefined): unknown {
  if (value === undefined) return undefined;
  if (isSymbol(value) || isSymbolicString(value)) return { [AFTER_APPLY_INTRINSIC]: describeValue(value) };
  if (Array.isArray(value)) return value.map(json);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, json(v)]));
  return value;
}

/** A policy document: the JSON text Terraform stores, parsed; unknown or unparsable text stays a marker. */
function policyDocument(value: Value | undefined, where: string): unknown {
  if (typeof value !== 'string') return json(value);
  try {
    return JSON.parse(value);
  } catch {
    return { [AFTER_APPLY_INTRINSIC]: `${where}, which is not a JSON policy document` };
  }
}

const text = (value: Value | undefined): string | undefined => (typeof value === 'string' ? value : undefined);
const strings = (value: Value | undefined): Value[] => (Array.isArray(value) ? value : []);

function without<T extends Json>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

function trustAnchor(r: TerraformResource): Json {
  const source = block(r.attributes.source);
  const data = block(source?.source_data);
  return without({
    Name: json(r.attributes.name),
    Enabled: json(r.attributes.enabled),
    Source: source
      ? without({ SourceType: json(source.source_type), SourceData: data ? without({ X509CertificateData: json(data.x509_certificate_data), AcmPcaArn: json(data.acm_pca_arn) }) : undefined })
      : undefined,
  });
}

function profile(r: TerraformResource): Json {
  const a = r.attributes;
  return without({
    Name: json(a.name),
    Enabled: json(a.enabled),
    DurationSeconds: json(a.duration_seconds),
    RoleArns: json(a.role_arns),
    ManagedPolicyArns: json(a.managed_policy_arns),
    SessionPolicy: typeof a.session_policy === 'string' && a.session_policy !== '' ? a.session_policy : undefined,
    RequireInstanceProperties: json(a.require_instance_properties),
    AcceptRoleSessionName: json(a.accept_role_session_name),
  });
}

function crl(r: TerraformResource): Json {
  const a = r.attributes;
  return without({ Name: json(a.name), CrlData: json(a.crl_data), TrustAnchorArn: json(a.trust_anchor_arn), Enabled: json(a.enabled) });
}

/** Whether an attachment or inline-policy resource's `role` names this role (by name, or by ARN/ID). */
function namesRole(value: Value | undefined, role: TerraformResource): boolean {
  const reference = text(value);
  if (reference === undefined) return false;
  return [role.attributes.name, role.attributes.id, role.attributes.arn].some((v) => typeof v === 'string' && v === reference);
}

function role(r: TerraformResource, model: TerraformModel): Json {
  const a = r.attributes;
  const attached = model.resourcesOfType('aws_iam_role_policy_attachment').filter((p) => namesRole(p.attributes.role, r));
  const inline = model.resourcesOfType('aws_iam_role_policy').filter((p) => namesRole(p.attributes.role, r));
  const managed = [...strings(a.managed_policy_arns), ...attached.map((p) => p.attributes.policy_arn)].filter((v): v is Value => v !== undefined);
  const policies = [
    ...blocks(a.inline_policy)
      .filter((p) => p.policy !== undefined && p.policy !== '')
      .map((p) => ({ PolicyName: json(p.name), PolicyDocument: policyDocument(p.policy, `${r.address}.inline_policy`) })),
    ...inline.map((p) => ({ PolicyName: json(p.attributes.name), PolicyDocument: policyDocument(p.attributes.policy, `${p.address}.policy`) })),
  ];
  return without({
    RoleName: json(a.name),
    Path: json(a.path),
    AssumeRolePolicyDocument: policyDocument(a.assume_role_policy, `${r.address}.assume_role_policy`),
    MaxSessionDuration: json(a.max_session_duration),
    PermissionsBoundary: typeof a.permissions_boundary === 'string' && a.permissions_boundary !== '' ? a.permissions_boundary : undefined,
    ManagedPolicyArns: managed.length > 0 ? [...new Map(managed.map((m) => [JSON.stringify(json(m)), json(m)])).values()] : undefined,
    Policies: policies.length > 0 ? policies : undefined,
  });
}

/** A customer managed policy, with the roles its attachments name (as CloudFormation's `Roles`). */
function managedPolicy(r: TerraformResource, model: TerraformModel): Json {
  const roles = model
    .resourcesOfType('aws_iam_role_policy_attachment')
    .filter((p) => typeof r.attributes.arn === 'string' && p.attributes.policy_arn === r.attributes.arn)
    .map((p) => model.resourcesOfType('aws_iam_role').find((role) => namesRole(p.attributes.role, role)))
    .filter((role): role is TerraformResource => role !== undefined)
    .map((role) => ({ Ref: role.address }));
  return without({ ManagedPolicyName: json(r.attributes.name), PolicyDocument: policyDocument(r.attributes.policy, `${r.address}.policy`), Roles: roles.length > 0 ? roles : undefined });
}

/** Replaces every string equal to a translated resource's ARN by the Fn::GetAtt that yields it. */
function linkArns(value: unknown, arns: ReadonlyMap<string, unknown>): unknown {
  if (typeof value === 'string') return arns.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => linkArns(v, arns));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, linkArns(v, arns)]));
  return value;
}

/**
 * The CloudFormation template the model's AWS resources are.
 *
 * @returns undefined when the model has none
 */
export function templateOfTerraformAws(model: TerraformModel): { Resources: Record<string, { Type: string; Properties: Json }> } | undefined {
  if (!hasTranslatableAwsResources(model)) return undefined;
  const resources: Record<string, { Type: string; Properties: Json }> = {};
  const arns = new Map<string, unknown>();
  for (const r of model.resources) {
    if (r.mode !== 'managed' || !(r.type in TYPES)) continue;
    const { type, arnAttribute } = TYPES[r.type as keyof typeof TYPES];
    const properties =
      r.type === 'aws_iam_role'
        ? role(r, model)
        : r.type === 'aws_iam_policy'
          ? managedPolicy(r, model)
          : r.type === 'aws_rolesanywhere_trust_anchor'
            ? trustAnchor(r)
            : r.type === 'aws_rolesanywhere_profile'
              ? profile(r)
              : crl(r);
    resources[r.address] = { Type: type, Properties: properties };
    if (arnAttribute && typeof r.attributes.arn === 'string' && isConcrete(r.attributes.arn)) arns.set(r.attributes.arn, { 'Fn::GetAtt': [r.address, arnAttribute] });
  }
  for (const resource of Object.values(resources)) resource.Properties = linkArns(resource.Properties, arns) as Json;
  return { Resources: resources };
}
