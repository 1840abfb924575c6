import { DeployedStack, deployTemplates } from '../../../../conformance/emulator/aws/deploy-cloudformation';
import { deterministicId } from '../../../../lib/core/deterministic-id';
import { AwsWorld } from '../../../../conformance/emulator/aws/world';
import { IssuedCertificate, createCa, createCrl } from '../../../../conformance/pki/throwaway-pki';
import { parseCertificate } from '../../../../lib/core/pki/certificate';
import { templateSource } from '../../../fixtures/emulator';

const ACCOUNT = '111122223333';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/;
const PCA_ARN = 'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11111111-2222-4333-a444-555555555555';

let ca: IssuedCertificate;
let crlPem: string;
beforeAll(async () => {
  ca = await createCa({ subject: { CN: 'Deploy Test CA', O: 'attestgate tests' } });
  crlPem = (await createCrl({ issuer: ca })).pem;
});

const bundleSource = () => ({ SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: ca.pem } });

/** A Roles Anywhere trust statement pinned to a source ARN. */
const trustStatement = (sourceArn: unknown) => ({
  Effect: 'Allow',
  Principal: { Service: 'rolesanywhere.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
  Condition: { ArnEquals: { 'aws:SourceArn': sourceArn } },
});

/** One gate written with every intrinsic the deployer resolves. */
function agentsTemplate() {
  return {
    Parameters: {
      Team: { Type: 'String', Default: 'platform' },
      Env: { Type: 'String', Default: 'prod' },
    },
    Conditions: {
      IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
      IsDev: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    },
    Resources: {
      Anchor: { Type: 'AWS::RolesAnywhere::TrustAnchor', Properties: { Name: { 'Fn::Sub': '${Team}-agents' }, Source: bundleSource() } },
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { 'Fn::Join': ['-', [{ Ref: 'Team' }, 'deployer']] },
          Path: '/agents/',
          MaxSessionDuration: { 'Fn::If': ['IsProd', 3600, 7200] },
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [trustStatement({ 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] })] },
        },
      },
      Profile: {
        Type: 'AWS::RolesAnywhere::Profile',
        Properties: {
          Name: { Ref: 'AWS::StackName' },
          RoleArns: [{ 'Fn::GetAtt': ['Role', 'Arn'] }],
          DurationSeconds: { 'Fn::If': ['IsProd', 900, 3600] },
          AttributeMappings: [{ CertificateField: 'x509Subject', MappingRules: [{ Specifier: 'CN' }, { Specifier: 'OU' }] }],
        },
      },
      Crl: { Type: 'AWS::RolesAnywhere::CRL', Properties: { Name: 'agents', CrlData: crlPem, TrustAnchorArn: { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] } } },
      DevRole: {
        Type: 'AWS::IAM::Role',
        Condition: 'IsDev',
        Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [trustStatement({ 'Fn::Sub': 'arn:${AWS::Partition}:rolesanywhere:${AWS::Region}:${AWS::AccountId}:trust-anchor/${Anchor}' })] } },
      },
    },
    Outputs: {
      AnchorId: { Value: { Ref: 'Anchor' }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-AnchorId' } } },
    },
  };
}

function deploy(templates: Array<[string, unknown]>, options: Parameters<typeof deployTemplates>[2] = {}, world = new AwsWorld()): { world: AwsWorld; stacks: DeployedStack[] } {
  return { world, stacks: deployTemplates(world, templates.map(([stackName, template]) => templateSource(template, stackName)), options) };
}

