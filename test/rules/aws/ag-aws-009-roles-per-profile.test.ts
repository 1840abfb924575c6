import { rolesPerProfile } from '../../../lib/rules/aws/ag-aws-009-roles-per-profile';
import { model } from '../../fixtures/templates';

const profile = (roleArns: unknown) => ({ Resources: { Profile: { Type: 'AWS::RolesAnywhere::Profile', Properties: { Name: 'agents', RoleArns: roleArns } } } });
const arns = (n: number) => Array.from({ length: n }, (_, i) => ({ 'Fn::GetAtt': [`Role${i}`, 'Arn'] }));

describe('AG-AWS-009: a profile lists at most 250 roles', () => {
  test('Noncompliance: 251 roles', () => {
    expect(rolesPerProfile.evaluate(model(profile(arns(251))))).toEqual([
      { resource: 'Profile', outcome: 'violation', location: 'Properties/RoleArns', message: 'Profile Profile lists 251 roles; a profile may list at most 250 (not adjustable).' },
    ]);
  });

  test('Compliance: 250 roles', () => {
    expect(rolesPerProfile.evaluate(model(profile(arns(250))))).toEqual([]);
  });

  test('Unjudgeable: the list from a parameter', () => {
    const template = { Parameters: { Roles: { Type: 'CommaDelimitedList' } }, ...profile({ Ref: 'Roles' }) };
    expect(rolesPerProfile.evaluate(model(template))).toEqual([expect.objectContaining({ outcome: 'unjudgeable', resource: 'Profile' })]);
  });
});
