// The packed package in a fresh CDK for Terraform app (TypeScript 5, module CommonJS, as
// `cdktf init` made it: moduleResolution node10), on every Node binary: the GCP and Azure gates
// of one identity synthesize with the rules on, an open binding written by hand is refused, and
// `npx attestgate` proves both gates on the emulators.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { conformanceOnEmulator, outdirFor, runInApp, unexpectedWarnings } from './consumer-process';
import { consumerContext } from './fresh-apps';

const context = consumerContext();
const app = context.apps['cdktf-app'];

test('a CDKTF app installs without aws-cdk-lib or cdk8s', () => {
  for (const absent of ['aws-cdk-lib', 'cdk8s']) {
    expect([absent, fs.existsSync(path.join(app, 'node_modules', absent))]).toEqual([absent, false]);
  }
});

describe.each(context.nodes.map((node) => [node.label, node] as const))('%s', (_label, node) => {
  const outdir = outdirFor('cdktf.out', node);

  test('synthesizes the GCP and Azure gates of one identity with the synth-time rules on', () => {
    const synth = runInApp(app, node, ['node', 'out/main.js'], { ...context.appEnv, CONSUMER_OUTDIR: outdir });
    expect(synth.transcript).toMatch(/^exit 0\n/);
    expect(unexpectedWarnings(synth, node)).toEqual([]);
    const resources = (stack: string) => Object.keys((JSON.parse(fs.readFileSync(path.join(app, outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, unknown> }).resource);
    expect(resources('consumer-gcp')).toEqual(expect.arrayContaining(['google_iam_workload_identity_pool_provider', 'google_service_account_iam_member']));
    expect(resources('consumer-azure')).toEqual(expect.arrayContaining(['azurerm_user_assigned_identity', 'azurerm_federated_identity_credential']));
  });

  test('refuses a binding written by hand that lets the whole pool impersonate the deployer', () => {
    const synth = runInApp(app, node, ['node', 'out/main.js'], { ...context.appEnv, CONSUMER_OUTDIR: `${outdir}-open`, CONSUMER_OPEN_GATE: '1' });
    expect(synth.status).not.toBe(0);
    expect(synth.stdout + synth.stderr).toMatch(/AG-GCP-002/);
  });

  test('npx attestgate conformance proves both gates on the emulators', () => {
    const { completed, summary, gates } = conformanceOnEmulator(app, node, outdir, context.pkiDir);
    expect(completed.transcript).toMatch(/^exit 0\n/);
    expect(unexpectedWarnings(completed, node)).toEqual([]);
    expect(summary).toMatchObject({ FAIL: 0, INCONCLUSIVE: 0 });
    expect(summary.PASS).toBeGreaterThan(10);
    expect(gates).toHaveLength(2);
  });
});
