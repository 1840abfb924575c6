import { TerraformModel, TerraformResource, block, blocks } from '../terraform/configuration';
import { SymbolicString, Value, describeValue, isConcrete, isSymbol, isSymbolicString } from '../terraform/expressions';
import { renderPolicyDocument, unresolved, without } from './terraform-policy-document';

/**
 * AWS resources of a Terraform plan, state or JSON configuration (`*.tf.json`, cdktf's
 * `cdk.tf.json`) — the AWS provider's `aws_rolesanywhere_*` and `aws_iam_*`, the Cloud Control
 * provider's `awscc_rolesanywhere_crl`, which the AWS provider lacks — written as the
 * CloudFormation resources they are, so the AWS rules, gate discovery, issuance paths and the
 * emulator judge them through the one AWS model, exactly as a template.
 *
 * Logical IDs are the Terraform addresses, so findings name the resource the user wrote. A
 * reference to a translated resource becomes what CloudFormation would have written:
 * `${aws_iam_role.x.arn}` is `Fn::GetAtt [x, Arn]`, `${aws_iam_role.x.name}` is `Ref x`, and in a
 * plan or state an ARN equal to a translated resource's is the same Fn::GetAtt — that is how the
 * model knows which anchor a role is pinned to and which profile lists it. The account, partition
 * and region data sources become CloudFormation's pseudo parameters. A configuration's
 * `data.aws_iam_policy_document` is rendered as the provider renders it
 * (terraform-policy-document.ts); a JSON policy written as a string with interpolations is read
 * with each interpolation in place. Attachments and inline-policy resources are folded into their
 * role, as CloudFormation writes them. Anything else — a variable, a value known only after
 * apply, another resource's attribute, an expression — stays unknown with its reason, never a value.
 *
 * A block repeated by `count` or `for_each` in a configuration is read as one resource: its
 * instances share their configuration (what differs per instance, `count.index` and `each.*`, is
 * unknown), and a reference to one instance is a reference to the block. A plan lists every instance.
 */

/** How CloudFormation refers to an attribute of each translated type (Ref or Fn::GetAtt). */
const REF = { ref: true } as const;
const getAtt = (attribute: string) => ({ getAtt: attribute }) as const;
type Reference = typeof REF | ReturnType<typeof getAtt>;

/** The CloudFormation types, and what each attribute a reference may name is in CloudFormation. */
const TYPES: Readonly<Record<string, { readonly type: string; readonly attributes: Readonly<Record<string, Reference>> }>> = {
  // The AWS provider's role `id` and `name` are the role name: CloudFormation's Ref.
  aws_iam_role: { type: 'AWS::IAM::Role', attributes: { arn: getAtt('Arn'), name: REF, id: REF, unique_id: getAtt('RoleId') } },
  // A managed policy's `id` is its ARN, CloudFormation's Ref.
  aws_iam_policy: { type: 'AWS::IAM::ManagedPolicy', attributes: { arn: REF, id: REF } },
  aws_rolesanywhere_trust_anchor: { type: 'AWS::RolesAnywhere::TrustAnchor', attributes: { arn: getAtt('TrustAnchorArn'), id: getAtt('TrustAnchorId') } },
  aws_rolesanywhere_profile: { type: 'AWS::RolesAnywhere::Profile', attributes: { arn: getAtt('ProfileArn'), id: getAtt('ProfileId') } },
  awscc_rolesanywhere_crl: { type: 'AWS::RolesAnywhere::CRL', attributes: { arn: getAtt('CrlArn'), crl_id: getAtt('CrlId'), id: getAtt('CrlId') } },
};

/** Data sources whose attribute is a CloudFormation pseudo parameter. */
const PSEUDO_PARAMETERS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  aws_caller_identity: { account_id: 'AWS::AccountId' },
  aws_partition: { partition: 'AWS::Partition', dns_suffix: 'AWS::URLSuffix' },
  aws_region: { name: 'AWS::Region', region: 'AWS::Region' },
};

const POLICY_DOCUMENT = 'aws_iam_policy_document';

/** Resources folded into their role (or policy), not translated themselves. */
const FOLDED = new Set(['aws_iam_role_policy', 'aws_iam_role_policy_attachment']);

type Json = Record<string, unknown>;

/** Whether a Terraform model holds AWS resources this reads. */
export function hasTranslatableAwsResources(model: TerraformModel): boolean {
  return model.resources.some((r) => r.mode === 'managed' && (r.type in TYPES || FOLDED.has(r.type)));
}

