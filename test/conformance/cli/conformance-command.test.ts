import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../fixtures/cli';
import { PkiOnDisk, exampleTemplate, writeTestPki } from '../../fixtures/conformance';
import { writeIssuerKey } from '../../fixtures/gcp-conformance';
import { writeTerraformExamples } from '../../fixtures/terraform-examples';
import { validSarif } from '../../fixtures/sarif-schema';
import { parseXml } from '../../fixtures/xml';

const run = runCli;

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
/** A PEM certificate block whose content is no certificate. */
const brokenPem = path.join(tmp('attestgate-cli-'), 'ca.pem');
fs.writeFileSync(brokenPem, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');

function templateFile(template: unknown): string {
  const file = path.join(tmp('attestgate-cli-'), 'Example.template.json');
  fs.writeFileSync(file, JSON.stringify(template));
  return file;
}

/** A role Roles Anywhere issues sessions for (the example also has the CRL import function's and the scheduler's). */
const isGateRole = (r: any) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('rolesanywhere.amazonaws.com');

describe('attestgate conformance', () => {
  let pki: PkiOnDisk;
  let template: Record<string, any>;
  beforeAll(async () => {
    pki = await writeTestPki();
    template = exampleTemplate(pki);
  });

  // The three runs at the CLI's default rates (a few seconds of waiting each, little CPU) run
  // concurrently, each with its own emulator, report directory and streams; jest groups them at
  // this first one's place, after beforeAll.
  test.concurrent('exit 0 when every gate holds; JSON, JUnit, SARIF and HTML written to --out', async () => {
    const out = tmp('attestgate-report-');
    // The default rate keeps under the emulator's CreateSession quota (10/s), as it would under AWS's.
    const { code, out: stdout } = await run(['conformance', '--app', templateFile(template), '--pki', pki.dir, '--format', 'table', '--format', 'json,junit,sarif,html', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toContain('38 results: 38 PASS, 0 FAIL, 0 INCONCLUSIVE, 0 SKIPPED');
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.results).toHaveLength(38);
    // Detection signals are advisories: reported apart, absent ones do not change the exit code.
    expect(report.advisories.map((a: { id: string; present: boolean }) => `${a.id}:${a.present}`).sort()).toEqual(
      ['ADV-AWS-001:false', 'ADV-AWS-001:true', 'ADV-AWS-002:false', 'ADV-AWS-002:true', 'ADV-AWS-003:false', 'ADV-AWS-003:true', 'ADV-AWS-004:true', 'ADV-AWS-004:true', 'ADV-AWS-005:false', 'ADV-AWS-005:true'],
    );
    // The summary first; the Reader's missing signals in its block (they need attention).
    expect(stdout).toMatch(/^Summary \(target local\):\n {2}aws {2}2 gates, 2 issuance paths, 19 checks: 38 PASS, 0 FAIL, 0 INCONCLUSIVE, 0 SKIPPED\n/);
    expect(stdout).toContain('Verdict: every path of every high-privilege gate refused unattested issuance\n');
    expect(stdout).toContain('  Detection signals (advisories; not part of the verdict):');
    for (const r of report.results) expect(Object.keys(r)).toEqual(expect.arrayContaining(['checkId', 'gate', 'status', 'reason']));
    expect(parseXml(fs.readFileSync(path.join(out, 'junit.xml'), 'utf8')).attributes).toMatchObject({ tests: '38', failures: '0', errors: '0' });
    expect(validSarif(fs.readFileSync(path.join(out, 'report.sarif'), 'utf8')).runs[0].results).toEqual([]);
    expect(stdout).toContain(`wrote ${path.join(out, 'report.sarif')}`);
    // The page: every gate with its declared identity and the route of its Roles Anywhere path, every result.
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(stdout).toContain(`wrote ${path.join(out, 'report.html')}`);
    for (const gate of report.gates) expect(html).toContain(`<span class="gate-name">${gate.id}</span>`);
    expect(html.match(/<li class="result result-PASS"/g)).toHaveLength(38);
    expect(html).toContain('<dt>SPIFFE ID</dt>');
    expect(html).toContain('<span class="hop-label">Through</span> IAM Roles Anywhere: trust anchor');
    expect(html).toContain('<div class="verdict verdict-proven">');
  });

  test('exit 1 when a gate issues credentials to an unattested certificate', async () => {
    const weak = JSON.parse(JSON.stringify(template));
    const role = Object.values(weak.Resources as Record<string, any>).find(isGateRole)!;
    delete role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals;
    const out = tmp('attestgate-report-');
    const { code } = await run(['conformance', '--app', templateFile(weak), '--pki', pki.dir, '--format', 'sarif', '--out', out, '--tags', 'AGC-AWS-001,AGC-AWS-003']);
    expect(code).toBe(1);
    const sarif = validSarif(fs.readFileSync(path.join(out, 'report.sarif'), 'utf8')) as any;
    expect(sarif.runs[0].results.map((r: { ruleId: string; level: string; kind: string }) => [r.ruleId, r.level, r.kind])).toContainEqual(['AGC-AWS-003', 'error', 'fail']);
    const finding = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'AGC-AWS-003');
    expect(finding.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^file:\/\/\/.*\/Example\.template\.json$/);
    expect(finding.locations[0].logicalLocations[0].fullyQualifiedName).toBe(finding.message.text.split(': ')[0]);
    // Run again: the same finding is the same code-scanning alert.
    const again = tmp('attestgate-report-');
    expect((await run(['conformance', '--app', templateFile(weak), '--pki', pki.dir, '--format', 'sarif', '--out', again, '--tags', 'AGC-AWS-001,AGC-AWS-003'])).code).toBe(1);
    const fingerprints = (file: string) => (validSarif(fs.readFileSync(file, 'utf8')).runs[0].results ?? []).map((r) => [r.ruleId, r.partialFingerprints]);
    expect(fingerprints(path.join(again, 'report.sarif'))).toEqual(fingerprints(path.join(out, 'report.sarif')));
  });

  describe('nothing proven by omission', () => {
    test('--tags kind:negative without --pki: the controls still run (SKIPPED), so no denial is proven: exit 2', async () => {
      const out = tmp('attestgate-report-');
      const { code, err } = await run(['conformance', '--app', templateFile(template), '--tags', 'kind:negative', '--format', 'json', '--out', out]);
      expect(code).toBe(2);
      const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
      expect(report.results.filter((r: { status: string }) => r.status === 'PASS')).toEqual([]);
      expect(report.results.filter((r: { checkId: string }) => r.checkId === 'AGC-AWS-001').map((r: { status: string }) => r.status)).toEqual(['SKIPPED', 'SKIPPED']);
      expect(err).toMatch(/nothing proven about Example\/\S+: its positive control AGC-AWS-001 was SKIPPED: no --pki directory/);
    });

    test('--tags AGC-AWS-016 alone runs its gate\'s control first and reports it', async () => {
      const out = tmp('attestgate-report-');
      const { code } = await run(['conformance', '--app', templateFile(template), '--pki', pki.dir, '--tags', 'AGC-AWS-016', '--format', 'json', '--out', out]);
      expect(code).toBe(0);
      const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
      expect(report.results.map((r: { checkId: string; status: string; attempts: number }) => `${r.checkId} ${r.status} ${r.attempts}`)).toEqual([
        'AGC-AWS-001 PASS 1',
        'AGC-AWS-016 PASS 1',
        'AGC-AWS-001 PASS 1',
        'AGC-AWS-016 PASS 1',
      ]);
    });

    test('excluding the controls by name leaves every denial unproven: exit 2 and a pointer to --allow-unproven', async () => {
      const out = tmp('attestgate-report-');
      const { code, err } = await run(['conformance', '--app', templateFile(template), '--pki', pki.dir, '--tags', '!kind:positive', '--format', 'json', '--out', out]);
      expect(code).toBe(2);
      const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
      expect(report.results.some((r: { checkId: string }) => r.checkId === 'AGC-AWS-001')).toBe(false);
      expect(report.results.filter((r: { status: string }) => r.status === 'PASS')).toEqual([]);
      expect(report.unprovenSubset).toBeUndefined();
      expect(err).toContain('--tags excludes the positive control AGC-AWS-001, so no denial of its gates is proven; pass --allow-unproven REASON');
    });

    test('--allow-unproven REASON accepts that on purpose: the denials stay INCONCLUSIVE, acknowledged, and the report says so', async () => {
      const out = tmp('attestgate-report-');
      const reason = 'CA key is held by the PKI team; controls run in their pipeline';
      const { code, err } = await run(['conformance', '--app', templateFile(template), '--pki', pki.dir, '--tags', '!kind:positive,AGC-AWS-003', '--allow-unproven', reason, '--format', 'json', '--out', out]);
      expect(code).toBe(0);
      const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
      expect(report.results.map((r: { checkId: string; status: string; acknowledged: string }) => `${r.checkId} ${r.status} ${r.acknowledged}`)).toEqual([`AGC-AWS-003 INCONCLUSIVE ${reason}`, `AGC-AWS-003 INCONCLUSIVE ${reason}`]);
      expect(report.unprovenSubset).toEqual({ reason, results: 2 });
      expect(err).toContain(`(acknowledged: ${reason})`);
    });

    test('a --pki file it does not read is named in a note, not dropped silently', async () => {
      const dir = tmp('attestgate-pki-');
      for (const name of ['ca.crt', 'ca.key', 'ca.crl']) fs.copyFileSync(path.join(pki.dir, name), path.join(dir, name));
      fs.copyFileSync(path.join(pki.dir, 'ca.crt'), path.join(dir, 'issuing-ca.pem'));
      const { err } = await run(['conformance', '--app', templateFile(template), '--pki', dir, '--list']);
      // Notes wrap to the terminal: read as one line each.
      expect(err.replace(/\n +/g, ' ')).toContain(`attestgate: note: --pki ${path.join(dir, 'issuing-ca.pem')} is not read: only *.crt (certificates), *.key (private keys) and *.crl (CRLs) are`);
    });

    test('--allow-unproven needs a reason worth reading', async () => {
      const { code, err } = await run(['conformance', '--app', templateFile(template), '--tags', '!kind:positive', '--allow-unproven', 'ok']);
      expect(code).toBe(64);
      expect(err).toContain('--allow-unproven "ok": give the reason the positive controls are left out, at least 10 characters');
    });
  });

  test('exit 2 when checks are inconclusive but none fails', async () => {
    const undeployable = JSON.parse(JSON.stringify(template));
    // A trust anchor ARN from a parameter without a default cannot be deployed faithfully.
    undeployable.Parameters = { AnchorArn: { Type: 'String' } };
    for (const r of Object.values(undeployable.Resources as Record<string, any>)) {
      if (isGateRole(r)) r.Properties.AssumeRolePolicyDocument.Statement[0].Condition.ArnEquals['aws:SourceArn'] = { Ref: 'AnchorArn' };
    }
    const { code, out } = await run(['conformance', '--app', templateFile(undeployable), '--pki', pki.dir, '--tags', 'AGC-AWS-001']);
    expect(code).toBe(2);
    expect(out).toContain('INCONCLUSIVE');
  });

  test('--list names the checks and gates and probes nothing', async () => {
    const { code, out } = await run(['conformance', '--app', templateFile(template), '--list', '--tags', 'kind:negative,!mutating']);
    expect(code).toBe(0);
    expect(out).toContain('AGC-AWS-002');
    expect(out).not.toContain('AGC-AWS-001 ');
    expect(out).not.toContain('AGC-AWS-015');
    expect(out).toMatch(/2 gate\(s\): AttestgateAwsExample\/Deployer\w+, Example\/Reader|2 gate\(s\)/);
  });

  test.each([
    [['conformance'], 'conformance needs at least one --app PATH'],
    [['conformance', '--app', 'x.json', '--target', 'gcp2'], '--target gcp2: use local, aws, gcp, azure'],
    [['conformance', '--app', 'x.json', '--var', 'novalue'], '--var novalue: write it as NAME=VALUE'],
    [['conformance', '--app', 'x.json', '--project-number', 'my-project'], '--project-number my-project: a project number is 6 to 20 digits'],
    [['conformance', '--app', 'x.json', '--project-number', '123456789', '--project-number', '987654321'], 'write PROJECT=NUMBER for each project'],
    [['conformance', '--app', 'x.json', '--client-id', '=abc'], '--client-id =abc: write it as GATE_OR_IDENTITY=CLIENT_ID'],
    [['conformance', '--app', 'x.json', '--issuer-jwks', 'https://oidc.example=/no/such/jwks.json'], '--issuer-jwks https://oidc.example=/no/such/jwks.json: ENOENT'],
    [['conformance', '--app', 'x.json', '--project-number', ''], '--project-number is empty'],
    [['conformance', '--app', 'x.json', '--project-number', '123'], '--project-number 123: a project number is 6 to 20 digits'],
    [['conformance', '--app', 'x.json', '--endpoint-gcp-sts', 'notaurl'], '--endpoint-gcp-sts notaurl: not an absolute URL'],
    [['conformance', '--app', 'x.json', '--authority-host', 'http://login.example.com'], '--authority-host http://login.example.com: use https (plain http only for 127.0.0.1 or localhost)'],
    [['emulator', '--app', 'x.json', '--port', '4000', '--gcp-port', '4000'], 'each emulator needs its own port'],
    [['emulator', '--app', 'x.json', '--gcp-port', ''], '--gcp-port : give a TCP port'],
    [['emulator', '--app', 'x.json', '--private-ca', 'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/x=/no/such.pem'], 'ENOENT'],
    [['emulator', '--app', 'x.json', '--private-ca', `arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/x=${brokenPem}`], `${brokenPem} holds a PEM block that is not an X.509 certificate (`],
    [['conformance', '--app', 'x.json', '--format', 'pdf'], '--format pdf: use table, json, junit, sarif, html'],
    [['conformance', '--app', 'x.json', '--rate', '0'], '--rate 0'],
    [['conformance', '--app', '/no/such.json'], '--app /no/such.json: no such file or directory'],
    [['emulator'], 'emulator needs at least one --app PATH'],
  ])('usage error %j exits 64', async (argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(64);
    expect(err).toContain(message);
  });

  test.concurrent('one run probes the AWS, GCP and Azure gates of a cloud assembly and a cdktf.out together', async () => {
    const issuer = writeIssuerKey();
    const cdktfOut = writeTerraformExamples(issuer.jwksFile);
    const pkiDir = tmp('attestgate-pki-');
    for (const file of fs.readdirSync(pki.dir)) fs.copyFileSync(path.join(pki.dir, file), path.join(pkiDir, file));
    fs.copyFileSync(path.join(issuer.pkiDir, 'issuer.key'), path.join(pkiDir, 'oidc-issuer.key'));
    const out = tmp('attestgate-report-');
    const { code, out: stdout, err } = await run(['conformance', '--app', templateFile(template), '--app', cdktfOut, '--pki', pkiDir, '--format', 'table,json', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toContain('93 results: 91 PASS, 0 FAIL, 0 INCONCLUSIVE, 2 SKIPPED');
    expect(err.replace(/\n +/g, ' ')).toContain('oidc-issuer.key matches no certificate in --pki; it is used as an OIDC issuer');
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.target).toBe('local');
    expect(report.gates.map((g: { cloud: string }) => g.cloud).sort()).toEqual(['aws', 'aws', 'azure', 'azure', 'azure', 'gcp']);
  });

  test('a target with no gate of its cloud probes nothing and exits 2, naming the gates it left', async () => {
    const { code, err } = await run(['conformance', '--app', templateFile(template), '--target', 'azure', '--format', 'json', '--out', tmp('attestgate-report-')]);
    expect(code).toBe(2);
    expect(err).toContain('--target azure probes azure gates only; not probed: Example/Deployer');
    expect(err).toContain('no azure gate found in');
  });

  test.concurrent('a gate whose positive control was skipped is unproven: exit 2, naming it, even when its denials passed', async () => {
    // The GCP example's JWKS key is not in --pki: the control cannot be signed.
    const cdktfOut = writeTerraformExamples(writeIssuerKey().jwksFile);
    const { code, out: stdout, err } = await run(['conformance', '--app', cdktfOut, '--format', 'json', '--out', tmp('attestgate-report-')]);
    // The whole output on a mismatch: which check decided the exit code.
    expect({ code, stdout: code === 2 ? '' : stdout }).toEqual({ code: 2, stdout: '' });
    expect(err).toMatch(/nothing proven about attestgate-gcp-example\/\S+: its positive control AGC-GCP-001 was SKIPPED: /);
    expect(err).not.toContain('nothing proven about attestgate-azure-example');
    expect(stdout).toContain('wrote');
  });

  test('NAME=VALUE options split at the first =: values may hold = (base64, URLs) or be empty', async () => {
    const { code, err } = await run(['conformance', '--app', templateFile(template), '--list', '--var', 'key=abc==', '--var', 'url=https://h/?a=b', '--var', 'empty=']);
    expect(err).toBe('');
    expect(code).toBe(0);
  });

  test('--pki that is not a directory is a usage error', async () => {
    const { code, err } = await run(['conformance', '--app', templateFile(template), '--pki', '/no/such/dir']);
    expect(code).toBe(64);
    expect(err).toContain('--pki /no/such/dir: not a directory');
  });

  /**
   * Waits until a process listens on a TCP socket — the run's emulator, started after the command
   * has taken over SIGINT and SIGTERM. Read from Linux's /proc: the process's socket inodes, and
   * the listening sockets (state 0A) of /proc/net/tcp and tcp6.
   */
  async function untilListening(pid: number): Promise<void> {
    for (let waited = 0; waited < 30_000; waited += 50) {
      try {
        const inodes = new Set(fs.readdirSync(`/proc/${pid}/fd`).flatMap((fd) => /^socket:\[(\d+)\]$/.exec(safeReadlink(`/proc/${pid}/fd/${fd}`))?.[1] ?? []));
        const listening = ['tcp', 'tcp6'].flatMap((t) => fs.readFileSync(`/proc/${pid}/net/${t}`, 'utf8').split('\n').slice(1)).map((l) => l.trim().split(/\s+/)).filter((f) => f[3] === '0A');
        if (listening.some((f) => inodes.has(f[9]))) return;
      } catch {
        // The process is starting or gone: the exit expectation below says which.
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`process ${pid} never listened`);
  }
  const safeReadlink = (link: string): string => {
    try {
      return fs.readlinkSync(link);
    } catch {
      return '';
    }
  };

  test.each([
    ['SIGINT', 'SIGTERM'],
    ['SIGTERM', 'SIGINT'],
  ] as const)('%s, then %s: the run stops within seconds, writes the report of every check (the rest INCONCLUSIVE "interrupted") and exits 2', async (first, second) => {
    const out = tmp('attestgate-report-');
    const bin = path.join(__dirname, '../../../bin/attestgate');
    const child = spawn(bin, ['conformance', '--app', templateFile(template), '--pki', pki.dir, '--format', 'json', '--out', out, '--rate', '2', '--concurrency', '1']);
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
    // Interrupted once the run has taken over SIGINT and SIGTERM and started its emulator (a fixed
    // wait lost the race on a loaded machine, and the signal killed the process before); two
    // requests a second keep the run going for ~20 s.
    await untilListening(child.pid!);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const interruptedAt = Date.now();
    child.kill(first);
    // A second signal, as an impatient user or a CI runner's timeout sends, does not lose the report.
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill(second);
    const { code, signal, at } = await exited;
    expect({ code, signal }).toEqual({ code: 2, signal: null });
    // Generous: a 2-core machine under load, and the reports to write.
    expect(at - interruptedAt).toBeLessThan(8_000);
    expect(stderr).toContain(`${first}: stopping; writing the report of what was judged`);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.interrupted).toBe(true);
    expect(report.results).toHaveLength(38);
    const interrupted = report.results.filter((r: { reason: string }) => r.reason.startsWith('interrupted'));
    expect(interrupted.length).toBeGreaterThan(0);
    expect(interrupted.every((r: { status: string }) => r.status === 'INCONCLUSIVE')).toBe(true);
  });
});
