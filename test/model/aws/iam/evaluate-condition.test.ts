import { evaluateCondition, variablesOf } from '../../../../lib/model/aws/iam/evaluate-condition';
import { ContextKeys } from '../../../../lib/model/aws/iam/request-context';
import type { ContextValue } from '../../../../lib/model/aws/iam';

const CN = 'aws:PrincipalTag/x509Subject/CN';

function holds(operator: string, key: string, values: string | string[], context: Record<string, ContextValue | undefined>): boolean {
  const keys = new ContextKeys(context, 'test');
  return evaluateCondition({ operator, key, values: ([] as string[]).concat(values) }, keys, variablesOf(keys)).holds;
}

describe('evaluateCondition: single-valued keys', () => {
  test('several policy values are OR for positive operators and NOR for negated ones', () => {
    expect(holds('StringEquals', CN, ['ci', 'deployer'], { [CN]: 'deployer' })).toBe(true);
    expect(holds('StringEquals', CN, ['ci', 'reader'], { [CN]: 'deployer' })).toBe(false);
    expect(holds('StringNotEquals', CN, ['ci', 'reader'], { [CN]: 'deployer' })).toBe(true);
    expect(holds('StringNotEquals', CN, ['ci', 'deployer'], { [CN]: 'deployer' })).toBe(false);
    expect(holds('StringEquals', CN, [], { [CN]: 'deployer' })).toBe(false);
    expect(holds('StringNotEquals', CN, [], { [CN]: 'deployer' })).toBe(true);
  });

  test('a negated operator fails when a policy value cannot be compared', () => {
    expect(holds('NumericNotEquals', 'aws:MultiFactorAuthAge', ['abc'], { 'aws:MultiFactorAuthAge': '30' })).toBe(false);
    expect(holds('StringNotEquals', CN, ['${aws:PrincipalTag/missing}'], { [CN]: 'deployer' })).toBe(false);
    expect(holds('ArnNotLike', 'aws:SourceArn', ['arn:aws:rolesanywhere:*:*:trust-anchor/*'], { 'aws:SourceArn': 'not-an-arn' })).toBe(false);
  });

  test('condition keys are case-insensitive, values case-sensitive', () => {
    expect(holds('StringEquals', 'AWS:principaltag/X509SUBJECT/cn', ['deployer'], { 'aws:PrincipalTag/x509Subject/CN': 'deployer' })).toBe(true);
    expect(holds('StringEquals', CN, ['Deployer'], { [CN]: 'deployer' })).toBe(false);
  });

  test.each([
    ['StringEquals', false],
    ['StringLike', false],
    ['NumericEquals', false],
    ['DateLessThan', false],
    ['Bool', false],
    ['BinaryEquals', false],
    ['IpAddress', false],
    ['ArnLike', false],
    ['StringNotEquals', true],
    ['StringNotEqualsIgnoreCase', true],
    ['StringNotLike', true],
    ['NumericNotEquals', true],
    ['DateNotEquals', true],
    ['NotIpAddress', true],
    ['ArnNotEquals', true],
    ['ArnNotLike', true],
  ])('an absent key: %s holds = %s (only negated operators hold)', (operator, expected) => {
    expect(holds(operator, CN, ['deployer'], {})).toBe(expected);
    expect(holds(operator, CN, ['deployer'], { [CN]: undefined })).toBe(expected);
  });

  test('...IfExists holds for an absent key and otherwise evaluates the key', () => {
    expect(holds('StringEqualsIfExists', CN, ['deployer'], {})).toBe(true);
    expect(holds('StringEqualsIfExists', CN, ['deployer'], { [CN]: 'ci' })).toBe(false);
    expect(holds('StringNotEqualsIfExists', CN, ['deployer'], { [CN]: 'deployer' })).toBe(false);
    expect(holds('DateLessThanIfExists', 'aws:CurrentTime', ['2026-01-01'], { 'aws:CurrentTime': '2025-12-31T00:00:00Z' })).toBe(true);
  });

  test('Null tests presence only', () => {
    expect(holds('Null', CN, ['true'], {})).toBe(true);
    expect(holds('Null', CN, ['false'], {})).toBe(false);
    expect(holds('Null', CN, ['false'], { [CN]: '' })).toBe(true);
    expect(holds('Null', CN, ['TRUE'], {})).toBe(true);
    expect(holds('Null', CN, ['true', 'false'], { [CN]: 'x' })).toBe(true);
    expect(holds('Null', CN, ['maybe'], {})).toBe(false);
    expect(holds('Null', 'aws:TagKeys', ['false'], { 'aws:TagKeys': [] })).toBe(true);
  });

  test('an unknown operator never holds, not even on an absent key', () => {
    expect(holds('StringEqualz', CN, ['deployer'], { [CN]: 'deployer' })).toBe(false);
    expect(holds('StringNotEqualz', CN, ['deployer'], {})).toBe(false);
    expect(holds('StringEqualzIfExists', CN, ['deployer'], {})).toBe(false);
    expect(holds('ForAllValues:StringEqualz', CN, ['deployer'], {})).toBe(false);
    expect(holds('NullIfExists', CN, ['true'], {})).toBe(false);
  });
});

