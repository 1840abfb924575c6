import { readAcknowledgedPaths } from '../../lib/core/acknowledged-paths';

const known = (id: string) => (id === 'path:a' ? undefined : 'no such path');

describe('readAcknowledgedPaths: one format of acknowledgement for every cloud', () => {
  test('a path that can be acknowledged, with a reason of 10 characters or more, counts (trimmed)', () => {
    expect(readAcknowledgedPaths({ 'path:a': '  break-glass, SEC-123 ' }, known)).toEqual({ accepted: new Map([['path:a', 'break-glass, SEC-123']]), ignored: [] });
  });

  test('nothing written: nothing accepted, nothing ignored', () => {
    expect(readAcknowledgedPaths(undefined, known)).toEqual({ accepted: new Map(), ignored: [] });
  });

  test('every entry that does not count is named with why: not an object, an unknown path, a short or missing reason', () => {
    expect(readAcknowledgedPaths(['path:a'], known, 'Role').ignored).toEqual(['Role: attestgate:acknowledged-paths is not an object of path ID → reason']);
    expect(readAcknowledgedPaths({ 'path:b': 'a reason long enough', 'path:a': 'ok' }, known, 'Role').ignored).toEqual([
      'Role: path:b: no such path',
      'Role: path:a: the reason "ok" is shorter than 10 characters',
    ]);
    expect(readAcknowledgedPaths({ 'path:a': 42 }, known).ignored).toEqual(['path:a: the reason 42 is shorter than 10 characters']);
  });
});
