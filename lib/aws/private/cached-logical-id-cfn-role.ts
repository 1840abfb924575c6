import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * An `iam.CfnRole` that computes its logical ID once synthesis has begun, instead of on every
 * resolution: the same ID, one MD5 instead of seven.
 *
 * aws-cdk-lib resolves a resource's logical ID each time it is asked (an uncached Lazy), and for a
 * resource inside a construct — an AttestedRole's CfnRole is `<role>/Resource` — that is a hash of
 * its path each time: 9 times per role per synth (reference resolution, the template, tree
 * metadata, a validation plugin's construct tree). Until validation the ID may still change
 * (`overrideLogicalId`, `Stack.renameLogicalId`), so it is recomputed as aws-cdk-lib does; from
 * validation on, every construct is built and every rename registered (validation runs after
 * Aspects and reference resolution, before templates are written), so the first ID computed then
 * is the one every later resolution gets. `overrideLogicalId` still wins whenever it is called.
 *
 * The ID itself is aws-cdk-lib's — `Stack.getLogicalId`, with the stack's renames and any
 * `allocateLogicalId` override — so deployed roles keep their logical IDs.
 */
export class CachedLogicalIdCfnRole extends iam.CfnRole {
  /** Set by this role's validation: from then on the logical ID can no longer change. */
  private synthesizing = false;
  private cachedLogicalId?: string;

  constructor(scope: Construct, id: string, props: iam.CfnRoleProps) {
    super(scope, id, props);
    this.node.addValidation({
      validate: () => {
        this.synthesizing = true;
        return [];
      },
    });
  }

  public override overrideLogicalId(newLogicalId: string): void {
    super.overrideLogicalId(newLogicalId);
    this.cachedLogicalId = undefined;
  }

  protected override _synthesizeLogicalId(): string {
    if (this.cachedLogicalId !== undefined) return this.cachedLogicalId;
    const logicalId = super._synthesizeLogicalId();
    if (this.synthesizing) this.cachedLogicalId = logicalId;
    return logicalId;
  }
}
