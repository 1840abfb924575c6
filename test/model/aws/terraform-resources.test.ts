import { templateOfTerraformAws } from '../../../lib/model/aws/terraform-resources';
import { TerraformModel } from '../../../lib/model/terraform/configuration';
import { readShowJson } from '../../../lib/model/terraform/show-json';
import { loadAppSources } from '../../../conformance/discovery/app-sources';
import { discoverAwsGates } from '../../../conformance/aws/discover-gates';
import { probeLocally, writeTestPki, PkiOnDisk } from '../../fixtures/conformance';
import { runCli, unwrapped } from '../../fixtures/cli';
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
      expect(unwrapped(open.out)).toContain('open-state (AWS resources of a Terraform state JSON (format 1.0, written by 1.9.8), ');
      expect(unwrapped(open.out)).toMatch(/VIOLATION module\.agent\.aws_iam_role\.deployer: \[AG-AWS-004\] .*arn:aws:iam::123456789012:role\/ci/);
      expect(open.code).toBe(1);
      const clean = await runCli(['rules', '--app', write('clean-state.json', stateJson(awsGate(pki.ca.pem, crlPem())))]);
      expect(unwrapped(clean.out)).not.toContain('VIOLATION');
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
      expect(unwrapped(run.out)).toMatch(/VIOLATION module\.agent\.aws_iam_role\.deployer: \[AG-AWS-005\] .*43200 s/);
      expect(run.code).toBe(1);
    });

    test('a plan with count and for_each instances in modules: a second profile instance and a second anchor instance are refused by rules and FAILed on the emulator, by address', async () => {
      const gate = awsGate(pki.ca.pem, crlPem(), [], { roleName: 'deployer-counted', roleMaxHours: 12 });
      const profile = gate.find((r) => r.type === 'aws_rolesanywhere_profile')!;
      const anchor = gate.find((r) => r.type === 'aws_rolesanywhere_trust_anchor')!;
      const contractorsArn = ANCHOR_ARN.replace(/.{12}$/, '999999999999');
      const resources: ShownResource[] = [
        ...gate.filter((r) => r !== profile && r !== anchor),
        // for_each over CAs in a module: the agents' anchor (with its CRL) and the contractors' (none).
        { ...anchor, module: 'module.pki', index: 'agents' },
        { ...anchor, module: 'module.pki', index: 'contractors', values: { ...anchor.values, name: 'contractors', arn: contractorsArn } },
        // count = 2: the second instance has 12-hour, caller-named sessions.
        { ...profile, index: 0 },
        { ...profile, index: 1, values: { ...profile.values, name: 'deployer-long', duration_seconds: 43200, accept_role_session_name: true } },
      ];
      const file = write('counted-plan.json', planJson(resources));
      const run = await runCli(['rules', '--app', file]);
      expect([...unwrapped(run.out).matchAll(/VIOLATION (\S+): \[(AG-AWS-\d+)\]/g)].map((m) => `${m[2]} ${m[1]}`).sort()).toEqual([
        'AG-AWS-005 module.agent.aws_iam_role.deployer',
        'AG-AWS-006 module.pki.aws_rolesanywhere_trust_anchor.agents["contractors"]',
        'AG-AWS-007 aws_rolesanywhere_profile.deployer[1]',
      ]);
      expect(run.code).toBe(1);
      const { templates } = loadAppSources([file]);
      const results = await probeLocally([...templates], pki, { tags: ['AGC-AWS-001', 'AGC-AWS-017', 'AGC-AWS-018'] });
      expect(statusesOf(results, 'counted-plan/')).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-017': 'FAIL', 'AGC-AWS-018': 'FAIL' });
      expect(results.find((r) => r.checkId === 'AGC-AWS-017')!.reason).toContain('profile aws_rolesanywhere_profile.deployer[1]');
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

/**
 * The same translation over a Terraform JSON configuration (`*.tf.json`, cdktf's `cdk.tf.json`):
 * references instead of literals, policy documents as blocks. The fixtures in
 * test/fixtures/terraform-aws are written by hand, as a team converting HCL (or writing JSON)
 * would; they carry the example CA of examples/aws/pki.
 */
describe('AWS resources of a Terraform JSON configuration', () => {
  const fixture = (name: string) => path.join(__dirname, '../../fixtures/terraform-aws', `${name}.tf.json`);
  const configuration = (name: string) => JSON.parse(fs.readFileSync(fixture(name), 'utf8'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-tf-json-aws-'));
  const write = (name: string, json: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(json));
    return file;
  };

  test('references resolve as CloudFormation would: an ARN to Fn::GetAtt, a name to Ref, a rendered policy document to its JSON', () => {
    const template = templateOfTerraformAws(TerraformModel.parse(configuration('correct'), 'correct.tf.json'))!;
    expect(template.Resources['aws_rolesanywhere_profile.deployer'].Properties.RoleArns).toEqual([{ 'Fn::GetAtt': ['aws_iam_role.deployer', 'Arn'] }]);
    expect(template.Resources['awscc_rolesanywhere_crl.agents'].Properties.TrustAnchorArn).toEqual({ 'Fn::GetAtt': ['aws_rolesanywhere_trust_anchor.agents', 'TrustAnchorArn'] });
    // The attachment names the role by `${aws_iam_role.deployer.name}`: folded into it.
    expect(template.Resources['aws_iam_role.deployer'].Properties.ManagedPolicyArns).toEqual(['arn:aws:iam::aws:policy/PowerUserAccess']);
    expect((template.Resources['aws_iam_role.deployer'].Properties.AssumeRolePolicyDocument as any).Statement[0].Condition.ArnEquals).toEqual({
      'aws:SourceArn': [{ 'Fn::GetAtt': ['aws_rolesanywhere_trust_anchor.agents', 'TrustAnchorArn'] }],
    });
  });

  test('JSON policy text with interpolations is read with each interpolation in place, inside its string or as the whole string', () => {
    const statement = {
      Effect: 'Allow',
      Principal: { Service: 'rolesanywhere.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { ArnEquals: { 'aws:SourceArn': '${aws_rolesanywhere_trust_anchor.a.arn}' }, StringEquals: { 'aws:PrincipalTag/x509SAN/URI': 'spiffe://${var.domain}/agent/deployer' } },
    };
    const model = TerraformModel.parse(
      {
        resource: {
          aws_rolesanywhere_trust_anchor: { a: { name: 'a' } },
          aws_iam_role: { r: { name: 'r', assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) } },
        },
      },
      'main.tf.json',
    );
    const condition = (templateOfTerraformAws(model)!.Resources['aws_iam_role.r'].Properties.AssumeRolePolicyDocument as any).Statement[0].Condition;
    expect(condition).toEqual({
      ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['aws_rolesanywhere_trust_anchor.a', 'TrustAnchorArn'] } },
      StringEquals: { 'aws:PrincipalTag/x509SAN/URI': { 'Fn::Join': ['', ['spiffe://', { 'Attestgate::KnownAfterApply': 'var.domain, an input variable set at plan' }, '/agent/deployer']] } },
    });
  });

  test.each([
    ['open-unpinned', ['AG-AWS-001', 'AG-AWS-002']],
    ['open-second-profile', ['AG-AWS-005', 'AG-AWS-007']],
    ['open-second-anchor', ['AG-AWS-006']],
  ])('the open gate %s is refused by attestgate rules (%s)', async (name, rules) => {
    const run = await runCli(['rules', '--app', fixture(name)]);
    expect(unwrapped(run.out)).toContain(`${name} (AWS resources of a Terraform JSON configuration, `);
    expect([...unwrapped(run.out).matchAll(/VIOLATION \S+: \[(AG-AWS-\d+)\]/g)].map((m) => m[1])).toEqual(rules);
    expect(run.code).toBe(1);
  });

  test('the correct gate and the unusual-but-correct one are clean; a principal from a variable cannot be judged (exit 2), never clean', async () => {
    for (const name of ['correct', 'unusual-correct']) {
      const run = await runCli(['rules', '--app', fixture(name)]);
      expect(unwrapped(run.out)).toContain(`${name} (AWS resources of a Terraform JSON configuration, ${fixture(name)}): no findings`);
      expect(run.code).toBe(0);
    }
    const unknown = await runCli(['rules', '--app', fixture('unknown-principal')]);
    expect(unwrapped(unknown.out)).toMatch(/UNJUDGEABLE aws_iam_role\.deployer: \[AG-AWS-004\] cannot be judged: .*var\.ci_role_arn, an input variable set at plan/);
    // Said as what it is, with what to do — not as a malformed principal to rewrite.
    expect(unwrapped(unknown.out)).toContain('its value (var.ci_role_arn, an input variable set at plan) is not known until apply; plan with the value known');
    expect(unwrapped(unknown.out)).toContain('or give attestgate the state after apply (terraform show -json)');
    expect(unwrapped(unknown.out)).not.toContain('Fix: write "*" or an object');
    expect(unknown.code).toBe(2);
  });

  test('an attachment whose role is a variable may grant the gated role PowerUserAccess: with 12-hour sessions that cannot be judged (exit 2), never clean', async () => {
    const withRole = (role: string, name: string) => {
      const json = configuration('correct');
      json.resource.aws_iam_role.deployer.max_session_duration = 43200;
      json.resource.aws_rolesanywhere_profile.deployer.duration_seconds = 43200;
      json.resource.aws_iam_role_policy_attachment.power_user.role = role;
      return write(name, json);
    };
    // The control: attached by reference, the privilege is counted and the long sessions refused.
    const known = await runCli(['rules', '--app', withRole('${aws_iam_role.deployer.name}', 'known-role.tf.json')]);
    expect(unwrapped(known.out)).toMatch(/VIOLATION aws_iam_role\.deployer: \[AG-AWS-005\] .*PowerUserAccess/);
    expect(known.code).toBe(1);
    const variable = await runCli(['rules', '--app', withRole('${var.deployer_role}', 'variable-role.tf.json')]);
    expect(unwrapped(variable.out)).toMatch(/UNJUDGEABLE aws_iam_role\.deployer: \[AG-AWS-005\] cannot be judged: Role aws_iam_role\.deployer may be high privilege, through a managed policy .*aws_iam_role_policy_attachment\.power_user .*var\.deployer_role.*43200 s/);
    expect(variable.code).toBe(2);
    // A one-hour role is within the limit whatever is attached to it: nothing to judge.
    const json = configuration('correct');
    json.resource.aws_iam_role_policy_attachment.power_user.role = '${var.deployer_role}';
    expect((await runCli(['rules', '--app', write('variable-role-short.tf.json', json)])).code).toBe(0);
  });

  test('the unusual gate is clean because its own statement replaces the base document’s open one by Sid: without the Sid, the open one stays', async () => {
    const unusual = configuration('unusual-correct');
    delete unusual.data.aws_iam_policy_document.trust.statement[0].sid;
    const run = await runCli(['rules', '--app', write('sid-removed.tf.json', unusual)]);
    expect(unwrapped(run.out)).toMatch(/VIOLATION aws_iam_role\.deployer: \[AG-AWS-001\] .*statement 0 has no aws:SourceArn condition/);
    expect(run.code).toBe(1);
  });

  test('its privilege comes through references too: a customer managed policy allowing iam:* attached by ${aws_iam_policy.deploy.arn}', async () => {
    const unusual = configuration('unusual-correct');
    unusual.resource.aws_rolesanywhere_profile.deployer.duration_seconds = 43200;
    unusual.resource.aws_iam_role.deployer.max_session_duration = 43200;
    const run = await runCli(['rules', '--app', write('unusual-long.tf.json', unusual)]);
    expect(unwrapped(run.out)).toMatch(/VIOLATION aws_iam_role\.deployer: \[AG-AWS-005\] Role aws_iam_role\.deployer is high privilege \(AWS::IAM::ManagedPolicy aws_iam_policy\.deploy allows "iam:\*"\)/);
  });

  test('an acknowledgement written in a resource’s "//" is its Metadata: the AWS rules honour it as in a template', async () => {
    const open = configuration('open-second-profile');
    open.resource.aws_rolesanywhere_profile.long['//'] = { 'attestgate:acknowledgements': { 'AG-AWS-007': 'session names audited by the deploy pipeline, SEC-77' } };
    const run = await runCli(['rules', '--app', write('ack-in-comment.tf.json', open)]);
    expect(unwrapped(run.out)).toMatch(/ACKNOWLEDGED aws_rolesanywhere_profile\.long: \[AG-AWS-007\] .*Acknowledged at \S+ack-in-comment\.tf\.json: aws_rolesanywhere_profile\.long: session names audited/);
    // The other finding of the same configuration is not acknowledged by it.
    expect(unwrapped(run.out)).toMatch(/VIOLATION aws_iam_role\.deployer: \[AG-AWS-005\]/);
  });

  test('a cdktf output stack (cdk.tf.json) with AWS resources is judged the same way', async () => {
    const out = path.join(dir, 'cdktf.out');
    fs.mkdirSync(path.join(out, 'stacks', 'agents'), { recursive: true });
    fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: { agents: { name: 'agents', synthesizedStackPath: 'stacks/agents/cdk.tf.json' } } }));
    fs.writeFileSync(path.join(out, 'stacks', 'agents', 'cdk.tf.json'), JSON.stringify(configuration('open-unpinned')));
    const run = await runCli(['rules', '--app', out]);
    expect(unwrapped(run.out)).toMatch(/VIOLATION aws_iam_role\.deployer: \[AG-AWS-001\]/);
    expect(run.code).toBe(1);
  });

  test('conformance on the emulator: the correct configuration passes its probes; the second profile FAILs AGC-AWS-017 and AGC-AWS-018', async () => {
    const pki = await writeTestPki();
    // The hand-written fixtures carry the example CA; the emulator's probes need the test CA's key.
    const exampleCa = fs.readFileSync(path.join(__dirname, '../../../examples/aws/pki/example-ca.pem'), 'utf8');
    const exampleCrl = fs.readFileSync(path.join(__dirname, '../../../examples/aws/pki/example-ca.crl.pem'), 'utf8');
    const inJson = (pem: string) => JSON.stringify(pem).slice(1, -1);
    const withTestCa = (name: string, roleName: string) => {
      const json = JSON.parse(fs.readFileSync(fixture(name), 'utf8').split(inJson(exampleCa)).join(inJson(pki.ca.pem)).split(inJson(exampleCrl)).join(inJson(fs.readFileSync(path.join(pki.dir, 'ca.crl'), 'utf8'))));
      // One emulated account: two roles named alike would be one role, trusting the last stack's anchor.
      json.resource.aws_iam_role.deployer.name = roleName;
      return write(`probe-${name}.tf.json`, json);
    };
    const { templates } = loadAppSources([withTestCa('correct', 'deployer'), withTestCa('open-second-profile', 'deployer-long')]);
    expect(templates.map((t) => t.readAs)).toEqual(['AWS resources of a Terraform JSON configuration', 'AWS resources of a Terraform JSON configuration']);
    const results = await probeLocally([...templates], pki, { tags: ['AGC-AWS-001', 'AGC-AWS-017', 'AGC-AWS-018'] });
    expect(statusesOf(results, 'probe-correct/')).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-017': 'PASS', 'AGC-AWS-018': 'PASS' });
    expect(statusesOf(results, 'probe-open-second-profile/')).toMatchObject({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-017': 'FAIL', 'AGC-AWS-018': 'FAIL' });
  });
});

