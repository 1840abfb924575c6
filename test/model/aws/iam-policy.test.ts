import { iamWildcardMatch, isNegatedOperator, parseConditionOperator, parsePolicyDocument, statementCoversAction } from '../../../lib/model/aws/iam-policy';

describe('IAM policy model', () => {
  test('normalises principals, actions and conditions', () => {
    const doc = parsePolicyDocument({
      Statement: {
        Effect: 'Allow',
        Principal: { Service: ['rolesanywhere.amazonaws.com', 'ec2.amazonaws.com'], AWS: 'arn:aws:iam::1:root' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { a: 'x', b: ['y', 'z'] } },
      },
    });
    expect(doc.readable).toBe(true);
    if (!doc.readable) return;
    const [s] = doc.statements;
    expect(s.principals).toEqual([
      { type: 'Service', value: 'rolesanywhere.amazonaws.com' },
      { type: 'Service', value: 'ec2.amazonaws.com' },
      { type: 'AWS', value: 'arn:aws:iam::1:root' },
    ]);
    expect(s.actions).toEqual(['sts:AssumeRole']);
    expect(s.conditions).toEqual([
      { operator: 'StringEquals', key: 'a', values: ['x'] },
      { operator: 'StringEquals', key: 'b', values: ['y', 'z'] },
    ]);
  });

  test('reads a JSON string policy and rejects an unreadable one', () => {
    expect(parsePolicyDocument('{"Statement":[]}')).toEqual({ readable: true, statements: [] });
    expect(parsePolicyDocument('{not json')).toEqual({ readable: false, reason: 'the policy is a string that is not JSON' });
    expect(parsePolicyDocument({ symbolic: 'parameter', name: 'P' })).toEqual({ readable: false, reason: 'the policy is ${parameter P}' });
  });

  test('wildcards match IAM-style and case-insensitively', () => {
    expect(iamWildcardMatch('sts:*', 'sts:TagSession')).toBe(true);
    expect(iamWildcardMatch('STS:assumerole', 'sts:AssumeRole')).toBe(true);
    expect(iamWildcardMatch('sts:Assume?ole', 'sts:AssumeRole')).toBe(true);
    expect(iamWildcardMatch('sts:Assume', 'sts:AssumeRole')).toBe(false);
  });

  test('Action and NotAction coverage', () => {
    const doc = parsePolicyDocument({ Statement: [{ Effect: 'Allow', Action: ['sts:Tag*'] }, { Effect: 'Allow', NotAction: 'sts:TagSession' }] });
    if (!doc.readable) throw new Error('unreadable');
    expect(statementCoversAction(doc.statements[0], 'sts:TagSession')).toBe(true);
    expect(statementCoversAction(doc.statements[0], 'sts:AssumeRole')).toBe(false);
    expect(statementCoversAction(doc.statements[1], 'sts:TagSession')).toBe(false);
    expect(statementCoversAction(doc.statements[1], 'sts:AssumeRole')).toBe(true);
  });

  test('condition operators', () => {
    expect(parseConditionOperator('ForAnyValue:StringNotLikeIfExists')).toEqual({ qualifier: 'ForAnyValue', base: 'StringNotLike', ifExists: true });
    expect(isNegatedOperator('StringNotEquals')).toBe(true);
    expect(isNegatedOperator('ForAllValues:ArnNotLike')).toBe(true);
    expect(isNegatedOperator('StringEquals')).toBe(false);
  });
});
