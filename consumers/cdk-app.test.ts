// The packed package in a fresh AWS CDK app (TypeScript 7, NodeNext, as `cdk init` makes it),
// on every Node binary: the gated identity synthesizes with the rules on, an open gate written
// by hand is refused, and `npx attestgate` proves the synthesized gate on the emulator.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { conformanceOnEmulator, outdirFor, runInApp, unexpectedWarnings } from './consumer-process';
import { consumerContext } from './fresh-apps';

const context = consumerContext();
const app = context.apps['cdk-app'];

test('an AWS-only app installs without any cdktf or cdk8s package', () => {
  for (const absent of ['cdktf', '@cdktf/provider-google', '@cdktf/provider-azurerm', 'cdk8s']) {
    expect([absent, fs.existsSync(path.join(app, 'node_modules', absent))]).toEqual([absent, false]);
  }
  expect(fs.existsSync(path.join(app, 'node_modules', 'attestgate', 'dist', 'lib', 'aws', 'index.js'))).toBe(true);
});

describe.each(context.nodes.map((node) => [node.label, node] as const))('%s', (_label, node) => {
  const outdir = outdirFor('cdk.out', node);

  test('synthesizes a high-privilege agent behind Roles Anywhere with the synth-time rules on', () => {
    const synth = runInApp(app, node, ['node', 'out/bin/app.js'], { ...context.appEnv, CDK_OUTDIR: outdir });
    expect(synth.transcript).toMatch(/^exit 0\n/);
    expect(unexpectedWarnings(synth, node)).toEqual([]);
    const template = JSON.parse(fs.readFileSync(path.join(app, outdir, 'ConsumerAgents.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    const types = Object.values(template.Resources).map((resource) => resource.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::RolesAnywhere::TrustAnchor', 'AWS::RolesAnywhere::Profile', 'AWS::IAM::Role', 'AWS::Lambda::Function']));
    // The CRL import's Lambda code is a file of the package, bundled as an asset.
    expect(fs.readdirSync(path.join(app, outdir)).some((file) => file.startsWith('asset.'))).toBe(true);
  });

  test('refuses a role written by hand that any certificate of any anchor can assume', () => {
    const synth = runInApp(app, node, ['node', 'out/bin/app.js'], { ...context.appEnv, CDK_OUTDIR: `${outdir}-open`, CONSUMER_OPEN_GATE: '1' });
    expect(synth.status).not.toBe(0);
    expect(synth.stdout + synth.stderr).toMatch(/AG-AWS-001/);
  });

  test('npx attestgate conformance proves the synthesized gate on the emulator', () => {
    const { completed, summary, gates } = conformanceOnEmulator(app, node, outdir, context.pkiDir);
    expect(completed.transcript).toMatch(/^exit 0\n/);
    expect(unexpectedWarnings(completed, node)).toEqual([]);
    expect(summary).toMatchObject({ FAIL: 0, INCONCLUSIVE: 0, SKIPPED: 0 });
    expect(summary.PASS).toBeGreaterThan(10);
    expect(gates).toHaveLength(1);
  });

  test('npx attestgate rules judges the synthesized app clean', () => {
    const rules = runInApp(app, node, ['npx', '--no-install', 'attestgate', 'rules', '--app', outdir]);
    expect(rules.transcript).toMatch(/^exit 0\n/);
  });
});
