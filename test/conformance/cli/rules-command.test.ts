import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { AgentTrustAnchor, TrustAnchorSource } from '../../../lib/aws/agent-trust-anchor';
import { AttestedRole } from '../../../lib/aws/attested-role';
import { IdentityStacks } from '../../../lib/aws/identity-stacks';
import { runCli, unwrapped } from '../../fixtures/cli';
import { deployerIdentity } from '../../fixtures/identities';
import { makeTestPki } from '../../fixtures/pki';
import { gateTemplate } from '../../fixtures/templates';
import { gcpConfiguration } from '../../fixtures/terraform';
import { OPEN_SUBJECT_CASES, subjectCaseConfiguration } from '../../fixtures/gcp-admitted-subjects';
import { planJson } from '../../fixtures/terraform-show';
import { validSarif } from '../../fixtures/sarif-schema';
import { parseXml } from '../../fixtures/xml';

/** Hand-written inputs, as a team without CDK has them. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-rules-'));
const write = (name: string, json: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(json));
  return file;
};
const admin = { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'], MaxSessionDuration: 43200 };
/** AG-AWS-005 (high) on Role: an admin role with 12-hour sessions. */
const longSessions = (metadata?: Record<string, unknown>) => {
  const template = gateTemplate({ role: admin, profile: { DurationSeconds: 43200 } }) as { Resources: Record<string, Record<string, unknown>> };
  if (metadata) template.Resources.Role.Metadata = metadata;
  return template;
};
const REASON = 'batch migration window, ends 2027-01 (SEC-42)';
/** A plan of an admin role with 12-hour sessions (AG-AWS-005, high) and caller-named sessions (AG-AWS-007), in a module. */
const plan = () =>
  write(
    'long-plan.json',
    planJson([
      {
        type: 'aws_iam_role',
        name: 'deployer',
        module: 'module.agent',
        values: {
          name: 'deployer',
          arn: 'arn:aws:iam::123456789012:role/deployer',
          max_session_duration: 43200,
          managed_policy_arns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
          assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'rolesanywhere.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] }] }),
        },
      },
      { type: 'aws_rolesanywhere_profile', name: 'p', values: { name: 'p', duration_seconds: 43200, role_arns: ['arn:aws:iam::123456789012:role/deployer'], accept_role_session_name: true } },
    ]),
  );

