import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serveSpiffeProbeTarget } from '../../../conformance/emulator/spiffe/probe-target';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { toBatchEntry } from '../../../lib/spiffe/entry-batch';
import { writeTestPki } from '../../fixtures/conformance';
import { writeIssuerKey } from '../../fixtures/gcp-conformance';
import { deployerEntry } from '../../fixtures/workload-api';
import { runCli, spawnEmulator } from '../../fixtures/cli';
import { validSarif } from '../../fixtures/sarif-schema';

/**
 * `attestgate spiffe` spawned against Workload APIs it reaches only by address: `attestgate
 * emulator` serving the probe workloads `--list` prints (every check PASSes, exit 0), and an
 * agent that skips workload attestation (AGC-SPIFFE-002..004 FAIL, exit 1).
 */

const BIN = path.join(__dirname, '../../../bin/attestgate');
let dir: string;
let entries: string;

function spawnCli(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(BIN, [...args], { timeout: 90_000 }, (error, out, err) => resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, out, err }));
  });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-spiffe-cli-'));
  entries = path.join(dir, 'entries.json');
  fs.writeFileSync(entries, JSON.stringify({ entries: [toBatchEntry(deployerEntry({ x509SvidTtlSeconds: 900 }))] }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const workloadArgs = (served: ReadonlyArray<{ name: string; socket?: string; address?: string }>) => served.flatMap((w) => ['--workload', `${w.name}=${w.socket ?? w.address}`]);

test('against attestgate emulator serving the probe workloads --list prints: every check passes, the reports are written, exit 0', async () => {
  const list = await runCli(['spiffe', '--registration', entries, '--list']);
  expect(list.code).toBe(0);
  const profiles = list.out.split('\n').filter((l) => l.startsWith('--spiffe-workload ')).flatMap((l) => ['--spiffe-workload', l.slice('--spiffe-workload '.length)]);
  // registered, unregistered, 2 runtime-only, 3 code-only; under the entry's own parent agent.
  expect(profiles.length / 2).toBe(7);
  expect(profiles[1]).toMatch(/^registered@spiffe:\/\/prod\.example\/spire\/agent\/k8s_psat\/prod\/node-1=k8s:ns:agents,k8s:sa:deployer,k8s:pod-image:/);

  const pki = await writeTestPki();
  const pkiDir = path.join(dir, 'pki');
  fs.mkdirSync(pkiDir);
  for (const file of ['ca.crt', 'ca.key']) fs.copyFileSync(path.join(pki.dir, file), path.join(pkiDir, file));
  fs.copyFileSync(path.join(writeIssuerKey('RS256').pkiDir, 'issuer.key'), path.join(pkiDir, 'issuer.key'));
  const emulator = await spawnEmulator(['--spiffe-registrations', entries, '--pki', pkiDir, ...profiles]);
  try {
    const out = path.join(dir, 'report');
    const run = await spawnCli(['spiffe', '--registration', entries, ...workloadArgs(emulator.endpoints.spiffe.workloads), '--id', 'deployer', '--format', 'json,junit,sarif', '--out', out]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ target: 'spiffe', gates: [{ id: 'deployer', cloud: 'spiffe', source: 'spiffe://prod.example/agent/deployer' }], summary: { PASS: 5, FAIL: 0, INCONCLUSIVE: 0, SKIPPED: 1 } });
    expect(fs.readFileSync(path.join(out, 'junit.xml'), 'utf8')).toContain('AGC-SPIFFE-004');
    // SARIF lists findings: none when everything passed.
    expect(validSarif(fs.readFileSync(path.join(out, 'report.sarif'), 'utf8')).runs[0].results).toEqual([]);
  } finally {
    await emulator.stop();
  }
}, 180_000);

test('against an agent that skips workload attestation: the refusal checks FAIL, exit 1', async () => {
  const pki = await writeTestPki();
  const { server, target } = await serveSpiffeProbeTarget({ trustDomain: 'prod.example', entry: deployerEntry({ x509SvidTtlSeconds: 900 }), x509Authority: pki.ca, jwtAuthority: { key: generateIssuerKey('ES256') }, faults: { unattestedSelector: () => true } });
  try {
    const out = path.join(dir, 'lax');
    const run = await spawnCli(['spiffe', '--registration', entries, ...workloadArgs(target.workloads), '--format', 'json,sarif', '--out', out]);
    expect(run.code).toBe(1);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    const statuses = Object.fromEntries(report.results.map((r: { checkId: string; status: string }) => [r.checkId, r.status]));
    expect(statuses).toMatchObject({ 'AGC-SPIFFE-001': 'PASS', 'AGC-SPIFFE-002': 'FAIL', 'AGC-SPIFFE-003': 'FAIL', 'AGC-SPIFFE-004': 'FAIL' });
    const sarif = validSarif(fs.readFileSync(path.join(out, 'report.sarif'), 'utf8')) as any;
    expect(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(expect.arrayContaining(['AGC-SPIFFE-002', 'AGC-SPIFFE-003', 'AGC-SPIFFE-004']));
  } finally {
    await server.close();
  }
}, 120_000);

describe('a bad command line exits 64, naming the option, the value and the fix', () => {
  test.each([
    [[], /spiffe needs --registration FILE/],
    [['--registration', '/no/such.json', '--list'], /\/no\/such\.json/],
    [['--workload', 'nobody=unix:///tmp/x.sock'], /--workload nobody=unix:\/\/\/tmp\/x\.sock: write NAME=ADDRESS with NAME one of registered, unregistered, runtime-only-other-code/],
    [['--workload', 'registered=http://127.0.0.1:1'], /--workload registered=http:\/\/127\.0\.0\.1:1: /],
    [['--workload', 'registered=unix:///tmp/x.sock', '--format', 'pdf'], /--format pdf: use table, json, junit, sarif/],
    [['--workload', 'registered=unix:///tmp/x.sock', '--spiffe-id', 'spiffe://prod.example/other'], /holds no registration of spiffe:\/\/prod\.example\/other/],
    [['--workload', 'registered=unix:///tmp/x.sock', '--timeout-ms', 'soon'], /--timeout-ms soon: give whole milliseconds/],
  ])('%#: %j', async (extra, message) => {
    const args = extra[0] === '--registration' || extra.length === 0 ? extra : ['--registration', entries, ...extra];
    const { code, err } = await runCli(['spiffe', ...args]);
    expect(err).toMatch(message);
    expect(code).toBe(64);
  });
});
