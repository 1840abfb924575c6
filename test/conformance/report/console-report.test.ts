import { renderConsoleReport } from '../../../conformance/report/console-report';
import { renderJsonReport } from '../../../conformance/report/json-report';
import { ConformanceReport } from '../../../conformance/engine/report';
import { checkResult, sampleReport } from '../../fixtures/reports';

const plain = (columns = 100, verbose = false) => ({ columns, color: false, verbose });
const widest = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));

/** A passing run over two clouds, with names and reasons longer than any terminal. */
function passingReport(): ConformanceReport {
  const longGate = 'attestgate-gcp-example/google_iam_workload_identity_pool_provider.DeployerGate_Provider_C99438C3';
  const longReason = `denied with 400 invalid_grant: ${'the subject spiffe://prod.example/agent/x '.repeat(6)}https://sts.googleapis.com/v1/token?${'a'.repeat(150)}`;
  const results = [
    checkResult('Stack/Deployer', 'AGC-AWS-001', 'PASS', 'the positive control got credentials'),
    checkResult('Stack/Deployer', 'AGC-AWS-002', 'PASS', 'a rogue CA was refused'),
    { ...checkResult(longGate, 'AGC-GCP-001', 'PASS', 'the positive control got a token'), cloud: 'gcp' as const, tags: ['kind:positive'] },
    { ...checkResult(longGate, 'AGC-GCP-002', 'PASS', longReason), cloud: 'gcp' as const },
    { ...checkResult(longGate, 'AGC-GCP-010', 'SKIPPED', longReason), cloud: 'gcp' as const },
  ];
  return sampleReport({
    results: results.map((r) => (r.checkId.endsWith('-001') ? { ...r, tags: ['kind:positive'] } : r)),
    gates: [
      { id: 'Stack/Deployer', cloud: 'aws', source: 'cdk.out/Stack.template.json', privilege: 'high', paths: [{ id: 'ra', attested: true, description: 'Roles Anywhere: anchor A × profile P' }] },
      { id: longGate, cloud: 'gcp', source: 'cdktf.out/stacks/x/cdk.tf.json', privilege: 'high', paths: [{ id: 'wif', attested: true, description: 'the gate’s federation' }, { id: 'sa', attested: true, description: longReason }] },
    ],
    advisories: [{ id: 'ADV-AWS-001', gate: 'Stack/Deployer', title: 'CloudTrail records CreateSession', present: true, detail: 'trail found' }],
  });
}

describe('renderConsoleReport: summary first', () => {
  test('a passing run: per cloud its gates, paths, checks and statuses, then the one-line verdict', () => {
    const lines = renderConsoleReport(passingReport(), plain()).split('\n');
    expect(lines.slice(0, 7)).toEqual([
      'Summary (target local):',
      '  aws  1 gate, 1 issuance path, 2 checks: 2 PASS, 0 FAIL, 0 INCONCLUSIVE, 0 SKIPPED',
      '  gcp  1 gate, 2 issuance paths, 3 checks: 2 PASS, 0 FAIL, 0 INCONCLUSIVE, 1 SKIPPED',
      '  5 results: 4 PASS, 0 FAIL, 0 INCONCLUSIVE, 1 SKIPPED',
      '  3 issuance paths over 2 gates: 3 attested, 0 not attested',
      'Verdict: every path of every high-privilege gate refused unattested issuance',
      '',
    ]);
  });

  test('a failing run: the verdict lists each open gate with its FAILs, unattested paths and INCONCLUSIVEs', () => {
    const base = sampleReport();
    const report = { ...base, gates: [{ ...base.gates[0], paths: [{ id: 'p', attested: false, description: 'AWS role/ci via sts:AssumeRole' }] }, base.gates[1]] };
    const text = renderConsoleReport(report, plain());
    const verdictAt = text.split('\n').indexOf('Verdict: OPEN — unattested issuance got through at 2 gates:');
    expect(verdictAt).toBeGreaterThan(0);
    expect(text.split('\n').slice(verdictAt + 1, verdictAt + 5)).toEqual([
      '  Stack/Deployer',
      '      FAIL AGC-AWS-002; 1 unattested path; INCONCLUSIVE AGC-AWS-003',
      '  Stack/Reader',
      '      FAIL AGC-AWS-018',
    ]);
    // The summary comes before any detail.
    expect(verdictAt).toBeLessThan(text.indexOf('AGC-AWS-002 title'));
  });

  test('no FAIL but something unproven: the verdict says UNPROVEN and why', () => {
    const results = [checkResult('Stack/Deployer', 'AGC-AWS-001', 'INCONCLUSIVE', '429 Rate exceeded')];
    const text = renderConsoleReport(sampleReport({ results, gates: [sampleReport().gates[0]], advisories: [] }), plain());
    expect(text).toContain('Verdict: UNPROVEN — nothing refused unattested issuance for certain at 1 gate:\n  Stack/Deployer\n      INCONCLUSIVE AGC-AWS-001');
  });

  test('interrupted, and results left unproven on purpose, are said in the summary', () => {
    const text = renderConsoleReport(sampleReport({ interrupted: true, unprovenSubset: { reason: 'controls run in the PKI team pipeline', results: 3 } }), plain());
    const summary = text.slice(0, text.indexOf('Verdict'));
    expect(summary).toContain('Summary (target local, INTERRUPTED):');
    expect(summary).toContain('  6 results: 2 PASS, 2 FAIL, 1 INCONCLUSIVE, 1 SKIPPED (interrupted)');
    expect(summary).toContain('  3 INCONCLUSIVE acknowledged (--allow-unproven): controls run in the PKI team pipeline');
  });
});

