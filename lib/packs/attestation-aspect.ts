import { Annotations, AspectPriority, IAspect, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { TemplateModel } from '../model/aws/template';
import { AWS_RULES } from '../rules/aws';
import { annotateVerdicts, judgeStack } from './private/judge-stack';
import { elementsByLogicalId, templateOfStack } from './private/stack-template';

/**
 * The attestgate rules as an Aspect: each stack is judged once its constructs are final, and
 * findings are reported through Annotations on the offending resource — errors for open
 * findings (synth fails), info for acknowledged ones. Use it where a validation plugin cannot
 * be registered, or to see findings in `cdk synth` annotations.
 *
 * @example
 * Aspects.of(app).add(new AttestationAspect(), { priority: AspectPriority.READONLY });
 */
export class AttestationAspect implements IAspect {
  /** Aspects must be registered with this priority so they see the final tree. */
  public static readonly PRIORITY = AspectPriority.READONLY;

  private readonly judged = new WeakSet<Stack>();

  public visit(node: IConstruct): void {
    if (!Stack.isStack(node) || this.judged.has(node)) return;
    this.judged.add(node);
    const model = TemplateModel.parse(templateOfStack(node), node.node.path);
    const constructs = elementsByLogicalId(node);
    annotateVerdicts(judgeStack(AWS_RULES, model, constructs), constructs, node, (scope) => Annotations.of(scope));
  }
}
