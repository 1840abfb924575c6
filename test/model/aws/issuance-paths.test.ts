import { ACKNOWLEDGED_PATHS_METADATA_KEY, describePath, issuancePathsOf, routeOfPath } from '../../../lib/model/aws/issuance-paths';
import { AppTemplates } from '../../../lib/model/aws/app-templates';
import { maxRolesAnywhereSession, profilesOfRole, rolesAnywhereTrusts } from '../../../lib/model/aws/roles-anywhere';
import { attestedStatement, gateTemplate, model } from '../../fixtures/templates';

/** `anchors`: the pinned anchors, or 'unpinned'. */
const pathsOf = (template: unknown, anchors: string[] | 'unpinned' = ['Anchor']) => {
  const m = model(template);
  return issuancePathsOf(m, rolesAnywhereTrusts(m)[0], anchors === 'unpinned' ? undefined : anchors);
};
const ids = (template: unknown, anchors?: string[] | 'unpinned') => pathsOf(template, anchors).paths.map((p) => p.id);
const ci = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/ci-deployer' }, Action: 'sts:AssumeRole' };

describe('issuance paths of a Roles Anywhere role', () => {
  test('the clean gate: one anchor × one profile, nothing else', () => {
    expect(ids(gateTemplate())).toEqual(['rolesanywhere:Anchor/Profile']);
  });

  test('every anchor × every profile listing the role; an unpinned role reaches any anchor of the account', () => {
    const template = gateTemplate({ extra: { Profile2: { Type: 'AWS::RolesAnywhere::Profile', Properties: { Name: 'long', RoleArns: [{ 'Fn::GetAtt': ['Role', 'Arn'] }], DurationSeconds: 43200 } } } });
    expect(ids(template, ['Anchor', 'AnchorB'])).toEqual(['rolesanywhere:Anchor/Profile', 'rolesanywhere:Anchor/Profile2', 'rolesanywhere:AnchorB/Profile', 'rolesanywhere:AnchorB/Profile2']);
    expect(ids(gateTemplate(), 'unpinned')).toEqual(['rolesanywhere:*/Profile']);
    expect(describePath(pathsOf(gateTemplate(), 'unpinned').paths[0])).toBe('Roles Anywhere: anchor ANY of the account × profile Profile');
  });

  test.each([
    ['an IAM role of the account', ci, 'principal:AWS:arn:aws:iam::111122223333:role/ci-deployer', 'sts:AssumeRole'],
    ['a GitHub OIDC principal', { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity' }, 'principal:Federated:arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com', 'sts:AssumeRoleWithWebIdentity'],
    ['a SAML provider', { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:saml-provider/Okta' }, Action: 'sts:AssumeRoleWithSAML' }, 'principal:Federated:arn:aws:iam::111122223333:saml-provider/Okta', 'sts:AssumeRoleWithSAML'],
    ['a service', { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }, 'principal:Service:ec2.amazonaws.com', 'sts:AssumeRole'],
    ['NotPrincipal', { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:user/x' }, Action: 'sts:AssumeRole' }, 'principal:NotPrincipal:statement-1', 'sts:AssumeRole'],
  ])('a second path: %s', (_what, statement, id, exchange) => {
    const { paths } = pathsOf(gateTemplate({ statements: [attestedStatement(), statement] }));
    expect(paths.map((p) => p.id)).toEqual(['rolesanywhere:Anchor/Profile', id]);
    expect(paths[1]).toMatchObject({ kind: 'principal', exchange, statement: 1 });
  });

  test('`*` reaches every exchange its statement allows; a Deny statement is no path', () => {
    const star = { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } };
    const deny = { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' };
    expect(ids(gateTemplate({ statements: [attestedStatement(), star, deny] }))).toEqual([
      'rolesanywhere:Anchor/Profile',
      'principal:*:*',
      'principal:*:*:AssumeRoleWithWebIdentity',
      'principal:*:*:AssumeRoleWithSAML',
    ]);
  });

  test('acknowledged by path ID with a reason; a short reason or an unknown ID does not count and is said', () => {
    const template = gateTemplate({ statements: [attestedStatement(), ci], role: {} }) as { Resources: Record<string, Record<string, unknown>> };
    template.Resources.Role.Metadata = {
      [ACKNOWLEDGED_PATHS_METADATA_KEY]: { 'principal:AWS:arn:aws:iam::111122223333:role/ci-deployer': 'break-glass deploys, reviewed in SEC-123', 'principal:AWS:nobody': 'a reason long enough' },
    };
    const { paths, ignoredAcknowledgements } = pathsOf(template);
    expect(paths[1]).toMatchObject({ acknowledged: 'break-glass deploys, reviewed in SEC-123' });
    expect(ignoredAcknowledgements).toEqual(['principal:AWS:nobody: no unattested path of the role has this ID']);
    template.Resources.Role.Metadata = { [ACKNOWLEDGED_PATHS_METADATA_KEY]: { 'principal:AWS:arn:aws:iam::111122223333:role/ci-deployer': 'ok' } };
    expect(pathsOf(template).paths[1]).not.toHaveProperty('acknowledged');
    expect(pathsOf(template).ignoredAcknowledgements[0]).toMatch(/the reason "ok" is shorter than/);
  });
});

describe('routeOfPath: a path as the report draws it', () => {
  test('Roles Anywhere demands the certificate, its key and the trust policy’s conditions; another principal demands none of them, its conditions going with the exchange', () => {
    const star = { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } };
    const [attested, open] = pathsOf(gateTemplate({ statements: [attestedStatement(), star] })).paths.map((p) => routeOfPath(p, 'Stack/Role'));
    expect(attested).toEqual({
      from: 'a workload holding an X.509 certificate and its private key',
      through: 'IAM Roles Anywhere: trust anchor Anchor, profile Profile',
      factors: ['certificate chaining to the trust anchor’s CA', 'CreateSession signed with the certificate’s key', 'the trust policy’s conditions on the certificate'],
      to: 'Stack/Role',
    });
    expect(open).toEqual({ from: 'anyone (*)', through: 'sts:AssumeRole if StringEquals aws:PrincipalOrgID', factors: [], to: 'Stack/Role' });
  });
});

describe('issuance paths of a role whose profile is of another stack of the app', () => {
  /** The gate's template without its profile, exporting the role's ARN. */
  const roleStack = () => {
    const { Resources } = gateTemplate() as { Resources: Record<string, unknown> };
    delete Resources.Profile;
    return { Resources, Outputs: { RoleArn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] }, Export: { Name: 'roles-RoleArn' } } } };
  };
  const profileStack = (roleArn: unknown) => ({ Resources: { Profile: { Type: 'AWS::RolesAnywhere::Profile', Properties: { Name: 'p', RoleArns: [roleArn], DurationSeconds: 900 } } } });
  const appOf = (templates: Record<string, unknown>) => new AppTemplates(Object.entries(templates).map(([stackName, template]) => ({ name: stackName, stackName, template })));
  const trustOf = (m: ReturnType<AppTemplates['model']>) => rolesAnywhereTrusts(m)[0];

  test('a profile listing the role through an import of its ARN is a path, named by its stack; its duration bounds the session', () => {
    const app = appOf({ roles: roleStack(), access: profileStack({ 'Fn::ImportValue': 'roles-RoleArn' }) });
    const roles = app.model('roles');
    expect(issuancePathsOf(roles, trustOf(roles), ['Anchor']).paths.map((p) => p.id)).toEqual(['rolesanywhere:Anchor/access/Profile']);
    expect(profilesOfRole(roles, 'Role').map((p) => [p.model.name, p.ref])).toEqual([['access', 'access/Profile']]);
    expect(maxRolesAnywhereSession(roles, trustOf(roles).role)).toEqual({ seconds: 900 });
  });

  test('a profile of another stack listing a resource of its own stack named like the role is no path of it', () => {
    // access has a "Role" of its own: a same-named Fn::GetAtt there is not the roles stack's role.
    const access = profileStack({ 'Fn::GetAtt': ['Role', 'Arn'] });
    const withOwnRole = { Resources: { ...access.Resources, Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } } } };
    const app = appOf({ roles: roleStack(), access: withOwnRole });
    const roles = app.model('roles');
    expect(issuancePathsOf(roles, trustOf(roles), ['Anchor']).paths.map((p) => p.id)).toEqual(['rolesanywhere:Anchor/*']);
    expect(profilesOfRole(roles, 'Role')).toEqual([]);
  });
});
