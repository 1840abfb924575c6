import { CfnElement, DefaultTokenResolver, IFragmentConcatenator, IPostProcessor, IResolvable, IResolveContext, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { AppTemplate } from '../../model/aws/app-templates';

type Template = Record<string, Record<string, unknown>>;

/**
 * The CloudFormation template of a stack as it stands, built from its elements. Used by the
 * Aspect, which runs before synthesis writes the template to disk.
 *
 * With `foreign`, a reference to a resource of another stack is handed to it (see
 * `appTemplatesOf`); without, it resolves as aws-cdk-lib resolves it before synthesis: as a
 * `Ref`/`Fn::GetAtt` of the other stack's logical ID, which this template does not hold — or,
 * worse, holds for a resource of its own.
 */
export function templateOfStack(stack: Stack, foreign?: (reference: Reference, producer: Stack) => unknown): Template {
  const resolve = (value: unknown) =>
    foreign ? Tokenization.resolve(value, { scope: stack, preparing: false, resolver: new ForeignReferenceResolver(stack, foreign) }) : stack.resolve(value);
  const template: Template = {};
  for (const element of elementsOf(stack)) {
    // CfnElement._toCloudFormation is how Stack renders its template; resolving it here gives
    // the same JSON the synthesized file will hold (but for cross-stack references, above).
    const fragment = resolve(element._toCloudFormation()) as Template;
    for (const [section, entries] of Object.entries(fragment)) {
      template[section] = { ...(template[section] ?? {}), ...entries };
    }
  }
  return template;
}

/**
 * The templates of every stack of the app `root` is in, for `AppTemplates`, with each reference
 * to a resource of another stack written as aws-cdk-lib will write it at synthesis: an export of
 * the producing stack and an `Fn::ImportValue` of it in the consuming one. AppTemplates then
 * resolves the import as it does for a synthesized app — to the producer's resource, and only
 * where CloudFormation would (same account and Region) — so the Aspect judges what the plugin
 * `AttestationChecks` judges.
 *
 * The export names are the Aspect's own (`attestgate-aspect:<stack path>:<value JSON>`), not
 * aws-cdk-lib's (which it computes only at synthesis). Were a real export to bear the same name,
 * AppTemplates would find it defined twice and leave the import cannot be judged, never resolved
 * wrong. Nobody wrote those names, so messages never show them: each export is described as the
 * reference it stands for (`exportDescriptions`) — the producing stack, the construct path and
 * logical ID of its resource.
 */
export function appTemplatesOf(root: IConstruct): AppTemplate[] {
  const stacks = root.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  // Per producing stack, the exports the others' references need: name → value and what it is.
  const exports = new Map<Stack, Map<string, { value: unknown; description: string }>>();
  const templates = stacks.map((stack) => ({
    stack,
    template: templateOfStack(stack, (reference, producer) => {
      // The value as the producing stack's own template holds it: its Ref or Fn::GetAtt.
      const value = producer.resolve(reference);
      const exportName = `attestgate-aspect:${producer.node.path}:${JSON.stringify(value)}`;
      if (!exports.has(producer)) exports.set(producer, new Map());
      exports.get(producer)!.set(exportName, { value, description: describeReference(reference, value, producer) });
      return { 'Fn::ImportValue': exportName };
    }),
  }));
  return templates.map(({ stack, template }) => {
    const Outputs = { ...(template.Outputs ?? {}) };
    const produced = [...(exports.get(stack) ?? new Map<string, { value: unknown; description: string }>())];
    produced.forEach(([Name, { value }], i) => {
      // Not a valid logical ID, so no output of the stack's own can have it.
      Outputs[`attestgate-aspect:${i}`] = { Value: value, Export: { Name } };
    });
    return {
      name: stack.node.path,
      template: { ...template, Outputs },
      ...(Token.isUnresolved(stack.stackName) ? {} : { stackName: stack.stackName }),
      // Environment-agnostic stacks (an unresolved account or Region) are left undefined, as the plugin's context leaves them.
      ...(Token.isUnresolved(stack.account) ? {} : { account: stack.account }),
      ...(Token.isUnresolved(stack.region) ? {} : { region: stack.region }),
      ...(produced.length > 0 ? { exportDescriptions: Object.fromEntries(produced.map(([name, { description }]) => [name, description])) } : {}),
    };
  });
}

/**
 * A reference between stacks as the user wrote it, for messages: `the TrustAnchorArn of
 * AgentsBase/Anchor/Resource (logical ID AnchorB1C2D3E4, stack AgentsBase)`. The value is the
 * producer's `Ref`/`Fn::GetAtt`; a reference to a pseudo parameter names the stack alone.
 */
function describeReference(reference: Reference, value: unknown, producer: Stack): string {
  const stack = `stack ${producer.node.path}`;
  const ref = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  if (Array.isArray(ref['Fn::GetAtt'])) {
    const [logicalId, attribute] = ref['Fn::GetAtt'] as [string, string];
    return `the ${attribute} of ${reference.target.node.path} (logical ID ${logicalId}, ${stack})`;
  }
  if (typeof ref.Ref === 'string' && !ref.Ref.startsWith('AWS::')) return `the Ref of ${reference.target.node.path} (logical ID ${ref.Ref}, ${stack})`;
  return `${typeof ref.Ref === 'string' ? ref.Ref : JSON.stringify(value)} of ${stack}`;
}

/**
 * aws-cdk-lib's CloudFormation resolver, but for references to a resource (or pseudo parameter)
 * of another stack, which `foreign` writes. Before synthesis a `CfnReference` resolves the same
 * in every stack — as a reference within its own stack — so it is told apart here, by the stack
 * of its target, while the stack that holds it is still known.
 */
class ForeignReferenceResolver extends DefaultTokenResolver {
  constructor(
    private readonly consumer: Stack,
    private readonly foreign: (reference: Reference, producer: Stack) => unknown,
  ) {
    super(CLOUDFORMATION_CONCAT);
  }

  public override resolveToken(t: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): unknown {
    if (Reference.isReference(t)) {
      const producer = Stack.of(t.target);
      if (producer !== this.consumer) return this.foreign(t, producer);
    }
    return super.resolveToken(t, context, postProcessor);
  }
}

/**
 * How aws-cdk-lib joins string fragments in a template (its CloudFormationLang.concat, which it
 * does not export): literals are joined, anything else becomes `Fn::Join ['', …]`. Nested joins
 * it would flatten stay nested here; they resolve to the same value.
 */
const CLOUDFORMATION_CONCAT: IFragmentConcatenator = {
  join(left: unknown, right: unknown): unknown {
    if (left === undefined && right === undefined) return '';
    if (left === undefined) return right;
    if (right === undefined) return left;
    const literal = (x: unknown) => (typeof x === 'string' || typeof x === 'number') && !Token.isUnresolved(x);
    return literal(left) && literal(right) ? `${left}${right}` : { 'Fn::Join': ['', [left, right]] };
  },
};

/** The elements that belong to a stack (not to nested stacks). */
export function elementsOf(stack: Stack): CfnElement[] {
  return stack.node.findAll().filter((c): c is CfnElement => CfnElement.isCfnElement(c) && Stack.of(c) === stack);
}

/** Maps each logical ID of a stack to the element that produces it. */
export function elementsByLogicalId(stack: Stack): Map<string, IConstruct> {
  return new Map(elementsOf(stack).map((e) => [stack.resolve(e.logicalId) as string, e]));
}
