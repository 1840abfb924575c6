import * as crypto from 'node:crypto';
import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AgentIdentity } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';

export interface IdentityStacksProps {
  /**
   * How many stacks the identities are spread over, 1–1000. Fixed for the life of the app:
   * changing it moves identities to other stacks, and a role that moves is deleted and created
   * again. Size it for growth: at ~2.4 resources per monitored identity, a stack holds ~200.
   */
  readonly stackCount: number;
  /** Props of every stack (env, tags, synthesizer…). */
  readonly stackProps?: StackProps;
}

/**
 * Spreads identities over a fixed number of stacks, each identity to the same stack on every
 * synth: its stack is a hash of its name, so adding identity 1,001 moves none of the first 1,000
 * (a role that changes stack is deleted and recreated — its ARN stays, its sessions and the
 * agents' configuration do not survive the gap). Stacks are created when the first identity
 * lands in them and named by their shard, `<id>0` … `<id><n-1>`.
 *
 * The hash is jump consistent hashing (Lamping and Veach, 2014) of the name's SHA-256: should
 * `stackCount` ever have to grow, only the identities that land in the new stacks move.
 *
 * @example
 * const stacks = new IdentityStacks(app, 'Agents', { stackCount: 8, stackProps: { env } });
 * for (const identity of identities) {
 *   new AttestedRole(stacks.stackFor(identity), identity.name, { identity, trustAnchors: [anchor] });
 * }
 */
export class IdentityStacks {
  /** The shard of a name among `count`: stable for a name and a count. */
  public static shardOf(name: string, count: number): number {
    const digest = crypto.createHash('sha256').update(name, 'utf8').digest();
    let key = digest.readBigUInt64BE(0);
    let b = -1;
    let j = 0;
    while (j < count) {
      b = j;
      key = (key * 2862933555777941757n + 1n) & 0xffffffffffffffffn;
      j = Math.floor((b + 1) * (2 ** 31 / (Number(key >> 33n) + 1)));
    }
    return b;
  }

  public readonly stackCount: number;
  private readonly stacks = new Map<number, Stack>();

  constructor(
    private readonly scope: Construct,
    private readonly id: string,
    private readonly props: IdentityStacksProps,
  ) {
    const count = props.stackCount;
    if (!Number.isInteger(count) || count < 1 || count > 1000) {
      throw new AttestGateError({
        where: `IdentityStacks '${id}'`,
        field: 'stackCount',
        value: count,
        problem: 'is not a whole number from 1 to 1000',
        fix: 'give the number of stacks the identities need with room to grow, e.g. 8 for 1,000 monitored identities; keep it fixed afterwards',
      });
    }
    this.stackCount = count;
  }

  /** The stack of an identity (or of an identity name), created on first use. */
  public stackFor(identity: AgentIdentity | string): Stack {
    const shard = IdentityStacks.shardOf(typeof identity === 'string' ? identity : identity.name, this.stackCount);
    let stack = this.stacks.get(shard);
    if (!stack) this.stacks.set(shard, (stack = new Stack(this.scope, `${this.id}${shard}`, this.props.stackProps)));
    return stack;
  }

  /** The stacks created so far, by shard. */
  public get createdStacks(): ReadonlyMap<number, Stack> {
    return this.stacks;
  }
}
