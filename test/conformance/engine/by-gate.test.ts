import { firstBy, groupByGate } from '../../../conformance/engine/by-gate';

describe('groupByGate', () => {
  test('each gate gets its own items, in the order they came, as filtering per gate would give them', () => {
    const items = [
      { gate: 'S/A', n: 1 },
      { gate: 'S/B', n: 2 },
      { gate: 'S/A', n: 3 },
      { gate: 'S/C', n: 4 },
      { gate: 'S/B', n: 5 },
    ];
    const groups = groupByGate(items);
    for (const gate of ['S/A', 'S/B', 'S/C']) expect(groups.get(gate)).toEqual(items.filter((i) => i.gate === gate));
    // Keys in order of first appearance: the order reports list gates that are not in report.gates.
    expect([...groups.keys()]).toEqual(['S/A', 'S/B', 'S/C']);
    expect(groups.get('S/D')).toBeUndefined();
  });
});

describe('firstBy', () => {
  test('the first item of each key wins, as find would return it', () => {
    const items = [
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
      { id: 'a', n: 3 },
    ];
    const first = firstBy(items, (i) => i.id);
    expect(first.get('a')).toBe(items.find((i) => i.id === 'a'));
    expect(first.get('b')).toEqual({ id: 'b', n: 2 });
    expect(first.get('c')).toBeUndefined();
  });
});
