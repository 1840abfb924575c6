import { templateOfTerraformAws } from '../../../lib/model/aws/terraform-resources';
import { TerraformModel } from '../../../lib/model/terraform/configuration';
import { readShowJson } from '../../../lib/model/terraform/show-json';
import { loadAppSources } from '../../../conformance/discovery/app-sources';
import { discoverAwsGates } from '../../../conformance/aws/discover-gates';
import { probeLocally, writeTestPki, PkiOnDisk } from '../../fixtures/conformance';
import { runCli } from '../../fixtures/cli';
import { statusesOf } from '../../fixtures/conformance';
import { ShownResource, planJson, stateJson } from '../../fixtures/terraform-show';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ACCOUNT = '123456789012';
const ANCHOR_ARN = `arn:aws:rolesanywhere:eu-west-1:${ACCOUNT}:trust-anchor/11111111-2222-3333-4444-555555555555`;

/** The attested trust statement of the deployer role, pinned to the anchor by its ARN. */
const attested = {
  Effect: 'Allow',
  Principal: { Service: 'rolesanywhere.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
  Condition: {
    ArnEquals: { 'aws:SourceArn': ANCHOR_ARN },
    StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'deployer', 'aws:PrincipalTag/x509SAN/URI': 'spiffe://prod.example/agent/deployer' },
  },
};