describe('renderConsoleReport: per-gate blocks after the summary', () => {
  test('by default a block shows what needs attention; --verbose every result, path and signal', () => {
    const report = passingReport();
    const brief = renderConsoleReport(report, plain());
    expect(brief).not.toContain('AGC-AWS-002');
    expect(brief).toMatch(/ {2}SKIPPED +AGC-GCP-010\n {4}AGC-GCP-010 title\n {6}denied with 400 invalid_grant/);
    expect(brief).not.toContain('CloudTrail records CreateSession');
    expect(brief.split('\n').pop()).toBe('Passing results and every detail: --verbose, or the JSON report.');
    const verbose = renderConsoleReport(report, plain(100, true));
    expect(verbose).toMatch(/ {2}PASS +AGC-AWS-002\n {4}AGC-AWS-002 title\n {6}a rogue CA was refused/);
    expect(verbose).toContain('    attested: Roles Anywhere: anchor A × profile P');
    expect(verbose).toContain('    yes CloudTrail records CreateSession\n        trail found');
    expect(verbose).not.toContain('--verbose');
  });

  test('what needs attention is never hidden: a missing signal, an unattested path, drift', () => {
    const base = sampleReport();
    const drift = 'trust policy statement 0: x509Subject/CN admits values besides the declared "deployer", e.g. "deployx"';
    const paths = [{ id: 'principal', attested: false, description: 'AWS arn:aws:iam::1:role/ci via sts:AssumeRole', acknowledged: 'break-glass, SEC-123' }];
    const text = renderConsoleReport({ ...base, gates: [{ ...base.gates[0], drift: [drift], paths }, base.gates[1]] }, plain());
    expect(text).toContain('    NO  CloudTrail records CreateSession\n        no trail in the template');
    expect(text).toContain('    NOT attested (acknowledged: break-glass, SEC-123): AWS arn:aws:iam::1:role/ci via sts:AssumeRole');
    expect(text).toContain(`    ${drift.slice(0, 60)}`);
    expect(text).toContain('1 issuance path over 1 gate: 0 attested, 1 not attested (1 acknowledged)');
  });

  test('a reason is wrapped, never cut: every word of it is in the block', () => {
    const reason = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const text = renderConsoleReport(sampleReport({ results: [checkResult('Stack/Deployer', 'AGC-AWS-001', 'FAIL', reason)], advisories: [] }), plain(60));
    const reasonLines = text.split('\n').filter((line) => line.startsWith('      word'));
    expect(reasonLines.length).toBeGreaterThan(3);
    expect(reasonLines.map((line) => line.trim()).join(' ')).toBe(reason);
  });
});

describe('renderConsoleReport: fits the terminal', () => {
  test.each([60, 100, 200])('%i columns: no line wider, verbose or not, passing or failing', (columns) => {
    for (const report of [passingReport(), sampleReport()]) {
      expect(widest(renderConsoleReport(report, plain(columns)))).toBeLessThanOrEqual(columns);
      expect(widest(renderConsoleReport(report, plain(columns, true)))).toBeLessThanOrEqual(columns);
    }
  });

  test('a long gate name is shortened in the middle, both ends kept; the JSON report keeps it whole', () => {
    const report = passingReport();
    const name = report.gates[1].id;
    const text = renderConsoleReport(report, plain(60));
    const heading = text.split('\n').find((line) => line.endsWith('(gcp, high)'))!;
    expect(heading).toMatch(/^attestgate-gcp-exam.*….*Provider_C99438C3 \(gcp, high\)$/);
    expect(text).not.toContain(name);
    expect(renderConsoleReport(report, plain(200))).toContain(`${name} (gcp, high)`);
    expect(JSON.parse(renderJsonReport(report)).gates[1].id).toBe(name);
  });

  test('colour: statuses in ANSI colour only when asked; never otherwise', () => {
    const report = sampleReport();
    expect(renderConsoleReport(report, plain())).not.toContain('\x1b[');
    const coloured = renderConsoleReport(report, { columns: 100, color: true });
    expect(coloured).toContain('\x1b[31;1mFAIL        \x1b[0m AGC-AWS-002');
  });
});
