import { renderConsoleReport } from '../../../conformance/report/console-report';
import { checkResult, sampleReport } from '../../fixtures/reports';

describe('renderConsoleReport', () => {
  test('one row per check and gate, then the advisories, then the summary', () => {
    const text = renderConsoleReport(sampleReport());
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^\| Gate +\| Check +\| Title +\| Status +\| Reason +\|$/);
    expect(text).toMatch(/\| Stack\/Deployer \| AGC-AWS-002 \| AGC-AWS-002 title \| FAIL +\| a rogue CA <same DN> & "friends" got credentials +\|/);
    expect(text).toMatch(/\| Stack\/Reader +\| AGC-AWS-018 \| AGC-AWS-018 title \| FAIL +\| sessions last 12 hours +\|/);
    expect(text.indexOf('Advisories (detection signals; not part of the verdict):')).toBeGreaterThan(text.indexOf('AGC-AWS-018'));
    expect(text).toMatch(/\| Stack\/Deployer \| CloudTrail records CreateSession \| NO +\| no trail in the template \|/);
    expect(lines[lines.length - 1]).toBe('6 results: 2 PASS, 2 FAIL, 1 INCONCLUSIVE, 1 SKIPPED');
  });

  test('results left unproven on purpose are named under the summary, with the reason', () => {
    const text = renderConsoleReport(sampleReport({ unprovenSubset: { reason: 'controls run in the PKI team pipeline', results: 3 } }));
    expect(text.split('\n').slice(-1)[0]).toBe('3 INCONCLUSIVE acknowledged (--allow-unproven): controls run in the PKI team pipeline');
    expect(renderConsoleReport(sampleReport())).not.toContain('acknowledged');
  });

  test('no advisory section without advisories; a present signal reads yes; an interrupted run says so', () => {
    expect(renderConsoleReport(sampleReport({ advisories: [] }))).not.toContain('Advisories');
    const present = sampleReport({ advisories: [{ id: 'ADV-AWS-001', gate: 'Stack/Deployer', title: 'CloudTrail', present: true, detail: 'trail found' }] });
    expect(renderConsoleReport(present)).toMatch(/\| CloudTrail \| yes +\| trail found \|/);
    expect(renderConsoleReport(sampleReport({ interrupted: true })).split('\n').pop()).toBe('6 results: 2 PASS, 2 FAIL, 1 INCONCLUSIVE, 1 SKIPPED (interrupted)');
  });

  test('a gate whose resources drifted from its manifest is named with each drift, before the summary; no section when none drifted', () => {
    const drift = 'trust policy statement 0: x509Subject/CN admits values besides the declared "deployer", e.g. "deployx"';
    const base = sampleReport();
    const text = renderConsoleReport({ ...base, gates: [{ ...base.gates[0], drift: [drift] }, ...base.gates.slice(1).map((g) => ({ ...g, drift: [] }))] });
    expect(text).toContain('Drift (the resources no longer match the identity the gate manifest declares; the checks probe what is deployed):');
    expect(text).toMatch(new RegExp(`\\| ${base.gates[0].id} +\\| trust policy statement 0: x509Subject/CN admits values besides the declared "deployer",`));
    expect(text.indexOf('Drift (')).toBeLessThan(text.indexOf('6 results'));
    expect(renderConsoleReport(base)).not.toContain('Drift (');
  });

  test('the issuance paths of every gate are listed and counted under the results: attested, not, acknowledged', () => {
    const base = sampleReport();
    const paths = [
      { id: 'rolesanywhere:A/P', attested: true, description: 'Roles Anywhere: anchor A × profile P' },
      { id: 'principal:AWS:arn:aws:iam::1:role/ci', attested: false, description: 'AWS arn:aws:iam::1:role/ci via sts:AssumeRole', acknowledged: 'break-glass, SEC-123' },
      { id: 'unknown:statement-2', attested: undefined, description: 'unknown: statement 2 names a parameter' },
    ];
    const text = renderConsoleReport({ ...base, gates: [{ ...base.gates[0], paths }, base.gates[1]] });
    expect(text).toMatch(/\| Stack\/Deployer \| AWS arn:aws:iam::1:role\/ci via sts:AssumeRole +\| NO \(acknowledged: break-glass, SEC-123\) \|/);
    expect(text).toContain('3 issuance paths over 1 gate: 1 attested, 1 not attested (1 acknowledged), 1 not known before apply');
  });

  test('long reasons wrap at word boundaries within 70 characters', () => {
    const reason = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const text = renderConsoleReport(sampleReport({ results: [checkResult('Stack/Deployer', 'AGC-AWS-001', 'INCONCLUSIVE', reason)], advisories: [] }));
    const cells = text
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .slice(1)
      .map((line) => line.split('|')[5].trim());
    expect(cells.every((cell) => cell.length <= 70)).toBe(true);
    expect(cells.length).toBeGreaterThan(1);
    expect(cells.join(' ')).toBe(reason);
  });
});
