import * as fs from 'node:fs';
import * as path from 'node:path';
import { IPolicyValidationContext, IPolicyValidationPlugin, NestedStack, PolicyValidationPluginReport, PolicyViolation, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { AppTemplates } from '../model/aws/app-templates';
import { TEMPLATE_FILES_ON_DISK, withNestedTemplates } from '../model/aws/nested-stacks';
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
    const all = context.appConstruct.node.findAll();
    const stacksByPath = new Map(all.filter((c): c is Stack => Stack.isStack(c)).map((s) => [s.node.path, s]));
    const stacks = new Map(context.stackTemplates.map((t) => [t.templatePath, stacksByPath.get(t.stackConstructPath)]));
    // The context gives the templates of stacks only: a nested stack's is a file its parent names
    // (an asset of it), read here so that its resources are judged too, and what the two pass
    // each other (Parameters, Outputs) resolves as the Aspect resolves it.
    const templates = withNestedTemplates(
      context.stackTemplates.map((t) => ({
        name: t.templatePath,
        file: t.templatePath,
        template: fs.readFileSync(t.templatePath, 'utf8'),
        stackName: stacks.get(t.templatePath)?.stackName,
        account: t.accountId,
        region: t.region,
      })),
      TEMPLATE_FILES_ON_DISK,
    );
    const app = new AppTemplates(templates);
    // Every nested stack of the app, from the same walk (a parent's walk would include its nested
    // stacks' nested stacks again).
    const nestedStacks = new Map(all.filter((c): c is NestedStack => NestedStack.isNestedStack(c) && c.nestedStackParent !== undefined).map((n) => [n.templateFile, n] as const));
    for (const template of templates) {
      const model = app.model(template.name);
      // A nested stack's file is named after its construct (templateFile), next to its parent's.
      const stack = template.nestedIn ? nestedStacks.get(path.basename(template.file ?? '')) : stacks.get(template.name);
      const constructs = stack ? elementsByLogicalId(stack) : new Map<string, IConstruct>();
      for (const verdict of judgeStack(AWS_RULES, model, constructs).filter(isOpen)) {
        violations.push(toViolation(verdict, template.file ?? template.name, constructs.get(verdict.finding.resource)));
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
