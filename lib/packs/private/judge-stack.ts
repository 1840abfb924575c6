import { IConstruct } from 'constructs';
import { RuleAcknowledgements } from '../../rules/acknowledgements';
import { RuleVerdict, applyAcknowledgements, evaluateRules, failsSynth, formatVerdict } from '../../rules/evaluate';
import { Rule } from '../../rules/rule';

/**
 * Judges one stack's model with the rules, taking each finding's acknowledgements from the
 * construct that synthesized its resource (by logical ID or Terraform address).
 */
export function judgeStack<M>(rules: ReadonlyArray<Rule<M>>, model: M, constructs: ReadonlyMap<string, IConstruct>): RuleVerdict[] {
  return applyAcknowledgements(evaluateRules(rules, model), (resource) => {
    const construct = constructs.get(resource);
    return construct ? RuleAcknowledgements.applying(construct) : [];
  });
}

/** Where a framework's annotations go: aws-cdk-lib's and cdktf's Annotations both fit. */
export interface AnnotationSink {
  addInfo(message: string): void;
  addWarning(message: string): void;
  addError(message: string): void;
}

/**
 * Reports verdicts as annotations on the offending resource's construct (the stack when none):
 * errors for open findings, which fail synth, warnings for those of warning rules (a quota that
 * can be raised), info for acknowledged ones.
 */
export function annotateVerdicts(verdicts: readonly RuleVerdict[], constructs: ReadonlyMap<string, IConstruct>, stack: IConstruct, annotationsOf: (scope: IConstruct) => AnnotationSink): void {
  for (const verdict of verdicts) {
    const annotations = annotationsOf(constructs.get(verdict.finding.resource) ?? stack);
    const message = formatVerdict(verdict);
    if (verdict.acknowledgement) annotations.addInfo(message);
    else if (failsSynth(verdict)) annotations.addError(message);
    else annotations.addWarning(message);
  }
}
