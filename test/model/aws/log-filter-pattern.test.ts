import { FilterPatternError, LogFilterPattern, selectJsonProperty } from '../../../lib/model/aws/log-filter-pattern';

// The two example events of "Filter pattern syntax: Matching terms in JSON log events" (CloudWatch Logs User Guide).
const TRAIL = {
  eventType: 'UpdateTrail',
  sourceIPAddress: '111.111.111.111',
  arrayKey: ['value', 'another value'],
  objectList: [
    { name: 'a', id: 1 },
    { name: 'b', id: 2 },
  ],
  SomeObject: null,
  'cluster.name': 'c',
  ThisFlag: true,
};
const USERS = {
  user: { id: 1, email: 'John.Stiles@example.com' },
  users: [
    { id: 2, email: 'John.Doe@example.com' },
    { id: 3, email: 'Jane.Doe@example.com' },
  ],
  actions: ['GET', 'PUT', 'DELETE'],
  coordinates: [
    [0, 1],
    [2, 3],
  ],
};
const matches = (pattern: string, event: Record<string, unknown> | string) => LogFilterPattern.parse(pattern).matches(event);

describe('LogFilterPattern: the documented examples', () => {
  test.each([
    ['{ $.eventType = "UpdateTrail" }', true],
    ['{ $.eventType = UpdateTrail }', true],
    ['{ $.eventType = "Update*" }', true],
    ['{ $.eventType = "CreateTrail" }', false],
    ['{ $.sourceIPAddress != 123.123.* }', true],
    ['{ $.sourceIPAddress != 111.111.* }', false],
    ['{ $.arrayKey[0] = "value" }', true],
    ['{ $.arrayKey[1] = "value" }', false],
    ['{ $.objectList[1].id = 2 }', true],
    ['{ $.objectList[1].id > 1 }', true],
    ['{ $.objectList[1].id <= 1 }', false],
    ['{ $.SomeObject IS NULL }', true],
    ['{ $.ThisFlag IS NULL }', false],
    ['{ $.SomeOtherObject NOT EXISTS }', true],
    ['{ $.SomeObject NOT EXISTS }', false],
    ['{ $.ThisFlag IS TRUE }', true],
    ['{ $.ThisFlag IS FALSE }', false],
  ])('%s on the trail event: %s', (pattern, expected) => {
    expect(matches(pattern, TRAIL)).toBe(expected);
  });

  test.each([
    ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', true],
    ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', false],
    // && binds tighter than ||: the first comparison alone makes it match.
    ['{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }', true],
    ['{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }', false],
    ['{ $.coordinates[1][0] = 2 }', true],
  ])('%s on the users event: %s', (pattern, expected) => {
    expect(matches(pattern, USERS)).toBe(expected);
  });
});

describe('LogFilterPattern: what a comparison needs', () => {
  test('a comparison on an absent property or another JSON type does not match, whichever the operator', () => {
    expect(matches('{ $.missing != "x" }', TRAIL)).toBe(false);
    expect(matches('{ $.objectList[1].id = "2" }', TRAIL)).toBe(false);
    expect(matches('{ $.eventType != 3 }', TRAIL)).toBe(false);
    expect(matches('{ $.arrayKey[7] = "value" }', TRAIL)).toBe(false);
  });

  test('numbers compare as numbers, negatives and decimals included', () => {
    expect(matches('{ $.n < -1.5 }', { n: -2 })).toBe(true);
    expect(matches('{ $.n >= 10 }', { n: 9.99 })).toBe(false);
    expect(matches('{ $.n = 2.0 }', { n: 2 })).toBe(true);
  });

  test('a wildcard matches any run of characters, and other regex characters are literal', () => {
    expect(matches('{ $.id = "spiffe://example.test/*" }', { id: 'spiffe://example.test/agent/x' })).toBe(true);
    expect(matches('{ $.id = "a.c" }', { id: 'abc' })).toBe(false);
    expect(matches('{ $.q = "say \\"hi\\"" }', { q: 'say "hi"' })).toBe(true);
  });

  test('a message that is not a JSON object matches nothing', () => {
    expect(matches('{ $.a NOT EXISTS }', 'ERROR not json')).toBe(false);
    expect(matches('{ $.a NOT EXISTS }', '[1,2]')).toBe(false);
    expect(matches('{ $.a = 1 }', '{"a":1}')).toBe(true);
  });

  test('selectJsonProperty reads the value a dimension or metric value names', () => {
    expect(selectJsonProperty(USERS, '$.users[1].email')).toBe('Jane.Doe@example.com');
    expect(selectJsonProperty(USERS, '$.users[4].email')).toBeUndefined();
  });
});

describe('LogFilterPattern: what it refuses, saying what', () => {
  test.each([
    ['ERROR Exception', /only JSON filter patterns/],
    ['[ip, user, ...]', /only JSON filter patterns/],
    ['{ $.eventName = %Describe.*% }', /regular expressions/],
    ['{ $.list[*] = "x" }', /only numeric array indexes/],
    ['{ $.n = 1e3 }', /scientific notation/],
    ['{ $.a = "x" ', /expected `}`/],
    ['{ $.a = "x }', /not closed/],
    ['{ $.a ~ "x" }', /expected an operator/],
    ['{ $.a > "x" }', /compares numbers/],
    ['{ ($.a = 1 }', /expected `\)`/],
    ['{ $.a = 1 } extra', /unexpected text/],
    ['{ $ = 1 }', /names no property/],
    ['{ a = 1 }', /property selector/],
    ['{ $.a = "\\n" }', /escape/],
    [`{ $.a = "${'x'.repeat(1100)}" }`, /at most 1024/],
  ])('%s', (pattern, message) => {
    expect(() => LogFilterPattern.parse(pattern)).toThrow(FilterPatternError);
    expect(() => LogFilterPattern.parse(pattern)).toThrow(message);
  });
});
