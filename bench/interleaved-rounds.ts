/**
 * Runs every variant once per round, interleaved, so a slow spell of a shared machine lands on
 * all variants alike; returns the median of the rounds per variant and measure.
 */
export function interleavedMedians<V extends string, S extends { [K in keyof S]: number }>(
  variants: readonly V[],
  rounds: number,
  measure: (variant: V) => S,
): {
  of: (variant: V, key: keyof S) => number;
  range: (variant: V, key: keyof S) => [number, number];
  first: (variant: V) => S;
  /** The samples of each round, in round order: for ratios taken within a round. */
  rounds: (variant: V) => readonly S[];
} {
  const samples = new Map<V, S[]>(variants.map((v) => [v, []]));
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) samples.get(variant)!.push(measure(variant));
  }
  const values = (variant: V, key: keyof S) => samples.get(variant)!.map((x) => x[key]).sort((a, b) => a - b);
  return {
    of: (variant, key) => values(variant, key)[Math.floor(rounds / 2)],
    range: (variant, key) => [values(variant, key)[0], values(variant, key)[rounds - 1]],
    first: (variant) => samples.get(variant)![0],
    rounds: (variant) => samples.get(variant)!,
  };
}

/** interleavedMedians for measures that are asynchronous (a conformance run, a server round trip). */
export async function interleavedMediansAsync<V extends string, S extends { [K in keyof S]: number }>(
  variants: readonly V[],
  rounds: number,
  measure: (variant: V) => Promise<S>,
): Promise<{ of: (variant: V, key: keyof S) => number; range: (variant: V, key: keyof S) => [number, number] }> {
  const samples = new Map<V, S[]>(variants.map((v) => [v, []]));
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) samples.get(variant)!.push(await measure(variant));
  }
  const values = (variant: V, key: keyof S) => samples.get(variant)!.map((x) => x[key]).sort((a, b) => a - b);
  return {
    of: (variant, key) => values(variant, key)[Math.floor(rounds / 2)],
    range: (variant, key) => [values(variant, key)[0], values(variant, key)[rounds - 1]],
  };
}