describe('deployTemplates: resources and intrinsics', () => {
  test('creates each served resource with Ref, GetAtt, Sub, Join and If resolved concretely', () => {
    // GIVEN a template using every common intrinsic, deployed with parameter defaults
    const { world, stacks } = deploy([['Agents', agentsTemplate()]]);
    const [stack] = stacks;

    // THEN nothing is reported, and the resources carry concrete values
    expect(stack.problems).toEqual([]);
    const anchorId = stack.resources.get('Anchor')!.physicalId;
    const anchorArn = `arn:aws:rolesanywhere:us-east-1:${ACCOUNT}:trust-anchor/${anchorId}`;
    expect(anchorId).toMatch(UUID);
    expect(world.trustAnchors.get(anchorId)).toMatchObject({ arn: anchorArn, name: 'platform-agents', enabled: true, sourceType: 'CERTIFICATE_BUNDLE', origin: 'Agents/Anchor' });
    expect(world.trustAnchors.get(anchorId)!.caCertificates.map((c) => c.fingerprintSha256)).toEqual([parseCertificate(ca.der).fingerprintSha256]);

    const roleArn = `arn:aws:iam::${ACCOUNT}:role/agents/platform-deployer`;
    expect([...world.roles.keys()]).toEqual([roleArn]);
    const role = world.roles.get(roleArn)!;
    expect(role).toMatchObject({ name: 'platform-deployer', maxSessionDuration: 3600, origin: 'Agents/Role' });
    expect(role.id).toMatch(/^AROA[0-9A-F]{17}$/);
    expect(role.trustPolicy).toEqual({ Version: '2012-10-17', Statement: [trustStatement(anchorArn)] });

    const profile = [...world.profiles.values()][0];
    expect(profile).toMatchObject({
      name: 'Agents',
      arn: `arn:aws:rolesanywhere:us-east-1:${ACCOUNT}:profile/${stack.resources.get('Profile')!.physicalId}`,
      roleArns: [roleArn],
      durationSeconds: 900,
      enabled: true,
      acceptRoleSessionName: false,
      requireInstanceProperties: false,
    });
    expect([...profile.attributeMappings]).toEqual([['x509Subject', ['CN', 'OU']]]);

    expect(stack.exports).toEqual({ 'Agents-AnchorId': anchorId });
  });

  test('physical IDs and ARNs are the same on every run, and differ between stacks and accounts', () => {
    const first = deploy([['Agents', agentsTemplate()]]).stacks[0];
    const again = deploy([['Agents', agentsTemplate()]]).stacks[0];
    const ids = (stack: DeployedStack) => Object.fromEntries([...stack.resources].map(([id, r]) => [id, [r.physicalId, r.attributes]]));
    expect(ids(again)).toEqual(ids(first));

    const otherStack = deploy([['Agents2', agentsTemplate()]]).stacks[0];
    expect(otherStack.resources.get('Anchor')!.physicalId).not.toBe(first.resources.get('Anchor')!.physicalId);
    const otherAccount = deploy([['Agents', agentsTemplate()]], {}, new AwsWorld({ account: '444455556666', region: 'us-east-1', partition: 'aws' })).stacks[0];
    expect(otherAccount.resources.get('Anchor')!.physicalId).not.toBe(first.resources.get('Anchor')!.physicalId);
    expect(otherAccount.resources.get('Anchor')!.attributes.TrustAnchorArn).toMatch(/^arn:aws:rolesanywhere:us-east-1:444455556666:trust-anchor\//);
    expect(deterministicId('a', 'b')).toMatch(UUID);
  });

  test('parameter overrides replace defaults, and conditions follow them', () => {
    const prod = deploy([['Agents', agentsTemplate()]]);
    expect([...prod.world.roles.keys()]).toEqual([`arn:aws:iam::${ACCOUNT}:role/agents/platform-deployer`]);
    expect(prod.stacks[0].resources.has('DevRole')).toBe(false);

    const dev = deploy([['Agents', agentsTemplate()]], { parameters: { Team: 'sre', Env: 'dev' } });
    expect(dev.stacks[0].problems).toEqual([]);
    const roles = [...dev.world.roles.values()];
    expect(roles.map((r) => [r.name, r.maxSessionDuration])).toEqual([
      ['sre-deployer', 7200],
      [expect.stringMatching(/^Agents-DevRole-[0-9A-F]{12}$/), 3600],
    ]);
    expect([...dev.world.profiles.values()][0].durationSeconds).toBe(3600);
    const anchorId = dev.stacks[0].resources.get('Anchor')!.physicalId;
    expect(roles[1].trustPolicy).toEqual({ Version: '2012-10-17', Statement: [trustStatement(`arn:aws:rolesanywhere:us-east-1:${ACCOUNT}:trust-anchor/${anchorId}`)] });
  });

  test('a resource whose condition cannot be decided is reported, not deployed', () => {
    // GIVEN a role that exists only when a parameter without default says so
    const template = {
      Parameters: { WithBreakGlass: { Type: 'String', AllowedValues: ['yes', 'no'] } },
      Conditions: { BreakGlass: { 'Fn::Equals': [{ Ref: 'WithBreakGlass' }, 'yes'] } },
      Resources: {
        BreakGlassRole: {
          Type: 'AWS::IAM::Role',
          Condition: 'BreakGlass',
          Properties: { RoleName: 'break-glass', AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [trustStatement('arn:x')] } },
        },
      },
    };

    // WHEN it is deployed without a value for the parameter
    const undecided = deploy([['Gate', template]]);

    // THEN the role is neither guessed into existence nor silently dropped
    expect(undecided.stacks[0].problems).toEqual([{ logicalId: 'BreakGlassRole', problem: 'its condition BreakGlass is not known at deploy time' }]);
    expect(undecided.world.roles.size).toBe(0);
    expect(deploy([['Gate', template]], { parameters: { WithBreakGlass: 'yes' } }).world.roles.size).toBe(1);
    expect(deploy([['Gate', template]], { parameters: { WithBreakGlass: 'no' } }).stacks[0].problems).toEqual([]);
  });

  test('generated names: <stack>-<logicalId>-<suffix>, role names at most 64 characters', () => {
    const role = (statement: unknown) => ({ Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [statement] } } });
    const template = { Resources: { DeployerRoleWithAVeryLongLogicalIdentifierIndeed: role(trustStatement('arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/x')) } };
    const stackName = 'AttestgateExampleStackWithAQuiteLongName';
    const { world, stacks } = deploy([[stackName, template]]);
    const [name] = [...world.roles.values()].map((r) => r.name);
    expect(name).toHaveLength(64);
    expect(name).toMatch(/^AttestgateExampleStackWithAQuiteLongName-DeployerRo-[0-9A-F]{12}$/);
    expect(stacks[0].resources.get('DeployerRoleWithAVeryLongLogicalIdentifierIndeed')!.attributes.Arn).toBe(`arn:aws:iam::${ACCOUNT}:role/${name}`);
    expect(deploy([[stackName, template]]).world.roles.keys().next().value).toBe(`arn:aws:iam::${ACCOUNT}:role/${name}`);
  });

  test('a trust policy given as a JSON string, a managed policy and a user get their ARNs', () => {
    const template = {
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'deployer', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [trustStatement('arn:x')] }) } },
        Policy: { Type: 'AWS::IAM::ManagedPolicy', Properties: { ManagedPolicyName: 'deploy', PolicyDocument: {} } },
        User: { Type: 'AWS::IAM::User', Properties: { UserName: 'ci' } },
      },
    };
    const { world, stacks } = deploy([['Iam', template]]);
    expect(world.roles.get(`arn:aws:iam::${ACCOUNT}:role/deployer`)!.trustPolicy).toEqual({ Version: '2012-10-17', Statement: [trustStatement('arn:x')] });
    expect(stacks[0].resources.get('Policy')!.physicalId).toBe(`arn:aws:iam::${ACCOUNT}:policy/deploy`);
    expect(stacks[0].resources.get('User')!.attributes).toEqual({ Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
  });
});

