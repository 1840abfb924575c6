import * as fs from 'node:fs';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { AppTemplates } from '../model/aws/app-templates';
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
    // The stacks are judged together: a role pinned to a trust anchor of a base stack reaches it
    // through Fn::ImportValue, which resolves only against the exporting stack's template.
    const stacksByPath = new Map(context.appConstruct.node.findAll().filter((c): c is Stack => Stack.isStack(c)).map((s) => [s.node.path, s]));
    const stacks = new Map(context.stackTemplates.map((t) => [t.templatePath, stacksByPath.get(t.stackConstructPath)]));
    const app = new AppTemplates(
      context.stackTemplates.map((t) => ({
        name: t.templatePath,
        template: fs.readFileSync(t.templatePath, 'utf8'),
        stackName: stacks.get(t.templatePath)?.stackName,
        account: t.accountId,
        region: t.region,
      })),
    );
    for (const stackTemplate of context.stackTemplates) {
      const model = app.model(stackTemplate.templatePath);
      const stack = stacks.get(stackTemplate.templatePath);
      const constructs = stack ? elementsByLogicalId(stack) : new Map<string, IConstruct>();
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
