import * as crypto from 'node:crypto';
import { Certificate } from '../../../lib/core/pki/certificate';
import { parseCertificateBundle } from '../../../lib/core/pki/ca-bundle';
import { crlDer, parseCrl } from '../../../lib/core/pki/crl';
import { IntrinsicContext, Value, describeValue, isConcrete, resolveIntrinsics } from '../../../lib/model/aws/intrinsics';
import { CRL_TYPE, PROFILE_TYPE, ROLE_TYPE, TRUST_ANCHOR_TYPE } from '../../../lib/model/aws/roles-anywhere';
import { CloudFormationTemplate, evaluateTemplateCondition } from '../../../lib/model/aws/template';
import { TemplateSource } from '../../discovery/sources';
import { parseConditionOperator } from '../../../lib/model/aws/iam/condition-operators';
import { PolicyDocument, parsePolicyDocument } from '../../../lib/model/aws/iam/policy-document';
import { deterministicId } from '../../../lib/core/deterministic-id';
import { AwsWorld } from './world';

/**
 * "Deploys" CloudFormation templates into the emulator's in-memory account: resources of the
 * types the emulator serves are created with deterministic physical IDs, and every `Ref`,
 * `Fn::GetAtt`, `Fn::Sub`, `Fn::Join` (and the other intrinsics of lib/model/aws) is resolved
 * concretely. A value that stays unknown (an unset parameter, an import of nothing) is never
 * guessed: the resource is reported as not deployed, and probes of its gate are inconclusive.
 */

/** One deployed resource: its physical ID and attributes. */
export interface DeployedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface DeployedStack {
  readonly stackName: string;
  readonly file: string;
  readonly resources: ReadonlyMap<string, DeployedResource>;
  /** Resources the emulator could not create faithfully, and why. */
  readonly problems: ReadonlyArray<{ readonly logicalId: string; readonly problem: string }>;
  /** Its outputs' values by output ID (what `Fn::GetStackOutput` reads). */
  readonly outputs: Readonly<Record<string, string>>;
  /** Its exports' values by export name (what `Fn::ImportValue` reads). */
  readonly exports: Readonly<Record<string, string>>;
}

export interface DeployOptions {
  /** Parameter values by name (default: each parameter's Default). */
  readonly parameters?: Readonly<Record<string, string>>;
  /** CA certificates of ACM Private CAs, by CA ARN: the emulator cannot ask ACM PCA for them. */
  readonly privateCaCertificates?: ReadonlyMap<string, Certificate>;
}

const ATTRIBUTES: Record<string, (world: AwsWorld, physicalId: string, name: string) => Record<string, string>> = {
  [TRUST_ANCHOR_TYPE]: (w, id) => ({ TrustAnchorId: id, TrustAnchorArn: w.arn('rolesanywhere', `trust-anchor/${id}`) }),
  [PROFILE_TYPE]: (w, id) => ({ ProfileId: id, ProfileArn: w.arn('rolesanywhere', `profile/${id}`) }),
  [CRL_TYPE]: (w, id) => ({ CrlId: id, CrlArn: w.arn('rolesanywhere', `crl/${id}`) }),
  [ROLE_TYPE]: (w, name, path) => ({
    Arn: `arn:${w.env.partition}:iam::${w.env.account}:role${path}${name}`,
    RoleId: `AROA${crypto.createHash('sha256').update(name).digest('hex').slice(0, 17).toUpperCase()}`,
  }),
  'AWS::IAM::ManagedPolicy': (w, name) => ({ PolicyArn: `arn:${w.env.partition}:iam::${w.env.account}:policy/${name}` }),
  'AWS::IAM::User': (w, name) => ({ Arn: `arn:${w.env.partition}:iam::${w.env.account}:user/${name}` }),
};

/** CloudFormation's generated names: `<stack>-<logicalId>-<suffix>`, at most `max` characters. */
function generatedName(stackName: string, logicalId: string, max: number): string {
  const suffix = crypto.createHash('sha256').update(`${stackName}/${logicalId}`).digest('hex').slice(0, 12).toUpperCase();
  const head = `${stackName}-${logicalId}`.slice(0, max - suffix.length - 1);
  return `${head}-${suffix}`;
}

/**
 * Deploys the templates as one app: a stack that imports another's export (`Fn::ImportValue`) or
 * reads its output (`Fn::GetStackOutput`) is deployed after it, as CloudFormation and the CDK
 * toolkit require; otherwise in the order given. The stacks are returned in the order given.
 */