describe('deployTemplates: values it cannot know are reported, never guessed', () => {
  test('a parameter without default or override leaves its resource undeployed', () => {
    const template = {
      Parameters: { ExternalRoleArn: { Type: 'String' } },
      Resources: {
        Profile: { Type: 'AWS::RolesAnywhere::Profile', Properties: { Name: 'p', RoleArns: [{ Ref: 'ExternalRoleArn' }] } },
      },
    };
    const { world, stacks } = deploy([['Gate', template]]);
    expect(stacks[0].problems).toEqual([{ logicalId: 'Profile', problem: expect.stringMatching(/^a property is not known at deploy time: .*parameter ExternalRoleArn/) }]);
    // Not in the account, and not among the stack's resources, where lookups would find an ARN for it.
    expect(world.profiles.size).toBe(0);
    expect(stacks[0].resources.has('Profile')).toBe(false);

    const overridden = deploy([['Gate', template]], { parameters: { ExternalRoleArn: 'arn:aws:iam::111122223333:role/external' } });
    expect(overridden.stacks[0].problems).toEqual([]);
    expect([...overridden.world.profiles.values()][0].roleArns).toEqual(['arn:aws:iam::111122223333:role/external']);
  });

  test('an attribute the emulator does not model, and a Ref to nothing, are reported', () => {
    const template = {
      Resources: {
        Anchor: { Type: 'AWS::RolesAnywhere::TrustAnchor', Properties: { Name: 'a', Source: bundleSource() } },
        Profile: { Type: 'AWS::RolesAnywhere::Profile', Properties: { Name: { 'Fn::GetAtt': ['Anchor', 'CreatedAt'] }, RoleArns: [] } },
        Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [trustStatement({ Ref: 'Missing' })] } } },
      },
    };
    const { world, stacks } = deploy([['Gate', template]]);
    expect(stacks[0].problems).toEqual([
      { logicalId: 'Profile', problem: expect.stringContaining('Anchor.CreatedAt, which the emulator does not model') },
      { logicalId: 'Role', problem: expect.stringContaining('a Ref to Missing, which is not in the template') },
    ]);
    expect([world.profiles.size, world.roles.size, world.trustAnchors.size]).toEqual([0, 0, 1]);
    expect([...stacks[0].resources.keys()]).toEqual(['Anchor']);
  });
});