const text = (value: Value | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/** A placeholder for an interpolation inside JSON policy text, which JSON.parse keeps inside its string. */
const PLACEHOLDER = (i: number) => `@@attestgate-interpolation-${i}@@`;
const PLACEHOLDERS = /@@attestgate-interpolation-(\d+)@@/g;

/**
 * One translation of a model's AWS resources: how its values become template JSON. Shared by
 * plans, states and configurations; in a plan or state the values are literal, so only unknowns
 * and the references linkIdentifiers found become anything but themselves.
 */
class Translation {
  private readonly rendering = new Set<string>();
  private readonly rendered = new Map<string, unknown>();

  constructor(private readonly model: TerraformModel) {}

  /** A reference to a translated resource (by its block, for a repeated one) as Ref / Fn::GetAtt; else an unknown. */
  private reference(symbol: { address: string; attribute?: string }): unknown {
    const target = this.model.resource(symbol.address);
    let steps = symbol.attribute === undefined ? [] : symbol.attribute.split('.');
    // `x[0].arn` / `x["k"].arn` of a repeated block reads `0.arn` / `k.arn`: the block's `arn`.
    if (target?.repetition && steps.length > 1) steps = steps.slice(1);
    const attribute = steps.join('.');
    const describe = () => `${symbol.address}${symbol.attribute ? `.${symbol.attribute}` : ''}`;
    if (!target) return unresolved(describe());
    if (target.mode === 'data') {
      const pseudo = PSEUDO_PARAMETERS[target.type]?.[attribute];
      if (pseudo) return { Ref: pseudo };
      if (target.type === POLICY_DOCUMENT && (attribute === 'json' || attribute === 'minified_json')) {
        return unresolved(`${describe()}, a rendered policy document where a plain string is read`);
      }
      return unresolved(`${describe()}, an attribute of a data source read at plan`);
    }
    const kind = target.type in TYPES ? TYPES[target.type].attributes[attribute] : undefined;
    if (kind && 'ref' in kind) return { Ref: target.address };
    if (kind) return { 'Fn::GetAtt': [target.address, kind.getAtt] };
    return unresolved(this.model.origin === 'configuration' ? `${describe()}, known only after apply` : describe());
  }

  /** A value as template JSON: literals as they are, references as CloudFormation's, unknowns as the marker that keeps their reason. */
  public value = (value: Value | undefined): unknown => {
    if (value === undefined) return undefined;
    if (isSymbol(value)) {
      if (value.symbolic === 'ref') return this.reference(value);
      if (value.symbolic === 'variable') return unresolved(`var.${value.name}, an input variable set at plan`);
      return unresolved(value.reason);
    }
    if (isSymbolicString(value)) {
      if (this.model.origin !== 'configuration') return unresolved(describeValue(value));
      return { 'Fn::Join': ['', value.parts.map((p) => (typeof p === 'string' ? p : this.value(p)))] };
    }
    if (Array.isArray(value)) return value.map(this.value);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(v)]));
    return value;
  };

  /**
   * A policy document: the JSON text Terraform stores, parsed (with its interpolations in place);
   * a configuration's `data.aws_iam_policy_document` rendered; anything else an unknown with why.
   */
  public policyDocument = (value: Value | undefined, where: string): unknown => {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') {
      try {
        return JSON.parse(value);
      } catch {
        return unresolved(`${where}, which is not a JSON policy document`);
      }
    }
    if (isSymbol(value) && value.symbolic === 'ref') {
      const target = this.model.resource(value.address);
      const attribute = (value.attribute ?? '').split('.');
      const field = target?.repetition && attribute.length > 1 ? attribute.slice(1).join('.') : attribute.join('.');
      if (target?.mode === 'data' && target.type === POLICY_DOCUMENT && (field === 'json' || field === 'minified_json')) return this.renderDocument(target);
    }
    if (isSymbolicString(value) && this.model.origin === 'configuration') return this.interpolatedJson(value, where);
    // A plan's value known only after apply already says which attribute it is.
    if (isSymbol(value) && value.symbolic === 'unknown' && this.model.origin !== 'configuration') return unresolved(value.reason);
    if (isSymbol(value) || isSymbolicString(value)) return unresolved(`${where} is ${describeValue(value)}`);
    return this.value(value);
  };

  /** A data source's rendered document, once per data source (a reference cycle is refused by TerraformModel.parse). */
  private renderDocument(data: TerraformResource): unknown {
    if (this.rendered.has(data.address)) return this.rendered.get(data.address);
    if (this.rendering.has(data.address)) return unresolved(`${data.address}, which merges itself`);
    this.rendering.add(data.address);
    const document = renderPolicyDocument(data, { where: this.model.name, templateValue: this.value, documentOf: this.policyDocument });
    this.rendering.delete(data.address);
    this.rendered.set(data.address, document);
    return document;
  }

  /** JSON policy text with interpolations: parsed with a placeholder for each, then each put back in its string. */
  private interpolatedJson(value: SymbolicString, where: string): unknown {
    const symbols: unknown[] = [];
    const textWith = value.parts.map((p) => (typeof p === 'string' ? p : PLACEHOLDER(symbols.push(this.value(p)) - 1))).join('');
    let parsed: unknown;
    try {
      parsed = JSON.parse(textWith);
    } catch {
      return unresolved(`${where} is ${describeValue(value)}, JSON text whose interpolations are not inside its strings`);
    }
    const restore = (node: unknown): unknown => {
      if (typeof node === 'string') {
        const pieces = node.split(PLACEHOLDERS);
        if (pieces.length === 1) return node;
        // split with a capture group alternates literal text and placeholder indices.
        const parts = pieces.map((piece, i) => (i % 2 === 0 ? piece : symbols[Number(piece)])).filter((part) => part !== '');
        return parts.length === 1 ? parts[0] : { 'Fn::Join': ['', parts] };
      }
      if (Array.isArray(node)) return node.map(restore);
      if (node !== null && typeof node === 'object') {
        const entries = Object.entries(node).map(([k, v]) => [k, restore(v)] as const);
        if (entries.some(([k]) => k.includes('@@attestgate-interpolation-'))) return unresolved(`${where} is ${describeValue(value)}, JSON text with an interpolation in a key`);
        return Object.fromEntries(entries);
      }
      return node;
    };
    return restore(parsed);
  }

  /** Whether an attachment's or inline policy's `role` names this role: a reference to it, or its literal name, ID or ARN. */
  public namesRole(value: Value | undefined, role: TerraformResource): boolean {
    if (isSymbol(value) && value.symbolic === 'ref') return value.address === role.address && ['name', 'id', 'arn'].includes(value.attribute?.split('.').pop() ?? '');
    const reference = text(value);
    if (reference === undefined) return false;
    return [role.attributes.name, role.attributes.id, role.attributes.arn].some((v) => typeof v === 'string' && v === reference);
  }
}