describe('attestgate rules', () => {
  test('clean CloudFormation and Terraform JSON: exit 0, every input listed', async () => {
    const { code, out } = await runCli(['rules', '--app', write('clean.template.json', gateTemplate()), '--app', write('clean.tf.json', gcpConfiguration())]);
    expect(unwrapped(out)).toContain('clean (CloudFormation template,');
    expect(unwrapped(out)).toContain('clean (Terraform JSON configuration,');
    expect(unwrapped(out)).toContain('every rule holds (exit 0)');
    expect(code).toBe(0);
  });

  test('a violation: exit 1, the rule, resource, message and fix on one line, wrapped to the width', async () => {
    const { code, out } = await runCli(['rules', '--app', write('long.template.json', longSessions())]);
    expect(unwrapped(out)).toMatch(/VIOLATION Role: \[AG-AWS-005\] .* Fix: /);
    expect(unwrapped(out)).toContain('1 violation, 0 unjudgeable, 0 acknowledged');
    expect(code).toBe(1);
  });

  test('acknowledged in the template’s Metadata with a reason: reported as acknowledged, exit 0; JSON and SARIF keep it, as a suppression', async () => {
    const out = path.join(dir, 'reports-ack');
    const run = await runCli(['rules', '--app', write('ack.template.json', longSessions({ 'attestgate:acknowledgements': { 'AG-AWS-005': REASON } })), '--format', 'table,json,sarif,junit', '--out', out]);
    expect(unwrapped(run.out)).toContain(`ACKNOWLEDGED Role: [AG-AWS-005]`);
    expect(unwrapped(run.out)).toContain(`Acknowledged at ${path.join(dir, 'ack.template.json')}: Role: ${REASON}`);
    expect(run.code).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'rules.json'), 'utf8'));
    expect(json.inputs[0].findings).toEqual([expect.objectContaining({ ruleId: 'AG-AWS-005', state: 'acknowledged', acknowledged: { reason: REASON, at: `${path.join(dir, 'ack.template.json')}: Role` } })]);
    const sarif = validSarif(fs.readFileSync(path.join(out, 'rules.sarif'), 'utf8')) as any;
    expect(sarif.runs[0].results).toEqual([expect.objectContaining({ ruleId: 'AG-AWS-005', suppressions: [expect.objectContaining({ kind: 'external', justification: expect.stringContaining(REASON) })] })]);
    // Well-formed, and the acknowledged rule's case passes with the acknowledgement as its output.
    const junit = parseXml(fs.readFileSync(path.join(out, 'rules-junit.xml'), 'utf8'));
    const acknowledged = junit.children.flatMap((suite) => suite.children).find((c) => c.attributes.name.startsWith('AG-AWS-005 '))!;
    expect(acknowledged.children.map((c) => c.name)).toEqual(['system-out']);
  });

  test('an acknowledgement without a real reason, or of a critical violation, is refused: exit 1, and says why', async () => {
    const short = await runCli(['rules', '--app', write('short.template.json', longSessions({ 'attestgate:acknowledgements': { 'AG-AWS-005': 'ok' } }))]);
    expect(unwrapped(short.out)).toContain('rejected: its reason "ok" is shorter than 10 characters');
    expect(short.code).toBe(1);
    const configuration = gcpConfiguration({ provider: { attribute_condition: undefined } }) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    configuration.resource.google_iam_workload_identity_pool_provider.spire['//'] = { 'attestgate:acknowledgements': { 'AG-GCP-001': REASON } };
    const critical = await runCli(['rules', '--app', write('critical.tf.json', configuration)]);
    expect(unwrapped(critical.out)).toContain('AG-GCP-001 is critical: its violations cannot be acknowledged, only fixed');
    expect(critical.code).toBe(1);
  });

  test('Terraform JSON acknowledged in "//": a high finding accepted with its reason', async () => {
    const configuration = subjectCaseConfiguration(OPEN_SUBJECT_CASES[2], 'p') as { resource: Record<string, Record<string, Record<string, unknown>>> };
    const open = await runCli(['rules', '--app', write('second.tf.json', configuration)]);
    expect(unwrapped(open.out)).toContain('[AG-GCP-004]');
    expect(open.code).toBe(1);
    configuration.resource.google_iam_workload_identity_pool_provider.spire['//'] = { 'attestgate:acknowledgements': { 'AG-GCP-004': REASON } };
    const acknowledged = await runCli(['rules', '--app', write('second-ack.tf.json', configuration)]);
    expect(unwrapped(acknowledged.out)).toContain('0 violations, 0 unjudgeable, 1 acknowledged');
    expect(acknowledged.code).toBe(0);
  });

  test('only findings that cannot be judged before apply: exit 2', async () => {
    const configuration = gcpConfiguration({ provider: { attribute_condition: '${var.condition}' } });
    const { code, out } = await runCli(['rules', '--app', write('unknown.tf.json', configuration)]);
    expect(unwrapped(out)).toMatch(/UNJUDGEABLE .*cannot be judged/);
    expect(unwrapped(out)).toContain('no violation, but findings that cannot be judged before apply (exit 2)');
    expect(code).toBe(2);
  });

  test('a cloud assembly: acknowledgements CDK recorded in the stack’s metadata file apply to the resources beneath, as at synth', async () => {
    const assembly = fs.mkdtempSync(path.join(dir, 'cdk.out-'));
    fs.writeFileSync(path.join(assembly, 'Agents.template.json'), JSON.stringify(longSessions()));
    fs.writeFileSync(
      path.join(assembly, 'manifest.json'),
      JSON.stringify({ version: '48.0.0', artifacts: { Agents: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Agents.template.json' }, additionalMetadataFile: 'Agents.metadata.json' } } }),
    );
    const metadata = (acknowledgement: unknown) => ({
      '/Agents/Deployer': [acknowledgement],
      '/Agents/Deployer/Role/Resource': [{ type: 'aws:cdk:logicalId', data: 'Role' }],
    });
    fs.writeFileSync(path.join(assembly, 'Agents.metadata.json'), JSON.stringify(metadata({ type: 'attestgate:acknowledgement', data: { ruleId: 'AG-AWS-005', reason: REASON } })));
    const ours = await runCli(['rules', '--app', assembly]);
    expect(unwrapped(ours.out)).toContain(`Acknowledged at /Agents/Deployer: ${REASON}`);
    expect(ours.code).toBe(0);
    // aws-cdk-lib's Validations.acknowledge, with the plugin's rule namespace.
    fs.writeFileSync(path.join(assembly, 'Agents.metadata.json'), JSON.stringify(metadata({ type: 'aws:cdk:acknowledged-rules', data: { 'attestgate::AG-AWS-005': REASON } })));
    expect((await runCli(['rules', '--app', assembly])).code).toBe(0);
    // On a sibling construct it does not apply.
    fs.writeFileSync(
      path.join(assembly, 'Agents.metadata.json'),
      JSON.stringify({ '/Agents/Other': [{ type: 'attestgate:acknowledgement', data: { ruleId: 'AG-AWS-005', reason: REASON } }], '/Agents/Deployer/Role/Resource': [{ type: 'aws:cdk:logicalId', data: 'Role' }] }),
    );
    expect((await runCli(['rules', '--app', assembly])).code).toBe(1);
  });

  describe('--acknowledgements FILE: for a plan, which carries no comments', () => {
    const acks = (name: string, entries: unknown[]) => write(name, { acknowledgements: entries });

    test('an entry accepts the finding it names: ACKNOWLEDGED with its reason, never PASS; the others stay open', async () => {
      const out = path.join(dir, 'reports-file-ack');
      const file = acks('acks.json', [{ rule: 'AG-AWS-005', resource: 'module.agent.aws_iam_role.deployer', reason: REASON }]);
      const run = await runCli(['rules', '--app', plan(), '--acknowledgements', file, '--format', 'table,json,sarif', '--out', out]);
      expect(unwrapped(run.out)).toContain(`ACKNOWLEDGED module.agent.aws_iam_role.deployer: [AG-AWS-005]`);
      expect(unwrapped(run.out)).toContain(`Acknowledged at ${file} acknowledgements[0]: ${REASON}`);
      expect(unwrapped(run.out)).toMatch(/VIOLATION aws_rolesanywhere_profile\.p: \[AG-AWS-007\]/);
      // AG-AWS-001 is critical: the plan's unpinned role is not acknowledgeable, and was not acknowledged.
      expect(unwrapped(run.out)).toMatch(/VIOLATION module\.agent\.aws_iam_role\.deployer: \[AG-AWS-001\]/);
      expect(run.code).toBe(1);
      const json = JSON.parse(fs.readFileSync(path.join(out, 'rules.json'), 'utf8'));
      expect(json.inputs[0].findings).toContainEqual(expect.objectContaining({ ruleId: 'AG-AWS-005', state: 'acknowledged', acknowledged: { reason: REASON, at: `${file} acknowledgements[0]` } }));
      expect(json.unmatchedAcknowledgements).toEqual([]);
      const sarif = validSarif(fs.readFileSync(path.join(out, 'rules.sarif'), 'utf8')) as any;
      expect(sarif.runs[0].results.find((r: any) => r.ruleId === 'AG-AWS-005').suppressions).toEqual([expect.objectContaining({ status: 'accepted', justification: expect.stringContaining(REASON) })]);
    });

    test('acknowledging every acknowledgeable finding leaves the critical one open: a critical violation is rejected, with why', async () => {
      const file = acks('acks-all.json', [
        { rule: 'AG-AWS-005', resource: 'module.agent.aws_iam_role.deployer', reason: REASON },
        { rule: 'AG-AWS-007', resource: 'aws_rolesanywhere_profile.p', reason: REASON },
        { rule: 'AG-AWS-001', resource: 'module.agent.aws_iam_role.deployer', reason: REASON },
      ]);
      const run = await runCli(['rules', '--app', plan(), '--acknowledgements', file]);
      expect(unwrapped(run.out)).toContain(`(Acknowledgement at ${file} acknowledgements[2] rejected: AG-AWS-001 is critical: its violations cannot be acknowledged, only fixed.)`);
      expect(run.code).toBe(1);
    });

    test('an entry that matches no finding is reported in the table, the JSON and as a SARIF notification, not dropped', async () => {
      const out = path.join(dir, 'reports-unmatched');
      // The address without its module path: what a user copying from the HCL would write.
      const file = acks('acks-stale.json', [{ rule: 'AG-AWS-005', resource: 'aws_iam_role.deployer', reason: REASON }]);
      const run = await runCli(['rules', '--app', plan(), '--acknowledgements', file, '--format', 'table,json,sarif', '--out', out]);
      expect(unwrapped(run.out)).toContain(`UNMATCHED acknowledgement of AG-AWS-005 on aws_iam_role.deployer (${file} acknowledgements[0]): no finding of that rule on that resource`);
      expect(unwrapped(run.out)).toMatch(/VIOLATION module\.agent\.aws_iam_role\.deployer: \[AG-AWS-005\]/);
      expect(JSON.parse(fs.readFileSync(path.join(out, 'rules.json'), 'utf8')).unmatchedAcknowledgements).toEqual([{ rule: 'AG-AWS-005', resource: 'aws_iam_role.deployer', reason: REASON, at: `${file} acknowledgements[0]` }]);
      const sarif = validSarif(fs.readFileSync(path.join(out, 'rules.sarif'), 'utf8')) as any;
      expect(sarif.runs[0].invocations[0].toolConfigurationNotifications).toEqual([expect.objectContaining({ level: 'warning', associatedRule: { id: 'AG-AWS-005' } })]);
    });

    test('a bad file is a usage error naming the file, the entry and the field', async () => {
      const bad = await runCli(['rules', '--app', plan(), '--acknowledgements', acks('acks-bad.json', [{ rule: 'AG-AWS-005', resource: 'x', reason: 'ok' }])]);
      expect(bad).toMatchObject({ code: 64, err: expect.stringMatching(/--acknowledgements \S+acks-bad\.json: acknowledgements\[0\]\.reason "ok" is shorter than 10 characters/) });
      const missing = await runCli(['rules', '--app', plan(), '--acknowledgements', path.join(dir, 'nope.json')]);
      expect(missing).toMatchObject({ code: 64, err: expect.stringContaining('nope.json: no such file or directory') });
    });
  });

  describe('SARIF regions: each result at the line that declares its resource', () => {
    /** The line of `key` as a member at `depth` in JSON.stringify(…, null, 2) output: indented 2 × depth, its value an object. */
    const lineOfKey = (text: string, key: string, depth: number) => text.split('\n').findIndex((line) => line === `${' '.repeat(2 * depth)}${JSON.stringify(key)}: {`) + 1;
    const sarifOf = async (file: string, name: string) => {
      const out = path.join(dir, name);
      await runCli(['rules', '--app', file, '--format', 'sarif', '--out', out]);
      return validSarif(fs.readFileSync(path.join(out, 'rules.sarif'), 'utf8')).runs[0].results!;
    };
    const writePretty = (name: string, json: unknown) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, JSON.stringify(json, null, 2));
      return file;
    };

    test('a hand-written template: at the logical ID under Resources, though an output names the role first', async () => {
      const template = { Outputs: { RoleArn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] } } }, ...longSessions() };
      const file = writePretty('regions.template.json', template);
      const text = fs.readFileSync(file, 'utf8');
      const [result] = await sarifOf(file, 'reports-regions-cfn');
      expect(result.ruleId).toBe('AG-AWS-005');
      expect(text.indexOf('"Role"')).toBeLessThan(text.indexOf('"Resources"'));
      expect(lineOfKey(text, 'Role', 2)).toBeGreaterThan(1);
      expect(result.locations![0].physicalLocation!.region).toEqual({ startLine: lineOfKey(text, 'Role', 2), startColumn: 5 });
    });

    test('a hand-written *.tf.json: at the resource’s name under its type', async () => {
      const file = writePretty('regions.tf.json', gcpConfiguration({ provider: { attribute_condition: undefined } }));
      const text = fs.readFileSync(file, 'utf8');
      const results = await sarifOf(file, 'reports-regions-tf');
      const result = results.find((r) => r.ruleId === 'AG-GCP-001')!;
      expect(result.locations![0].logicalLocations![0].fullyQualifiedName).toMatch(/\/google_iam_workload_identity_pool_provider\.spire\//);
      expect(result.locations![0].physicalLocation!.region).toEqual({ startLine: lineOfKey(text, 'spire', 3), startColumn: 7 });
      expect(text.split('\n')[lineOfKey(text, 'spire', 3) - 2]).toContain('"google_iam_workload_identity_pool_provider": {');
    });

    test('the same file laid out otherwise moves the region, not the fingerprint', async () => {
      const pretty = await sarifOf(writePretty('layout.template.json', longSessions()), 'reports-layout-pretty');
      const compact = await sarifOf(write('layout.template.json', longSessions()), 'reports-layout-compact');
      expect(compact[0].locations![0].physicalLocation!.region!.startLine).toBe(1);
      expect(pretty[0].locations![0].physicalLocation!.region!.startLine).toBeGreaterThan(1);
      expect(compact.map((r) => r.partialFingerprints)).toEqual(pretty.map((r) => r.partialFingerprints));
    });

    test('a plan: no region, its addresses are not keys of the file', async () => {
      const results = await sarifOf(plan(), 'reports-regions-plan');
      expect(results.length).toBeGreaterThan(0);
      expect(results.map((r) => r.locations![0].physicalLocation!.region)).toEqual(results.map(() => undefined));
    });
  });

  test('bad command lines: no --app, an unknown format; --help answers', async () => {
    expect(await runCli(['rules'])).toMatchObject({ code: 64, err: expect.stringContaining('rules needs at least one --app PATH') });
    expect(await runCli(['rules', '--app', write('x.tf.json', gcpConfiguration()), '--format', 'html'])).toMatchObject({ code: 64, err: expect.stringContaining('--format html: use table, json, junit, sarif') });
    expect(await runCli(['rules', '--help'])).toMatchObject({ code: 0, out: expect.stringContaining('rules --app PATH...') });
  });
});

