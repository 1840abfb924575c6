import { AttestGateError } from '../../../../lib/core/errors';
import { ContextKeys, checkRequest } from '../../../../lib/model/aws/iam/request-context';
import type { RequestContext } from '../../../../lib/model/aws/iam';

describe('ContextKeys', () => {
  test('looks keys up case-insensitively and treats undefined as absent', () => {
    const keys = new ContextKeys({ 'aws:SourceArn': 'arn', 'aws:TagKeys': ['team'], 'aws:SourceAccount': undefined }, 'test');
    expect(keys.get('AWS:SOURCEARN')).toBe('arn');
    expect(keys.get('aws:tagkeys')).toEqual(['team']);
    expect(keys.get('aws:SourceAccount')).toBeUndefined();
    expect(keys.get('aws:PrincipalTag/x509Subject/CN')).toBeUndefined();
  });

  test('rejects two spellings of one key and values that are not strings', () => {
    expect(() => new ContextKeys({ 'aws:SourceArn': 'a', 'AWS:sourcearn': 'b' }, 'emulator')).toThrow(
      'emulator: request context ["aws:SourceArn","AWS:sourcearn"] spells the same condition key twice (keys are case-insensitive). Fix: give each condition key once',
    );
    expect(() => new ContextKeys({ 'aws:MultiFactorAuthAge': 30 as unknown as string }, 'emulator')).toThrow(/aws:MultiFactorAuthAge 30 is neither a string nor an array of strings/);
    expect(() => new ContextKeys({ 'aws:TagKeys': ['a', 1] as unknown as string[] }, 'emulator')).toThrow(AttestGateError);
  });
});

describe('checkRequest', () => {
  const valid: RequestContext = { principal: { type: 'Service', id: 'rolesanywhere.amazonaws.com' }, action: 'sts:AssumeRole', context: {} };

  test('accepts a well-formed request', () => {
    expect(() => checkRequest(valid, 'test')).not.toThrow();
  });

  test.each([
    [{ ...valid, principal: { type: 'User', id: 'x' } }, /request principal type "User" is not a principal type/],
    [{ ...valid, principal: { type: 'AWS', id: '' } }, /request principal id "" is empty/],
    [{ ...valid, action: 'AssumeRole' }, /request action "AssumeRole" is not of the form service:Action/],
    [{ ...valid, action: 'sts:Assume Role' }, /is not of the form service:Action/],
  ])('rejects %j', (request, message) => {
    expect(() => checkRequest(request as RequestContext, 'test')).toThrow(message);
  });
});
