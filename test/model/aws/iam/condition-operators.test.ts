import { BASE_OPERATORS, parseConditionOperator } from '../../../../lib/model/aws/iam';
import { parseDate, parseNumeric } from '../../../../lib/model/aws/iam/condition-operators';
import type { ContextValue } from '../../../../lib/model/aws/iam';

const context: Record<string, ContextValue> = { 'aws:principaltag/x509subject/cn': 'deployer', 'aws:multifactorauthpresent': 'true' };
const variables = (key: string): ContextValue | undefined => context[key.toLowerCase()];

/** The positive comparison of the named base operator. */
function compare(name: string, requestValue: string, policyValue: string): boolean | undefined {
  const operator = BASE_OPERATORS.find((o) => o.name === name);
  if (operator === undefined) throw new Error(`no operator ${name}`);
  return operator.compare(requestValue, policyValue, variables);
}

describe('parseConditionOperator', () => {
  test.each([
    ['StringEquals', 'StringEquals', undefined, false],
    ['StringLikeIfExists', 'StringLike', undefined, true],
    ['ForAnyValue:StringLike', 'StringLike', 'ForAnyValue', false],
    ['ForAllValues:ArnNotLikeIfExists', 'ArnNotLike', 'ForAllValues', true],
    ['forallvalues:stringequals', 'StringEquals', 'ForAllValues', false],
    ['NUMERICLESSTHANIFEXISTS', 'NumericLessThan', undefined, true],
    ['Null', 'Null', undefined, false],
    ['ForAnyValue:Null', 'Null', 'ForAnyValue', false],
  ])('%s', (raw, base, qualifier, ifExists) => {
    const operator = parseConditionOperator(raw);
    expect(operator).toEqual({ raw, base: expect.objectContaining({ name: base }), ifExists, ...(qualifier === undefined ? {} : { qualifier }) });
  });

  test.each(['StringEqualz', 'ForSomeValues:StringEquals', 'ForAnyValue:ForAllValues:StringEquals', 'NullIfExists', 'IfExists', '', 'StringEquals:ForAnyValue'])(
    'rejects %j',
    (raw) => {
      expect(parseConditionOperator(raw)).toBeUndefined();
    },
  );

  test('knows every operator of the IAM documentation', () => {
    expect(BASE_OPERATORS.map((o) => o.name)).toEqual([
      'StringEquals',
      'StringNotEquals',
      'StringEqualsIgnoreCase',
      'StringNotEqualsIgnoreCase',
      'StringLike',
      'StringNotLike',
      'NumericEquals',
      'NumericNotEquals',
      'NumericLessThan',
      'NumericLessThanEquals',
      'NumericGreaterThan',
      'NumericGreaterThanEquals',
      'DateEquals',
      'DateNotEquals',
      'DateLessThan',
      'DateLessThanEquals',
      'DateGreaterThan',
      'DateGreaterThanEquals',
      'Bool',
      'BinaryEquals',
      'IpAddress',
      'NotIpAddress',
      'ArnEquals',
      'ArnLike',
      'ArnNotEquals',
      'ArnNotLike',
      'Null',
    ]);
    expect(BASE_OPERATORS.filter((o) => o.negated).map((o) => o.name)).toEqual([
      'StringNotEquals',
      'StringNotEqualsIgnoreCase',
      'StringNotLike',
      'NumericNotEquals',
      'DateNotEquals',
      'NotIpAddress',
      'ArnNotEquals',
      'ArnNotLike',
    ]);
  });
});

describe('String operators', () => {
  test('Equals is exact and case-sensitive; IgnoreCase folds case; Like has wildcards', () => {
    expect(compare('StringEquals', 'deployer', 'deployer')).toBe(true);
    expect(compare('StringEquals', 'Deployer', 'deployer')).toBe(false);
    expect(compare('StringEquals', 'deployer', 'deploy*')).toBe(false);
    expect(compare('StringEqualsIgnoreCase', 'Deployer', 'DEPLOYER')).toBe(true);
    expect(compare('StringNotEqualsIgnoreCase', 'Deployer', 'DEPLOYER')).toBe(true);
    expect(compare('StringLike', 'deployer', 'deploy*')).toBe(true);
    expect(compare('StringLike', 'Deployer', 'deploy*')).toBe(false);
    expect(compare('StringNotLike', 'deployer', 'deploy*')).toBe(true);
  });

  test('substitute policy variables; an unresolvable one cannot be compared', () => {
    expect(compare('StringEquals', 'CN=deployer', 'CN=${aws:PrincipalTag/x509Subject/CN}')).toBe(true);
    expect(compare('StringNotEquals', 'CN=deployer', 'CN=${aws:PrincipalTag/missing}')).toBeUndefined();
  });
});

describe('Numeric operators', () => {
  test.each([
    ['10', 10],
    ['-1', -1],
    ['+2', 2],
    ['2.5', 2.5],
    ['.5', 0.5],
    ['1.', 1],
    ['12abc', undefined],
    ['1e3', undefined],
    ['', undefined],
    ['0x10', undefined],
  ])('parseNumeric(%j) = %s', (text, value) => {
    expect(parseNumeric(text)).toBe(value);
  });

  test('compare the request value with the policy value', () => {
    expect(compare('NumericEquals', '10', '10.0')).toBe(true);
    expect(compare('NumericLessThan', '30', '3600')).toBe(true);
    expect(compare('NumericLessThanEquals', '3600', '3600')).toBe(true);
    expect(compare('NumericGreaterThan', '3600', '3600')).toBe(false);
    expect(compare('NumericGreaterThanEquals', '3600', '3600')).toBe(true);
    expect(compare('NumericNotEquals', '3', '3')).toBe(true); // the positive test NumericNotEquals negates
    expect(compare('NumericEquals', 'abc', '3')).toBeUndefined();
    expect(compare('NumericEquals', '3', '${aws:MultiFactorAuthAge}')).toBeUndefined(); // no variables for Numeric
  });
});