describe('attestgate rules across stacks: Fn::ImportValue resolved against the other templates given', () => {
  // Relative to the repository: the table wraps long words, and where a path breaks must not
  // depend on where the repository is checked out.
  const fixture = (name: string) => path.relative(process.cwd(), path.join(__dirname, '../../fixtures/cross-stack', name));

  test('the identity stack with the base stack that exports its anchor: every rule holds (exit 0)', async () => {
    const { code, out } = await runCli(['rules', '--app', fixture('base.template.json'), '--app', fixture('agents.template.json')]);
    expect(unwrapped(out)).toContain(`${fixture('agents.template.json')}`);
    expect(unwrapped(out)).toContain('every rule holds (exit 0)');
    expect(code).toBe(0);
  });

  test('the identity stack alone: its pin cannot be judged, naming the export and saying to pass the exporting template (exit 2)', async () => {
    const { code, out } = await runCli(['rules', '--app', fixture('agents.template.json')]);
    expect(unwrapped(out)).toContain('UNJUDGEABLE DeployerRole: [AG-AWS-001] cannot be judged: Role DeployerRole: statement 0 pins aws:SourceArn to ${export agents-base-AnchorArn, which no given template defines: pass the template of the stack that exports it too}');
    expect(code).toBe(2);
  });

  test('a base stack that exports a second anchor without a CRL: refused on that anchor (exit 1)', async () => {
    const { code, out } = await runCli(['rules', '--app', fixture('base-spare-anchor.template.json'), '--app', fixture('agents.template.json')]);
    expect(unwrapped(out)).toContain('VIOLATION Spare: [AG-AWS-006] Trust anchor Spare has no CRL');
    expect(code).toBe(1);
  });

  test('a base stack whose export carries a profile’s ARN, not an anchor’s: the role is refused (exit 1)', async () => {
    const { code, out } = await runCli(['rules', '--app', fixture('base-profile-exported.template.json'), '--app', fixture('agents.template.json')]);
    expect(unwrapped(out)).toMatch(/VIOLATION DeployerRole: \[AG-AWS-001\] Role DeployerRole lets rolesanywhere\.amazonaws\.com assume it without pinning aws:SourceArn to a trust anchor \(statement 0: \$\{.*base-profile-exported\.template\.json\/Shared\.ProfileArn \(through Fn::ImportValue agents-base-AnchorArn\)\} is not the TrustAnchorArn of a trust anchor\)/);
    expect(code).toBe(1);
  });

  test('two templates export the same name: the import cannot be judged, naming both (exit 1 only for the spare anchor’s own violation)', async () => {
    const { code, out } = await runCli(['rules', '--app', fixture('base.template.json'), '--app', fixture('base-spare-anchor.template.json'), '--app', fixture('agents.template.json')]);
    expect(unwrapped(out)).toMatch(/UNJUDGEABLE DeployerRole: \[AG-AWS-001\] cannot be judged: .*export agents-base-AnchorArn, which stack .*base\.template\.json \(output AnchorArn\) and stack .*base-spare-anchor\.template\.json \(output AnchorArn\) both define/);
    // The spare anchor's own finding is still reported: the duplicate hides nothing.
    expect(unwrapped(out)).toContain('VIOLATION Spare: [AG-AWS-006]');
    expect(code).toBe(1);
  });

  test('a cloud assembly of a base stack and IdentityStacks: exports resolve by the manifest’s environments (exit 0)', async () => {
    const pki = await makeTestPki();
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-rules-cdk-out-'));
    const env = { account: '111122223333', region: 'eu-west-1' };
    const app = new App({ outdir });
    const base = new Stack(app, 'AgentsBase', { env });
    const anchor = new AgentTrustAnchor(base, 'Anchor', { source: TrustAnchorSource.fromCertificateBundle(pki.ca.pem) });
    anchor.addCrl('Crl', pki.crlPem);
    const stacks = new IdentityStacks(app, 'Agents', { stackCount: 2, stackProps: { env } });
    for (const name of ['deployer', 'reader', 'builder']) {
      const identity = deployerIdentity({ name, spiffeId: `spiffe://prod.example/agent/${name}`, subject: { CN: name, O: 'attestgate examples' } });
      new AttestedRole(stacks.stackFor(identity), name, { identity, trustAnchors: [anchor] });
    }
    app.synth();
    const whole = await runCli(['rules', '--app', outdir]);
    expect(unwrapped(whole.out)).toContain('every rule holds (exit 0)');
    expect(whole.code).toBe(0);
    // One identity stack's template alone: its imports name the base stack's export.
    const identityTemplate = fs.readdirSync(outdir).find((f) => /^Agents\d+\.template\.json$/.test(f))!;
    const alone = await runCli(['rules', '--app', path.join(outdir, identityTemplate)]);
    expect(unwrapped(alone.out)).toMatch(/\[AG-AWS-001\] cannot be judged: .*export AgentsBase:ExportsOutputFnGetAttAnchor\w+TrustAnchorArn\w+, which no given template defines: pass the template of the stack that exports it too/);
    expect(alone.code).toBe(2);
  });
});

