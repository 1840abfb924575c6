import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AttestedProfile } from '../../lib/aws/attested-profile';
import { newStack } from '../fixtures/cdk';
import { deployerIdentity } from '../fixtures/identities';

function role(stack: ReturnType<typeof newStack>) {
  return new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('rolesanywhere.amazonaws.com') });
}

describe('AttestedProfile', () => {
  test('a session policy and session managed policies narrow the session', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new AttestedProfile(stack, 'Profile', {
      identity: deployerIdentity(),
      roles: [role(stack)],
      sessionDuration: Duration.minutes(15),
      sessionPolicy: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['cloudformation:*'], resources: ['*'] })] }),
      sessionManagedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
    });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::RolesAnywhere::Profile', {
      DurationSeconds: 900,
      SessionPolicy: '{"Statement":[{"Action":"cloudformation:*","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}',
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] }],
    });
  });

  test('without an issuing CA, maps the issuer CN only (for audit)', () => {
    const stack = newStack();
    new AttestedProfile(stack, 'Profile', { identity: deployerIdentity({ issuingCa: undefined }), roles: [role(stack)] });
    Template.fromStack(stack).hasResourceProperties('AWS::RolesAnywhere::Profile', {
      AttributeMappings: [
        { CertificateField: 'x509Subject', MappingRules: [{ Specifier: 'CN' }, { Specifier: 'O' }] },
        { CertificateField: 'x509Issuer', MappingRules: [{ Specifier: 'CN' }] },
        { CertificateField: 'x509SAN', MappingRules: [{ Specifier: 'URI' }] },
      ],
    });
  });

  test.each([
    [{ sessionDuration: Duration.hours(2) }, /sessionDuration "7200 s" is outside 900 s \(the Roles Anywhere minimum\) to 3600 s \(identity 'deployer' maxCredentialLifetime\)/],
    [{ sessionDuration: Duration.minutes(5) }, /sessionDuration "300 s" is outside 900 s/],
    [{ roles: [] }, /roles \[\] is empty/],
    [{ profileName: 'no/slashes' }, /profileName "no\/slashes" is not 1–255 letters/],
  ])('rejects %j', (override, message) => {
    const stack = newStack();
    expect(() => new AttestedProfile(stack, 'Profile', { identity: deployerIdentity(), roles: [role(stack)], ...override })).toThrow(message);
  });

  test('rejects more than 50 session managed policies', () => {
    const stack = newStack();
    const policies = Array.from({ length: 51 }, (_, i) => iam.ManagedPolicy.fromManagedPolicyName(stack, `P${i}`, `p${i}`));
    expect(() => new AttestedProfile(stack, 'Profile', { identity: deployerIdentity(), roles: [role(stack)], sessionManagedPolicies: policies })).toThrow(
      /sessionManagedPolicies "51 policies" exceeds the 50/,
    );
  });
});