describe('Date operators', () => {
  test.each([
    ['1768471200', Date.UTC(2026, 0, 15, 10)],
    ['2026-01-15T10:00:00Z', Date.UTC(2026, 0, 15, 10)],
    ['2026-01-15T12:00:00+02:00', Date.UTC(2026, 0, 15, 10)],
    ['2026-01-15T09:30-00:30', Date.UTC(2026, 0, 15, 10)],
    ['2026-01-15T10:00:00.25Z', Date.UTC(2026, 0, 15, 10, 0, 0, 250)],
    ['2026-01-15', Date.UTC(2026, 0, 15)],
    ['2026-01', Date.UTC(2026, 0, 1)],
    ['2026-02-30', undefined],
    ['2026-01-15T24:00:00Z', undefined],
    ['2026-01-15T10:00:00', undefined],
    ['January 15, 2026', undefined],
    ['2026-01-15T10:00:00Z ', undefined],
  ])('parseDate(%j)', (text, value) => {
    expect(parseDate(text)).toBe(value);
  });

  test('compare instants, whatever the format of either side', () => {
    expect(compare('DateEquals', '1768471200', '2026-01-15T10:00:00Z')).toBe(true);
    expect(compare('DateLessThan', '2026-01-15T09:59:59Z', '1768471200')).toBe(true);
    expect(compare('DateGreaterThanEquals', '2026-01-15T12:00:00+02:00', '2026-01-15T10:00:00Z')).toBe(true);
    expect(compare('DateGreaterThan', '2026-01-15T12:00:00+02:00', '2026-01-15T10:00:00Z')).toBe(false);
    expect(compare('DateLessThanEquals', '2026-01-15', '2026-01-15T00:00:00Z')).toBe(true);
    expect(compare('DateNotEquals', 'soon', '2026-01-15')).toBeUndefined();
  });
});

describe('Bool', () => {
  test('compares true/false case-insensitively, with policy variables', () => {
    expect(compare('Bool', 'true', 'TRUE')).toBe(true);
    expect(compare('Bool', 'false', 'true')).toBe(false);
    expect(compare('Bool', 'true', '${aws:MultiFactorAuthPresent}')).toBe(true);
    expect(compare('Bool', 'true', 'yes')).toBeUndefined();
    expect(compare('Bool', 'yes', 'true')).toBeUndefined();
  });
});

describe('BinaryEquals', () => {
  test('compares the base-64 text exactly', () => {
    expect(compare('BinaryEquals', 'QmluYXJ5VmFsdWU=', 'QmluYXJ5VmFsdWU=')).toBe(true);
    expect(compare('BinaryEquals', 'QmluYXJ5VmFsdWU=', 'qmluyxj5vmfsdwu=')).toBe(false);
  });
});

describe('IP address operators', () => {
  test.each([
    ['203.0.113.7', '203.0.113.0/24', true],
    ['203.0.114.7', '203.0.113.0/24', false],
    ['203.0.113.7', '203.0.113.7', true],
    ['203.0.113.7', '203.0.113.8', false],
    ['203.0.113.7', '0.0.0.0/0', true],
    ['10.1.2.3', '10.1.200.200/16', true],
    ['2001:db8:1234:5678::9', '2001:DB8:1234:5678::/64', true],
    ['2001:db8:1234:5678::9', '2001:DB8:1234:5678:0:0:0:9', true],
    ['2001:db8:1234:5679::9', '2001:db8:1234:5678::/64', false],
    ['2001:db8::1', '::/0', true],
    // The IP versions are kept apart: an address is never in a block of the other version.
    ['10.1.2.3', '::/0', false],
    ['::ffff:10.1.2.3', '10.0.0.0/8', false],
    ['2001:db8::1', '0.0.0.0/0', false],
  ])('%s in %s: %s', (address, block, inside) => {
    expect(compare('IpAddress', address, block)).toBe(inside);
  });

  test.each([
    ['not-an-ip', '10.0.0.0/8'],
    ['10.1.2.3/32', '10.0.0.0/8'],
    ['10.1.2.3', '10.0.0.0/33'],
    ['10.1.2.3', '10.0.0.0/8/8'],
    ['10.1.2.3', '10.0.0.0/x'],
    ['10.1.2.3', 'garbage'],
    ['010.1.2.3', '10.0.0.0/8'],
  ])('%s against %s cannot be compared', (address, block) => {
    expect(compare('NotIpAddress', address, block)).toBeUndefined();
  });
});

describe('ARN operators', () => {
  test('ArnEquals and ArnLike both take wildcards per component', () => {
    const anchor = 'arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/ta-1111';
    for (const name of ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike']) {
      expect(compare(name, anchor, 'arn:aws:rolesanywhere:*:111122223333:trust-anchor/*')).toBe(true);
      expect(compare(name, anchor, 'arn:aws:rolesanywhere:*:999988887777:trust-anchor/*')).toBe(false);
      expect(compare(name, 'not-an-arn', 'arn:aws:rolesanywhere:*:999988887777:trust-anchor/*')).toBeUndefined();
    }
  });
});
