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
        message:
          'Role Role is also assumable, without attestation (statement 1): AWS arn:aws:iam::111122223333:root via sts:AssumeRole: AWS arn:aws:iam::111122223333:user/attestgate-unattested-caller gets the credentials without a certificate.',
      }),
    ]);
  });

  test('Noncompliance 2: another service in the same statement — its conditions name a trust anchor no caller of that service presents, so it cannot be judged clean either', () => {
    const template = gateTemplate({ statements: [attestedStatement({ Principal: { Service: ['rolesanywhere.amazonaws.com', 'ec2.amazonaws.com'] } })] });
    expect(singleIssuancePath.evaluate(model(template))).toEqual([
      expect.objectContaining({ outcome: 'unjudgeable', message: expect.stringContaining('Service ec2.amazonaws.com via sts:AssumeRole if ArnEquals aws:SourceArn') }),
    ]);
    // Without the anchor pin, an EC2 instance role meets the rest: a violation.
    const unpinned = gateTemplate({ statements: [{ Effect: 'Allow', Principal: { Service: ['rolesanywhere.amazonaws.com', 'ec2.amazonaws.com'] }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] }] });
    expect(singleIssuancePath.evaluate(model(unpinned))).toEqual([expect.objectContaining({ outcome: 'violation', message: expect.stringContaining('Service ec2.amazonaws.com') })]);
  });

  test('a Deny that carves the principal out closes the path; a Deny the caller can avoid does not (as AGC-AWS-019 judges)', () => {
    const ci = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/ci' }, Action: 'sts:AssumeRole' };
    expect(singleIssuancePath.evaluate(model(gateTemplate({ statements: [attestedStatement(), ci, { Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::111122223333:role/ci' }, Action: 'sts:AssumeRole' }] })))).toEqual([]);
    const avoidable = { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'contractors' } } };
    expect(singleIssuancePath.evaluate(model(gateTemplate({ statements: [attestedStatement(), ci, avoidable] })))).toHaveLength(1);
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