export function deployTemplates(world: AwsWorld, sources: readonly TemplateSource[], options: DeployOptions = {}): DeployedStack[] {
  const { order, cyclic } = deploymentOrder(world, sources, options);
  const exports = new Map<string, { value: string; from: TemplateSource }>();
  const deployed = new Map<TemplateSource, DeployedStack>();
  for (const source of order) {
    // Stacks that import from each other cannot be deployed: CloudFormation needs one to exist first.
    const usable = (from: TemplateSource) => !(cyclic.has(source) && cyclic.has(from));
    const earlier: Deployed = {
      exports: new Map([...exports].filter(([, e]) => usable(e.from)).map(([name, e]) => [name, e.value])),
      stacks: [...deployed].filter(([from]) => usable(from)).map(([, stack]) => stack),
    };
    const stack = deployTemplate(world, source, earlier, options);
    for (const [name, value] of Object.entries(stack.exports)) exports.set(name, { value, from: source });
    deployed.set(source, stack);
  }
  return sources.map((source) => deployed.get(source)!);
}

/** Every `{ "Fn::<name>": argument }` in a template's resources and outputs. */
function intrinsicArguments(value: unknown, fn: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) value.forEach((v) => intrinsicArguments(v, fn, found));
  else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && entries[0][0] === fn) found.push(entries[0][1]);
    for (const [, v] of entries) intrinsicArguments(v, fn, found);
  }
  return found;
}

/**
 * The order CloudFormation could deploy the stacks in: each after the stacks whose exports it
 * imports and whose outputs it reads (names resolved with the stack's pseudo parameters and
 * parameter values, as at deploy). A reference to no given stack keeps the order given; stacks
 * that reference each other are returned as `cyclic`: their imports of each other stay unresolved.
 */
function deploymentOrder(world: AwsWorld, sources: readonly TemplateSource[], options: DeployOptions): { order: TemplateSource[]; cyclic: Set<TemplateSource> } {
  const exporters = new Map<string, TemplateSource[]>();
  for (const source of sources) {
    const ctx = nameContext(world, source, options);
    const outputs = (source.model.template as { Outputs?: Record<string, { Export?: { Name?: unknown } }> }).Outputs ?? {};
    for (const output of Object.values(outputs)) {
      const name = output?.Export ? resolveIntrinsics(output.Export.Name, ctx) : undefined;
      if (typeof name === 'string') exporters.set(name, [...(exporters.get(name) ?? []), source]);
    }
  }
  const dependencies = new Map(
    sources.map((source) => {
      const ctx = nameContext(world, source, options);
      const body = { Resources: source.model.template.Resources, Outputs: (source.model.template as { Outputs?: unknown }).Outputs };
      const imported = intrinsicArguments(body, 'Fn::ImportValue').flatMap((arg) => {
        const name = resolveIntrinsics(arg, ctx);
        return typeof name === 'string' ? exporters.get(name) ?? [] : [];
      });
      const read = intrinsicArguments(body, 'Fn::GetStackOutput').flatMap((arg) => {
        const stackName = resolveIntrinsics((arg as { StackName?: unknown } | null)?.StackName, ctx);
        return sources.filter((s) => s.stackName === stackName);
      });
      return [source, [...imported, ...read].filter((s) => s !== source)] as const;
    }),
  );
  const order: TemplateSource[] = [];
  const cyclic = new Set<TemplateSource>();
  const path: TemplateSource[] = [];
  const visit = (source: TemplateSource) => {
    const onPath = path.indexOf(source);
    if (onPath !== -1) {
      path.slice(onPath).forEach((s) => cyclic.add(s)); // their imports from each other stay unresolved
      return;
    }
    if (order.includes(source)) return;
    path.push(source);
    for (const dependency of dependencies.get(source) ?? []) visit(dependency);
    path.pop();
    order.push(source);
  };
  sources.forEach(visit);
  return { order, cyclic };
}

/** The pseudo parameters of a stack deployed into the emulator's account. */
function pseudoParameters(world: AwsWorld, stackName: string): Record<string, string> {
  return {
    'AWS::AccountId': world.env.account,
    'AWS::Region': world.env.region,
    'AWS::Partition': world.env.partition,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stackName,
    'AWS::StackId': world.arn('cloudformation', `stack/${stackName}/${deterministicId(stackName)}`),
  };
}

/** A parameter's value at deploy: given, else its Default; else it stays a parameter symbol. */
function parameterValue(template: CloudFormationTemplate, name: string, options: DeployOptions): Value {
  const given = options.parameters?.[name] ?? (template.Parameters?.[name] as { Default?: unknown } | undefined)?.Default;
  return given === undefined ? { symbolic: 'parameter', name } : String(given);
}

