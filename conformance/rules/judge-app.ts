import * as path from 'node:path';
import { AWS_RULES } from '../../lib/rules/aws';
import { AZURE_RULES } from '../../lib/rules/azure';
import { GCP_RULES } from '../../lib/rules/gcp';
import { Acknowledgement } from '../../lib/rules/acknowledgements';
import { RuleVerdict, applyAcknowledgements, evaluateRules, failsSynth } from '../../lib/rules/evaluate';
import { Rule } from '../../lib/rules/rule';
import { assemblyAcknowledgements, resourceAcknowledgements } from '../../lib/rules/written-acknowledgements';
import { FileAcknowledgement, fileAcknowledgementsFor, unmatchedAcknowledgements } from '../../lib/rules/acknowledgements-file';
import { TemplateModel } from '../../lib/model/aws/template';
import { TerraformModel } from '../../lib/model/terraform/configuration';
import { AppSources } from '../discovery/app-sources';
import { readAppModels } from '../discovery/app-models';

/**
 * The synth-time rules, run over what `--app` reads instead of inside a CDK or cdktf synth: every
 * AWS rule over each CloudFormation template, every GCP and Azure rule over each Terraform
 * configuration — the same rule functions the validation plugin and the aspects call — with the
 * acknowledgements the output itself carries (lib/rules/written-acknowledgements.ts), then those of
 * an acknowledgements file (lib/rules/acknowledgements-file.ts) for inputs that cannot carry any.
 */

/** One input the rules read. */
export interface JudgedInput {
  readonly stackName: string;
  readonly file: string;
  readonly kind: 'cloudformation' | 'terraform';
  /** What the file was read as: `CloudFormation template`, `Terraform JSON configuration`, `Terraform plan JSON (format 1.2, …)`. */
  readonly readAs: string;
  readonly verdicts: readonly RuleVerdict[];
}

export interface RulesReport {
  readonly inputs: readonly JudgedInput[];
  /** Entries of the acknowledgements file that match no finding: stale or misspelt, reported rather than dropped. */
  readonly unmatchedAcknowledgements?: readonly FileAcknowledgement[];
}

/** Exit codes of `attestgate rules`: an open violation 1; no violation but an open unjudgeable finding 2; else 0. */
export function rulesExitCode(report: RulesReport): 0 | 1 | 2 {
  // Warning rules (a quota that can be raised) report without failing, as in synth.
  const open = report.inputs.flatMap((i) => i.verdicts).filter(failsSynth);
  if (open.some((v) => v.finding.outcome === 'violation')) return 1;
  return open.length > 0 ? 2 : 0;
}

function judge<M>(rules: ReadonlyArray<Rule<M>>, model: M, acknowledgementsFor: (resource: string) => Acknowledgement[]): RuleVerdict[] {
  return applyAcknowledgements(evaluateRules(rules, model), acknowledgementsFor);
}

function judgeTemplate(model: TemplateModel, fromAssembly: ReadonlyMap<string, Acknowledgement[]>, fromFile: readonly FileAcknowledgement[]): RuleVerdict[] {
  return judge(RULES_OF.cloudformation as ReadonlyArray<Rule<TemplateModel>>, model, (logicalId) => [
    ...resourceAcknowledgements(model.resource(logicalId)?.metadata, `${model.name}: ${logicalId}`),
    ...(fromAssembly.get(logicalId) ?? []),
    ...fileAcknowledgementsFor(fromFile, logicalId),
  ]);
}

/** The rules each kind of input is judged by. */
export const RULES_OF: Readonly<Record<JudgedInput['kind'], ReadonlyArray<Rule<unknown>>>> = {
  cloudformation: AWS_RULES as ReadonlyArray<Rule<unknown>>,
  terraform: [...GCP_RULES, ...AZURE_RULES] as ReadonlyArray<Rule<unknown>>,
};

function judgeConfiguration(model: TerraformModel, fromFile: readonly FileAcknowledgement[]): RuleVerdict[] {
  return judge(RULES_OF.terraform as ReadonlyArray<Rule<TerraformModel>>, model, (address) => [
    ...resourceAcknowledgements(model.resource(address)?.comment, `${model.name}: ${address}`),
    ...fileAcknowledgementsFor(fromFile, address),
  ]);
}

/**
 * Judges every input of the app.
 *
 * @param fromFile the entries of `--acknowledgements` files; they apply to every input
 */
export function judgeApp(app: AppSources, fromFile: readonly FileAcknowledgement[] = []): RulesReport {
  // Across stacks: an import is judged against the export of another template given; a nested
  // stack's template is read through its parent, and judged as an input of its own.
  const { models, nested } = readAppModels(app.templates);
  const inputs: JudgedInput[] = [
    ...app.templates.map((t, i) => ({ stackName: t.stackName, file: t.file, kind: 'cloudformation' as const, readAs: t.readAs ?? 'CloudFormation template', verdicts: judgeTemplate(models[i], t.constructMetadata ? assemblyAcknowledgements(t.constructMetadata, path.basename(t.file)) : new Map(), fromFile) })),
    // A nested stack's construct metadata is its top-level stack's, under the nested stack's construct.
    ...nested.map((n) => ({ stackName: n.stackName, file: n.file, kind: 'cloudformation' as const, readAs: 'CloudFormation template (nested stack)', verdicts: judgeTemplate(n.model, n.constructMetadata ? assemblyAcknowledgements(n.constructMetadata, path.basename(n.file)) : new Map(), fromFile) })),
    ...app.configurations.map((c) => ({ stackName: c.stackName, file: c.file, kind: 'terraform' as const, readAs: c.readAs ?? 'Terraform JSON configuration', verdicts: judgeConfiguration(c.model, fromFile) })),
  ];
  const findings = inputs.flatMap((i) => i.verdicts.map((v) => ({ ruleId: v.rule.id, resource: v.finding.resource })));
  return { inputs, unmatchedAcknowledgements: unmatchedAcknowledgements(fromFile, findings) };
}
