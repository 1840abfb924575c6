import * as fs from 'node:fs';
import { CfnResource, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Stack, Stage, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Resources CloudFormation accepts in one template (aws-cdk-lib's default stackResourceLimit). */
export const TEMPLATE_RESOURCE_LIMIT = 500;

/**
 * Bytes of a template CloudFormation accepts from S3 ("1 MB"; taken as 10^6 bytes, the stricter
 * reading). aws-cdk-lib does not check it; the deployment would fail.
 */
export const TEMPLATE_SIZE_LIMIT_BYTES = 1_000_000;

/** aws-cdk-lib's context key that raises or (0) lifts its resource check; honoured here too. */
const RESOURCE_LIMIT_CONTEXT = '@aws-cdk/core:stackResourceLimit';

/** Stacks whose validation is registered: one per stack, however many roles it has. */
const watched = new WeakSet<Stack>();
/** The size check of each stage, which judges the templates of the stage's watched stacks. */
const sizeChecks = new WeakMap<Stage, TemplateSizeCheck>();

/**
 * Makes synth of the scope's stack fail with attestgate's own error when it has more resources
 * than a template may: what the limit is, how many resources attestgate's gates brought, and the
 * fix — IdentityStacks — instead of aws-cdk-lib's bare "greater than allowed maximum of 500",
 * raised later, during template synthesis. Validations run before it, so ours is the one seen.
 */
export function watchTemplateLimits(scope: IConstruct): void {
  const stack = Stack.of(scope);
  if (watched.has(stack)) return;
  watched.add(stack);
  stack.node.addValidation({ validate: () => templateLimitErrors(stack) });
  // The size is known only once the template is written: a validation plugin runs then, and
  // measures the file instead of resolving the template a second time (~2 s at 1,000 roles).
  const stage = Stage.of(stack);
  if (!stage) return;
  let check = sizeChecks.get(stage);
  if (!check) {
    sizeChecks.set(stage, (check = new TemplateSizeCheck()));
    Validations.of(stage).addPlugins(check);
  }
  check.stackPaths.add(stack.node.path);
}

/** Fails synth when a written template of a watched stack is larger than CloudFormation accepts. */
class TemplateSizeCheck implements IPolicyValidationPlugin {
  public readonly name = 'attestgate-template-limits';
  public readonly ruleIds = ['template-size'];
  public readonly stackPaths = new Set<string>();

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations = context.stackTemplates
      .filter((t) => this.stackPaths.has(t.stackConstructPath))
      .map((t) => ({ template: t, bytes: fs.statSync(t.templatePath).size }))
      .filter(({ bytes }) => bytes > TEMPLATE_SIZE_LIMIT_BYTES)
      .map(({ template, bytes }) => ({
        ruleName: 'template-size',
        description: `Stack '${template.stackConstructPath}' synthesized a template of ${bytes} bytes; CloudFormation accepts at most 1 MB (${TEMPLATE_SIZE_LIMIT_BYTES} bytes).`,
        fix: STACKS_FIX('<n>'),
        severity: 'error',
        violatingResources: [{ resourceLogicalId: '(template)', templatePath: template.templatePath, locations: [] }],
      }));
    return { success: violations.length === 0, violations };
  }
}

/** How to spread identities over stacks, with the stack count to use. */
const STACKS_FIX = (stackCount: string) =>
  `spread the identities over stacks that each stay under the limits — new IdentityStacks(app, '<name>', { stackCount: ${stackCount} }).stackFor(identity) as each AttestedRole's scope (attestgate/aws) assigns every identity to a stack by a hash of its name, ` +
  'so adding identities never moves the others; keep stackCount fixed afterwards.';

function templateLimitErrors(stack: Stack): string[] {
  const configured = stack.node.tryGetContext(RESOURCE_LIMIT_CONTEXT) as number | undefined;
  const limit = configured ?? TEMPLATE_RESOURCE_LIMIT;
  if (limit === 0) return [];
  let resources = 0;
  let roles = 0;
  for (const c of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(c) || Stack.of(c) !== stack) continue;
    resources++;
    if (c.cfnResourceType === 'AWS::IAM::Role') roles++;
  }
  if (resources <= limit) return [];
  // Room for the hash's unevenness and for growth: stacks filled to 60 % of the limit.
  const stacks = Math.ceil(resources / (limit * 0.6));
  return [
    `Stack '${stack.node.path}' has ${resources} resources (${roles} IAM roles); a CloudFormation template may have at most ${limit} ` +
      `(and be at most 1 MB). Fix: ${STACKS_FIX(String(stacks))} Profiles are shared and split at 250 roles by AttestedRole already.`,
  ];
}
