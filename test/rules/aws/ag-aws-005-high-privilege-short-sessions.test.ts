import { highPrivilegeShortSessions } from '../../../lib/rules/aws/ag-aws-005-high-privilege-short-sessions';
import { gateTemplate, model } from '../../fixtures/templates';

const admin = { ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] }] };

describe('AG-AWS-005: a high-privilege role reachable through Roles Anywhere has sessions ≤ 1 h', () => {
  test('Noncompliance 1: AdministratorAccess with a 12 h profile and role maximum', () => {
    const template = gateTemplate({ role: { ...admin, MaxSessionDuration: 43200 }, profile: { DurationSeconds: 43200 } });
    expect(highPrivilegeShortSessions.evaluate(model(template))).toEqual([
      expect.objectContaining({ resource: 'Role', outcome: 'violation', message: expect.stringContaining('it has the AWS managed policy AdministratorAccess') }),
    ]);
  });

  test('Noncompliance 2: an inline policy allowing "*", no profile in the template', () => {
    const template = gateTemplate({
      role: { MaxSessionDuration: 7200, Policies: [{ PolicyName: 'all', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }] },
    });
    const t = JSON.parse(JSON.stringify(template));
    delete t.Resources.Profile;
    expect(highPrivilegeShortSessions.evaluate(model(t))[0].message).toContain('inline policy "all" allows "*"');
  });

  test('Noncompliance 3: an attached AWS::IAM::Policy granting iam:*', () => {
    const template = gateTemplate({
      role: { MaxSessionDuration: 7200 },
      profile: { DurationSeconds: 7200 },
      extra: { Pol: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] } } } },
    });
    expect(highPrivilegeShortSessions.evaluate(model(template))[0].message).toContain('AWS::IAM::Policy Pol allows "iam:*"');
  });

  test('Compliance: admin role whose profile caps sessions at 1 h even if the role allows 12 h', () => {
    expect(highPrivilegeShortSessions.evaluate(model(gateTemplate({ role: { ...admin, MaxSessionDuration: 43200 }, profile: { DurationSeconds: 3600 } })))).toEqual([]);
  });

  test('Compliance: a low-privilege role may have long sessions', () => {
    const template = gateTemplate({ role: { MaxSessionDuration: 43200, ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }, profile: { DurationSeconds: 43200 } });
    expect(highPrivilegeShortSessions.evaluate(model(template))).toEqual([]);
  });

  test('Unjudgeable: the session length comes from a parameter', () => {
    const template = gateTemplate({ parameters: { D: { Type: 'Number' } }, role: admin, profile: { DurationSeconds: { Ref: 'D' } } });
    expect(highPrivilegeShortSessions.evaluate(model(template))).toEqual([expect.objectContaining({ outcome: 'unjudgeable' })]);
  });
});