function trustAnchor(r: TerraformResource, t: Translation): Json {
  const source = block(r.attributes.source);
  const data = block(source?.source_data);
  return without({
    Name: t.value(r.attributes.name),
    Enabled: t.value(r.attributes.enabled),
    Source: source
      ? without({ SourceType: t.value(source.source_type), SourceData: data ? without({ X509CertificateData: t.value(data.x509_certificate_data), AcmPcaArn: t.value(data.acm_pca_arn) }) : undefined })
      : undefined,
  });
}

function profile(r: TerraformResource, t: Translation): Json {
  const a = r.attributes;
  return without({
    Name: t.value(a.name),
    Enabled: t.value(a.enabled),
    DurationSeconds: t.value(a.duration_seconds),
    RoleArns: t.value(a.role_arns),
    ManagedPolicyArns: t.value(a.managed_policy_arns),
    SessionPolicy: a.session_policy === undefined || a.session_policy === '' ? undefined : typeof a.session_policy === 'string' ? a.session_policy : t.value(a.session_policy),
    RequireInstanceProperties: t.value(a.require_instance_properties),
    AcceptRoleSessionName: t.value(a.accept_role_session_name),
  });
}

function crl(r: TerraformResource, t: Translation): Json {
  const a = r.attributes;
  return without({ Name: t.value(a.name), CrlData: t.value(a.crl_data), TrustAnchorArn: t.value(a.trust_anchor_arn), Enabled: t.value(a.enabled) });
}

function role(r: TerraformResource, model: TerraformModel, t: Translation): Json {
  const a = r.attributes;
  const attached = model.resourcesOfType('aws_iam_role_policy_attachment').filter((p) => t.namesRole(p.attributes.role, r));
  const inline = model.resourcesOfType('aws_iam_role_policy').filter((p) => t.namesRole(p.attributes.role, r));
  // An attachment or inline policy whose role is not known before apply (a variable, a module's
  // output) may attach to this role: what it grants is an unknown here, never nothing.
  const mayAttach = (p: TerraformResource) => isRoleUnknown(p.attributes.role);
  const maybeAttached = model.resourcesOfType('aws_iam_role_policy_attachment').filter(mayAttach).map((p) => unresolved(`${p.address} (${describeValue(p.attributes.policy_arn)}) attaches to role ${describeValue(p.attributes.role)}, which may be this one`));
  const maybeInline = model
    .resourcesOfType('aws_iam_role_policy')
    .filter(mayAttach)
    .map((p) => ({ PolicyName: t.value(p.attributes.name), PolicyDocument: unresolved(`${p.address} is an inline policy of role ${describeValue(p.attributes.role)}, which may be this one`) }));
  // managed_policy_arns written as one expression (a variable) is one unknown entry, not dropped.
  const declared = a.managed_policy_arns === undefined || a.managed_policy_arns === null ? [] : Array.isArray(a.managed_policy_arns) ? a.managed_policy_arns : [a.managed_policy_arns];
  // A customer managed policy of the model lists its roles (managedPolicy below), as CloudFormation
  // writes it; listing it here as well would make the two refer to each other.
  const ofModel = (arn: Value | undefined) => model.resourcesOfType('aws_iam_policy').some((policy) => namesPolicy(arn, policy));
  const managed = [...[...declared, ...attached.map((p) => p.attributes.policy_arn).filter((arn) => !ofModel(arn))].filter((v): v is Value => v !== undefined).map(t.value), ...maybeAttached];
  const policies = [
    ...blocks(a.inline_policy)
      .filter((p) => p.policy !== undefined && p.policy !== '')
      .map((p) => ({ PolicyName: t.value(p.name), PolicyDocument: t.policyDocument(p.policy, `${r.address}.inline_policy`) })),
    ...inline.map((p) => ({ PolicyName: t.value(p.attributes.name), PolicyDocument: t.policyDocument(p.attributes.policy, `${p.address}.policy`) })),
    ...maybeInline,
  ];
  return without({
    RoleName: t.value(a.name),
    Path: t.value(a.path),
    AssumeRolePolicyDocument: t.policyDocument(a.assume_role_policy, `${r.address}.assume_role_policy`),
    MaxSessionDuration: t.value(a.max_session_duration),
    PermissionsBoundary: a.permissions_boundary === undefined || a.permissions_boundary === '' ? undefined : t.value(a.permissions_boundary),
    ManagedPolicyArns: managed.length > 0 ? [...new Map(managed.map((m) => [JSON.stringify(m), m])).values()] : undefined,
    Policies: policies.length > 0 ? policies : undefined,
  });
}

