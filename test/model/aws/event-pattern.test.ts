import { EventPatternError, matchesEventPattern } from '../../../lib/model/aws/event-pattern';

/** An EventBridge envelope around a detail object. */
const envelope = (detail: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.sts',
  account: '111122223333',
  time: '2026-11-20T10:15:00Z',
  region: 'eu-west-1',
  resources: [],
  detail,
  ...extra,
});

describe('matchesEventPattern', () => {
  describe('exact values', () => {
    test.each([
      ['a string', { source: ['aws.sts'] }, true],
      ['another string', { source: ['aws.iam'] }, false],
      ['any of several values', { source: ['aws.iam', 'aws.sts'] }, true],
      ['a number, type-sensitively', { detail: { count: [5] } }, true],
      ['a number against its string form', { detail: { count: ['5'] } }, false],
      ['a boolean', { detail: { readOnly: [false] } }, true],
      ['null', { detail: { errorCode: [null] } }, true],
      ['the empty string', { detail: { empty: [''] } }, true],
      ['the empty string against a non-empty value', { detail: { name: [''] } }, false],
      ['case-sensitively', { source: ['AWS.STS'] }, false],
    ])('%s', (_, pattern, expected) => {
      const event = envelope({ count: 5, readOnly: false, errorCode: null, empty: '', name: 'x' });
      expect(matchesEventPattern(pattern, event)).toBe(expected);
    });

    test('every key of the pattern must match (AND)', () => {
      expect(matchesEventPattern({ source: ['aws.sts'], region: ['eu-west-1'] }, envelope({}))).toBe(true);
      expect(matchesEventPattern({ source: ['aws.sts'], region: ['us-east-1'] }, envelope({}))).toBe(false);
    });

    test('a field absent from the event matches no value', () => {
      expect(matchesEventPattern({ detail: { missing: ['x'] } }, envelope({}))).toBe(false);
      expect(matchesEventPattern({ detail: { missing: [null] } }, envelope({}))).toBe(false);
    });

    test('an array in the event matches when any element does', () => {
      const event = envelope({ tags: ['blue', 'green'] });
      expect(matchesEventPattern({ detail: { tags: ['green'] } }, event)).toBe(true);
      expect(matchesEventPattern({ detail: { tags: ['red'] } }, event)).toBe(false);
      expect(matchesEventPattern({ resources: ['x'] }, envelope({}))).toBe(false);
    });
  });

  describe('nested objects', () => {
    const event = envelope({ userIdentity: { type: 'IAMUser', sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/a' } } } });

    test('are matched along the path', () => {
      expect(matchesEventPattern({ detail: { userIdentity: { sessionContext: { sessionIssuer: { arn: ['arn:aws:iam::111122223333:role/a'] } } } } }, event)).toBe(true);
      expect(matchesEventPattern({ detail: { userIdentity: { type: ['AWSService'] } } }, event)).toBe(false);
    });

    test('a pattern value on an object-valued field does not match it as a leaf', () => {
      expect(matchesEventPattern({ detail: { userIdentity: ['IAMUser'] } }, event)).toBe(false);
    });

    test('objects inside an array: one element must match the whole sub-pattern', () => {
      const withResources = envelope({ resources: [{ type: 'AWS::IAM::Role', ARN: 'arn:r1' }, { type: 'AWS::S3::Bucket', ARN: 'arn:b1' }] });
      expect(matchesEventPattern({ detail: { resources: { type: ['AWS::IAM::Role'], ARN: ['arn:r1'] } } }, withResources)).toBe(true);
      expect(matchesEventPattern({ detail: { resources: { type: ['AWS::IAM::Role'], ARN: ['arn:b1'] } } }, withResources)).toBe(false);
    });
  });

  describe('prefix and suffix', () => {
    const event = envelope({ eventName: 'AssumeRoleWithWebIdentity', file: 'report.PNG' });
    test.each([
      [{ prefix: 'AssumeRole' }, 'eventName', true],
      [{ prefix: 'assumerole' }, 'eventName', false],
      [{ prefix: { 'equals-ignore-case': 'assumerole' } }, 'eventName', true],
      [{ prefix: 'CreateSession' }, 'eventName', false],
      [{ suffix: '.PNG' }, 'file', true],
      [{ suffix: '.png' }, 'file', false],
      [{ suffix: { 'equals-ignore-case': '.png' } }, 'file', true],
    ])('%j on %s', (matcher, field, expected) => {
      expect(matchesEventPattern({ detail: { [field]: [matcher] } }, event)).toBe(expected);
    });

    test('never match a number', () => {
      expect(matchesEventPattern({ detail: { n: [{ prefix: '1' }] } }, envelope({ n: 12 }))).toBe(false);
    });
  });

  describe('equals-ignore-case', () => {
    test('matches any casing of a string, and nothing else', () => {
      expect(matchesEventPattern({ detail: { roleArn: [{ 'equals-ignore-case': 'arn:aws:iam::1:role/Deployer' }] } }, envelope({ roleArn: 'ARN:AWS:IAM::1:ROLE/DEPLOYER' }))).toBe(true);
      expect(matchesEventPattern({ detail: { roleArn: [{ 'equals-ignore-case': 'arn:aws:iam::1:role/Deployer' }] } }, envelope({ roleArn: 'arn:aws:iam::1:role/Deployer2' }))).toBe(false);
    });
  });

  describe('wildcard', () => {
    test.each([
      ['*/lib/*', 'dir/lib/file', true],
      ['*/lib/*', 'dir/bin/file', false],
      ['arn:aws:iam::*:role/Deployer', 'arn:aws:iam::111122223333:role/Deployer', true],
      ['a.b', 'aXb', false],
      ['literal\\*star', 'literal*star', true],
      ['literal\\*star', 'literalXstar', false],
      ['back\\\\slash', 'back\\slash', true],
      ['*', '', true],
    ])('%j against %j', (wildcard, value, expected) => {
      expect(matchesEventPattern({ detail: { v: [{ wildcard }] } }, envelope({ v: value }))).toBe(expected);
    });
  });

  describe('anything-but', () => {
    test.each([
      ['a value', { 'anything-but': 'rolesanywhere.amazonaws.com' }, 'lambda.amazonaws.com', true],
      ['a value, equal', { 'anything-but': 'rolesanywhere.amazonaws.com' }, 'rolesanywhere.amazonaws.com', false],
      ['a list', { 'anything-but': ['a', 'b'] }, 'b', false],
      ['a list, other', { 'anything-but': ['a', 'b'] }, 'c', true],
      ['numbers', { 'anything-but': [1, 2] }, 3, true],
      ['numbers, equal', { 'anything-but': [1, 2] }, 2, false],
      ['a prefix', { 'anything-but': { prefix: 'us-' } }, 'eu-west-1', true],
      ['a prefix, matching', { 'anything-but': { prefix: 'us-' } }, 'us-east-1', false],
      ['a suffix', { 'anything-but': { suffix: '.png' } }, 'a.jpg', true],
      ['a suffix, matching', { 'anything-but': { suffix: '.png' } }, 'a.png', false],
      ['ignoring case', { 'anything-but': { 'equals-ignore-case': ['Initializing'] } }, 'INITIALIZING', false],
      ['ignoring case, other', { 'anything-but': { 'equals-ignore-case': 'initializing' } }, 'running', true],
      ['a wildcard', { 'anything-but': { wildcard: '*/lib/*' } }, 'x/lib/y', false],
      ['a wildcard, other', { 'anything-but': { wildcard: '*/lib/*' } }, 'x/bin/y', true],
    ])('%s', (_, matcher, value, expected) => {
      expect(matchesEventPattern({ detail: { v: [matcher] } }, envelope({ v: value }))).toBe(expected);
    });

    test('does not match an absent field — "not X or absent" needs $or with exists: false', () => {
      const notRolesAnywhere = { detail: { userIdentity: { invokedBy: [{ 'anything-but': 'rolesanywhere.amazonaws.com' }] } } };
      const iamUser = envelope({ userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory' } });
      expect(matchesEventPattern(notRolesAnywhere, iamUser)).toBe(false);
      const withOr = {
        detail: {
          $or: [{ userIdentity: { invokedBy: [{ 'anything-but': 'rolesanywhere.amazonaws.com' }] } }, { userIdentity: { invokedBy: [{ exists: false }] } }],
        },
      };
      expect(matchesEventPattern(withOr, iamUser)).toBe(true);
      expect(matchesEventPattern(withOr, envelope({ userIdentity: { type: 'AWSService', invokedBy: 'rolesanywhere.amazonaws.com' } }))).toBe(false);
      expect(matchesEventPattern(withOr, envelope({ userIdentity: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' } }))).toBe(true);
    });
  });

  describe('numeric', () => {
    test.each([
      [['>', 0, '<=', 5], 5, true],
      [['>', 0, '<=', 5], 0, false],
      [['>', 0, '<=', 5], 5.5, false],
      [['=', 301.8], 301.8, true],
      [['>=', 10], 10, true],
      [['<', 10], 10, false],
      [['>', 0], '7', false],
    ])('%j against %j', (range, value, expected) => {
      expect(matchesEventPattern({ detail: { v: [{ numeric: range }] } }, envelope({ v: value }))).toBe(expected);
    });
  });

  describe('exists', () => {
    const event = envelope({ errorCode: 'AccessDenied', nested: { a: 1 }, nullValue: null });
    test.each([
      ['a present leaf, exists: true', 'errorCode', true, true],
      ['a present leaf, exists: false', 'errorCode', false, false],
      ['an absent field, exists: true', 'missing', true, false],
      ['an absent field, exists: false', 'missing', false, true],
      ['a null leaf, exists: true', 'nullValue', true, true],
      ['an object (not a leaf), exists: true', 'nested', true, false],
      ['an object (not a leaf), exists: false', 'nested', false, false],
    ])('%s', (_, field, exists, expected) => {
      expect(matchesEventPattern({ detail: { [field]: [{ exists }] } }, event)).toBe(expected);
    });

    test('exists: false matches below an absent parent', () => {
      expect(matchesEventPattern({ detail: { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ exists: false }] } } } } }, envelope({ userIdentity: { type: 'IAMUser' } }))).toBe(true);
    });
  });

  describe('cidr', () => {
    test.each([
      ['10.0.0.0/24', '10.0.0.255', true],
      ['10.0.0.0/24', '10.0.1.1', false],
      ['2001:db8::/32', '2001:db8::1', true],
      ['2001:db8::/32', '2001:db9::1', false],
      ['10.0.0.0/24', 'not-an-ip', false],
    ])('%s contains %s', (cidr, ip, expected) => {
      expect(matchesEventPattern({ detail: { sourceIPAddress: [{ cidr }] } }, envelope({ sourceIPAddress: ip }))).toBe(expected);
    });
  });

  describe('$or', () => {
    const pattern = { source: ['aws.rolesanywhere'], detail: { $or: [{ eventName: ['DeleteCrl'] }, { eventName: ['UpdateCrl'], actor: [{ 'anything-but': 'schedule' }] }] } };
    test.each([
      ['the first alternative', { eventName: 'DeleteCrl' }, true],
      ['the second alternative', { eventName: 'UpdateCrl', actor: 'mallory' }, true],
      ['neither', { eventName: 'UpdateCrl', actor: 'schedule' }, false],
      ['neither, other event', { eventName: 'ListCrls' }, false],
    ])('%s', (_, detail, expected) => {
      expect(matchesEventPattern(pattern, envelope(detail, { source: 'aws.rolesanywhere' }))).toBe(expected);
    });

    test('combines with the other keys of its level (AND)', () => {
      expect(matchesEventPattern(pattern, envelope({ eventName: 'DeleteCrl' }, { source: 'aws.sts' }))).toBe(false);
    });

    test('works at the top level', () => {
      const top = { $or: [{ source: ['aws.iam'] }, { region: ['eu-west-1'] }] };
      expect(matchesEventPattern(top, envelope({}))).toBe(true);
      expect(matchesEventPattern(top, envelope({}, { region: 'us-east-1' }))).toBe(false);
    });
  });

  describe('malformed patterns are rejected, as PutRule rejects them', () => {
    test.each([
      ['a non-object pattern', ['aws.sts']],
      ['a bare value instead of an array', { source: 'aws.sts' }],
      ['an empty matcher array', { source: [] }],
      ['an empty object', { detail: {} }],
      ['an unknown operator', { source: [{ contains: 'sts' }] }],
      ['two operators in one matcher', { source: [{ prefix: 'a', suffix: 'b' }] }],
      ['$or with one alternative', { $or: [{ source: ['a'] }] }],
      ['$or that is not an array', { $or: { source: ['a'] } }],
      ['a numeric range with two lower bounds', { detail: { v: [{ numeric: ['>', 1, '>', 2] }] } }],
      ['a numeric operator that does not exist', { detail: { v: [{ numeric: ['!=', 1] }] } }],
      ['anything-but mixing strings and numbers', { detail: { v: [{ 'anything-but': ['a', 1] }] } }],
      ['anything-but with an empty list', { detail: { v: [{ 'anything-but': [] }] } }],
      ['a wildcard with consecutive stars', { detail: { v: [{ wildcard: 'a**b' }] } }],
      ['a wildcard with a bad escape', { detail: { v: [{ wildcard: 'a\\b' }] } }],
      ['exists with a string', { detail: { v: [{ exists: 'yes' }] } }],
      ['a cidr that is not one', { detail: { v: [{ cidr: '10.0.0.0/33' }] } }],
      ['prefix with a number', { detail: { v: [{ prefix: 1 }] } }],
    ])('%s', (_, pattern) => {
      expect(() => matchesEventPattern(pattern, envelope({ v: 1 }))).toThrow(EventPatternError);
    });

    test('an error inside an $or alternative surfaces even when another alternative matches', () => {
      expect(() => matchesEventPattern({ $or: [{ source: ['aws.sts'] }, { source: [{ bogus: 1 }] }] }, envelope({}))).toThrow(/unknown operator "bogus"/);
    });
  });
});