describe('attestgate rules over nested stacks: a TemplateURL that is a local path (aws cloudformation package)', () => {
  const nestedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-rules-nested-'));
  const put = (name: string, json: unknown) => {
    const file = path.join(nestedDir, name);
    fs.writeFileSync(file, JSON.stringify(json));
    return file;
  };
  const anchor = { Type: 'AWS::RolesAnywhere::TrustAnchor', Properties: { Name: 'agents', Enabled: true, Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: 'PEM' } } } };
  const crl = { Type: 'AWS::RolesAnywhere::CRL', Properties: { Name: 'c', CrlData: 'PEM', Enabled: true, TrustAnchorArn: { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] } } };
  /** The parent passes its anchor's ARN to nested stack Roles (roles-<variant>.json), whose role pins it. */
  const app = (variant: string, subject: boolean) => {
    const { Resources } = gateTemplate() as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    const statement = (Resources.Role.Properties.AssumeRolePolicyDocument as { Statement: Array<{ Condition: Record<string, Record<string, unknown>> }> }).Statement[0];
    statement.Condition.ArnEquals = { 'aws:SourceArn': { Ref: 'AnchorArn' } };
    if (!subject) delete statement.Condition.StringEquals;
    put(`roles-${variant}.json`, { Parameters: { AnchorArn: { Type: 'String' } }, Resources: { Role: Resources.Role, Profile: Resources.Profile } });
    return put(`parent-${variant}.template.json`, {
      Resources: { Anchor: anchor, Crl: crl, Roles: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: `./roles-${variant}.json`, Parameters: { AnchorArn: { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] } } } } },
    });
  };

  test('the nested stack\'s role, pinned to the parent\'s anchor it is passed, is judged and clean (exit 0)', async () => {
    const { code, out } = await runCli(['rules', '--app', app('pinned', true)]);
    expect(unwrapped(out)).not.toMatch(/VIOLATION|UNJUDGEABLE/);
    expect(code).toBe(0);
  });

  test('the nested stack\'s role without its subject pin is refused, as an input of its own (exit 1)', async () => {
    const out = path.join(nestedDir, 'reports');
    const { code, out: table } = await runCli(['rules', '--app', app('lax', false), '--format', 'table,json', '--out', out]);
    expect(unwrapped(table)).toContain('VIOLATION Role: [AG-AWS-002] Role Role accepts any certificate of its trust anchors');
    const json = JSON.parse(fs.readFileSync(path.join(out, 'rules.json'), 'utf8')) as { inputs: Array<{ stackName: string; file: string; findings: Array<{ ruleId: string }> }> };
    const nested = json.inputs.find((i) => i.file === path.join(nestedDir, 'roles-lax.json'));
    expect(nested?.stackName).toBe('parent-lax/Roles');
    expect(nested?.findings.map((f) => f.ruleId)).toContain('AG-AWS-002');
    expect(code).toBe(1);
  });
});
