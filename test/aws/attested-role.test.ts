import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AgentTrustAnchor, TrustAnchorSource } from '../../lib/aws/agent-trust-anchor';
import { AttestedRole } from '../../lib/aws/attested-role';
import { GATE_MANIFEST_METADATA_KEY } from '../../lib/core/gate-manifest';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { RuleAcknowledgements } from '../../lib/rules/acknowledgements';
import { newStack } from '../fixtures/cdk';
import { deployerIdentity } from '../fixtures/identities';
import { discoverAwsGates } from '../../conformance/aws/discover-gates';
import { TemplateModel } from '../../lib/model/aws/template';
import { TestPki, makeTestPki } from '../fixtures/pki';

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});

function setup() {
  const stack = newStack();
  const anchor = new AgentTrustAnchor(stack, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
  return { stack, anchor, anchorId: stack.getLogicalId(anchor.cfnTrustAnchor) };
}

describe('AttestedRole', () => {
  test('the trust policy admits only the identity’s certificate through Roles Anywhere, and nothing else', () => {
    // GIVEN
    const { stack, anchor, anchorId } = setup();
    // WHEN
    new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.exact({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'rolesanywhere.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
            Condition: {
              ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [anchorId, 'TrustAnchorArn'] } },
              StringEquals: {
                'aws:PrincipalTag/x509Subject/CN': 'deployer',
                'aws:PrincipalTag/x509Subject/O': 'attestgate examples',
                'aws:PrincipalTag/x509SAN/URI': 'spiffe://prod.example/agent/deployer',
                'aws:PrincipalTag/x509Issuer/CN': 'attestgate Example Agents CA',
                'aws:PrincipalTag/x509Issuer/O': 'attestgate examples',
              },
            },
          },
        ],
      }),
      MaxSessionDuration: 3600,
    });
  });

  test('pins every trust anchor it is given', () => {
    const { stack, anchor } = setup();
    const second = AgentTrustAnchor.fromTrustAnchorArn(stack, 'Second', 'arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/second');
    new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor, second] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Condition: Match.objectLike({ ArnEquals: { 'aws:SourceArn': [Match.anyValue(), 'arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/second'] } }) })],
      },
    });
  });

  test('comes with a profile: duration = identity lifetime, no custom session names, explicit mapping', () => {
    const { stack, anchor } = setup();
    const role = new AttestedRole(stack, 'Deployer', { identity: deployerIdentity({ maxCredentialLifetime: { toSeconds: () => 900 } }), trustAnchors: [anchor] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RolesAnywhere::Profile', {
      RoleArns: [{ 'Fn::GetAtt': [stack.getLogicalId(role.cfnRole), 'Arn'] }],
      DurationSeconds: 900,
      AcceptRoleSessionName: false,
      Enabled: true,
      AttributeMappings: [
        { CertificateField: 'x509Subject', MappingRules: [{ Specifier: 'CN' }, { Specifier: 'O' }] },
        { CertificateField: 'x509Issuer', MappingRules: [{ Specifier: 'CN' }, { Specifier: 'O' }] },
        { CertificateField: 'x509SAN', MappingRules: [{ Specifier: 'URI' }] },
      ],
    });
    // IAM's floor for MaxSessionDuration is 1 h; the profile holds the shorter lifetime.
    template.hasResourceProperties('AWS::IAM::Role', { MaxSessionDuration: 3600 });
  });

  test('MaxSessionDuration follows a lifetime above one hour', () => {
    const { stack, anchor } = setup();
    new AttestedRole(stack, 'Reader', {
      identity: deployerIdentity({ name: 'reader', privilege: PrivilegeTier.READ_ONLY, maxCredentialLifetime: { toSeconds: () => 14400 } }),
      trustAnchors: [anchor],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { MaxSessionDuration: 14400 });
    Template.fromStack(stack).hasResourceProperties('AWS::RolesAnywhere::Profile', { DurationSeconds: 14400 });
  });

  test('is an iam.IRole: grants, managed policies, inline policies and a permissions boundary work', () => {
    const { stack, anchor } = setup();
    const boundary = new iam.ManagedPolicy(stack, 'Boundary', { statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })] });
    const role = new AttestedRole(stack, 'Deployer', {
      identity: deployerIdentity(),
      trustAnchors: [anchor],
      permissionsBoundary: boundary,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')],
    });
    const bucket = new s3.Bucket(stack, 'Bucket');
    bucket.grantRead(role);
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'));
    role.attachInlinePolicy(new iam.Policy(stack, 'Extra', { statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] })] }));
    const ci = new iam.Role(stack, 'Ci', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    role.grantPassRole(ci);
    expect(AttestedRole.isAttestedRole(role)).toBe(true);
    const template = Template.fromStack(stack);
    const roleId = stack.getLogicalId(role.cfnRole);
    template.hasResourceProperties('AWS::IAM::Role', {
      PermissionsBoundary: { Ref: stack.getLogicalId(boundary.node.defaultChild as iam.CfnManagedPolicy) },
      ManagedPolicyArns: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/PowerUserAccess']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] },
      ],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*']) })]) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', { Roles: [{ Ref: roleId }], PolicyDocument: { Statement: [Match.objectLike({ Action: 'sqs:SendMessage' })] } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(ci.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [roleId, 'Arn'] } })] },
    });
  });

  // roleName, roleId and principalAccount are read on demand (a token per role saved): the same
  // attributes as before, and a RoleName only when one is given.
  test('roleName, roleId and principalAccount are the role’s attributes; RoleName is written only when given', () => {
    const { stack, anchor } = setup();
    const unnamed = new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    const named = new AttestedRole(stack, 'Named', { identity: deployerIdentity(), trustAnchors: [anchor], roleName: 'agent-deployer' });
    const id = stack.getLogicalId(unnamed.cfnRole);
    expect(stack.resolve(unnamed.roleName)).toEqual({ Ref: id });
    expect(unnamed.roleName).toBe(unnamed.roleName);
    expect(stack.resolve(unnamed.roleId)).toEqual({ 'Fn::GetAtt': [id, 'RoleId'] });
    expect(unnamed.principalAccount).toBe('111122223333');
    expect(stack.resolve(unnamed.roleRef)).toEqual({ roleArn: { 'Fn::GetAtt': [id, 'Arn'] }, roleName: { Ref: id } });
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    expect(roles[id].Properties).not.toHaveProperty('RoleName');
    expect(roles[stack.getLogicalId(named.cfnRole)].Properties.RoleName).toBe('agent-deployer');
  });

  test('writes its gate manifest into the role metadata: the declared identity only (anchors, profiles and sessions are read from the template)', () => {
    const { stack, anchor } = setup();
    new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    const resources = Template.fromStack(stack).findResources('AWS::IAM::Role');
    const manifest = Object.values(resources)[0].Metadata[GATE_MANIFEST_METADATA_KEY];
    expect(manifest).toEqual({ schema: 'attestgate/gate-manifest/v2', kind: 'aws-iam-roles-anywhere', identity: deployerIdentity().describe() });
  });

  test('a second principal in the trust policy fails synth, naming it and the fix', () => {
    const { stack, anchor } = setup();
    const role = new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    role.assumeRolePolicy.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.AccountRootPrincipal()] }));
    expect(() => Template.fromStack(stack)).toThrow(
      /AttestedRole 'TestStack\/Deployer': trust policy has 1 statement\(s\) besides the attestation statement — .*arn:.*:iam::111122223333:root.* Fix: remove them .* or call acknowledgeAdditionalTrust\(reason\)/s,
    );
  });

  test('a second principal added from an Aspect, the trust policy first read there, still fails synth', () => {
    // GIVEN: nothing reads assumeRolePolicy while the role is built
    const { stack, anchor } = setup();
    new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    // WHEN: an Aspect, which runs at synth, adds the second path
    Aspects.of(stack).add({
      visit: (node) => {
        if (AttestedRole.isAttestedRole(node)) {
          node.assumeRolePolicy.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.AccountRootPrincipal()] }));
        }
      },
    });
    // THEN
    expect(() => Template.fromStack(stack)).toThrow(/AttestedRole 'TestStack\/Deployer': trust policy has 1 statement\(s\) besides the attestation statement/);
  });

  test('conditions cannot be added once the trust policy document was handed out', () => {
    const { stack, anchor } = setup();
    const role = new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    expect(role.assumeRolePolicy.statementCount).toBe(1);
    expect(() => role.addAttestationCondition('StringEquals', 'aws:PrincipalTag/x509Subject/OU', 'Agents')).toThrow(/was called after assumeRolePolicy was read/);
  });

  test('acknowledgeAdditionalTrust allows the second path and records the AG-AWS-004 acknowledgement', () => {
    const { stack, anchor } = setup();
    const role = new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    role.assumeRolePolicy.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.AccountRootPrincipal()] }));
    role.acknowledgeAdditionalTrust('break-glass path for on-call, reviewed in SEC-123');
    expect(() => Template.fromStack(stack)).not.toThrow();
    expect(RuleAcknowledgements.applying(role.node.defaultChild!)).toEqual([
      { ruleId: 'AG-AWS-004', reason: 'break-glass path for on-call, reviewed in SEC-123', at: 'TestStack/Deployer', via: 'attestgate' },
    ]);
    expect(() => role.acknowledgeAdditionalTrust('because')).toThrow(/acknowledgeAdditionalTrust reason "because" is shorter than 10 characters/);
  });

  test('the acknowledgement reaches the template: discovery of the synthesized role sees the second path acknowledged, named as it names it', () => {
    const { stack, anchor } = setup();
    const role = new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    role.assumeRolePolicy.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.AccountRootPrincipal()] }));
    role.acknowledgeAdditionalTrust('break-glass path for on-call, reviewed in SEC-123');
    const template = Template.fromStack(stack).toJSON();
    const [gate] = discoverAwsGates([{ stackName: 'TestStack', file: 'TestStack.template.json', model: TemplateModel.parse(template, 'TestStack.template.json') }]);
    expect(gate.paths.filter((p) => p.kind === 'principal')).toEqual([
      expect.objectContaining({ principalType: 'AWS', acknowledged: 'break-glass path for on-call, reviewed in SEC-123' }),
    ]);
    expect(gate.ignoredAcknowledgements).toEqual([]);
  });

  test('addAttestationCondition: a negated operator brings its Null presence check', () => {
    const { stack, anchor } = setup();
    const role = new AttestedRole(stack, 'Deployer', { identity: deployerIdentity(), trustAnchors: [anchor] });
    role.addAttestationCondition('StringNotEquals', 'aws:PrincipalTag/x509Subject/OU', 'Quarantine');
    role.addAttestationCondition('StringLike', 'aws:PrincipalTag/x509SAN/DNS', '*.agents.prod.example');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: Match.objectLike({
              StringNotEquals: { 'aws:PrincipalTag/x509Subject/OU': 'Quarantine' },
              Null: { 'aws:PrincipalTag/x509Subject/OU': 'false' },
              StringLike: { 'aws:PrincipalTag/x509SAN/DNS': '*.agents.prod.example' },
            }),
          }),
        ],
      },
    });
    expect(() => role.addAttestationCondition('StringEquals', 'aws:SourceIp', '10.0.0.1')).toThrow(/key "aws:SourceIp" is not a certificate attribute Roles Anywhere sets/);
    expect(() => role.addAttestationCondition('NumericLessThan', 'sts:SourceIdentity', '1')).toThrow(/operator "NumericLessThan" is not a string condition operator/);
  });

  test('rejects no trust anchors and a plain object identity', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new AttestedRole(stack, 'R', { identity: deployerIdentity(), trustAnchors: [] })).toThrow(
      /^AttestedRole 'S\/R': trustAnchors \[\] is empty; without a trust anchor pin any CA in the account could issue the role/,
    );
    expect(() => new AttestedRole(stack, 'R2', { identity: deployerIdentity().describe() as never, trustAnchors: [] })).toThrow(/identity .* is not an AgentIdentity/);
  });
});
