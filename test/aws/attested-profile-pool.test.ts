import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentTrustAnchor, TrustAnchorSource } from '../../lib/aws/agent-trust-anchor';
import { AttestedProfile, ROLES_PER_PROFILE } from '../../lib/aws/attested-profile';
import { AttestedProfilePool } from '../../lib/aws/attested-profile-pool';
import { AttestedRole, AttestedRoleProps } from '../../lib/aws/attested-role';
import { AgentIdentityProps } from '../../lib/core/agent-identity';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { SignalMonitoring } from '../../lib/core/signal-monitoring';
import { newStack } from '../fixtures/cdk';
import { deployerIdentity } from '../fixtures/identities';
import { TestPki, makeTestPki } from '../fixtures/pki';

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});

const unmonitored = SignalMonitoring.disabled('profile sharing tests look at profiles only');

/** Agent `i`: its own CN and SPIFFE ID, otherwise the deployer fixture. */
const agent = (i: number, overrides: Partial<AgentIdentityProps> = {}) =>
  deployerIdentity({ name: `agent-${i}`, spiffeId: `spiffe://prod.example/agent/agent-${i}`, subject: { CN: `agent-${i}`, O: 'attestgate examples' }, ...overrides });

function setup() {
  const stack = newStack();
  const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
  const role = (i: number, props: Partial<AttestedRoleProps> = {}) => new AttestedRole(stack, `Agent${i}`, { identity: agent(i), trustAnchors: [anchor], issuanceMonitoring: unmonitored, ...props });
  return { stack, anchor, role };
}

const profilesOf = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::RolesAnywhere::Profile')) as Array<{ Properties: { RoleArns: unknown[] } }>;
const arnOf = (stack: Stack, role: AttestedRole) => ({ 'Fn::GetAtt': [stack.getLogicalId(role.cfnRole), 'Arn'] });

