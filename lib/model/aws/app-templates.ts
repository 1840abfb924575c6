import { IntrinsicContext, SymbolicString, TemplateSymbol, Value, describeValue, isSymbol, isSymbolicString, resolveIntrinsics } from './intrinsics';
import { CloudFormationTemplate, NESTED_STACK_TYPE, TemplateModel, TemplateResource, evaluateTemplateCondition, templateContext } from './template';

/**
 * The templates of one app, read together so that a cross-stack reference resolves to what
 * CloudFormation would give: `Fn::ImportValue` to the value of the one export of that name in the
 * importer's account and Region, `Fn::GetStackOutput` to the named output of the named stack.
 * The value is resolved in the exporting template, so a reference to one of its resources stays a
 * reference the rules follow there (a `stack-ref` symbol): a role of one stack pinned to a trust
 * anchor of another is judged against that anchor resource.
 *
 * Nothing is resolved that CloudFormation could resolve otherwise: an export no given template
 * defines, one defined twice in the same account and Region, one defined only in another account or
 * Region (exports are per account and Region), one whose name or condition is not known at synth —
 * each stays unknown, naming the export, so the rules report it as cannot be judged.
 *
 * A nested stack is a template of the app too, deployed by an `AWS::CloudFormation::Stack`
 * resource of its parent (`nestedIn`; nested-stacks.ts finds its file). What CloudFormation passes
 * between them resolves the same way: a parameter of the nested template to the value its parent's
 * resource gives it under `Parameters`, resolved in the parent; a parent's `Fn::GetAtt [Id,
 * Outputs.X]` to the nested template's output X, resolved there. A nested stack whose template is
 * not given, a parameter its parent does not pass, an output it does not have stay unknown, named.
 */

/** One template of the app. */
export interface AppTemplate {
  /** What names it uniquely: its file path. Also the name of its model, in messages. */
  readonly name: string;
  /** The template JSON, text or parsed. */
  readonly template: unknown;
  /** The CloudFormation stack name, when known (a cloud assembly, a CDK stack); exports named with `AWS::StackName` need it. */
  readonly stackName?: string;
  /** The account it deploys to; undefined when environment-agnostic. */
  readonly account?: string;
  /** The Region it deploys to; undefined when environment-agnostic. */
  readonly region?: string;
  /**
   * What an export of this template is, by export name, for messages: for exports nobody wrote
   * (the AttestationAspect's, which stand for a CDK reference between stacks), the producer the
   * user can act on — its stack, construct path and logical ID — instead of the export's name.
   */
  readonly exportDescriptions?: Readonly<Record<string, string>>;
  /**
   * Set when the template is a nested stack: the template of its parent and the logical ID of the
   * parent's `AWS::CloudFormation::Stack` resource that deploys it. It deploys where its parent
   * does (its account and Region are the parent's unless given).
   */
  readonly nestedIn?: { readonly template: string; readonly logicalId: string };
  /** Why the template of a nested stack resource of this template is not given, by its logical ID (its file is not found, not JSON…). */
  readonly nestedTemplateProblems?: Readonly<Record<string, string>>;
}

/** An `Outputs` entry, with the export name it defines when it defines one. */
interface OutputDefinition {
  readonly template: AppTemplate;
  readonly outputId: string;
  readonly value: unknown;
  /** The export name; a string when known at synth, else why not. */
  readonly exportName?: { readonly known: string } | { readonly unknown: string };
  /** Why the output may not exist (a condition not known at synth). */
  readonly uncertain?: string;
  /** What the export is, for messages, when its name is not what the user wrote (see AppTemplate.exportDescriptions). */
  readonly description?: string;
}

const UNKNOWN_ACCOUNT = 'unknown-account';
const UNKNOWN_REGION = 'unknown-region';

