import { describePattern, matchesPattern, resolvePolicyString } from '../../../../lib/model/aws/iam/policy-string';
import type { ContextValue } from '../../../../lib/model/aws/iam';

const context: Record<string, ContextValue> = {
  'aws:principaltag/x509subject/cn': 'deployer',
  'aws:sourceaccount': '111122223333',
  'aws:principaltag/starry': 'a*b?',
  'aws:tagkeys': ['team'],
};
const variables = (key: string): ContextValue | undefined => context[key.toLowerCase()];

function matches(pattern: string, input: string, options: { wildcards?: boolean; ignoreCase?: boolean; variablesOff?: boolean } = {}): boolean | 'unresolved' {
  const resolved = resolvePolicyString(pattern, { variables: options.variablesOff ? undefined : variables, wildcards: options.wildcards ?? true });
  return 'unresolved' in resolved ? 'unresolved' : matchesPattern(resolved.parts, input, { ignoreCase: options.ignoreCase ?? false });
}

describe('matchesPattern', () => {
  test.each([
    ['deploy*', 'deployer', true],
    ['deploy*', 'deploy', true],
    ['*', '', true],
    ['*er', 'deployer', true],
    ['d*p*r', 'deployer', true],
    ['d*p*x', 'deployer', false],
    ['deploye?', 'deployer', true],
    ['deploye?', 'deploye', false],
    ['??', 'ab', true],
    ['??', 'abc', false],
    ['spiffe://prod.example/*', 'spiffe://prod.example/agent/deployer', true],
    ['spiffe://prod.example/*', 'spiffe://dev.example/agent/deployer', false],
    ['a*a*a*a*b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', false],
    ['*.prod.example', 'x.prod.example', true],
    ['*.prod.example', 'xprod.example', false],
  ])('%j against %j: %s', (pattern, input, expected) => {
    expect(matches(pattern, input)).toBe(expected);
  });

  test('is case-sensitive unless asked otherwise', () => {
    expect(matches('Deploy*', 'deployer')).toBe(false);
    expect(matches('Deploy*', 'deployer', { ignoreCase: true })).toBe(true);
  });

  test('? is one character, also outside ASCII', () => {
    expect(matches('caf?', 'café')).toBe(true);
    expect(matches('?', '🔑')).toBe(true);
  });

  test('without wildcards, * and ? are literal', () => {
    expect(matches('deploy*', 'deployer', { wildcards: false })).toBe(false);
    expect(matches('deploy*', 'deploy*', { wildcards: false })).toBe(true);
  });
});

describe('resolvePolicyString', () => {
  test('substitutes variables, with case-insensitive key names', () => {
    expect(matches('CN=${aws:PrincipalTag/x509Subject/CN}', 'CN=deployer')).toBe(true);
    expect(matches('${AWS:SourceAccount}', '111122223333')).toBe(true);
  });

  test('substituted text is literal even when it holds wildcards', () => {
    expect(matches('${aws:PrincipalTag/starry}', 'a*b?')).toBe(true);
    expect(matches('${aws:PrincipalTag/starry}', 'aXXbY')).toBe(false);
  });

  test("uses the default of ${key, 'default'} only when the key is absent", () => {
    expect(matches("${aws:PrincipalTag/team, 'platform'}", 'platform')).toBe(true);
    expect(matches("${aws:PrincipalTag/x509Subject/CN, 'platform'}", 'deployer')).toBe(true);
  });

  test('a variable of an absent key without default, or of a multivalued key, cannot be substituted', () => {
    expect(resolvePolicyString('x-${aws:PrincipalTag/team}', { variables, wildcards: true })).toEqual({
      unresolved: '${aws:PrincipalTag/team} is absent from the request and has no default',
    });
    expect(resolvePolicyString('${aws:TagKeys}', { variables, wildcards: true })).toEqual({
      unresolved: '${aws:TagKeys} is a multivalued key, which cannot be a policy variable',
    });
  });

  test('${*}, ${?} and ${$} stand for the literal characters, with or without wildcards', () => {
    expect(matches('${*}.prod.example', '*.prod.example')).toBe(true);
    expect(matches('${*}.prod.example', 'x.prod.example')).toBe(false);
    expect(matches('${*}.prod.example', '*.prod.example', { wildcards: false })).toBe(true);
    expect(matches('what${?}', 'what?', { wildcards: false })).toBe(true);
    expect(matches('${$}5', '$5')).toBe(true);
  });

  test('without policy variables (no Version 2012-10-17) ${...} is plain text', () => {
    expect(matches('${aws:SourceAccount}', '${aws:SourceAccount}', { variablesOff: true, wildcards: false })).toBe(true);
    expect(matches('${aws:SourceAccount}', '111122223333', { variablesOff: true, wildcards: false })).toBe(false);
  });

  test('an unterminated ${ is plain text', () => {
    expect(matches('${aws:SourceAccount', '${aws:SourceAccount', { wildcards: false })).toBe(true);
  });

  test('describePattern shows the resolved pattern', () => {
    const resolved = resolvePolicyString('CN=${aws:PrincipalTag/x509Subject/CN}-*', { variables, wildcards: true });
    expect('parts' in resolved && describePattern(resolved.parts)).toBe('CN=deployer-*');
  });
});

describe('matchesPattern without wildcards answers as the code-point match does', () => {
  // The reference: IAM's match over code points, written as plainly as possible. A pattern with
  // no wildcard is answered by string comparison first; this holds the two to the same answers,
  // including where code units and code points differ and where case folding changes length.
  function reference(parts: ReturnType<typeof literalParts>, input: string, ignoreCase: boolean): boolean {
    const pattern = parts.flatMap((p) => Array.from(p.literal));
    const chars = Array.from(input);
    return pattern.length === chars.length && pattern.every((c, i) => c === chars[i] || (ignoreCase && c.toLowerCase() === chars[i].toLowerCase()));
  }
  const literalParts = (text: string) => (text === '' ? [] : [{ literal: text }]);
  const samples = ['', 'a', 'A', 'sts:AssumeRole', 'STS:assumerole', 'sts:AssumeRol', 'sts:AssumeRolee', 'İ', 'i̇', 'i', 'ß', 'SS', '😀', '\ud83d', '\ude00', '\ud83d\ude00', 'agent-0', 'agent-1', 'Agent-0'];

  test.each([false, true])('every pair of samples, ignoreCase %s', (ignoreCase) => {
    for (const pattern of samples) {
      for (const input of samples) {
        expect([pattern, input, matchesPattern(literalParts(pattern), input, { ignoreCase })]).toEqual([pattern, input, reference(literalParts(pattern), input, ignoreCase)]);
      }
    }
  });

  test('one byte off never matches when case counts; a case difference matches only when it does not', () => {
    expect(matchesPattern([{ literal: 'spiffe://bench.example/agent/agent-0' }], 'spiffe://bench.example/agent/agent-1', { ignoreCase: false })).toBe(false);
    expect(matchesPattern([{ literal: 'sts:AssumeRole' }], 'sts:assumeRole', { ignoreCase: false })).toBe(false);
    expect(matchesPattern([{ literal: 'sts:AssumeRole' }], 'sts:assumeRole', { ignoreCase: true })).toBe(true);
    expect(matchesPattern([], 'x', { ignoreCase: true })).toBe(false);
    expect(matchesPattern([{ wildcard: '?' }], 'x', { ignoreCase: false })).toBe(true);
    expect(matchesPattern([{ wildcard: '*' }], '', { ignoreCase: false })).toBe(true);
  });
});