describe('evaluateCondition: multivalued keys and set qualifiers', () => {
  const TAG_KEYS = 'aws:TagKeys';

  test('without a set qualifier a multivalued key satisfies no operator, negated or not', () => {
    expect(holds('StringEquals', TAG_KEYS, ['team'], { [TAG_KEYS]: ['team'] })).toBe(false);
    expect(holds('StringNotEquals', TAG_KEYS, ['other'], { [TAG_KEYS]: ['team'] })).toBe(false);
    expect(holds('StringLikeIfExists', TAG_KEYS, ['*'], { [TAG_KEYS]: ['team'] })).toBe(false);
  });

  test('ForAnyValue holds when at least one request value satisfies the operator', () => {
    expect(holds('ForAnyValue:StringEquals', TAG_KEYS, ['team', 'cost'], { [TAG_KEYS]: ['x509Subject/CN', 'team'] })).toBe(true);
    expect(holds('ForAnyValue:StringEquals', TAG_KEYS, ['cost'], { [TAG_KEYS]: ['x509Subject/CN', 'team'] })).toBe(false);
    expect(holds('ForAnyValue:StringNotEquals', TAG_KEYS, ['team'], { [TAG_KEYS]: ['x509Subject/CN', 'team'] })).toBe(true);
    expect(holds('ForAnyValue:StringNotEquals', TAG_KEYS, ['team'], { [TAG_KEYS]: ['team'] })).toBe(false);
  });

  test('ForAllValues holds when every request value satisfies the operator', () => {
    expect(holds('ForAllValues:StringLike', TAG_KEYS, ['x509*', 'team'], { [TAG_KEYS]: ['x509Subject/CN', 'team'] })).toBe(true);
    expect(holds('ForAllValues:StringLike', TAG_KEYS, ['x509*'], { [TAG_KEYS]: ['x509Subject/CN', 'team'] })).toBe(false);
    expect(holds('ForAllValues:StringNotLike', TAG_KEYS, ['key1*'], { [TAG_KEYS]: ['key2:audit'] })).toBe(true);
    expect(holds('ForAllValues:StringNotLike', TAG_KEYS, ['key1*'], { [TAG_KEYS]: ['key1:legal', 'key2:audit'] })).toBe(false);
  });

  test('an absent or empty key: ForAllValues holds, ForAnyValue fails', () => {
    expect(holds('ForAllValues:StringEquals', TAG_KEYS, ['team'], {})).toBe(true);
    expect(holds('ForAllValues:StringEquals', TAG_KEYS, ['team'], { [TAG_KEYS]: [] })).toBe(true);
    expect(holds('ForAnyValue:StringEquals', TAG_KEYS, ['team'], {})).toBe(false);
    expect(holds('ForAnyValue:StringEquals', TAG_KEYS, ['team'], { [TAG_KEYS]: [] })).toBe(false);
    expect(holds('ForAnyValue:StringNotEquals', TAG_KEYS, ['team'], {})).toBe(false);
  });

  test('IfExists makes ForAnyValue hold for an absent key, but not for an empty one', () => {
    expect(holds('ForAnyValue:StringEqualsIfExists', TAG_KEYS, ['team'], {})).toBe(true);
    expect(holds('ForAnyValue:StringEqualsIfExists', TAG_KEYS, ['team'], { [TAG_KEYS]: [] })).toBe(false);
    expect(holds('ForAllValues:StringEqualsIfExists', TAG_KEYS, ['team'], {})).toBe(true);
  });

  test('a set qualifier on a single-valued key treats it as a one-element set', () => {
    expect(holds('ForAnyValue:StringEquals', CN, ['deployer'], { [CN]: 'deployer' })).toBe(true);
    expect(holds('ForAllValues:StringEquals', CN, ['ci'], { [CN]: 'deployer' })).toBe(false);
  });

  test('the reason names the operator, the key and why', () => {
    const keys = new ContextKeys({ [TAG_KEYS]: ['team'] }, 'test');
    expect(evaluateCondition({ operator: 'StringEquals', key: TAG_KEYS, values: ['team'] }, keys, variablesOf(keys)).reason).toBe(
      'StringEquals aws:TagKeys = ["team"]: fails (key is multivalued (["team"]) and the operator has no ForAnyValue/ForAllValues qualifier)',
    );
    expect(evaluateCondition({ operator: 'StringEqualz', key: TAG_KEYS, values: ['team'] }, keys, variablesOf(keys)).reason).toBe(
      'StringEqualz aws:TagKeys: unknown condition operator, so the condition never holds',
    );
  });
});
