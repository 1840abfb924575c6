/**
 * How much an identity may change. The tier decides the defaults and limits attestgate applies:
 * a high-privilege identity gets the shortest credentials, revocation checks and detection signals.
 */
export enum PrivilegeTier {
  /** Broad write authority: deploys, IAM changes, data deletion. The gate's strictest settings apply. */
  HIGH = 'high',
  /** Write access to a bounded set of resources. */
  STANDARD = 'standard',
  /** Read-only access. */
  READ_ONLY = 'read-only',
}

/** All tiers, in order of decreasing authority. */
export const PRIVILEGE_TIERS: readonly PrivilegeTier[] = [PrivilegeTier.HIGH, PrivilegeTier.STANDARD, PrivilegeTier.READ_ONLY];

/** Parses a tier from a string (as found in a gate manifest); `undefined` if it is not one. */
export function parsePrivilegeTier(value: unknown): PrivilegeTier | undefined {
  return PRIVILEGE_TIERS.find((tier) => tier === value);
}
