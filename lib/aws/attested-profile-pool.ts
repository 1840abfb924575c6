import * as crypto from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { AgentIdentity } from '../core/agent-identity';
import { IAgentTrustAnchor } from './agent-trust-anchor';
import { AttestedProfile, AttestedProfileOptions, ROLES_PER_PROFILE, attributeMappingsFor, rdnKeysOf, sessionDurationSecondsFor } from './attested-profile';

/** A role asking the pool for a profile: the identity and anchors its trust policy pins. */
export interface PooledRole {
  readonly role: iam.IRole;
  readonly identity: AgentIdentity;
  readonly trustAnchors: readonly IAgentTrustAnchor[];
  /** Who asks, for error messages: `AttestedRole '<path>'`. */
  readonly where: string;
}

const pools = new WeakMap<Stack, AttestedProfilePool>();

/** Stable numbers for session-policy documents: a document is mutable, so it is compared by identity. */
const documentIds = new WeakMap<iam.PolicyDocument, number>();
let nextDocumentId = 1;

/** The RDN keys a distinguished name gives, in mapping order: what attributeMappingsFor maps of it. */

/**
 * The shared Roles Anywhere profiles of one stack. Roles whose gates are set alike — the same
 * trust anchors, privilege tier, session duration, attribute mapping and session policies —
 * share a profile, so 1,000 identities need 4 profiles, not 1,000 (an account has 250 by
 * default). A profile lists at most 250 roles (a quota that cannot be raised): the 251st role of
 * a group opens the group's next profile.
 *
 * Sharing never widens a gate: a profile only says which roles a session may be asked for and
 * how it is shaped; each role's trust policy still pins its trust anchors and its certificate's
 * subject, SAN and issuer. A certificate that passes one role's trust policy can ask a shared
 * profile for another role, and that role's trust policy refuses it (proved on the emulator in
 * test/conformance/aws/shared-profile.test.ts).
 *
 * Roles join a group's profiles in the order they are declared. Append new identities: removing
 * one from the middle of a group larger than 250 moves the next one into the previous profile,
 * which changes the profile ARN its agent must use (the role itself is not replaced).
 */
export class AttestedProfilePool extends Construct {
  /** The stack's pool, created on first use. */
  public static of(scope: IConstruct): AttestedProfilePool {
    const stack = Stack.of(scope);
    let pool = pools.get(stack);
    if (!pool) {
      pool = new AttestedProfilePool(stack, 'AttestgateProfiles');
      pools.set(stack, pool);
    }
    return pool;
  }

  /** Each group's profiles, by the group's settings key; the last one is the one being filled. */
  private readonly groups = new Map<string, AttestedProfile[]>();
  /**
   * The resolved form of each ARN a key was made of, by its token string: every role of a stack
   * names the same few anchors and policies, and resolving one per role was 5 % of the synth of
   * 1,000 identities (by a CPU profile).
   */
  private readonly resolvedArns = new Map<string, string>();
  /** Each settings key, by the unresolved inputs it was made of (see settingsKey). */
  private readonly keys = new Map<string, string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  /** Every profile of the pool. */
  public get profiles(): readonly AttestedProfile[] {
    return [...this.groups.values()].flat();
  }

  /**
   * The profile that issues the role's sessions, listing it: the open profile of the role's
   * group, or a new one when the group has none or its last one lists 250 roles.
   */
  public profileFor(member: PooledRole, options: AttestedProfileOptions): AttestedProfile {
    const key = this.settingsKey(member, options);
    let profiles = this.groups.get(key);
    if (!profiles) this.groups.set(key, (profiles = []));
    const open = profiles[profiles.length - 1];
    if (open && open.roleCount < ROLES_PER_PROFILE) {
      open.addRole(member.role);
      return open;
    }
    // The ID is the settings' digest, so a group keeps its profiles' logical IDs whatever other
    // groups the stack gains or loses.
    const digest = crypto.createHash('sha256').update(key).digest('hex').slice(0, 12);
    const profile = new AttestedProfile(this, profiles.length === 0 ? `Shared${digest}` : `Shared${digest}x${profiles.length + 1}`, {
      identity: member.identity,
      roles: [member.role],
      sessionDuration: options.sessionDuration,
      sessionPolicy: options.sessionPolicy,
      sessionManagedPolicies: options.sessionManagedPolicies,
    });
    profiles.push(profile);
    return profile;
  }

  /**
   * What a profile fixes for every role it lists, plus what keeps a group to one kind of gate
   * (anchors, privilege): two roles share a profile only when all of it is equal.
   */
  private settingsKey(member: PooledRole, options: AttestedProfileOptions): string {
    const { identity } = member;
    const durationSeconds = sessionDurationSecondsFor(identity, options.sessionDuration, member.where);
    const anchorArns = member.trustAnchors.map((a) => a.trustAnchorArn);
    const managedArns = (options.sessionManagedPolicies ?? []).map((p) => p.managedPolicyArn);
    let documentId: number | undefined;
    if (options.sessionPolicy) {
      documentId = documentIds.get(options.sessionPolicy);
      if (documentId === undefined) documentIds.set(options.sessionPolicy, (documentId = nextDocumentId++));
    }
    // Everything the key is made of, unresolved: the roles of a stack mostly repeat a few of these,
    // and building the key itself (mapping rules, resolved and sorted ARNs, JSON) for each role was
    // half the cost of profileFor at 1,000 identities (by a CPU profile).
    const inputs = [
      durationSeconds,
      identity.privilege,
      rdnKeysOf(identity.subject).join(','),
      identity.issuingCa ? rdnKeysOf(identity.issuingCa).join(',') : '-',
      documentId ?? '',
      anchorArns.join('\u0001'),
      managedArns.join('\u0001'),
    ].join('\u0000');
    let key = this.keys.get(inputs);
    if (key !== undefined) return key;
    const stack = Stack.of(this);
    const resolvedArn = (value: string) => {
      let resolved = this.resolvedArns.get(value);
      if (resolved === undefined) this.resolvedArns.set(value, (resolved = JSON.stringify(stack.resolve(value))));
      return resolved;
    };
    const resolved = (values: readonly string[]) => values.map(resolvedArn).sort();
    key = JSON.stringify({
      durationSeconds,
      attributeMappings: attributeMappingsFor(identity),
      privilege: identity.privilege,
      trustAnchors: [...new Set(resolved(anchorArns))],
      sessionPolicy: documentId ?? null,
      sessionManagedPolicies: resolved(managedArns),
    });
    this.keys.set(inputs, key);
    return key;
  }
}
