import { AttestGateError } from '../../../../lib/core/errors';
import { parsePolicyDocument } from '../../../../lib/model/aws/iam';

const STATEMENT = { Effect: 'Allow', Principal: { Service: 'rolesanywhere.amazonaws.com' }, Action: 'sts:AssumeRole' };

describe('parsePolicyDocument', () => {
  test('normalises single values to lists and condition values to strings', () => {
    const document = parsePolicyDocument({
      Version: '2012-10-17',
      Statement: { ...STATEMENT, Sid: 'RolesAnywhere', Condition: { Bool: { 'aws:SecureTransport': true }, NumericLessThan: { 'aws:MultiFactorAuthAge': [3600, '60'] } } },
    });
    expect(document).toEqual({
      variablesEnabled: true,
      statements: [
        {
          index: 0,
          sid: 'RolesAnywhere',
          effect: 'Allow',
          principals: [{ kind: 'service', name: 'rolesanywhere.amazonaws.com' }],
          actions: ['sts:AssumeRole'],
          conditions: [
            { operator: 'Bool', key: 'aws:SecureTransport', values: ['true'] },
            { operator: 'NumericLessThan', key: 'aws:MultiFactorAuthAge', values: ['3600', '60'] },
          ],
        },
      ],
    });
  });

  test('reads JSON text, and turns policy variables on only for Version 2012-10-17', () => {
    expect(parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: [] })).variablesEnabled).toBe(true);
    expect(parsePolicyDocument({ Version: '2008-10-17', Statement: [STATEMENT] }).variablesEnabled).toBe(false);
    expect(parsePolicyDocument({ Statement: [STATEMENT] }).variablesEnabled).toBe(false);
  });

  test.each([
    ['{not json', 'policy', /is not JSON/],
    [[], 'policy', /is not a JSON object/],
    [{ Version: '2012-10-17' }, 'Statement', /is missing/],
    [{ Version: '2020-01-01', Statement: [] }, 'Version', /is not a policy language version/],
    [{ Statement: [], Extra: 1 }, 'Extra', /is not a policy element/],
    [{ Statement: ['x'] }, 'Statement[0]', /is not an object/],
    [{ Statement: [{ ...STATEMENT, Effect: 'allow' }] }, 'Statement[0].Effect', /is not "Allow" or "Deny"/],
    [{ Statement: [{ ...STATEMENT, Principal: undefined }] }, 'Statement[0].Principal', /is missing \(and so is NotPrincipal\)/],
    [{ Statement: [{ ...STATEMENT, NotPrincipal: '*' }] }, 'Statement[0].NotPrincipal', /is given together with Principal/],
    [{ Statement: [STATEMENT, { ...STATEMENT, Action: undefined }] }, 'Statement[1].Action', /is missing \(and so is NotAction\)/],
    [{ Statement: [{ ...STATEMENT, Action: [] }] }, 'Statement[0].Action', /is not a non-empty string or list of strings/],
    [{ Statement: [{ ...STATEMENT, Resource: '*', NotResource: '*' }] }, 'Statement[0].NotResource', /is given together with Resource/],
    [{ Statement: [{ ...STATEMENT, Sid: 1 }] }, 'Statement[0].Sid', /is not a string/],
    [{ Statement: [{ ...STATEMENT, Conditions: {} }] }, 'Statement[0].Conditions', /is not a statement element/],
    [{ Statement: [{ ...STATEMENT, Condition: [] }] }, 'Statement[0].Condition', /is not an object/],
    [{ Statement: [{ ...STATEMENT, Condition: { StringEquals: 'x' } }] }, 'Statement[0].Condition.StringEquals', /is not an object of condition keys/],
    [{ Statement: [{ ...STATEMENT, Condition: { StringEquals: { k: null } } }] }, 'Statement[0].Condition.StringEquals.k', /is not a string, number, boolean/],
    [{ Statement: [{ ...STATEMENT, Principal: { Users: 'x' } }] }, 'Statement[0].Principal', /has the principal type "Users"/],
  ])('rejects %j at %s', (policy, field, problem) => {
    let error: unknown;
    try {
      parsePolicyDocument(policy, 'trust policy of role deployer');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AttestGateError);
    expect((error as AttestGateError).where).toBe('trust policy of role deployer');
    expect((error as AttestGateError).field).toBe(field);
    expect((error as AttestGateError).message).toMatch(problem);
    expect((error as AttestGateError).fix).not.toBe('');
  });

  test('leaves unknown condition operators to evaluation', () => {
    const document = parsePolicyDocument({ Statement: [{ ...STATEMENT, Condition: { StringEqualz: { k: 'v' } } }] });
    expect(document.statements[0].conditions).toEqual([{ operator: 'StringEqualz', key: 'k', values: ['v'] }]);
  });
});
