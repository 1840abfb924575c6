import { singleIssuancePath } from '../../../lib/rules/aws/ag-aws-004-single-issuance-path';
import { attestedStatement, gateTemplate, model } from '../../fixtures/templates';

describe('AG-AWS-004: a role trusted by Roles Anywhere trusts no other principal', () => {
  test('Noncompliance 1: an account principal in a second statement', () => {
    const template = gateTemplate({ statements: [attestedStatement(), { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }] });
    expect(singleIssuancePath.evaluate(model(template))).toEqual([
      expect.objectContaining({
        resource: 'Role',
        outcome: 'violation',
        location: 'Properties/AssumeRolePolicyDocument/Statement/1',
        message: 'Role Role is also assumable, without attestation, by AWS: "arn:aws:iam::111122223333:root" (statement 1).',
      }),
    ]);
  });

  test('Noncompliance 2: another service in the same statement', () => {
    const template = gateTemplate({ statements: [attestedStatement({ Principal: { Service: ['rolesanywhere.amazonaws.com', 'ec2.amazonaws.com'] } })] });
    expect(singleIssuancePath.evaluate(model(template))[0].message).toContain('Service: "ec2.amazonaws.com"');
  });

  test('Noncompliance 3: a federated principal with web identity, the wildcard principal, NotPrincipal', () => {
    for (const statement of [
      { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity' },
      { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
      { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:user/x' }, Action: 'sts:AssumeRole' },
    ]) {
      expect(singleIssuancePath.evaluate(model(gateTemplate({ statements: [attestedStatement(), statement] })))).toHaveLength(1);
    }
  });

  test('Compliance: only Roles Anywhere; a Deny for others; another principal without credential actions', () => {
    for (const statements of [
      [attestedStatement()],
      [attestedStatement(), { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
      [attestedStatement(), { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:TagSession' }],
    ]) {
      expect(singleIssuancePath.evaluate(model(gateTemplate({ statements })))).toEqual([]);
    }
  });

  test('Unjudgeable: a principal from a parameter', () => {
    const template = gateTemplate({
      parameters: { Other: { Type: 'String' } },
      statements: [attestedStatement(), { Effect: 'Allow', Principal: { Ref: 'Other' }, Action: 'sts:AssumeRole' }],
    });
    expect(singleIssuancePath.evaluate(model(template))).toEqual([expect.objectContaining({ outcome: 'unjudgeable' })]);
  });
});