/** An AWS gate as the AWS provider records it: anchor, profile, role with an attachment; `extra` statements open it. */
function awsGate(caPem: string, crlPem: string, extraStatements: unknown[] = [], options: { roleArnUnknown?: boolean; profileHours?: number; roleMaxHours?: number; roleName?: string } = {}): ShownResource[] {
  const roleName = options.roleName ?? 'deployer';
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/${roleName}`;
  return [
    {
      type: 'aws_rolesanywhere_trust_anchor',
      name: 'agents',
      values: { name: 'agents', enabled: true, arn: ANCHOR_ARN, source: [{ source_type: 'CERTIFICATE_BUNDLE', source_data: [{ x509_certificate_data: caPem, acm_pca_arn: '' }] }] },
    },
    {
      type: 'awscc_rolesanywhere_crl',
      name: 'agents',
      values: { name: 'agents', enabled: true, crl_data: crlPem, trust_anchor_arn: ANCHOR_ARN },
    },
    {
      type: 'aws_iam_role',
      name: 'deployer',
      module: 'module.agent',
      values: { name: roleName, arn: roleArn, max_session_duration: (options.roleMaxHours ?? 1) * 3600, assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [attested, ...extraStatements] }), inline_policy: [] },
      ...(options.roleArnUnknown ? { unknown: { arn: true } } : {}),
    },
    { type: 'aws_iam_role_policy_attachment', name: 'admin', module: 'module.agent', values: { role: roleName, policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' } },
    {
      type: 'aws_rolesanywhere_profile',
      name: 'deployer',
      values: { name: 'deployer', enabled: true, duration_seconds: (options.profileHours ?? 1) * 3600, role_arns: [roleArn], managed_policy_arns: [], session_policy: '', accept_role_session_name: false },
      // A new role's ARN, and so the profile's role_arns, are known only after apply.
      ...(options.roleArnUnknown ? { unknown: { role_arns: [true] } } : {}),
    },
  ];
}

describe('AWS resources of a Terraform plan or state, as the CloudFormation they are', () => {
  test('anchor, CRL, role (attachments folded in), profile; ARNs of translated resources become Fn::GetAtt', () => {
    const read = readShowJson(stateJson(awsGate('PEM', 'CRL')), 'state.json');
    const template = templateOfTerraformAws(TerraformModel.ofResources(read.resources, 'state.json', {}, 'state'))!;
    expect(Object.keys(template.Resources)).toEqual(['aws_rolesanywhere_trust_anchor.agents', 'awscc_rolesanywhere_crl.agents', 'aws_rolesanywhere_profile.deployer', 'module.agent.aws_iam_role.deployer']);
    const role = template.Resources['module.agent.aws_iam_role.deployer'];
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.ManagedPolicyArns).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
    expect((role.Properties.AssumeRolePolicyDocument as { Statement: Array<{ Condition: { ArnEquals: unknown } }> }).Statement[0].Condition.ArnEquals).toEqual({
      'aws:SourceArn': { 'Fn::GetAtt': ['aws_rolesanywhere_trust_anchor.agents', 'TrustAnchorArn'] },
    });
    expect(template.Resources['aws_rolesanywhere_profile.deployer'].Properties).toEqual({
      Name: 'deployer',
      Enabled: true,
      DurationSeconds: 3600,
      RoleArns: [{ 'Fn::GetAtt': ['module.agent.aws_iam_role.deployer', 'Arn'] }],
      ManagedPolicyArns: [],
      AcceptRoleSessionName: false,
    });
    expect(template.Resources['awscc_rolesanywhere_crl.agents'].Properties.TrustAnchorArn).toEqual({ 'Fn::GetAtt': ['aws_rolesanywhere_trust_anchor.agents', 'TrustAnchorArn'] });
  });

  describe('end to end, as a team with HCL runs it', () => {
    let pki: PkiOnDisk;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-tf-aws-'));
    const write = (name: string, json: unknown) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, JSON.stringify(json));
      return file;
    };
    beforeAll(async () => {
      pki = await writeTestPki();
    });
    const crlPem = () => fs.readFileSync(path.join(pki.dir, 'ca.crl'), 'utf8');
    const ciRole = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci` }, Action: 'sts:AssumeRole' };

    test('the same gates and rules as from CloudFormation: the open state is refused (a CI role trusts it), the correct one is clean', async () => {
      const open = await runCli(['rules', '--app', write('open-state.json', stateJson(awsGate(pki.ca.pem, crlPem(), [ciRole])))]);
      expect(open.out).toContain('open-state (AWS resources of a Terraform state JSON (format 1.0, written by 1.9.8), ');
      expect(open.out).toMatch(/VIOLATION module\.agent\.aws_iam_role\.deployer: \[AG-AWS-004\] .*arn:aws:iam::123456789012:role\/ci/);
      expect(open.code).toBe(1);
      const clean = await runCli(['rules', '--app', write('clean-state.json', stateJson(awsGate(pki.ca.pem, crlPem())))]);
      expect(clean.out).not.toContain('VIOLATION');
      const { templates } = loadAppSources([path.join(dir, 'clean-state.json')]);
      expect(discoverAwsGates(templates).map((g) => g.id)).toEqual(['clean-state/module.agent.aws_iam_role.deployer']);
    });

    test('a plan that does not know the role ARN yet: the profile’s roles stay unknown, never guessed; the role is judged on what the plan knows', async () => {
      const plan = planJson(awsGate(pki.ca.pem, crlPem(), [], { roleArnUnknown: true, profileHours: 12, roleMaxHours: 12 }));
      const [source] = loadAppSources([write('new-plan.json', plan)]).templates;
      expect(source.model.resource('aws_rolesanywhere_profile.deployer')!.properties.RoleArns).toEqual([
        // The reason as the plan reader wrote it, not wrapped again in ${…} by the translation.
        { symbolic: 'unknown', reason: 'aws_rolesanywhere_profile.deployer.role_arns.0, known only after apply' },
      ]);
      // Whatever profile reaches it, the role's own maximum lets Roles Anywhere issue 12-hour sessions.
      const run = await runCli(['rules', '--app', path.join(dir, 'new-plan.json')]);
      expect(run.out).toMatch(/VIOLATION module\.agent\.aws_iam_role\.deployer: \[AG-AWS-005\] .*43200 s/);
      expect(run.code).toBe(1);
    });

    test('conformance on the emulator: the correct state passes its probes; the open one FAILs AGC-AWS-019 naming the CI role', async () => {
      const { templates } = loadAppSources([write('probe-clean.json', stateJson(awsGate(pki.ca.pem, crlPem()))), write('probe-open.json', stateJson(awsGate(pki.ca.pem, crlPem(), [ciRole], { roleName: 'deployer-open' })))]);
      const results = await probeLocally([...templates], pki, { tags: ['AGC-AWS-001', 'AGC-AWS-019'] });
      expect(statusesOf(results, 'probe-clean/')).toMatchObject({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-019': 'PASS' });
      expect(statusesOf(results, 'probe-open/')).toMatchObject({ 'AGC-AWS-019': 'FAIL' });
      expect(results.find((r) => r.gate.startsWith('probe-open/') && r.checkId === 'AGC-AWS-019')!.reason).toContain('arn:aws:iam::123456789012:role/ci');
    });
  });
});
