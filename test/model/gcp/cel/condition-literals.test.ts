import { aliasOf, conditionLiterals, patternLiteral } from '../../../../lib/model/gcp/cel/condition-literals';

describe('conditionLiterals', () => {
  test('equalities, lists and prefixes, read through bare mappings', () => {
    const literals = conditionLiterals(
      "attribute.id == 'spiffe://a/b' && assertion.env in ['prod', 'staging'] && google.subject.startsWith('spiffe://a/') && assertion.x.y == 'deep'",
      { 'google.subject': 'assertion.sub', 'attribute.id': 'assertion.sub' },
    );
    expect(Object.fromEntries(literals.values)).toEqual({ sub: ['spiffe://a/b'], env: ['prod', 'staging'] });
    expect(Object.fromEntries(literals.prefixes)).toEqual({ sub: ['spiffe://a/'] });
    expect(conditionLiterals('assertion.sub ==', {}).values.size).toBe(0);
  });

  test('suffixes, substrings and patterns, every || branch; an exact regex counts as a value', () => {
    const literals = conditionLiterals(
      "assertion.sub.endsWith('/agent/x') || assertion.sub.contains('agent') || assertion.sub.matches('^spiffe://a\\\\.b/c$') || matches(assertion.sub, '^spiffe://q/')",
      {},
    );
    expect(Object.fromEntries(literals.suffixes)).toEqual({ sub: ['/agent/x'] });
    expect(Object.fromEntries(literals.substrings)).toEqual({ sub: ['agent'] });
    expect(Object.fromEntries(literals.patterns)).toEqual({ sub: ['^spiffe://a\\.b/c$', '^spiffe://q/'] });
    expect(Object.fromEntries(literals.values)).toEqual({ sub: ['spiffe://a.b/c'] });
  });

  test('a value compared with an extracted attribute is kept with its template, not as the whole claim', () => {
    const literals = conditionLiterals("attribute.agent == 'deployer' && attribute.agent.startsWith('d')", { 'attribute.agent': "assertion.sub.extract('/agent/{name}')" });
    expect(Object.fromEntries(literals.extracted)).toEqual({ sub: [{ template: '/agent/{name}', value: 'deployer' }] });
    expect(literals.values.size + literals.prefixes.size).toBe(0);
  });

  test('aliasOf: bare claims and one extract; anything else is no alias', () => {
    expect(aliasOf('assertion.sub')).toEqual({ claim: 'sub' });
    expect(aliasOf("assertion.sub.extract('/agent/{n}')")).toEqual({ claim: 'sub', template: '/agent/{n}' });
    expect(aliasOf("assertion.sub.extract('/agent/')")).toBeUndefined();
    expect(aliasOf("assertion.sub + 'x'")).toBeUndefined();
    expect(aliasOf('not cel ==')).toBeUndefined();
  });
});

describe('patternLiteral', () => {
  test.each([
    ['^spiffe://prod\\.example/agent/deployer$', 'spiffe://prod.example/agent/deployer'],
    // The unescaped dot is read as the dot it was meant to be; the search then tries it as a wildcard.
    ['^spiffe://prod.example/agent/deployer$', 'spiffe://prod.example/agent/deployer'],
    ['^a\\.b', undefined],
    ['a$', undefined],
    ['^a.*$', undefined],
    ['^a|b$', undefined],
    ['^ab\\$', undefined],
    ['^a\\\\$', 'a\\'],
  ])('%s → %s', (pattern, literal) => {
    expect(patternLiteral(pattern)).toBe(literal);
  });
});
