import { Annotations, AspectPriority, IAspect, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { TemplateModel } from '../cloudformation/template';
import { RuleAcknowledgements } from '../rules/acknowledgements';
import { AWS_RULES } from '../rules/aws';
import { applyAcknowledgements, evaluateRules, formatVerdict } from '../rules/evaluate';
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
    const verdicts = applyAcknowledgements(evaluateRules(AWS_RULES, model), (logicalId) => {
      const construct = constructs.get(logicalId);
      return construct ? RuleAcknowledgements.applying(construct) : [];
    });
    for (const verdict of verdicts) {
      const target = constructs.get(verdict.finding.resource) ?? node;
      const message = formatVerdict(verdict);
      if (verdict.acknowledgement) Annotations.of(target).addInfo(message);
      else Annotations.of(target).addError(message);
    }
  }
}
