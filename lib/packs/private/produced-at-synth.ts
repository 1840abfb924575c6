import { IResolvable, Token } from 'cdktf';

/**
 * A value produced when the stack is resolved, as `Lazy.anyValue` gives — without the stack trace
 * cdktf captures for every token it creates (with an unbounded depth: ~1 ms each deep in a
 * construct tree). The gate manifests are the one token per gate attestgate adds, and their
 * traces were a measurable part of synth at 100 gates.
 */
export function producedAtSynth(produce: () => unknown): IResolvable {
  const value: IResolvable & { toJSON(): string } = {
    creationStack: [],
    resolve: () => produce(),
    toString: () => Token.asString(value),
    // As cdktf's own tokens: stringified before synth, it says so instead of showing its fields.
    toJSON: () => '<unresolved-token>',
  };
  return value;
}
