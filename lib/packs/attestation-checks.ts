import * as fs from 'node:fs';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { TemplateModel } from '../model/aws/template';
import { RULE_NAMESPACE } from '../rules/acknowledgements';
import { AWS_RULES } from '../rules/aws';
import { RuleVerdict, cdkSeverity, failsSynth, formatVerdict, isOpen } from '../rules/evaluate';
import { judgeStack } from './private/judge-stack';
import { elementsByLogicalId } from './private/stack-template';
import { PACKAGE_VERSION } from './private/version';

/**
 * The attestgate rules as a CDK policy-validation plugin: they judge every CloudFormation
 * resource of every synthesized template — including raw L1 resources written without
 * attestgate — and fail `cdk synth` on any open finding but a warning (a quota that can be raised).
 *
 * @example
 * Validations.of(app).addPlugins(new AttestationChecks());
 */
export class AttestationChecks implements IPolicyValidationPlugin {
  public readonly name = RULE_NAMESPACE;
  public readonly version = PACKAGE_VERSION;
  public readonly ruleIds = AWS_RULES.map((r) => r.id);

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations: PolicyViolation[] = [];
    let failing = 0;
    for (const stackTemplate of context.stackTemplates) {
      const model = TemplateModel.parse(fs.readFileSync(stackTemplate.templatePath, 'utf8'), stackTemplate.templatePath);
      const constructs = constructsOfStack(context.appConstruct, stackTemplate.stackConstructPath);
      for (const verdict of judgeStack(AWS_RULES, model, constructs).filter(isOpen)) {
        violations.push(toViolation(verdict, stackTemplate.templatePath, constructs.get(verdict.finding.resource)));
        if (failsSynth(verdict)) failing++;
      }
    }
    // Warnings (a quota that can be raised) are reported without failing synth.
    return { success: failing === 0, violations };
  }
}

function toViolation(verdict: RuleVerdict, templatePath: string, construct: IConstruct | undefined): PolicyViolation {
  return {
    ruleName: verdict.rule.id,
    description: formatVerdict(verdict),
    fix: verdict.rule.fix,
    severity: cdkSeverity(verdict),
    ruleMetadata: { severity: verdict.rule.severity, outcome: verdict.finding.outcome, title: verdict.rule.title },
    violatingResources: [
      {
        resourceLogicalId: verdict.finding.resource,
        templatePath,
        locations: [verdict.finding.location],
        ...(construct ? { constructPath: construct.node.path } : {}),
      },
    ],
  };
}

/** Logical ID → construct for the stack at a construct path (empty when it is not in the tree). */
function constructsOfStack(app: IConstruct, stackPath: string): Map<string, IConstruct> {
  const stack = app.node.findAll().find((c) => Stack.isStack(c) && c.node.path === stackPath);
  return stack ? elementsByLogicalId(stack as Stack) : new Map();
}