describe('AttestedProfilePool', () => {
  test('roles of the same gate settings share one profile; each trust policy still pins its own certificate', () => {
    const { stack, role } = setup();
    const [a, b] = [role(0), role(1)];
    expect(a.profile).toBe(b.profile);
    expect(profilesOf(stack)).toEqual([expect.objectContaining({ Properties: expect.objectContaining({ RoleArns: [arnOf(stack, a), arnOf(stack, b)] }) })]);
    const subjectOf = (r: AttestedRole) => (r.attestationStatement().Condition as Record<string, Record<string, string>>).StringEquals['aws:PrincipalTag/x509Subject/CN'];
    expect([subjectOf(a), subjectOf(b)]).toEqual(['agent-0', 'agent-1']);
  });

  test.each<[string, (i: number, s: ReturnType<typeof setup>) => Partial<AttestedRoleProps>]>([
    ['a shorter session duration', () => ({ sessionDuration: Duration.minutes(15) })],
    ['another trust anchor', (_, { stack }) => ({ trustAnchors: [AgentTrustAnchor.fromTrustAnchorArn(stack, 'Other', 'arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/other')] })],
    ['another privilege tier', (i) => ({ identity: agent(i, { privilege: PrivilegeTier.STANDARD }) })],
    ['another attribute mapping (an OU in the subject)', (i) => ({ identity: agent(i, { subject: { CN: `agent-${i}`, O: 'attestgate examples', OU: 'agents' } }) })],
    ['a session policy', () => ({ sessionPolicy: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] }) })],
    ['session managed policies', () => ({ sessionManagedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')] })],
  ])('a role with %s gets a profile of its own settings, never a profile shaped for others', (_, differ) => {
    const s = setup();
    const shared = [s.role(0), s.role(1)];
    const other = s.role(2, differ(2, s));
    expect(other.profile).not.toBe(shared[0].profile);
    expect(profilesOf(s.stack).map((p) => p.Properties.RoleArns.length).sort()).toEqual([1, 2]);
  });

  test('two roles with one session-policy document share; two equal documents are not assumed equal (a document can change after)', () => {
    const { role } = setup();
    const policy = new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] });
    const first = role(0, { sessionPolicy: policy });
    expect(role(1, { sessionPolicy: policy }).profile).toBe(first.profile);
    const copy = new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] });
    expect(role(2, { sessionPolicy: copy }).profile).not.toBe(first.profile);
    expect(role(3).profile).not.toBe(first.profile);
  });

  test(`splits at ${ROLES_PER_PROFILE} roles a profile, and adding roles leaves the first profile's logical ID and roles as they were`, () => {
    const { stack, role } = setup();
    const roles = Array.from({ length: ROLES_PER_PROFILE }, (_, i) => role(i));
    const first = roles[0].profile;
    const firstId = stack.getLogicalId(first.cfnProfile);
    const extra = role(ROLES_PER_PROFILE);
    expect(extra.profile).not.toBe(first);
    expect(stack.getLogicalId(first.cfnProfile)).toBe(firstId);
    expect(profilesOf(stack).map((p) => p.Properties.RoleArns.length)).toEqual([ROLES_PER_PROFILE, 1]);
    expect(AttestedProfilePool.of(stack).profiles).toEqual([first, extra.profile]);
  });

  test('a group keeps its logical ID whatever other groups the stack has (the ID is a digest of the settings)', () => {
    const a = setup();
    a.role(0);
    const b = setup();
    b.role(9, { sessionDuration: Duration.minutes(15) });
    b.role(0);
    expect(b.stack.getLogicalId(b.role(1).profile.cfnProfile)).toBe(a.stack.getLogicalId(a.role(1).profile.cfnProfile));
  });

  test('profileName, or shareProfile: false, gives the role a profile of its own; both shareProfile: true and a profileName is an error', () => {
    const { stack, role } = setup();
    const shared = role(0);
    const named = role(1, { profileName: 'agent-1' });
    const own = role(2, { shareProfile: false });
    expect(new Set([shared.profile, named.profile, own.profile]).size).toBe(3);
    expect(named.profile.node.path).toBe('TestStack/Agent1/Profile');
    expect(profilesOf(stack)).toHaveLength(3);
    expect(() => role(3, { shareProfile: true, profileName: 'agent-3' })).toThrow(/AttestedRole 'TestStack\/Agent3': profileName "agent-3" names a profile of the role’s own, but shareProfile is true.*Fix: drop profileName/);
  });

  test('a session duration beyond the identity lifetime is refused for a shared profile too, naming the role', () => {
    const { role } = setup();
    role(0);
    expect(() => role(1, { sessionDuration: Duration.hours(2) })).toThrow(/AttestedRole 'TestStack\/Agent1': sessionDuration "7200 s" is outside 900 s .* to 3600 s \(identity 'agent-1' maxCredentialLifetime\)/);
  });
});

describe(`AttestedProfile: at most ${ROLES_PER_PROFILE} roles (not adjustable)`, () => {
  test('refuses a 251st role, given at construction or added', () => {
    const stack = newStack();
    const roles = Array.from({ length: ROLES_PER_PROFILE + 1 }, (_, i) => iam.Role.fromRoleArn(stack, `R${i}`, `arn:aws:iam::111122223333:role/r${i}`));
    expect(() => new AttestedProfile(stack, 'Too', { identity: deployerIdentity(), roles })).toThrow(/AttestedProfile 'TestStack\/Too': roles "251 roles" exceeds the 250 roles a Roles Anywhere profile may list \(a quota that cannot be raised\)/);
    const profile = new AttestedProfile(stack, 'Full', { identity: deployerIdentity(), roles: roles.slice(0, ROLES_PER_PROFILE) });
    profile.addRole(roles[0]); // already listed: no change
    expect(profile.roleCount).toBe(ROLES_PER_PROFILE);
    expect(() => profile.addRole(roles[ROLES_PER_PROFILE])).toThrow(/exceeds the 250 roles .* Fix: let AttestedRole share profiles/);
  });
});
