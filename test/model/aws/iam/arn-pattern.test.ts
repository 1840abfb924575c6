import { arnMatches, splitArn } from '../../../../lib/model/aws/iam/arn-pattern';
import type { ContextValue } from '../../../../lib/model/aws/iam';

const ANCHOR = 'arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/ta-1111';
const context: Record<string, ContextValue> = { 'aws:sourceaccount': '111122223333', 'aws:principaltag/anchorid': 'ta-1111' };
const variables = (key: string): ContextValue | undefined => context[key.toLowerCase()];

describe('splitArn', () => {
  test('splits six components and keeps colons in the resource', () => {
    expect(splitArn('arn:aws:sqs:us-east-1:111122223333:queue:with:colons')).toEqual(['arn', 'aws', 'sqs', 'us-east-1', '111122223333', 'queue:with:colons']);
    expect(splitArn('arn:aws:s3:::bucket')).toEqual(['arn', 'aws', 's3', '', '', 'bucket']);
  });

  test('is undefined for values with fewer than six components', () => {
    expect(splitArn('not-an-arn')).toBeUndefined();
    expect(splitArn('arn:aws:iam::111122223333')).toBeUndefined();
    expect(splitArn('*')).toBeUndefined();
  });

  test('can keep policy variables whole', () => {
    expect(splitArn('arn:aws:iam::${aws:SourceAccount}:root', true)).toEqual(['arn', 'aws', 'iam', '', '${aws:SourceAccount}', 'root']);
    expect(splitArn('arn:aws:iam::${aws:SourceAccount}:root')).toEqual(['arn', 'aws', 'iam', '', '${aws', 'SourceAccount}:root']);
  });
});

describe('arnMatches', () => {
  test('matches component by component with wildcards', () => {
    expect(arnMatches(ANCHOR, ANCHOR, { variables })).toBe(true);
    expect(arnMatches('arn:aws:rolesanywhere:*:111122223333:trust-anchor/*', ANCHOR, { variables })).toBe(true);
    expect(arnMatches('arn:aws:rolesanywhere:us-east-?:111122223333:trust-anchor/*', ANCHOR, { variables })).toBe(true);
    expect(arnMatches('arn:aws:rolesanywhere:*:999988887777:trust-anchor/*', ANCHOR, { variables })).toBe(false);
  });

  test('a wildcard does not reach across a colon (the IAM documentation example)', () => {
    const value = 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt';
    expect(arnMatches('arn:aws:someservice:*:111122223333:finance/*', value, { variables })).toBe(false);
  });

  test('is case-sensitive', () => {
    expect(arnMatches(ANCHOR.replace('trust-anchor', 'Trust-Anchor'), ANCHOR, { variables })).toBe(false);
  });

  test('substitutes variables in any component, or only in the resource when asked', () => {
    expect(arnMatches('arn:aws:rolesanywhere:us-east-1:${aws:SourceAccount}:trust-anchor/${aws:PrincipalTag/anchorId}', ANCHOR, { variables })).toBe(true);
    expect(arnMatches('arn:aws:rolesanywhere:us-east-1:${aws:SourceAccount}:trust-anchor/*', ANCHOR, { variables, variablesOnlyInResource: true })).toBe(false);
    expect(arnMatches('arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/${aws:PrincipalTag/anchorId}', ANCHOR, { variables, variablesOnlyInResource: true })).toBe(true);
  });

  test('is undefined when either side is not an ARN or a compared component cannot be resolved', () => {
    expect(arnMatches('*', ANCHOR, { variables })).toBeUndefined();
    expect(arnMatches(ANCHOR, 'not-an-arn', { variables })).toBeUndefined();
    expect(arnMatches('arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/${aws:PrincipalTag/missing}', ANCHOR, { variables })).toBeUndefined();
    // An earlier component already differs, so the unresolvable resource never needs comparing.
    expect(arnMatches('arn:aws:iam::111122223333:trust-anchor/${aws:PrincipalTag/missing}', ANCHOR, { variables })).toBe(false);
  });
});
