import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../../conformance/cli/main';
import { AttestingIssuer, startAttestingIssuer } from '../../../examples/step-up/attesting-issuer';
import { ToolServer, startToolServer } from '../../../examples/step-up/tool-server';
import { validSarif } from '../../fixtures/sarif-schema';

let issuer: AttestingIssuer;
let server: ToolServer;
let dir: string;
let keyFile: string;

beforeAll(async () => {
  issuer = await startAttestingIssuer();
  server = await startToolServer({ issuer: issuer.issuer, jwksUri: issuer.jwksUri });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-step-up-cli-'));
  keyFile = path.join(dir, 'issuer.key');
  fs.writeFileSync(keyFile, issuer.key.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
});
afterAll(async () => {
  await server?.close();
  await issuer?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c) => (o += c));
  err.on('data', (c) => (e += c));
  const code = await main(args, out, err);
  return { code, out: o, err: e };
}

const endpoint = () => ['--url', `${server.url}/stacks/canary`, '--method', 'DELETE', '--acr-values', 'urn:attestgate:acr:attested-fresh', '--max-age', '60', '--issuer', issuer.issuer, '--issuer-key', keyFile, '--audience', server.url, '--subject', 'spiffe://example.test/conformance/probe', '--rate', '100'];

describe('attestgate step-up', () => {
  test('probes the endpoint, writes the reports and exits 0 when every check passes', async () => {
    const out = path.join(dir, 'report');
    const { code, out: stdout } = await run(['step-up', ...endpoint(), '--id', 'tools/destroy-stack', '--format', 'table,json', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Summary \(target step-up\):\n {2}step-up {2}1 gate, 0 issuance paths, 7 checks: 7 PASS, 0 FAIL/);
    expect(stdout).toContain('tools/destroy-stack (step-up, high)\n  7 results: 7 PASS');
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ target: 'step-up', gates: [{ id: 'tools/destroy-stack', cloud: 'step-up' }], summary: { PASS: 7, FAIL: 0, INCONCLUSIVE: 0, SKIPPED: 0 } });
  });

  test('a max_age the endpoint does not require fails the challenge checks: exit 1', async () => {
    const args = endpoint();
    args[args.indexOf('--max-age') + 1] = '30';
    const { code, out } = await run(['step-up', ...args, '--format', 'json,sarif', '--out', path.join(dir, 'wrong')]);
    expect(code).toBe(1);
    expect(out).toContain('wrote');
    // Valid SARIF with the endpoint's URL as the location: an HTTP method before it would not be a URI.
    const sarif = validSarif(fs.readFileSync(path.join(dir, 'wrong', 'report.sarif'), 'utf8'));
    expect(sarif.runs[0].results!.length).toBeGreaterThan(0);
    for (const r of sarif.runs[0].results!) expect(r.locations![0].physicalLocation!.artifactLocation!.uri).toBe(`${server.url}/stacks/canary`);
  });

  test.each([
    [['--url', 'ftp://x'], /--url ftp:\/\/x: give an absolute http\(s\) URL/],
    [['--max-age', 'soon'], /--max-age soon: give whole seconds/],
    [['--header', 'Authorization=Bearer x'], /the probes set Authorization themselves/],
    [['--format', 'pdf'], /--format pdf: use table, json, junit, sarif/],
    [['--issuer-key', '/no/such/key'], /--issuer-key \/no\/such\/key: cannot be read/],
  ])('a bad command line is refused before anything is sent (%#)', async (change, message) => {
    const before = server.events.length;
    const args = endpoint();
    const at = args.indexOf(change[0]);
    if (at >= 0) args[at + 1] = change[1];
    else args.push(...change);
    const { code, err } = await run(['step-up', ...args]);
    expect(code).toBe(64);
    expect(err).toMatch(message);
    expect(server.events.length).toBe(before);
  });

  test('a missing required option names it', async () => {
    const { code, err } = await run(['step-up', '--url', `${server.url}/stacks/canary`]);
    expect(code).toBe(64);
    expect(err).toContain('step-up needs --acr-values');
  });
});