/**
 * Issue 21: an unknown-until-apply value is never judged PASS. Each fixture in
 * test/fixtures/terraform-aws is the plan `terraform show -json` prints for an update of the
 * applied gate of examples/terraform/aws (hand-written in the documented format: the value left out
 * of planned_values and `after`, marked in after_unknown, its prior value in `before`) where one
 * value that decides the gate is known only after apply: the role's trust policy (rebuilt from a
 * new anchor's ARN), the anchor's CA (from a CA resource created in the same apply), the roles a
 * profile lists (a new role's ARN). Each test's control gives the value as the open literal it
 * could become, and sees it refused.
 */
describe('AWS plan JSON: a value unknown until apply that decides the gate', () => {
  const fixture = (name: string) => path.join(__dirname, '../../fixtures/terraform-aws', `${name}.json`);
  const TRUST = fixture('unknown-trust-plan');
  const SOURCE = fixture('unknown-anchor-source-plan');
  const PROFILE_ROLES = fixture('unknown-profile-roles-plan');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-tf-aws-unknown-'));
  const write = (name: string, json: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(json));
    return file;
  };
  const exampleCa = fs.readFileSync(path.join(__dirname, '../../../examples/aws/pki/example-ca.pem'), 'utf8');
  const exampleCrl = fs.readFileSync(path.join(__dirname, '../../../examples/aws/pki/example-ca.crl.pem'), 'utf8');
  type Plan = { planned_values: { root_module: { resources: Array<{ address: string; values: Record<string, any> }> } }; resource_changes: Array<{ address: string; change: { before: Record<string, any>; after: Record<string, any>; after_unknown: Record<string, unknown> } }> };
  const read = (file: string): Plan => JSON.parse(fs.readFileSync(file, 'utf8'));
  /** The plan with the value made known: `set` applied to the planned values and to `after`, the mark removed. */
  const known = (file: string, address: string, set: (values: Record<string, any>, before: Record<string, any>) => void): Plan => {
    const plan = read(file);
    const change = plan.resource_changes.find((r) => r.address === address)!.change;
    set(plan.planned_values.root_module.resources.find((r) => r.address === address)!.values, change.before);
    set(change.after, change.before);
    change.after_unknown = {};
    return plan;
  };
  /** The trust policy the role had, without its aws:SourceArn pin: what the unknown document could become. */
  const unpinned = (values: Record<string, any>, before: Record<string, any>) => {
    const policy = JSON.parse(before.assume_role_policy);
    delete policy.Statement[0].Condition.ArnEquals;
    values.assume_role_policy = JSON.stringify(policy);
  };
  /** A plan whose example CA and CRL are the test PKI's, so the emulator's probes hold the CA key. */
  const withTestPki = (plan: Plan, pki: PkiOnDisk, name: string, options: { keepExampleCrl?: boolean } = {}) => {
    const inJson = (pem: string) => JSON.stringify(pem).slice(1, -1);
    let text = JSON.stringify(plan).split(inJson(exampleCa)).join(inJson(pki.ca.pem));
    if (!options.keepExampleCrl) text = text.split(inJson(exampleCrl)).join(inJson(fs.readFileSync(path.join(pki.dir, 'ca.crl'), 'utf8')));
    return write(name, JSON.parse(text));
  };
  const passed = (results: readonly { checkId: string; status: string }[]) => results.filter((r) => r.status === 'PASS').map((r) => r.checkId);

  test('each fixture is read as the plan it is: the value is unknown until apply, not dropped and not the prior one', () => {
    const [trust] = loadAppSources([TRUST]).templates;
    expect(trust.model.resource('aws_iam_role.deployer')!.properties.AssumeRolePolicyDocument).toEqual({ symbolic: 'unknown', reason: 'aws_iam_role.deployer.assume_role_policy, known only after apply' });
    const [profile] = loadAppSources([PROFILE_ROLES]).templates;
    expect(profile.model.resource('aws_rolesanywhere_profile.deployer')!.properties.RoleArns).toEqual([{ symbolic: 'unknown', reason: 'aws_rolesanywhere_profile.deployer.role_arns.0, known only after apply' }]);
  });

  test('rules: a trust policy known only after apply cannot be judged (exit 2); given as the unpinned policy it could become, AG-AWS-001 refuses it (exit 1)', async () => {
    const unknown = await runCli(['rules', '--app', TRUST]);
    expect(unwrapped(unknown.out)).toMatch(/UNJUDGEABLE aws_iam_role\.deployer: \[AG-AWS-001\] cannot be judged: .*its trust policy cannot be read \(the policy is \$\{aws_iam_role\.deployer\.assume_role_policy, known only after apply\}\)/);
    expect(unwrapped(unknown.out)).not.toContain('every rule holds');
    expect(unknown.code).toBe(2);
    const open = await runCli(['rules', '--app', write('trust-unpinned.json', known(TRUST, 'aws_iam_role.deployer', unpinned))]);
    expect(unwrapped(open.out)).toMatch(/VIOLATION aws_iam_role\.deployer: \[AG-AWS-001\]/);
    expect(open.code).toBe(1);
  });

  test('rules: an anchor CA known only after apply cannot be judged against its CRL (exit 2); given as a CA that did not sign the CRL, AG-AWS-006 refuses it (exit 1)', async () => {
    const unknown = await runCli(['rules', '--app', SOURCE]);
    expect(unwrapped(unknown.out)).toMatch(/UNJUDGEABLE aws_rolesanywhere_trust_anchor\.agents: \[AG-AWS-006\] cannot be judged: .*whether awscc_rolesanywhere_crl\.agents is signed by a CA of its source cannot be judged: its CA is .*x509_certificate_data, known only after apply/);
    expect(unknown.code).toBe(2);
    const pki = await writeTestPki();
    const foreign = known(SOURCE, 'aws_rolesanywhere_trust_anchor.agents', (values, before) => {
      values.source = JSON.parse(JSON.stringify(before.source));
      values.source[0].source_data[0].x509_certificate_data = pki.ca.pem;
    });
    const open = await runCli(['rules', '--app', write('source-foreign.json', foreign)]);
    expect(unwrapped(open.out)).toMatch(/VIOLATION aws_rolesanywhere_trust_anchor\.agents: \[AG-AWS-006\] .*not signed by a CA of its bundle/);
    expect(open.code).toBe(1);
  });

  describe('conformance on the emulator', () => {
    let pki: PkiOnDisk;
    beforeAll(async () => {
      pki = await writeTestPki();
    });

    test('a trust policy known only after apply: nothing is probed, the run says why and exits 2; the unpinned policy it could become FAILs AGC-AWS-015', async () => {
      const run = await runCli(['conformance', '--app', withTestPki(read(TRUST), pki, 'probe-trust-unknown.json'), '--pki', pki.dir, '--target', 'local']);
      expect(run.out).not.toMatch(/\| PASS /);
      expect(run.err).toMatch(/note: probe-trust-unknown\/aws_iam_role\.deployer was not probed: its trust policy cannot be read \(.*known only after apply\}\), so whether IAM Roles Anywhere can assume it is not known/);
      expect(run.code).toBe(2);
      const [open] = loadAppSources([withTestPki(known(TRUST, 'aws_iam_role.deployer', unpinned), pki, 'probe-trust-unpinned.json')]).templates;
      expect(statusesOf(await probeLocally([open], pki, { tags: ['AGC-AWS-001', 'AGC-AWS-015'] }))).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-015': 'FAIL' });
    });

    test('an anchor CA known only after apply: not deployed into the emulator, no check PASSes and none FAILs on a guess; a CA that did not sign the CRL FAILs AGC-AWS-006', async () => {
      const [unknown] = loadAppSources([withTestPki(read(SOURCE), pki, 'probe-source-unknown.json')]).templates;
      const results = await probeLocally([unknown], pki);
      expect(results.length).toBeGreaterThanOrEqual(19);
      expect(passed(results)).toEqual([]);
      // Whose CRL it is cannot be told without the CA: never called foreign.
      expect(results.filter((r) => r.status === 'FAIL').map((r) => r.checkId)).toEqual([]);
      expect(results.find((r) => r.checkId === 'AGC-AWS-001')!.reason).toMatch(/not deployed faithfully on this target: aws_rolesanywhere_trust_anchor\.agents: a property is not known at deploy time/);
      // The control: the anchor's CA given as one that did not sign its CRL (the test CA; the CRL stays the example CA's).
      const control = known(SOURCE, 'aws_rolesanywhere_trust_anchor.agents', (values, before) => {
        values.source = JSON.parse(JSON.stringify(before.source));
      });
      const [open] = loadAppSources([withTestPki(control, pki, 'probe-source-other-ca.json', { keepExampleCrl: true })]).templates;
      const statuses = statusesOf(await probeLocally([open], pki, { tags: ['AGC-AWS-001', 'AGC-AWS-006'] }));
      expect(statuses).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-006': 'FAIL' });
    });

    test('the roles a profile lists known only after apply: every check INCONCLUSIVE (exit 2); listing the role, the same plan passes', async () => {
      const unknown = withTestPki(read(PROFILE_ROLES), pki, 'probe-profile-unknown.json');
      const results = await probeLocally([...loadAppSources([unknown]).templates], pki);
      expect(results.length).toBeGreaterThanOrEqual(19);
      expect(passed(results)).toEqual([]);
      expect(results.find((r) => r.checkId === 'AGC-AWS-001')).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringContaining('no profile of the template lists the role') });
      const run = await runCli(['conformance', '--app', unknown, '--pki', pki.dir, '--target', 'local', '--tags', 'AGC-AWS-001']);
      expect(run.code).toBe(2);
      const listed = known(PROFILE_ROLES, 'aws_rolesanywhere_profile.deployer', (values, before) => {
        values.role_arns = before.role_arns;
      });
      const control = await probeLocally([...loadAppSources([withTestPki(listed, pki, 'probe-profile-listed.json')]).templates], pki, { tags: ['AGC-AWS-001', 'AGC-AWS-018'] });
      expect(statusesOf(control)).toEqual({ 'AGC-AWS-001': 'PASS', 'AGC-AWS-018': 'PASS' });
    });
  });
});