/** Environment-agnostic stacks go to whatever account and Region they are deployed with: the same for all of them, as CDK assumes. */
function environmentOf(t: Pick<AppTemplate, 'account' | 'region'>): string {
  return `aws://${t.account ?? UNKNOWN_ACCOUNT}/${t.region ?? UNKNOWN_REGION}`;
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const unknown = (reason: string): TemplateSymbol => ({ symbolic: 'unknown', reason });

export class AppTemplates {
  private readonly templates: readonly AppTemplate[];
  private readonly byName: Map<string, AppTemplate>;
  private readonly models = new Map<string, TemplateModel>();
  /** Templates whose model is being built: an import that comes back to one is a cycle. */
  private readonly building = new Set<string>();
  private outputs?: OutputDefinition[];
  /** Outputs whose value is being resolved, against exports that re-export themselves. */
  private readonly resolving = new Set<string>();

  /** Contexts of templates whose models are not built (yet): a nested stack and its parent read each other's values while their models are being built. */
  private readonly contexts = new Map<string, IntrinsicContext>();

  constructor(templates: readonly AppTemplate[]) {
    const parsed = templates.map((t) => ({ ...t, template: typeof t.template === 'string' ? JSON.parse(t.template) : t.template }));
    const given = new Map(parsed.map((t) => [t.name, t]));
    if (given.size !== parsed.length) throw new Error('AppTemplates: two templates have the same name');
    // A nested stack deploys where its parent does, and is named after it: its own stack name is CloudFormation's to generate.
    const parentOf = (t: AppTemplate): AppTemplate | undefined => (t.nestedIn ? given.get(t.nestedIn.template) : undefined);
    const describe = (t: AppTemplate, depth = 0): { label: string; account?: string; region?: string } => {
      const parent = depth < parsed.length ? parentOf(t) : undefined;
      if (!t.nestedIn) return { label: t.stackName ?? t.name, account: t.account, region: t.region };
      if (!parent) throw new Error(`AppTemplates: ${t.name} is nested in ${t.nestedIn.template}, which is not given`);
      const p = describe(parent, depth + 1);
      return { label: `${p.label}/${t.nestedIn.logicalId}`, account: t.account ?? p.account, region: t.region ?? p.region };
    };
    this.templates = parsed.map((t) => {
      const { label: display, account, region } = describe(t);
      return { ...t, label: display, ...(account !== undefined ? { account } : {}), ...(region !== undefined ? { region } : {}) };
    });
    this.byName = new Map(this.templates.map((t) => [t.name, t]));
  }

  /** The model of a template of the app, its cross-stack references resolved against the others. */
  public model(name: string): TemplateModel {
    const cached = this.models.get(name);
    if (cached) return cached;
    const entry = this.byName.get(name);
    if (!entry) throw new Error(`AppTemplates: no template ${name}`);
    this.building.add(name);
    try {
      const model = TemplateModel.parse(entry.template, name, { app: this });
      this.models.set(name, model);
      return model;
    } finally {
      this.building.delete(name);
    }
  }

  /** The models of every template of the app but `name`, in the order given. */
  public others(name: string): TemplateModel[] {
    return this.templates.filter((t) => t.name !== name).map((t) => this.model(t.name));
  }

  /** How messages and paths name a template's stack: its stack name when known, else its name. */
  public stackLabel(name: string): string {
    const entry = this.byName.get(name);
    return entry ? label(entry) : name;
  }

  /** The models of the app's other templates that deploy to the same account and Region as `name`: where what "any of the account" means is. */
  public sameEnvironment(name: string): TemplateModel[] {
    const entry = this.byName.get(name);
    if (!entry) return [];
    return this.templates.filter((t) => t.name !== name && environmentOf(t) === environmentOf(entry)).map((t) => this.model(t.name));
  }

  /** The resource a `stack-ref` symbol names, in its own template's model. */
  public resource(symbol: Extract<TemplateSymbol, { symbolic: 'stack-ref' }>): TemplateResource | undefined {
    return this.byName.has(symbol.template) ? this.model(symbol.template).resource(symbol.logicalId) : undefined;
  }

  /** `Fn::ImportValue` in template `importer`, its name resolved there. */
  public importValue(importer: string, exportName: Value): Value {
    const from = this.byName.get(importer)!;
    const name = this.concreteName(exportName, from);
    if (typeof name !== 'string') return unknown(`an Fn::ImportValue of an export whose name is not known at synth (${describeValue(exportName)})`);
    const env = environmentOf(from);
    const outputs = this.allOutputs();
    const sameEnv = outputs.filter((o) => o.exportName && environmentOf(o.template) === env);
    const named = outputs.filter((o) => o.exportName && 'known' in o.exportName && o.exportName.known === name);
    const defining = named.filter((o) => environmentOf(o.template) === env);
    // An export written for the user's reference (the Aspect's) is named as that reference: its name means nothing to them.
    const what = named.find((o) => o.description)?.description ?? `export ${name}`;
    const where = (o: OutputDefinition) => (o.description ? `stack ${label(o.template)}` : `stack ${label(o.template)} (output ${o.outputId})`);
    if (defining.length > 1) {
      return unknown(`${what}, which ${defining.map(where).join(' and ')} both define in ${env}: CloudFormation refuses the second, so which value is imported cannot be judged`);
    }
    if (defining.length === 0) {
      if (named.length > 0) {
        return unknown(`${what}, which only ${named.map((o) => `${where(o)} of ${environmentOf(o.template)}`).join(' and ')} defines, not a stack of ${env}: exports are per account and Region`);
      }
      const opaque = sameEnv.find((o) => o.exportName && 'unknown' in o.exportName);
      if (opaque) return unknown(`${what}, which no given template defines by name, while ${where(opaque)} exports a name not known at synth (${(opaque.exportName as { unknown: string }).unknown})`);
      return unknown(`${what}, which no given template defines: pass the template of the stack that exports it too`);
    }
    const [definition] = defining;
    const opaque = sameEnv.find((o) => o.exportName && 'unknown' in o.exportName);
    if (opaque) return unknown(`${what}: ${where(opaque)} exports a name not known at synth (${(opaque.exportName as { unknown: string }).unknown}), which may be the same, so which value is imported cannot be judged`);
    if (definition.template === from) return unknown(`${what}, which the importing stack ${label(from)} defines itself: CloudFormation refuses a stack that imports its own export`);
    if (definition.uncertain) return unknown(`${what}, which ${where(definition)} defines only ${definition.uncertain}`);
    return this.outputValue(definition, definition.description ?? `Fn::ImportValue ${name}`);
  }

  /** `Fn::GetStackOutput` in template `importer` (a weak cross-stack reference of aws-cdk-lib): an output of a stack named and found among the templates. */
  public stackOutput(importer: string, reference: Value): Value {
    const from = this.byName.get(importer)!;
    const fields = reference !== null && typeof reference === 'object' && !Array.isArray(reference) && !isSymbol(reference) && !isSymbolicString(reference) ? (reference as Record<string, Value>) : {};
    const stackName = this.concreteName(fields.StackName ?? null, from);
    const outputName = fields.OutputName;
    const region = fields.Region === undefined || fields.Region === null ? from.region : this.concreteName(fields.Region, from);
    if (typeof stackName !== 'string' || typeof outputName !== 'string' || (fields.Region !== undefined && typeof region !== 'string')) {
      return unknown(`an Fn::GetStackOutput whose stack, output or Region is not known at synth (${describeValue(reference)})`);
    }
    // A role ARN reads the output from the account the role is in; only an ARN known at synth says which.
    const roleArn = fields.RoleArn === undefined || fields.RoleArn === null ? undefined : this.concreteName(fields.RoleArn, from);
    if (fields.RoleArn !== undefined && fields.RoleArn !== null && typeof roleArn !== 'string') {
      return unknown(`Fn::GetStackOutput of ${stackName}.${outputName} through role ${describeValue(fields.RoleArn)}, whose account is not known at synth`);
    }
    const account = typeof roleArn === 'string' ? roleArn.split(':')[4] : from.account;
    const env = environmentOf({ account, region: region as string | undefined });
    const what = `Fn::GetStackOutput ${stackName}.${outputName}`;
    const stacks = this.templates.filter((t) => t.stackName === stackName && environmentOf(t) === env);
    if (stacks.length !== 1) {
      return unknown(stacks.length === 0 ? `${what}: no given template is stack ${stackName} of ${env}; pass its template too` : `${what}: ${stacks.length} given templates are stack ${stackName} of ${env}, so which one is read cannot be judged`);
    }
    const output = this.allOutputs().find((o) => o.template === stacks[0] && o.outputId === outputName);
    if (!output) return unknown(`${what}: stack ${stackName} has no output ${outputName}`);
    if (output.uncertain) return unknown(`${what}: the output exists only ${output.uncertain}`);
    return this.outputValue(output, what);
  }

  /**
   * A `Ref` to parameter `parameter` of template `name`: for a nested stack, the value its parent's
   * stack resource passes, resolved in the parent (its resources become `stack-ref`s of it); for
   * any other template, a parameter — given at deploy, not known at synth.
   */
  public parameterValue(name: string, parameter: string): Value {
    const nested = this.byName.get(name);
    if (!nested?.nestedIn) return { symbolic: 'parameter', name: parameter };
    const parent = this.byName.get(nested.nestedIn.template)!;
    const resource = this.stackResource(parent, nested.nestedIn.logicalId);
    const via = `parameter ${parameter} of nested stack ${label(nested)}`;
    const passed = resource?.Properties?.Parameters;
    if (passed === undefined || passed === null || typeof passed !== 'object' || Array.isArray(passed) || !(parameter in passed)) {
      // Its Default, if any, is what CloudFormation uses then; a parameter is not judged by a default anywhere else either.
      return unknown(`${via}, which its parent ${label(parent)} does not pass (${nested.nestedIn.logicalId}.Parameters has no ${parameter})`);
    }
    return this.resolveIn(parent, `Parameters.${parameter}@${name}`, (passed as Record<string, unknown>)[parameter], via);
  }

  /** `Fn::GetAtt [logicalId, Outputs.<output>]` in template `name`: the output of the nested stack that resource deploys, resolved in its template. */
  public nestedStackOutput(name: string, logicalId: string, output: string): Value {
    const parent = this.byName.get(name)!;
    const what = `Fn::GetAtt ${logicalId}.Outputs.${output}`;
    const nested = this.templates.filter((t) => t.nestedIn?.template === name && t.nestedIn.logicalId === logicalId);
    if (nested.length !== 1) {
      const problem = parent.nestedTemplateProblems?.[logicalId];
      return unknown(
        nested.length === 0
          ? `${what}: the template of nested stack ${label(parent)}/${logicalId} is not given${problem ? ` (${problem})` : ''}, so its output cannot be judged`
          : `${what}: ${nested.length} templates are given as nested stack ${label(parent)}/${logicalId}, so which one is deployed cannot be judged`,
      );
    }
    const [template] = nested;
    const raw = template.template as CloudFormationTemplate & { Outputs?: Record<string, { Value?: unknown; Condition?: unknown }> };
    const definition = raw?.Outputs?.[output];
    if (definition === undefined || definition === null || typeof definition !== 'object') return unknown(`${what}: nested stack ${label(template)} has no output ${output}`);
    if (typeof definition.Condition === 'string' && evaluateTemplateCondition(raw, definition.Condition, this.contextOf(template.name)) !== true) {
      return unknown(`${what}: the output exists only when condition ${definition.Condition} of nested stack ${label(template)} holds, which is not known at synth`);
    }
    return this.resolveIn(template, `Outputs.${output}`, definition.Value, what);
  }

  /** A value of template `template`, resolved there and marked as its own; `key` guards against values that depend on themselves across stacks. */
  private resolveIn(template: AppTemplate, key: string, value: unknown, via: string): Value {
    const guard = `${template.name}#${key}`;
    if (this.resolving.has(guard)) return unknown(`${via}, whose value depends on itself through the nested stack: CloudFormation refuses the circular dependency`);
    this.resolving.add(guard);
    try {
      return fromStack(resolveIntrinsics(value, this.contextOf(template.name)), template, via);
    } finally {
      this.resolving.delete(guard);
    }
  }

  /** The raw `AWS::CloudFormation::Stack` resource of a template. */
  private stackResource(template: AppTemplate, logicalId: string): { Properties?: Record<string, unknown> } | undefined {
    const resource = (template.template as CloudFormationTemplate).Resources?.[logicalId];
    return resource?.Type === NESTED_STACK_TYPE ? (resource as { Properties?: Record<string, unknown> }) : undefined;
  }

  /** How a template's intrinsics resolve: its model's context once built; before, one of its own (the same functions). */
  private contextOf(name: string): IntrinsicContext {
    const model = this.models.get(name);
    if (model) return model.context;
    let context = this.contexts.get(name);
    if (!context) {
      context = templateContext(this.byName.get(name)!.template as CloudFormationTemplate, name, this);
      this.contexts.set(name, context);
    }
    return context;
  }

  /** An output's value, resolved in its own template, with its references marked as that template's. */
  private outputValue(output: OutputDefinition, via: string): Value {
    const key = `${output.template.name}#${output.outputId}`;
    if (this.resolving.has(key) || this.building.has(output.template.name)) {
      return unknown(`${via}, whose value depends on the importing stack in turn: stacks that import from each other cannot be deployed`);
    }
    this.resolving.add(key);
    try {
      const exporter = this.model(output.template.name);
      return fromStack(resolveIntrinsics(output.value, exporter.context), output.template, via);
    } finally {
      this.resolving.delete(key);
    }
  }

  /** Every output of every template, with the export names known at synth (read once, by name only). */
  private allOutputs(): OutputDefinition[] {
    if (this.outputs) return this.outputs;
    this.outputs = [];
    for (const template of this.templates) {
      const raw = template.template as CloudFormationTemplate & { Outputs?: Record<string, { Value?: unknown; Export?: { Name?: unknown }; Condition?: unknown }> };
      const ctx = this.nameContext(template);
      for (const [outputId, output] of Object.entries(raw?.Outputs ?? {})) {
        if (output === null || typeof output !== 'object') continue;
        let uncertain: string | undefined;
        if (typeof output.Condition === 'string') {
          const holds = evaluateTemplateCondition(raw, output.Condition, ctx);
          if (holds === false) continue; // CloudFormation does not create the output, nor its export
          if (holds === undefined) uncertain = `when condition ${output.Condition} holds, which is not known at synth`;
        }
        let exportName: OutputDefinition['exportName'];
        if (output.Export !== undefined) {
          const name = resolveIntrinsics(output.Export?.Name, ctx);
          exportName = typeof name === 'string' ? { known: name } : { unknown: describeValue(name) };
        }
        const description = exportName && 'known' in exportName ? template.exportDescriptions?.[exportName.known] : undefined;
        this.outputs.push({ template, outputId, value: output.Value, exportName, ...(uncertain ? { uncertain } : {}), ...(description ? { description } : {}) });
      }
    }
    return this.outputs;
  }

  /**
   * What an export name (or a stack name, a Region) of a template resolves to: its pseudo
   * parameters are known where the stack's name and environment are; parameters are not
   * (given at deploy), and CloudFormation refuses names that depend on resources.
   */
  private nameContext(template: AppTemplate): IntrinsicContext {
    const raw = template.template as CloudFormationTemplate;
    const pseudo: Record<string, string | undefined> = {
      'AWS::StackName': template.stackName,
      'AWS::AccountId': template.account,
      'AWS::Region': template.region,
      'AWS::Partition': template.region === undefined ? undefined : partitionOf(template.region),
    };
    const ctx: IntrinsicContext = {
      ref: (name) => pseudo[name] ?? unknown(name in pseudo ? `${name} of stack ${label(template)}, not known at synth` : raw.Parameters && name in raw.Parameters ? `parameter ${name}, given at deploy` : `Ref ${name}`),
      getAtt: (logicalId, attribute) => unknown(`Fn::GetAtt ${logicalId}.${attribute}`),
      condition: (name) => evaluateTemplateCondition(raw, name, ctx),
      mappings: raw.Mappings,
    };
    return ctx;
  }

  /** A name resolved in the importer, its pseudo parameters made concrete where known. */
  private concreteName(value: Value, importer: AppTemplate): Value {
    const ctx = this.nameContext(importer);
    const concrete = (part: string | TemplateSymbol): string | TemplateSymbol => (typeof part !== 'string' && part.symbolic === 'pseudo' ? (ctx.ref(part.name) as string | TemplateSymbol) : part);
    if (isSymbol(value)) return concrete(value);
    if (isSymbolicString(value)) {
      const parts = value.parts.map(concrete);
      return parts.every((p) => typeof p === 'string') ? parts.join('') : new SymbolicString(parts);
    }
    return value;
  }
}

/** How messages name a template's stack: its stack name; a nested stack's, its parent's and its resource's (`Parent/PkiNestedStack…`); else its name. */
function label(template: AppTemplate): string {
  return (template as { label?: string }).label ?? template.stackName ?? template.name;
}

/**
 * A value resolved in the exporting template, as the importer sees it: its resources become
 * `stack-ref`s of that template; its account, Region and partition are the importer's (an export
 * is imported in its own account and Region); what is the exporting stack's own (its name, its
 * parameters) is marked as such.
 */
function fromStack(value: Value, template: AppTemplate, via: string): Value {
  const mark = (symbol: TemplateSymbol): TemplateSymbol | string => {
    switch (symbol.symbolic) {
      case 'ref':
        return { symbolic: 'stack-ref', template: template.name, stack: label(template), logicalId: symbol.logicalId, ...(symbol.attribute !== undefined ? { attribute: symbol.attribute } : {}), via };
      case 'pseudo':
        if (symbol.name === 'AWS::StackName' && template.stackName !== undefined) return template.stackName;
        return ['AWS::StackName', 'AWS::StackId', 'AWS::NotificationARNs'].includes(symbol.name) ? unknown(`${symbol.name} of stack ${label(template)}`) : symbol;
      case 'parameter':
        return { symbolic: 'parameter', name: `${symbol.name} of stack ${label(template)}` };
      case 'unknown':
        return unknown(`${symbol.reason}, in stack ${label(template)} (through ${via})`);
      case 'stack-ref':
        return symbol;
    }
  };
  if (isSymbol(value)) return mark(value as TemplateSymbol);
  if (isSymbolicString(value)) {
    const parts = value.parts.map((p) => (typeof p === 'string' ? p : mark(p)));
    return parts.every((p) => typeof p === 'string') ? parts.join('') : new SymbolicString(parts);
  }
  if (Array.isArray(value)) return value.map((v) => fromStack(v, template, via));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromStack(v, template, via)]));
  return value;
}
