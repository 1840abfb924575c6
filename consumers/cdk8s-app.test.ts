// The packed package in a fresh cdk8s app, on every Node binary: the deployer's SPIRE
// registration is written as a ClusterSPIFFEID with the AG-SPIFFE rules on,
// and a ClusterSPIFFEID written by hand that hands its ID to any pod is refused.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { outdirFor, runInApp, unexpectedWarnings } from './consumer-process';
import { consumerContext } from './fresh-apps';

const context = consumerContext();
const app = context.apps['cdk8s-app'];

describe.each(context.nodes.map((node) => [node.label, node] as const))('%s', (_label, node) => {
  const outdir = outdirFor('dist', node);

  test('writes the registration as a ClusterSPIFFEID with the AG-SPIFFE rules on', () => {
    const synth = runInApp(app, node, ['node', 'out/main.js'], { CONSUMER_OUTDIR: outdir });
    expect(synth.transcript).toMatch(/^exit 0\n/);
    expect(unexpectedWarnings(synth, node)).toEqual([]);
    const manifest = fs.readFileSync(path.join(app, outdir, 'spire-registrations.k8s.yaml'), 'utf8');
    expect(manifest).toMatch(/kind: ClusterSPIFFEID/);
    expect(manifest).toContain('spiffe://consumer.example/agent/deployer');
    expect(manifest).toContain(`registry.consumer.example/deployer@sha256:${'5e'.repeat(32)}`);
  });

  test('refuses a ClusterSPIFFEID written by hand that hands the deployer\'s ID to any pod of its namespace', () => {
    const synth = runInApp(app, node, ['node', 'out/main.js'], { CONSUMER_OUTDIR: `${outdir}-open`, CONSUMER_OPEN_GATE: '1' });
    expect(synth.status).not.toBe(0);
    expect(synth.stdout + synth.stderr).toMatch(/AG-SPIFFE-0\d\d/);
  });
});
