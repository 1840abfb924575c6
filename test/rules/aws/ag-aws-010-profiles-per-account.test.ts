import { profilesPerAccount } from '../../../lib/rules/aws/ag-aws-010-profiles-per-account';
import { Severity } from '../../../lib/rules/rule';
import { model } from '../../fixtures/templates';

const profiles = (n: number) => ({ Resources: Object.fromEntries(Array.from({ length: n }, (_, i) => [`Profile${i}`, { Type: 'AWS::RolesAnywhere::Profile', Properties: { Name: `p${i}`, RoleArns: ['arn:aws:iam::111122223333:role/r'] } }])) });

describe('AG-AWS-010: at most 250 profiles per account (adjustable: a warning)', () => {
  test('Noncompliance: 251 profiles in one template, named by the quota', () => {
    expect(profilesPerAccount.evaluate(model(profiles(251)))).toEqual([
      { resource: 'Profile250', outcome: 'violation', location: '', message: 'The template declares 251 profiles; the quota "Profiles per account" is 250 per Region by default (adjustable), reached before Profile250.' },
    ]);
    expect(profilesPerAccount.severity).toBe(Severity.WARNING);
  });

  test('Compliance: 250 profiles', () => {
    expect(profilesPerAccount.evaluate(model(profiles(250)))).toEqual([]);
  });
});
