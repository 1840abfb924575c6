import { CfnElement } from 'aws-cdk-lib';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * A subclass of an L1 class whose logical ID is computed once synthesis has begun, instead of on
 * every resolution: the same ID, one MD5 instead of seven.
 *
 * aws-cdk-lib resolves a resource's logical ID each time it is asked (an uncached Lazy), and for a
 * resource inside a construct — an AttestedRole's CfnRole is `<role>/Resource` — that is a hash of
 * its path each time: 9 times per role per synth (reference resolution, the template, tree
 * metadata, a validation plugin's construct tree). Until validation the ID may still change
 * (`overrideLogicalId`, `Stack.renameLogicalId`), so it is recomputed as aws-cdk-lib does; from
 * validation on, every construct is built and every rename registered (validation runs after
 * Aspects and reference resolution, before templates are written), so the first ID computed then
 * is the one every later resolution gets. `overrideLogicalId` still wins whenever it is called.
 * (The one sequence that can tell: synth, then `Stack.renameLogicalId` of this element, then a
 * forced second synth of the same app — the rename would not apply. Renames belong before synth.)
 *
 * The ID itself is aws-cdk-lib's — `Stack.getLogicalId`, with the stack's renames and any
 * `allocateLogicalId` override — so deployed resources keep their logical IDs. The class keeps
 * its base's jsii type information (a static member, inherited), so tree metadata names the base.
 */
export function withCachedLogicalId<T extends abstract new (...args: any[]) => CfnElement>(Base: T): T {
  abstract class CachedLogicalId extends Base {
    /** Set by the element's validation: from then on the logical ID can no longer change. */
    private synthesizing = false;
    private cachedLogicalId?: string;

    constructor(...args: any[]) {
      super(...args);
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
  return CachedLogicalId;
}

/** An AttestedRole's CfnRole: one per identity, at `<role>/Resource`. */
export const CachedLogicalIdCfnRole = withCachedLogicalId(iam.CfnRole);

/** IssuanceMonitor's per-role failure alarm: one per monitored identity, inside the monitor. */
export const CachedLogicalIdCfnAlarm = withCachedLogicalId(CfnAlarm);