/** Whether an attachment's `role` is not known before apply: neither a literal nor a reference to a resource of the input. */
function isRoleUnknown(value: Value | undefined): boolean {
  return (isSymbol(value) && value.symbolic !== 'ref') || isSymbolicString(value);
}

/** Whether an attachment's `policy_arn` is this policy: a reference to it, or its literal ARN. */
function namesPolicy(value: Value | undefined, policy: TerraformResource): boolean {
  if (isSymbol(value) && value.symbolic === 'ref') return value.address === policy.address;
  return typeof value === 'string' && typeof policy.attributes.arn === 'string' && value === policy.attributes.arn;
}

/** A customer managed policy, with the roles its attachments name (as CloudFormation's `Roles`). */
function managedPolicy(r: TerraformResource, model: TerraformModel, t: Translation): Json {
  const roles = model
    .resourcesOfType('aws_iam_role_policy_attachment')
    .filter((p) => namesPolicy(p.attributes.policy_arn, r))
    .map((p) => model.resourcesOfType('aws_iam_role').find((candidate) => t.namesRole(p.attributes.role, candidate)))
    .filter((found): found is TerraformResource => found !== undefined)
    .map((found) => ({ Ref: found.address }));
  return without({ ManagedPolicyName: t.value(r.attributes.name), PolicyDocument: t.policyDocument(r.attributes.policy, `${r.address}.policy`), Roles: roles.length > 0 ? roles : undefined });
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
 * @throws AttestGateError for a policy document the AWS provider refuses (terraform-policy-document.ts)
 */
export function templateOfTerraformAws(model: TerraformModel): { Resources: Record<string, { Type: string; Properties: Json; Metadata?: Json }> } | undefined {
  if (!hasTranslatableAwsResources(model)) return undefined;
  const t = new Translation(model);
  const resources: Record<string, { Type: string; Properties: Json; Metadata?: Json }> = {};
  const arns = new Map<string, unknown>();
  for (const r of model.resources) {
    if (r.mode !== 'managed' || !(r.type in TYPES)) continue;
    const properties =
      r.type === 'aws_iam_role'
        ? role(r, model, t)
        : r.type === 'aws_iam_policy'
          ? managedPolicy(r, model, t)
          : r.type === 'aws_rolesanywhere_trust_anchor'
            ? trustAnchor(r, t)
            : r.type === 'aws_rolesanywhere_profile'
              ? profile(r, t)
              : crl(r, t);
    // A configuration's "//" (its acknowledgements, cdktf's construct path) is the resource's Metadata, where the AWS readers look.
    resources[r.address] = { Type: TYPES[r.type].type, Properties: properties, ...(Object.keys(r.comment).length > 0 ? { Metadata: r.comment } : {}) };
    // A plan's or state's ARN literal of an anchor, profile, CRL or role is that resource, as its
    // Fn::GetAtt would be. A managed policy's is not: its attachments are written as its Roles.
    if (r.type !== 'aws_iam_policy' && typeof r.attributes.arn === 'string' && isConcrete(r.attributes.arn)) arns.set(r.attributes.arn, t.value({ symbolic: 'ref', address: r.address, attribute: 'arn' }));
  }
  for (const resource of Object.values(resources)) resource.Properties = linkArns(resource.Properties, arns) as Json;
  return { Resources: resources };
}
