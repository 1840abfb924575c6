import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../fixtures/cli';
import { gateTemplate } from '../../fixtures/templates';
import { gcpConfiguration } from '../../fixtures/terraform';
import { OPEN_SUBJECT_CASES, subjectCaseConfiguration } from '../../fixtures/gcp-admitted-subjects';

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

describe('attestgate rules', () => {
  test('clean CloudFormation and Terraform JSON: exit 0, every input listed', async () => {
    const { code, out } = await runCli(['rules', '--app', write('clean.template.json', gateTemplate()), '--app', write('clean.tf.json', gcpConfiguration())]);
    expect(out).toContain('clean (CloudFormation template,');
    expect(out).toContain('clean (Terraform JSON configuration,');
    expect(out).toContain('every rule holds (exit 0)');
    expect(code).toBe(0);
  });

  test('a violation: exit 1, the rule, resource, message and fix on one line', async () => {
    const { code, out } = await runCli(['rules', '--app', write('long.template.json', longSessions())]);
    expect(out).toMatch(/VIOLATION Role: \[AG-AWS-005\] .* Fix: /);
    expect(out).toContain('1 violation, 0 unjudgeable, 0 acknowledged');
    expect(code).toBe(1);
  });

  test('acknowledged in the template’s Metadata with a reason: reported as acknowledged, exit 0; JSON and SARIF keep it, as a suppression', async () => {
    const out = path.join(dir, 'reports-ack');
    const run = await runCli(['rules', '--app', write('ack.template.json', longSessions({ 'attestgate:acknowledgements': { 'AG-AWS-005': REASON } })), '--format', 'table,json,sarif,junit', '--out', out]);
    expect(run.out).toContain(`ACKNOWLEDGED Role: [AG-AWS-005]`);
    expect(run.out).toContain(`Acknowledged at ${path.join(dir, 'ack.template.json')}: Role: ${REASON}`);
    expect(run.code).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'rules.json'), 'utf8'));
    expect(json.inputs[0].findings).toEqual([expect.objectContaining({ ruleId: 'AG-AWS-005', state: 'acknowledged', acknowledged: { reason: REASON, at: `${path.join(dir, 'ack.template.json')}: Role` } })]);
    const sarif = JSON.parse(fs.readFileSync(path.join(out, 'rules.sarif'), 'utf8'));
    expect(sarif.runs[0].results).toEqual([expect.objectContaining({ ruleId: 'AG-AWS-005', suppressions: [expect.objectContaining({ kind: 'external', justification: expect.stringContaining(REASON) })] })]);
    expect(fs.readFileSync(path.join(out, 'rules-junit.xml'), 'utf8')).toContain('AG-AWS-005');
  });

  test('an acknowledgement without a real reason, or of a critical violation, is refused: exit 1, and says why', async () => {
    const short = await runCli(['rules', '--app', write('short.template.json', longSessions({ 'attestgate:acknowledgements': { 'AG-AWS-005': 'ok' } }))]);
    expect(short.out).toContain('rejected: its reason "ok" is shorter than 10 characters');
    expect(short.code).toBe(1);
    const configuration = gcpConfiguration({ provider: { attribute_condition: undefined } }) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    configuration.resource.google_iam_workload_identity_pool_provider.spire['//'] = { 'attestgate:acknowledgements': { 'AG-GCP-001': REASON } };
    const critical = await runCli(['rules', '--app', write('critical.tf.json', configuration)]);
    expect(critical.out).toContain('AG-GCP-001 is critical: its violations cannot be acknowledged, only fixed');
    expect(critical.code).toBe(1);
  });

  test('Terraform JSON acknowledged in "//": a high finding accepted with its reason', async () => {
    const configuration = subjectCaseConfiguration(OPEN_SUBJECT_CASES[2], 'p') as { resource: Record<string, Record<string, Record<string, unknown>>> };
    const open = await runCli(['rules', '--app', write('second.tf.json', configuration)]);
    expect(open.out).toContain('[AG-GCP-004]');
    expect(open.code).toBe(1);
    configuration.resource.google_iam_workload_identity_pool_provider.spire['//'] = { 'attestgate:acknowledgements': { 'AG-GCP-004': REASON } };
    const acknowledged = await runCli(['rules', '--app', write('second-ack.tf.json', configuration)]);
    expect(acknowledged.out).toContain('0 violations, 0 unjudgeable, 1 acknowledged');
    expect(acknowledged.code).toBe(0);
  });

  test('only findings that cannot be judged before apply: exit 2', async () => {
    const configuration = gcpConfiguration({ provider: { attribute_condition: '${var.condition}' } });
    const { code, out } = await runCli(['rules', '--app', write('unknown.tf.json', configuration)]);
    expect(out).toMatch(/UNJUDGEABLE .*cannot be judged/);
    expect(out).toContain('no violation, but findings that cannot be judged before apply (exit 2)');
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
    expect(ours.out).toContain(`Acknowledged at /Agents/Deployer: ${REASON}`);
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

  test('bad command lines: no --app, an unknown format; --help answers', async () => {
    expect(await runCli(['rules'])).toMatchObject({ code: 64, err: expect.stringContaining('rules needs at least one --app PATH') });
    expect(await runCli(['rules', '--app', write('x.tf.json', gcpConfiguration()), '--format', 'html'])).toMatchObject({ code: 64, err: expect.stringContaining('--format html: use table, json, junit, sarif') });
    expect(await runCli(['rules', '--help'])).toMatchObject({ code: 0, out: expect.stringContaining('rules --app PATH...') });
  });
});