describe('deployTemplates: Fn::ImportValue across stacks', () => {
  const exporter = () => ({
    Resources: { Anchor: { Type: 'AWS::RolesAnywhere::TrustAnchor', Properties: { Name: 'shared', Source: bundleSource() } } },
    Outputs: {
      AnchorArn: { Value: { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-AnchorArn' } } },
      NotExported: { Value: 'ignored' },
    },
  });
  const importer = () => ({
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'deployer', AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [trustStatement({ 'Fn::ImportValue': 'Pki-AnchorArn' })] } } },
      Crl: { Type: 'AWS::RolesAnywhere::CRL', Properties: { Name: 'c', CrlData: crlPem, Enabled: true, TrustAnchorArn: { 'Fn::ImportValue': { 'Fn::Sub': 'Pki-AnchorArn' } } } },
    },
  });

  test('an export of an earlier stack resolves in a later one', () => {
    const { world, stacks } = deploy([
      ['Pki', exporter()],
      ['Gates', importer()],
    ]);
    const anchorArn = stacks[0].resources.get('Anchor')!.attributes.TrustAnchorArn;
    expect(stacks[0].exports).toEqual({ 'Pki-AnchorArn': anchorArn });
    expect(stacks[0].outputs).toEqual({ AnchorArn: anchorArn, NotExported: 'ignored' });
    expect(stacks[1].problems).toEqual([]);
    expect(world.roles.get(`arn:aws:iam::${ACCOUNT}:role/deployer`)!.trustPolicy).toEqual({ Version: '2012-10-17', Statement: [trustStatement(anchorArn)] });
    expect(world.crlsOf(anchorArn).map((c) => c.enabled)).toEqual([true]);
  });

  test('the importing stack given first is deployed after the stack it imports from (as CloudFormation must); the stacks come back in the order given', () => {
    const { world, stacks } = deploy([
      ['Gates', importer()],
      ['Pki', exporter()],
    ]);
    expect(stacks.map((s) => s.stackName)).toEqual(['Gates', 'Pki']);
    const anchorArn = stacks[1].resources.get('Anchor')!.attributes.TrustAnchorArn;
    expect(stacks[0].problems).toEqual([]);
    expect(world.roles.get(`arn:aws:iam::${ACCOUNT}:role/deployer`)!.trustPolicy).toEqual({ Version: '2012-10-17', Statement: [trustStatement(anchorArn)] });
    expect(world.crlsOf(anchorArn).map((c) => c.enabled)).toEqual([true]);
  });

  test('an import of a name no stack exports is reported, naming the export, and nothing is created from a guess', () => {
    const { world, stacks } = deploy([
      ['Gates', importer()],
      ['Other', exporter()],
    ]);
    expect(stacks[0].problems.map((p) => [p.logicalId, p.problem])).toEqual([
      ['Role', expect.stringContaining('an Fn::ImportValue of export Pki-AnchorArn, which no stack deployed before Gates exports')],
      ['Crl', expect.stringContaining('an Fn::ImportValue of export Pki-AnchorArn, which no stack deployed before Gates exports')],
    ]);
    expect([world.roles.size, world.crls.size]).toEqual([0, 0]);
  });

  test('stacks that import from each other cannot be deployed: neither import is resolved', () => {
    const importing = (name: string, exportName: string) => ({
      Resources: {
        Anchor: exporter().Resources.Anchor,
        Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: name, AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [trustStatement({ 'Fn::ImportValue': exportName })] } } },
      },
      Outputs: { AnchorArn: exporter().Outputs.AnchorArn },
    });
    const { world, stacks } = deploy([
      ['Pki', importing('pki', 'Loop-AnchorArn')],
      ['Loop', importing('loop', 'Pki-AnchorArn')],
    ]);
    expect(stacks.map((s) => s.problems.map((p) => [p.logicalId, p.problem]))).toEqual([
      [['Role', expect.stringContaining('export Loop-AnchorArn, which no stack deployed before Pki exports')]],
      [['Role', expect.stringContaining('export Pki-AnchorArn, which no stack deployed before Loop exports')]],
    ]);
    expect(world.roles.size).toBe(0);
  });

  test('Fn::GetStackOutput reads an output of a stack deployed before, by stack name; another Region\'s is not there', () => {
    const reader = (region?: string) => ({
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'reader', AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [trustStatement({ 'Fn::GetStackOutput': { StackName: 'Pki', OutputName: 'AnchorArn', ...(region ? { Region: region } : {}) } })] } } },
      },
    });
    const same = deploy([
      ['Reader', reader()],
      ['Pki', exporter()],
    ]);
    const anchorArn = same.stacks[1].resources.get('Anchor')!.attributes.TrustAnchorArn;
    expect(same.stacks[0].problems).toEqual([]);
    expect(same.world.roles.get(`arn:aws:iam::${ACCOUNT}:role/reader`)!.trustPolicy).toEqual({ Version: '2012-10-17', Statement: [trustStatement(anchorArn)] });

    const other = deploy([
      ['Pki', exporter()],
      ['Reader', reader('eu-west-1')],
    ]);
    expect(other.stacks[1].problems).toEqual([{ logicalId: 'Role', problem: expect.stringContaining('no stack of the emulator\'s account and Region deployed before Reader has') }]);
  });
});

