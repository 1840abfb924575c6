import { evaluateFlexibleExpression, exactSubjects, flexibleWildcardMatch, parseFlexibleExpression, searchFlexibleExpression, FlexibleExpression } from '../../../lib/model/azure/flexible-credential-expression';

const parse = (text: string): FlexibleExpression => {
  const parsed = parseFlexibleExpression(text);
  if ('unreadable' in parsed) throw new Error(parsed.unreadable);
  return parsed;
};
const AGENT = 'spiffe://prod.example/agent/deployer';

describe('flexible federated credential expressions (language version 1)', () => {
  test('reads clauses joined by "and", including a comparand that contains " and "', () => {
    expect(parse("claims['sub'] matches 'repo:contoso/contoso-repo:ref:refs/heads/*' and claims['repository_id'] eq '456789'").clauses).toEqual([
      { claim: 'sub', operator: 'matches', comparand: 'repo:contoso/contoso-repo:ref:refs/heads/*' },
      { claim: 'repository_id', operator: 'eq', comparand: '456789' },
    ]);
    expect(parse("claims['sub'] eq 'a and b'").clauses).toEqual([{ claim: 'sub', operator: 'eq', comparand: 'a and b' }]);
  });

  test.each([
    ["claims['sub'] eq 'a' or claims['sub'] eq 'b'", 'no other connective'],
    ["claims['sub'] == 'a'", 'each clause is'],
    ["claims[\"sub\"] eq 'a'", 'each clause is'],
    ["claims['sub'] eq 'it''s'", 'expected "and"'],
    ["claims['sub'] startswith 'a'", 'each clause is'],
    ['', 'empty'],
  ])('refuses what the language does not have: %s', (text, why) => {
    const parsed = parseFlexibleExpression(text);
    expect('unreadable' in parsed && parsed.unreadable).toContain(why);
  });

  test('matches: * is any run (also empty, also across /), ? exactly one character, the rest literal and case-sensitive', () => {
    expect(flexibleWildcardMatch('repo:a/*', 'repo:a/b/c')).toBe(true);
    expect(flexibleWildcardMatch('repo:a/*', 'repo:a/')).toBe(true);
    expect(flexibleWildcardMatch('ref:????', 'ref:main')).toBe(true);
    expect(flexibleWildcardMatch('ref:????', 'ref:mai')).toBe(false);
    expect(flexibleWildcardMatch('a.b', 'axb')).toBe(false);
    expect(flexibleWildcardMatch('Agent', 'agent')).toBe(false);
  });

  test('every clause must hold, on a claim the token carries; numbers compare as their text', () => {
    const e = parse("claims['sub'] matches 'repo:acme/*' and claims['repository_id'] eq '456789'");
    expect(evaluateFlexibleExpression(e, { sub: 'repo:acme/infra', repository_id: '456789' })).toBe(true);
    expect(evaluateFlexibleExpression(e, { sub: 'repo:acme/infra', repository_id: 456789 })).toBe(true);
    expect(evaluateFlexibleExpression(e, { sub: 'repo:acme/infra', repository_id: '1' })).toBe(false);
    expect(evaluateFlexibleExpression(e, { sub: 'repo:acme/infra' })).toBe(false);
  });

  test('exact subjects: eq comparands and patterns without a wildcard', () => {
    expect(exactSubjects(parse(`claims['sub'] eq '${AGENT}'`))).toEqual([AGENT]);
    expect(exactSubjects(parse(`claims['sub'] matches '${AGENT}'`))).toEqual([AGENT]);
    expect(exactSubjects(parse("claims['sub'] matches 'spiffe://prod.example/agent/*'"))).toEqual([]);
  });

  describe('what an expression admits beyond the declared subject', () => {
    test('an exact subject, by eq or by a pattern without wildcards, admits nothing else', () => {
      expect(searchFlexibleExpression(parse(`claims['sub'] eq '${AGENT}'`), [AGENT]).beyond).toEqual([]);
      expect(searchFlexibleExpression(parse(`claims['sub'] matches '${AGENT}' and claims['repository_id'] eq '7'`), [AGENT]).beyond).toEqual([]);
    });

    test('a trailing wildcard admits the other workloads of the path and paths below it', () => {
      const { beyond } = searchFlexibleExpression(parse("claims['sub'] matches 'spiffe://prod.example/agent/*'"), [AGENT]);
      const subjects = beyond.map((b) => b.sub);
      expect(subjects).toEqual(expect.arrayContaining(['spiffe://prod.example/agent/attestgate-probe', 'spiffe://prod.example/agent/attestgate-probe-intruder', `${AGENT}/attestgate-probe`]));
      expect(subjects).not.toContain(AGENT);
    });

    test('a ? admits a sibling of the same length, and a wildcard in the middle another trust domain', () => {
      expect(searchFlexibleExpression(parse("claims['sub'] matches 'spiffe://prod.example/agent/deploye?'"), [AGENT]).beyond.map((b) => b.sub)).toContain('spiffe://prod.example/agent/deployex');
      expect(searchFlexibleExpression(parse("claims['sub'] matches 'spiffe://*/agent/deployer'"), [AGENT]).beyond.length).toBeGreaterThan(0);
    });

    test('an expression that does not test the subject admits every subject', () => {
      const { beyond } = searchFlexibleExpression(parse("claims['repository_id'] eq '456789'"), [AGENT]);
      expect(beyond.map((b) => b.sub)).toContain('spiffe://attestgate-probe.invalid/attestgate-probe');
    });

    test('the declared subject itself is never counted as beyond', () => {
      const { tried, beyond } = searchFlexibleExpression(parse("claims['sub'] matches 'spiffe://prod.example/agent/deploye*'"), [AGENT]);
      expect(tried.length).toBeGreaterThan(beyond.length);
      expect(beyond.map((b) => b.sub)).not.toContain(AGENT);
    });
  });
});
