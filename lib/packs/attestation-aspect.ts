import { Annotations, AspectPriority, IAspect, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { AppTemplates } from '../model/aws/app-templates';
import { AWS_RULES } from '../rules/aws';
import { annotateVerdicts, judgeStack } from './private/judge-stack';
import { appTemplatesOf, elementsByLogicalId } from './private/stack-template';

/**
 * The attestgate rules as an Aspect: each stack is judged once its constructs are final, and
 * findings are reported through Annotations on the offending resource — errors for open
 * findings (synth fails), info for acknowledged ones. Use it where a validation plugin cannot
 * be registered, or to see findings in `cdk synth` annotations.
 *
 * The stacks of an app are judged together, as `AttestationChecks` judges them: a role whose
 * trust policy pins a trust anchor of another stack (the base-stack + `IdentityStacks` layout) is
 * judged against that anchor, where CloudFormation could import it (same account and Region).
 *
 * @example
 * Aspects.of(app).add(new AttestationAspect(), { priority: AspectPriority.READONLY });
 */
export class AttestationAspect implements IAspect {
  /** Aspects must be registered with this priority so they see the final tree. */
  public static readonly PRIORITY = AspectPriority.READONLY;

  private readonly judged = new WeakSet<Stack>();
  /** The app's templates, built once per run (at the first stack visited: readonly aspects run after all mutating ones). */
  private readonly apps = new WeakMap<IConstruct, AppTemplates>();

  public visit(node: IConstruct): void {
    if (!Stack.isStack(node) || this.judged.has(node)) return;
    this.judged.add(node);
    const model = this.appOf(node).model(node.node.path);
    const constructs = elementsByLogicalId(node);
    annotateVerdicts(judgeStack(AWS_RULES, model, constructs), constructs, node, (scope) => Annotations.of(scope));
  }

  private appOf(stack: Stack): AppTemplates {
    const root = stack.node.root;
    let app = this.apps.get(root);
    if (!app) {
      app = new AppTemplates(appTemplatesOf(root));
      this.apps.set(root, app);
    }
    return app;
  }
}
