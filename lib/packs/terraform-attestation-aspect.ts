import { Annotations, Aspects, IAspect, TerraformDataSource, TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { TerraformModel } from '../model/terraform/configuration';
import { AZURE_RULES } from '../rules/azure';
import { annotateVerdicts, judgeStack } from './private/judge-stack';
import { GCP_RULES } from '../rules/gcp';
import { Rule } from '../rules/rule';
import { constructsByAddress } from './private/terraform-stack-resources';
import { RuleAcknowledgements } from '../rules/acknowledgements';
import { WRITTEN_ACKNOWLEDGEMENTS_KEY } from '../rules/written-acknowledgements';

/** The rules that judge Terraform JSON (GCP and Azure), in ID order. */
export const TERRAFORM_RULES: ReadonlyArray<Rule<TerraformModel>> = [...AZURE_RULES, ...GCP_RULES];

/**
 * The attestgate rules for CDK for Terraform, which has no policy-validation hook: each stack is
 * judged on the Terraform JSON it synthesizes — attestgate's constructs and raw provider
 * resources alike — and findings are reported through cdktf Annotations on the offending
 * resource: errors for open findings, which make `app.synth()` (and `cdktf synth`) fail, info
 * for acknowledged ones. Acknowledgements work as on AWS (`RuleAcknowledgements`); critical
 * violations cannot be acknowledged.
 *
 * cdktf 0.21 invokes only the Aspects of a stack and its children — an Aspect added to the App
 * is never run — so add it to each stack, or call `TerraformAttestationAspect.applyTo(app)` once
 * the stacks exist. The acknowledgements that apply to each resource are also written into its
 * `"//"` in cdk.tf.json — cdktf writes no construct metadata there — so `attestgate rules` over
 * cdktf.out honours them as synth does. cdktf runs Aspects in tree order without priorities: the stack is judged when
 * the Aspect reaches it, before Aspects registered on its children. Judging costs one more
 * resolution of the stack (bench/synth-tf).
 *
 * @example
 * TerraformAttestationAspect.applyTo(app);              // every stack of the app
 * Aspects.of(stack).add(new TerraformAttestationAspect()); // or one stack
 */
export class TerraformAttestationAspect implements IAspect {
  /** Adds the Aspect to every stack under `scope` (the App, say) that has none yet. */
  public static applyTo(scope: IConstruct): void {
    const stacks = scope.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
    for (const stack of stacks) TerraformAttestationAspect.ensureOn(stack);
  }

  /** Adds the Aspect to a stack unless it has one. */
  public static ensureOn(stack: TerraformStack): void {
    if (!Aspects.of(stack).all.some((a) => a instanceof TerraformAttestationAspect)) Aspects.of(stack).add(new TerraformAttestationAspect());
  }

  private readonly judged = new WeakSet<TerraformStack>();

  public visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node) || this.judged.has(node)) return;
    this.judged.add(node);
    const constructs = constructsByAddress(node);
    writeAcknowledgements(constructs);
    // toTerraform() is what the synthesizer writes: tokens resolved, "//" comments included.
    const model = TerraformModel.parse(node.toTerraform(), node.node.path);
    annotateVerdicts(judgeStack(TERRAFORM_RULES, model, constructs), constructs, node, (scope) => Annotations.of(scope));
  }
}

/**
 * Writes the acknowledgements that apply to each resource (its own, then its ancestors', nearest
 * first) into its `"//"["attestgate:acknowledgements"]`, where lib/rules/written-acknowledgements
 * reads them back from the synthesized JSON.
 */
function writeAcknowledgements(constructs: ReadonlyMap<string, IConstruct>): void {
  for (const construct of constructs.values()) {
    if (!TerraformResource.isTerraformResource(construct) && !(construct instanceof TerraformDataSource)) continue;
    const nearest = new Map<string, string>();
    for (const acknowledgement of RuleAcknowledgements.applying(construct)) if (!nearest.has(acknowledgement.ruleId)) nearest.set(acknowledgement.ruleId, acknowledgement.reason);
    for (const [ruleId, reason] of nearest) (construct as TerraformResource | TerraformDataSource).addOverride(`//.${WRITTEN_ACKNOWLEDGEMENTS_KEY}.${ruleId}`, reason);
  }
}
