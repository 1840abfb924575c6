/**
 * A SPIRE registration entry: which workloads (by selectors, under which parent) are issued
 * which SPIFFE ID, and for how long. This is the one shape shared by what attestgate generates
 * (spire-controller-manager manifests, `spire-server entry create -data` batches) and what the
 * emulator's Workload API server issues from; the JSON field names of SPIRE's batch format are
 * produced from it by the writer, not used here.
 *
 * Kept free of cdk8s and gRPC: the emulator and the rules import it.
 */

/** A selector as SPIRE writes it: `type` is the attestor (`k8s`, `unix`, `docker`, …), `value` the rest (`ns:agents`). */
export interface SpiffeSelector {
  readonly type: string;
  readonly value: string;
}

export interface RegistrationEntry {
  /** The SPIFFE ID issued to matching workloads. */
  readonly spiffeId: string;
  /** The agent (or node alias) under which the workload must run. */
  readonly parentId: string;
  /** Every one must be among the workload's selectors (SPIRE's subset match). */
  readonly selectors: readonly SpiffeSelector[];
  /** X.509-SVID lifetime in seconds; 0 (as in SPIRE) leaves it to the server's default (node entries). */
  readonly x509SvidTtlSeconds: number;
  /** JWT-SVID lifetime in seconds; 0 (as in SPIRE) leaves it to the server's default (node entries). */
  readonly jwtSvidTtlSeconds: number;
  readonly dnsNames: readonly string[];
  /** Trust domains whose bundles the workload also receives. */
  readonly federatesWith: readonly string[];
  readonly hint?: string;
  /**
   * SPIRE's `jwt_svid_include_jti` (the entry's additional attributes; spiffe/spire#6514): every
   * JWT-SVID gets a new UUID `jti`, and the agent bypasses its JWT-SVID cache, so each Workload
   * API fetch attests the workload and mints a new token — what step-up's `attested-fresh` needs.
   * Without it (SPIRE's default) JWT-SVIDs carry no `jti` and are served from the agent's cache.
   *
   * @default false
   */
  readonly jwtSvidIncludeJti?: boolean;
}

/** `type:value`, as SPIRE prints a selector. */
export const formatSelector = (selector: SpiffeSelector): string => `${selector.type}:${selector.value}`;

/**
 * Whether a workload that the agent `parentId` attested with `presented` selectors is issued the
 * entry: the parent matches and every selector of the entry is among the presented ones (SPIRE
 * issues an entry whose selectors are a subset of the workload's).
 */
export function entryMatches(entry: RegistrationEntry, parentId: string, presented: readonly SpiffeSelector[]): boolean {
  if (entry.parentId !== parentId || entry.selectors.length === 0) return false;
  const have = new Set(presented.map(formatSelector));
  return entry.selectors.every((s) => have.has(formatSelector(s)));
}
