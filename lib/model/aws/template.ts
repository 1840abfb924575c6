import type { AppTemplates } from './app-templates';
import { IntrinsicContext, TemplateSymbol, Value, isSymbol, resolveIntrinsics } from './intrinsics';
import { checkTemplateReferences } from './references';

/** The parts of a CloudFormation template attestgate reads. */
export interface CloudFormationTemplate {
  readonly Resources?: Record<string, RawResource>;
  readonly Parameters?: Record<string, unknown>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Metadata?: Record<string, unknown>;
}

export interface RawResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
}

/** A resource with its properties resolved symbolically. */
export interface TemplateResource {
  readonly logicalId: string;
  readonly type: string;
  /** Properties with intrinsics resolved; references stay symbols. */
  readonly properties: Record<string, Value>;
  /** The raw metadata (attestgate writes gate manifests here). */
  readonly metadata: Record<string, unknown>;
  /** The template condition the resource depends on, if any. */
  readonly condition?: string;
}

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::Region',
  'AWS::Partition',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::URLSuffix',
  'AWS::NotificationARNs',
  'AWS::NoValue',
]);

/**
 * A parsed template whose intrinsics resolve symbolically: a `Ref` or `Fn::GetAtt` to one of
 * its resources stays a reference the rules can follow; parameters and imports become symbols
 * that say why a value cannot be judged at synth.
 */
export class TemplateModel {
  /**
   * Parses template JSON text or an object; throws a plain Error naming `name` when it is not one,
   * and an AttestGateError for a reference cycle between its resources (see references.ts).
   * With `app`, the template is one of those app templates (see app-templates.ts): its cross-stack
   * references resolve against the others; without, they stay unknown.
   */
  public static parse(template: unknown, name: string, options: { readonly app?: AppTemplates } = {}): TemplateModel {
    const value = typeof template === 'string' ? JSON.parse(template) : template;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`${name} is not a CloudFormation template (not a JSON object)`);
    }
    const resources = (value as CloudFormationTemplate).Resources;
    if (resources !== undefined && (typeof resources !== 'object' || Array.isArray(resources))) {
      throw new Error(`${name} is not a CloudFormation template (Resources is not an object)`);
    }
    checkTemplateReferences(value as CloudFormationTemplate, name);
    return new TemplateModel(value as CloudFormationTemplate, name, options.app);
  }

  /** The resources, in template order. */
  public readonly resources: readonly TemplateResource[];
  private readonly byId: Map<string, TemplateResource>;
  public readonly context: IntrinsicContext;

  private constructor(
    public readonly template: CloudFormationTemplate,
    /** Where the template came from (file path or stack name), for messages. */
    public readonly name: string,
    /** The app's other templates, which its cross-stack references name; undefined when read alone. */
    public readonly app?: AppTemplates,
  ) {
    const raw = template.Resources ?? {};
    this.context = templateContext(template, name, app);
    this.resources = Object.entries(raw).map(([logicalId, resource]) => {
      const resolved = resolveIntrinsics(resource?.Properties ?? {}, this.context);
      return {
        logicalId,
        type: typeof resource?.Type === 'string' ? resource.Type : '(no Type)',
        properties: resolved !== null && typeof resolved === 'object' && !Array.isArray(resolved) && !isSymbol(resolved) ? (resolved as Record<string, Value>) : {},
        metadata: resource?.Metadata ?? {},
        condition: resource?.Condition,
      };
    });
    this.byId = new Map(this.resources.map((r) => [r.logicalId, r]));
  }

  public resource(logicalId: string): TemplateResource | undefined {
    return this.byId.get(logicalId);
  }

  /**
   * The resource a reference names: one of this template for a `ref`, one of another template of
   * the app for a `stack-ref`; undefined for any other symbol, or a resource not found.
   */
  public referencedResource(symbol: TemplateSymbol): TemplateResource | undefined {
    if (symbol.symbolic === 'ref') return this.resource(symbol.logicalId);
    if (symbol.symbolic === 'stack-ref') return this.app?.resource(symbol);
    return undefined;
  }

  public resourcesOfType(type: string): TemplateResource[] {
    return this.resources.filter((r) => r.type === type);
  }
}