/** What a stack's export names and import names resolve with before any resource exists (CloudFormation refuses names that depend on resources). */
function nameContext(world: AwsWorld, source: TemplateSource, options: DeployOptions): IntrinsicContext {
  const template = source.model.template;
  const pseudo = pseudoParameters(world, source.stackName);
  const ctx: IntrinsicContext = {
    ref: (name) => (name in pseudo ? pseudo[name] : template.Parameters && name in template.Parameters ? parameterValue(template, name, options) : { symbolic: 'unknown', reason: `Ref ${name}` }),
    getAtt: (logicalId, attribute) => ({ symbolic: 'unknown', reason: `Fn::GetAtt ${logicalId}.${attribute}` }),
    condition: (name) => evaluateTemplateCondition(template, name, ctx),
    mappings: template.Mappings,
  };
  return ctx;
}

/** What a stack deployed earlier in the same run offers the ones after it. */
interface Deployed {
  /** Export name → value, in the emulator's one account and Region. */
  readonly exports: ReadonlyMap<string, string>;
  readonly stacks: readonly DeployedStack[];
}

function deployTemplate(world: AwsWorld, source: TemplateSource, earlier: Deployed, options: DeployOptions): DeployedStack {
  const template: CloudFormationTemplate = source.model.template;
  const raw = template.Resources ?? {};
  const stackName = source.stackName;
  const problems: Array<{ logicalId: string; problem: string }> = [];
  const resources = new Map<string, DeployedResource>();

  const physicalIdOf = (logicalId: string): DeployedResource | undefined => {
    const existing = resources.get(logicalId);
    if (existing) return existing;
    const resource = raw[logicalId];
    if (!resource) return undefined;
    const props = (resource.Properties ?? {}) as Record<string, unknown>;
    let physicalId: string;
    let path = '/';
    switch (resource.Type) {
      case TRUST_ANCHOR_TYPE:
      case PROFILE_TYPE:
      case CRL_TYPE:
        physicalId = deterministicId(world.env.account, stackName, logicalId);
        break;
      case ROLE_TYPE: {
        const name = resolveIntrinsics(props.RoleName, ctx);
        const rolePath = resolveIntrinsics(props.Path, ctx);
        path = typeof rolePath === 'string' ? rolePath : '/';
        physicalId = typeof name === 'string' ? name : generatedName(stackName, logicalId, 64);
        break;
      }
      default: {
        const name = resolveIntrinsics(props.ManagedPolicyName ?? props.UserName, ctx);
        physicalId = typeof name === 'string' ? name : generatedName(stackName, logicalId, 128);
      }
    }
    const deployed: DeployedResource = {
      logicalId,
      type: resource.Type,
      physicalId: resource.Type === 'AWS::IAM::ManagedPolicy' ? ATTRIBUTES[resource.Type](world, physicalId, '').PolicyArn : physicalId,
      attributes: ATTRIBUTES[resource.Type]?.(world, physicalId, path) ?? {},
    };
    resources.set(logicalId, deployed);
    return deployed;
  };

  const pseudo = pseudoParameters(world, stackName);
  const ctx: IntrinsicContext = {
    ref: (name) => {
      if (name in pseudo) return pseudo[name];
      if (name === 'AWS::NoValue') return { symbolic: 'pseudo', name };
      if (template.Parameters && name in template.Parameters) return parameterValue(template, name, options);
      const deployed = physicalIdOf(name);
      return deployed ? deployed.physicalId : { symbolic: 'unknown', reason: `a Ref to ${name}, which is not in the template` };
    },
    getAtt: (logicalId, attribute) => {
      const deployed = physicalIdOf(logicalId);
      const value = deployed?.attributes[attribute];
      return value ?? { symbolic: 'unknown', reason: `${logicalId}.${attribute}, which the emulator does not model` };
    },
    condition: (name) => evaluateTemplateCondition(template, name, ctx),
    mappings: template.Mappings,
    // Only what a stack deployed before this one exports: never a guess, and named when missing.
    importValue: (exportName) => {
      if (typeof exportName !== 'string') return { symbolic: 'unknown', reason: `an Fn::ImportValue of an export whose name is not known at deploy (${describeValue(exportName)})` };
      return earlier.exports.get(exportName) ?? { symbolic: 'unknown', reason: `an Fn::ImportValue of export ${exportName}, which no stack deployed before ${stackName} exports (stacks that import from each other cannot be deployed)` };
    },
    stackOutput: (reference) => {
      const fields = (reference !== null && typeof reference === 'object' && !Array.isArray(reference) ? reference : {}) as Record<string, Value>;
      const what = `an Fn::GetStackOutput of ${describeValue(fields.StackName ?? null)}.${describeValue(fields.OutputName ?? null)}`;
      // Another account's or Region's output is not in the emulator's one account.
      const elsewhere = (fields.Region !== undefined && fields.Region !== world.env.region) || fields.RoleArn !== undefined;
      const stack = elsewhere ? undefined : earlier.stacks.find((s) => s.stackName === fields.StackName);
      const value = stack && typeof fields.OutputName === 'string' ? stack.outputs[fields.OutputName] : undefined;
      return value ?? { symbolic: 'unknown', reason: `${what}, which no stack of the emulator's account and Region deployed before ${stackName} has` };
    },
  };
  const properties = (logicalId: string): Record<string, Value> | string => {
    const resolved = resolveIntrinsics(raw[logicalId].Properties ?? {}, ctx) as Record<string, Value>;
    if (!isConcrete(resolved)) return `a property is not known at deploy time: ${describeValue(resolved)}`;
    return resolved;
  };

  const undeployed: string[] = [];
  for (const [logicalId, resource] of Object.entries(raw)) {
    const handler = REGISTER[resource.Type];
    if (resource.Condition !== undefined) {
      const holds = ctx.condition(resource.Condition);
      if (holds === false) continue;
      if (holds === undefined) {
        if (resource.Type in REGISTER) problems.push({ logicalId, problem: `its condition ${resource.Condition} is not known at deploy time` });
        continue;
      }
    }
    const deployed = physicalIdOf(logicalId)!;
    if (!handler) continue;
    const props = properties(logicalId);
    if (typeof props === 'string') {
      problems.push({ logicalId, problem: props });
      undeployed.push(logicalId);
      continue;
    }
    const problem = handler(world, { stackName, logicalId, deployed, props, options });
    if (problem) problems.push({ logicalId, problem });
  }

  const outputs: Record<string, string> = {};
  const exported: Record<string, string> = {};
  for (const [outputId, output] of Object.entries((template as { Outputs?: Record<string, { Value?: unknown; Export?: { Name?: unknown }; Condition?: unknown }> }).Outputs ?? {})) {
    if (typeof output?.Condition === 'string' && ctx.condition(output.Condition) !== true) continue;
    const value = resolveIntrinsics(output?.Value, ctx);
    if (typeof value !== 'string') continue;
    outputs[outputId] = value;
    const name = output.Export === undefined ? undefined : resolveIntrinsics(output.Export.Name, ctx);
    if (typeof name === 'string') exported[name] = value;
  }
  // Refs to it still resolved to its physical ID; only now is it known that it was never created.
  for (const logicalId of undeployed) resources.delete(logicalId);
  return { stackName, file: source.file, resources, problems, outputs, exports: exported };
}

