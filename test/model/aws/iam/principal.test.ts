import { AttestGateError } from '../../../../lib/core/errors';
import { accountOf, isSessionOfRole, parsePrincipalElement, principalMatches } from '../../../../lib/model/aws/iam/principal';
import type { RequestPrincipal } from '../../../../lib/model/aws/iam';

const USER: RequestPrincipal = { type: 'AWS', id: 'arn:aws:iam::111122223333:user/probe' };
const SESSION: RequestPrincipal = { type: 'AWS', id: 'arn:aws:sts::111122223333:assumed-role/ci/build-42' };
const ROLES_ANYWHERE: RequestPrincipal = { type: 'Service', id: 'rolesanywhere.amazonaws.com' };
const OIDC: RequestPrincipal = { type: 'Federated', id: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' };

const covers = (element: unknown, request: RequestPrincipal): boolean =>
  parsePrincipalElement(element, 'test', 'Principal').some((p) => principalMatches(p, request));

describe('parsePrincipalElement', () => {
  test('reads every form of principal', () => {
    expect(
      parsePrincipalElement(
        {
          AWS: ['*', '111122223333', 'arn:aws:iam::111122223333:root', 'arn:aws:iam::111122223333:role/ci', 'AROAEXAMPLEUNIQUEID1'],
          Service: 'rolesanywhere.amazonaws.com',
          Federated: 'accounts.google.com',
          CanonicalUser: '79a59df900b949e55d96a1e698fbaced',
        },
        'test',
        'Principal',
      ),
    ).toEqual([
      { kind: 'everyone' },
      { kind: 'account', accountId: '111122223333' },
      { kind: 'account', accountId: '111122223333' },
      { kind: 'arn', arn: 'arn:aws:iam::111122223333:role/ci' },
      { kind: 'unique-id', id: 'AROAEXAMPLEUNIQUEID1' },
      { kind: 'service', name: 'rolesanywhere.amazonaws.com' },
      { kind: 'federated', id: 'accounts.google.com' },
      { kind: 'canonical-user', id: '79a59df900b949e55d96a1e698fbaced' },
    ]);
    expect(parsePrincipalElement('*', 'test', 'Principal')).toEqual([{ kind: 'everyone' }]);
  });

  test.each([
    [{ Users: 'x' }, /has the principal type "Users"/],
    [{}, /names no principal/],
    [{ AWS: [] }, /\(AWS\) is not a non-empty string or list of strings/],
    [{ Service: '' }, /\(Service\) is not a non-empty string/],
    [{ AWS: 'probe' }, /\(AWS\) is not "\*", an account ID, a unique ID or an ARN/],
    [['*'], /is not "\*" or a principal object/],
    ['rolesanywhere.amazonaws.com', /is not "\*" or a principal object/],
  ])('rejects %j', (element, message) => {
    expect(() => parsePrincipalElement(element, 'trust policy', 'Statement[0].Principal')).toThrow(message);
    expect(() => parsePrincipalElement(element, 'trust policy', 'Statement[0].Principal')).toThrow(AttestGateError);
  });
});

describe('principalMatches', () => {
  test('"*" and {"AWS": "*"} cover every principal, services and federated users included', () => {
    for (const request of [USER, SESSION, ROLES_ANYWHERE, OIDC]) {
      expect(covers('*', request)).toBe(true);
      expect(covers({ AWS: '*' }, request)).toBe(true);
    }
  });

  test('a service principal covers only that service', () => {
    expect(covers({ Service: 'rolesanywhere.amazonaws.com' }, ROLES_ANYWHERE)).toBe(true);
    expect(covers({ Service: 'ec2.amazonaws.com' }, ROLES_ANYWHERE)).toBe(false);
    expect(covers({ Service: 'rolesanywhere.amazonaws.com' }, { type: 'AWS', id: 'rolesanywhere.amazonaws.com' })).toBe(false);
  });

  test('an account (ID or root ARN) covers every AWS principal of that account, and only AWS principals', () => {
    expect(covers({ AWS: '111122223333' }, USER)).toBe(true);
    expect(covers({ AWS: 'arn:aws:iam::111122223333:root' }, SESSION)).toBe(true);
    expect(covers({ AWS: '111122223333' }, { type: 'AWS', id: 'arn:aws:iam::111122223333:root' })).toBe(true);
    expect(covers({ AWS: '999988887777' }, USER)).toBe(false);
    expect(covers({ AWS: '111122223333' }, OIDC)).toBe(false);
    expect(covers({ AWS: '111122223333' }, ROLES_ANYWHERE)).toBe(false);
  });

  test('a user ARN covers that user; a role ARN covers its sessions', () => {
    expect(covers({ AWS: USER.id }, USER)).toBe(true);
    expect(covers({ AWS: 'arn:aws:iam::111122223333:user/other' }, USER)).toBe(false);
    expect(covers({ AWS: 'arn:aws:iam::111122223333:role/ci' }, SESSION)).toBe(true);
    expect(covers({ AWS: 'arn:aws:iam::111122223333:role/build/ci' }, SESSION)).toBe(true);
    expect(covers({ AWS: SESSION.id }, SESSION)).toBe(true);
    expect(covers({ AWS: 'arn:aws:sts::111122223333:assumed-role/ci/other' }, SESSION)).toBe(false);
    expect(covers({ AWS: 'arn:aws:iam::999988887777:role/ci' }, SESSION)).toBe(false);
  });

  test('a unique ID (a deleted principal) covers nobody', () => {
    expect(covers({ AWS: 'AROAEXAMPLEUNIQUEID1' }, SESSION)).toBe(false);
  });

  test('federated and canonical-user principals match by exact id', () => {
    expect(covers({ Federated: OIDC.id }, OIDC)).toBe(true);
    expect(covers({ Federated: 'accounts.google.com' }, OIDC)).toBe(false);
    expect(covers({ CanonicalUser: 'abc' }, { type: 'CanonicalUser', id: 'abc' })).toBe(true);
  });
});

describe('helpers', () => {
  test('accountOf reads the account of ARNs and account IDs', () => {
    expect(accountOf(SESSION.id)).toBe('111122223333');
    expect(accountOf('111122223333')).toBe('111122223333');
    expect(accountOf('arn:aws:s3:::bucket')).toBeUndefined();
    expect(accountOf('rolesanywhere.amazonaws.com')).toBeUndefined();
  });

  test('isSessionOfRole compares partition, account and role name (case-insensitively)', () => {
    expect(isSessionOfRole('arn:aws:iam::111122223333:role/CI', SESSION.id)).toBe(true);
    expect(isSessionOfRole('arn:aws-cn:iam::111122223333:role/ci', SESSION.id)).toBe(false);
    expect(isSessionOfRole('arn:aws:iam::111122223333:user/ci', SESSION.id)).toBe(false);
    expect(isSessionOfRole('arn:aws:iam::111122223333:role/ci', USER.id)).toBe(false);
  });
});
