import { CfnElement, Stack } from 'aws-cdk-lib';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Whether a stack's validation has run, that is, whether synthesis has begun. */
interface SynthesisBegun {
  begun: boolean;
}

const synthesisOfStack = new WeakMap<Stack, SynthesisBegun>();

/** The stack's flag, with the one validation that sets it registered on first use. */
function synthesisBegunIn(stack: Stack): SynthesisBegun {
  let synthesis = synthesisOfStack.get(stack);
  if (!synthesis) {
    const state: SynthesisBegun = { begun: false };
    stack.node.addValidation({
      validate: () => {
        state.begun = true;
        return [];
      },
    });
    synthesisOfStack.set(stack, (synthesis = state));
  }
  return synthesis;
}

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
 * The moment is the stack's validation (one per stack, shared by its elements: a validation per
 * element cost ~10 ms at 1,000 roles, to register and to run), which runs before those of the
 * constructs inside it.
 * (The one sequence that can tell: synth, then `Stack.renameLogicalId` of this element, then a
 * forced second synth of the same app — the rename would not apply. Renames belong before synth.)
 *
 * The ID itself is aws-cdk-lib's — `Stack.getLogicalId`, with the stack's renames and any
 * `allocateLogicalId` override — so deployed resources keep their logical IDs. The class keeps
 * its base's jsii type information (a static member, inherited), so tree metadata names the base.
 */
export function withCachedLogicalId<T extends abstract new (...args: any[]) => CfnElement>(Base: T): T {
  abstract class CachedLogicalId extends Base {
    /** Whether the stack's validation has run: from then on the logical ID can no longer change. */
    private readonly synthesis: SynthesisBegun;
    private cachedLogicalId?: string;

    constructor(...args: any[]) {
      super(...args);
      this.synthesis = synthesisBegunIn(this.stack);
    }

    public override overrideLogicalId(newLogicalId: string): void {
      super.overrideLogicalId(newLogicalId);
      this.cachedLogicalId = undefined;
    }

    protected override _synthesizeLogicalId(): string {
      if (this.cachedLogicalId !== undefined) return this.cachedLogicalId;
      const logicalId = super._synthesizeLogicalId();
      if (this.synthesis.begun) this.cachedLogicalId = logicalId;
      return logicalId;
    }
  }
  return CachedLogicalId;
}

/** An AttestedRole's CfnRole: one per identity, at `<role>/Resource`. */
export const CachedLogicalIdCfnRole = withCachedLogicalId(iam.CfnRole);

/** IssuanceMonitor's per-role failure alarm: one per monitored identity, inside the monitor. */
export const CachedLogicalIdCfnAlarm = withCachedLogicalId(CfnAlarm);