interface RegisterInput {
  readonly stackName: string;
  readonly logicalId: string;
  readonly deployed: DeployedResource;
  readonly props: Record<string, Value>;
  readonly options: DeployOptions;
}

const bool = (value: Value | undefined, fallback: boolean): boolean => (value === undefined || value === null ? fallback : value === true || value === 'true');
const num = (value: Value | undefined, fallback: number): number => (value === undefined || value === null ? fallback : Number(value));

/** Registers a resource of a served type; returns a problem when it cannot be served faithfully. */
const REGISTER: Record<string, (world: AwsWorld, input: RegisterInput) => string | undefined> = {
  [TRUST_ANCHOR_TYPE]: (world, { stackName, logicalId, deployed, props, options }) => {
    const source = props.Source as Record<string, Value> | undefined;
    const data = source?.SourceData as Record<string, Value> | undefined;
    const sourceType = String(source?.SourceType ?? '');
    let caCertificates: Certificate[] = [];
    let problem: string | undefined;
    if (sourceType === 'CERTIFICATE_BUNDLE') {
      try {
        caCertificates = parseCertificateBundle(String(data?.X509CertificateData ?? ''));
        if (caCertificates.length === 0) problem = 'its certificate bundle holds no PEM certificate';
      } catch (e) {
        problem = `its certificate bundle does not parse: ${(e as Error).message}`;
      }
    } else if (sourceType === 'AWS_ACM_PCA') {
      const ca = options.privateCaCertificates?.get(String(data?.AcmPcaArn));
      if (ca) caCertificates = [ca];
      else problem = `it uses ACM Private CA ${String(data?.AcmPcaArn)}, whose CA certificate the emulator needs (pass it with --pki and --private-ca ARN=FILE)`;
    } else {
      problem = `its SourceType ${sourceType} is not one the emulator serves`;
    }
    world.trustAnchors.set(deployed.physicalId, {
      id: deployed.physicalId,
      arn: deployed.attributes.TrustAnchorArn,
      name: String(props.Name ?? logicalId),
      // CloudFormation's default for Enabled is undocumented; an anchor is served unless disabled.
      enabled: bool(props.Enabled, true),
      sourceType,
      caCertificates,
      origin: `${stackName}/${logicalId}`,
    });
    return problem;
  },
  [PROFILE_TYPE]: (world, { stackName, logicalId, deployed, props }) => {
    const mappings = new Map<string, string[]>();
    for (const m of (props.AttributeMappings as Array<Record<string, Value>> | undefined) ?? []) {
      const rules = ((m.MappingRules as Array<Record<string, Value>> | undefined) ?? []).map((r) => String(r.Specifier));
      mappings.set(String(m.CertificateField), rules);
    }
    world.profiles.set(deployed.physicalId, {
      id: deployed.physicalId,
      arn: deployed.attributes.ProfileArn,
      name: String(props.Name ?? logicalId),
      enabled: bool(props.Enabled, true),
      roleArns: ((props.RoleArns as Value[] | undefined) ?? []).map(String),
      durationSeconds: num(props.DurationSeconds, 3600),
      acceptRoleSessionName: bool(props.AcceptRoleSessionName, false),
      requireInstanceProperties: bool(props.RequireInstanceProperties, false),
      attributeMappings: mappings,
      origin: `${stackName}/${logicalId}`,
    });
    return undefined;
  },
  [CRL_TYPE]: (world, { stackName, logicalId, deployed, props }) => {
    const der = crlDer(String(props.CrlData ?? ''));
    let crl: EmulatedCrlData;
    try {
      crl = der ? parseCrl(der) : { unparseable: 'CrlData holds no PEM CRL' };
    } catch (e) {
      crl = { unparseable: (e as Error).message };
    }
    world.crls.set(deployed.physicalId, {
      id: deployed.physicalId,
      arn: deployed.attributes.CrlArn,
      trustAnchorArn: String(props.TrustAnchorArn ?? ''),
      // Only an explicit Enabled: true enables a CRL (docs/emulator.md, divergences): the default is undocumented.
      enabled: bool(props.Enabled, false),
      crl,
      origin: `${stackName}/${logicalId}`,
    });
    return 'unparseable' in crl ? `its CRL does not parse: ${crl.unparseable}` : undefined;
  },
  [ROLE_TYPE]: (world, { stackName, logicalId, deployed, props }) => {
    const document = props.AssumeRolePolicyDocument;
    let trustPolicy: unknown;
    let trustPolicyDocument: PolicyDocument;
    try {
      trustPolicy = typeof document === 'string' ? JSON.parse(document) : document;
      trustPolicyDocument = parsePolicyDocument(trustPolicy, `${logicalId} trust policy`);
    } catch (e) {
      return `IAM would reject its trust policy (MalformedPolicyDocument): ${(e as Error).message}`;
    }
    // IAM refuses a policy with an unknown condition operator when it is written; so does the emulator.
    const unknownOperator = conditionOperatorsOf(trustPolicy).find((op) => parseConditionOperator(op) === undefined);
    if (unknownOperator) return `IAM would reject its trust policy (MalformedPolicyDocument): unknown condition operator ${unknownOperator}`;
    world.roles.set(deployed.attributes.Arn, {
      arn: deployed.attributes.Arn,
      name: deployed.physicalId,
      id: deployed.attributes.RoleId,
      trustPolicy,
      trustPolicyDocument,
      maxSessionDuration: num(props.MaxSessionDuration, 3600),
      origin: `${stackName}/${logicalId}`,
    });
    return undefined;
  },
};

type EmulatedCrlData = ReturnType<typeof parseCrl> | { unparseable: string };

/** Every condition operator a policy document uses. */
function conditionOperatorsOf(policy: unknown): string[] {
  const statements = (policy as { Statement?: unknown })?.Statement;
  return (Array.isArray(statements) ? statements : [statements]).flatMap((s) => {
    const condition = (s as { Condition?: unknown } | undefined)?.Condition;
    return condition && typeof condition === 'object' ? Object.keys(condition) : [];
  });
}