describe('deployTemplates: trust anchors, profiles and CRLs', () => {
  test('an ACM Private CA anchor needs its CA certificate: without it the anchor trusts nothing and is reported', () => {
    const template = {
      Resources: { Anchor: { Type: 'AWS::RolesAnywhere::TrustAnchor', Properties: { Name: 'pca', Source: { SourceType: 'AWS_ACM_PCA', SourceData: { AcmPcaArn: PCA_ARN } } } } },
    };
    const without = deploy([['Pca', template]]);
    expect(without.stacks[0].problems).toEqual([
      { logicalId: 'Anchor', problem: `it uses ACM Private CA ${PCA_ARN}, whose CA certificate the emulator needs (pass it with --pki and --private-ca ARN=FILE)` },
    ]);
    expect([...without.world.trustAnchors.values()].map((a) => [a.sourceType, a.caCertificates.length])).toEqual([['AWS_ACM_PCA', 0]]);

    const withCa = deploy([['Pca', template]], { privateCaCertificates: new Map([[PCA_ARN, parseCertificate(ca.der)]]) });
    expect(withCa.stacks[0].problems).toEqual([]);
    expect([...withCa.world.trustAnchors.values()][0].caCertificates.map((c) => c.fingerprintSha256)).toEqual([parseCertificate(ca.der).fingerprintSha256]);
  });

  test('a bundle without certificates, one that does not parse, and a source type the emulator does not serve, are reported', () => {
    const template = {
      Resources: {
        Empty: { Type: 'AWS::RolesAnywhere::TrustAnchor', Properties: { Name: 'e', Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: 'not PEM' } } } },
        Broken: {
          Type: 'AWS::RolesAnywhere::TrustAnchor',
          Properties: { Name: 'b', Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' } } },
        },
        SelfSigned: { Type: 'AWS::RolesAnywhere::TrustAnchor', Properties: { Name: 's', Source: { SourceType: 'SELF_SIGNED_REPOSITORY', SourceData: {} } } },
      },
    };
    const { stacks } = deploy([['Anchors', template]]);
    expect(stacks[0].problems).toEqual([
      { logicalId: 'Empty', problem: 'its certificate bundle holds no PEM certificate' },
      { logicalId: 'Broken', problem: expect.stringMatching(/^its certificate bundle does not parse: certificate #1 does not parse/) },
      { logicalId: 'SelfSigned', problem: 'its SourceType SELF_SIGNED_REPOSITORY is not one the emulator serves' },
    ]);
  });

  test('a CRL is disabled unless Enabled says true; a CRL that does not parse is reported', () => {
    const crl = (properties: Record<string, unknown>) => ({ Type: 'AWS::RolesAnywhere::CRL', Properties: { Name: 'c', CrlData: crlPem, TrustAnchorArn: 'arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/x', ...properties } });
    const template = {
      Resources: {
        Default: crl({}),
        Explicit: crl({ Enabled: true }),
        AsString: crl({ Enabled: 'true' }),
        Off: crl({ Enabled: false }),
        Garbage: crl({ CrlData: 'not a CRL' }),
      },
    };
    const { world, stacks } = deploy([['Crls', template]]);
    expect([...world.crls.values()].map((c) => [c.origin, c.enabled])).toEqual([
      ['Crls/Default', false],
      ['Crls/Explicit', true],
      ['Crls/AsString', true],
      ['Crls/Off', false],
      ['Crls/Garbage', false],
    ]);
    expect(stacks[0].problems).toEqual([{ logicalId: 'Garbage', problem: 'its CRL does not parse: CrlData holds no PEM CRL' }]);
  });

  test('profile and anchor switches are read as booleans, from literals or strings', () => {
    const template = {
      Resources: {
        Anchor: { Type: 'AWS::RolesAnywhere::TrustAnchor', Properties: { Name: 'a', Enabled: 'false', Source: bundleSource() } },
        Profile: {
          Type: 'AWS::RolesAnywhere::Profile',
          Properties: { Name: 'p', RoleArns: [], Enabled: false, AcceptRoleSessionName: true, RequireInstanceProperties: 'true', DurationSeconds: '1800' },
        },
      },
    };
    const { world } = deploy([['Switches', template]]);
    expect([...world.trustAnchors.values()][0].enabled).toBe(false);
    expect([...world.profiles.values()][0]).toMatchObject({ enabled: false, acceptRoleSessionName: true, requireInstanceProperties: true, durationSeconds: 1800 });
  });
});

describe('trust policies IAM would refuse', () => {
  test('an unknown condition operator or a malformed policy leaves the role undeployed, with the reason', () => {
    const template = {
      Resources: {
        Typo: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'rolesanywhere.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEqualz: { 'aws:SourceArn': 'x' } } }] } } },
        Broken: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Principal: '*', Action: 'sts:AssumeRole' }] } } },
      },
    };
    const world = new AwsWorld();
    const [stack] = deployTemplates(world, [templateSource(template, 'S')]);
    expect(world.roles.size).toBe(0);
    expect(stack.problems).toEqual([
      { logicalId: 'Typo', problem: 'IAM would reject its trust policy (MalformedPolicyDocument): unknown condition operator StringEqualz' },
      { logicalId: 'Broken', problem: expect.stringMatching(/^IAM would reject its trust policy \(MalformedPolicyDocument\): .*Effect/) },
    ]);
  });
});
