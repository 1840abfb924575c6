/**
 * Items (results, advisories) grouped by their gate in one pass, each group in the items' order.
 * Reports look a gate's results up once per gate; filtering the whole list for each was
 * gates × results — 19 million comparisons at 1,000 gates, per report format.
 */
export function groupByGate<T extends { readonly gate: string }>(items: readonly T[]): ReadonlyMap<string, readonly T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.gate);
    if (group) group.push(item);
    else groups.set(item.gate, [item]);
  }
  return groups;
}

/** The first item for each key, as `find` over the list would return it: lookups without a scan per key. */
export function firstBy<T, K>(items: readonly T[], key: (item: T) => K): ReadonlyMap<K, T> {
  const first = new Map<K, T>();
  for (const item of items) if (!first.has(key(item))) first.set(key(item), item);
  return first;
}
