/**
 * Where `attested-fresh` tokens are remembered after their one use. `consume` must be atomic —
 * of two concurrent calls with one key exactly one returns true — and keep the key until the
 * token expires. A resource server running several instances shares one store (Redis `SET key 1
 * NX EXAT exp`, a DynamoDB conditional put); the in-memory store serves one process.
 */
export interface ReplayStore {
  /**
   * Records `key` until `expiresAt` (seconds since the epoch) and says whether it was new.
   * Throws when it cannot remember it (the store is full or unreachable): the token is then
   * refused, never accepted unremembered.
   */
  consume(key: string, expiresAt: number): boolean | Promise<boolean>;
}

/** The in-memory store is full of unexpired keys: a token it cannot remember is not accepted. */
export class ReplayStoreFullError extends Error {
  constructor(limit: number) {
    super(`the replay store holds ${limit} unexpired token IDs, its limit`);
    this.name = 'ReplayStoreFullError';
  }
}

/**
 * One process's replay store: a map from key to expiry, swept of expired keys when it reaches
 * its limit. Full of unexpired keys, it refuses new ones (fail closed).
 */
export class MemoryReplayStore implements ReplayStore {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly options: {
      /** @default 100000 */
      readonly maxEntries?: number;
      /** @default Date.now */
      readonly nowMs?: () => number;
    } = {},
  ) {}

  get size(): number {
    return this.seen.size;
  }

  consume(key: string, expiresAt: number): boolean {
    const now = Math.floor((this.options.nowMs ?? Date.now)() / 1000);
    const known = this.seen.get(key);
    if (known !== undefined && known >= now) return false;
    const limit = this.options.maxEntries ?? 100_000;
    if (known === undefined && this.seen.size >= limit) {
      for (const [k, expiry] of this.seen) if (expiry < now) this.seen.delete(k);
      if (this.seen.size >= limit) throw new ReplayStoreFullError(limit);
    }
    this.seen.set(key, expiresAt);
    return true;
  }
}
