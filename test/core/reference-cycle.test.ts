import { findReferenceCycle } from '../../lib/core/reference-cycle';

const refs = (...pairs: string[]) => pairs.map((p) => ({ from: p[0], to: p[1] }));

describe('findReferenceCycle', () => {
  test('none in a chain or a diamond', () => {
    expect(findReferenceCycle(refs('AB', 'AC', 'BD', 'CD'), ['A', 'B', 'C', 'D'])).toBeUndefined();
  });

  test('a self reference is a cycle of one', () => {
    expect(findReferenceCycle(refs('AB', 'BB'), ['A', 'B'])).toEqual(refs('BB'));
  });

  test('a cycle is given in order from its first thing in the given order, past an entry that leads into it', () => {
    expect(findReferenceCycle(refs('XB', 'AC', 'BA', 'CB'), ['X', 'A', 'B', 'C'])).toEqual(refs('AC', 'CB', 'BA'));
  });

  test('a chain of 100000 references does not overflow the stack', () => {
    const order = Array.from({ length: 100_000 }, (_, i) => `r${i}`);
    const chain = order.slice(1).map((to, i) => ({ from: order[i], to }));
    expect(findReferenceCycle(chain, order)).toBeUndefined();
    expect(findReferenceCycle([...chain, { from: 'r99999', to: 'r0' }], order)).toHaveLength(100_000);
  });
});