/** The type of a resource that deploys a nested stack: its outputs are read back as `Fn::GetAtt [Id, Outputs.X]`. */
export const NESTED_STACK_TYPE = 'AWS::CloudFormation::Stack';

/**
 * How the intrinsics of a template resolve (TemplateModel's context; AppTemplates resolves values
 * of templates whose models are still being built with it). Read with the app's other templates,
 * its cross-stack references resolve against them, and — for a nested stack — its parameters to
 * what its parent passes, and a parent's `Fn::GetAtt [NestedStack, Outputs.X]` to the nested
 * template's output; alone, they stay symbols.
 */
export function templateContext(template: CloudFormationTemplate, name: string, app?: AppTemplates): IntrinsicContext {
  const raw = template.Resources ?? {};
  const context: IntrinsicContext = {
    ref: (ref) => {
      if (PSEUDO_PARAMETERS.has(ref)) return { symbolic: 'pseudo', name: ref };
      if (template.Parameters && ref in template.Parameters) return app ? app.parameterValue(name, ref) : { symbolic: 'parameter', name: ref };
      if (ref in raw) return { symbolic: 'ref', logicalId: ref };
      return { symbolic: 'unknown', reason: `a Ref to ${ref}, which is not in the template` };
    },
    getAtt: (logicalId, attribute) => {
      if (!(logicalId in raw)) return { symbolic: 'unknown', reason: `Fn::GetAtt of ${logicalId}, which is not in the template` };
      if (raw[logicalId]?.Type === NESTED_STACK_TYPE && attribute.startsWith('Outputs.')) {
        // An output of a nested stack is a value of its template, not of this resource: read alone, it is not known.
        return app
          ? app.nestedStackOutput(name, logicalId, attribute.slice('Outputs.'.length))
          : { symbolic: 'unknown', reason: `Fn::GetAtt ${logicalId}.${attribute}, an output of a nested stack whose template is not read with this one` };
      }
      return { symbolic: 'ref', logicalId, attribute };
    },
    condition: (conditionName) => evaluateTemplateCondition(template, conditionName, context),
    mappings: template.Mappings,
    ...(app ? { importValue: (exportName: Value) => app.importValue(name, exportName), stackOutput: (reference: Value) => app.stackOutput(name, reference) } : {}),
  };
  return context;
}

/**
 * Evaluates a template condition (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition) against a
 * context: literal-only conditions always resolve; with a symbolic context, conditions over
 * parameters stay `undefined`, with a concrete one (the emulator) they resolve too.
 */
export function evaluateTemplateCondition(template: CloudFormationTemplate, name: string, ctx: IntrinsicContext, seen: Set<string> = new Set()): boolean | undefined {
  const expression = template.Conditions?.[name];
  if (expression === undefined || seen.has(name)) return undefined;
  seen.add(name);
  return evaluateConditionExpression(template, expression, ctx, seen);
}

function evaluateConditionExpression(template: CloudFormationTemplate, expression: unknown, ctx: IntrinsicContext, seen: Set<string>): boolean | undefined {
  if (expression === null || typeof expression !== 'object' || Array.isArray(expression)) return undefined;
  const [fn, arg] = Object.entries(expression as Record<string, unknown>)[0] ?? [];
  const list = Array.isArray(arg) ? arg : [];
  switch (fn) {
    case 'Condition':
      return typeof arg === 'string' ? evaluateTemplateCondition(template, arg, ctx, seen) : undefined;
    case 'Fn::Equals': {
      const [a, b] = list.map((v) => resolveIntrinsics(v, ctx));
      if (typeof a !== 'string' && typeof a !== 'number') return undefined;
      if (typeof b !== 'string' && typeof b !== 'number') return undefined;
      return String(a) === String(b);
    }
    case 'Fn::Not': {
      const inner = evaluateConditionExpression(template, list[0], ctx, seen);
      return inner === undefined ? undefined : !inner;
    }
    case 'Fn::And':
    case 'Fn::Or': {
      const values = list.map((v) => evaluateConditionExpression(template, v, ctx, seen));
      if (fn === 'Fn::And' && values.includes(false)) return false;
      if (fn === 'Fn::Or' && values.includes(true)) return true;
      return values.includes(undefined) ? undefined : fn === 'Fn::And';
    }
    default:
      return undefined;
  }
}
