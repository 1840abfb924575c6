import type { Log } from 'sarif';
import { CHECK_CATALOG } from '../../../conformance/catalog';
import { renderSarifReport } from '../../../conformance/report/sarif-report';
import { checkMeta, checkResult, sampleReport } from '../../fixtures/reports';

const CATALOG = [checkMeta('AGC-AWS-001', [], 'critical'), checkMeta('AGC-AWS-002', ['threat:rogue-ca'], 'critical'), checkMeta('AGC-AWS-003'), checkMeta('AGC-AWS-006'), checkMeta('AGC-AWS-018', [], 'medium')];
const sarif = (report = sampleReport(), catalog = CATALOG) => JSON.parse(renderSarifReport(report, catalog, '9.9.9')) as Log;

describe('renderSarifReport', () => {
  test('is SARIF 2.1.0 from attestgate at the given version', () => {
    const log = sarif();
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0].tool.driver).toMatchObject({ name: 'attestgate', version: '9.9.9' });
  });

  test('one rule per check of the catalog, described from its metadata', () => {
    const rules = sarif().runs[0].tool.driver.rules!;
    expect(rules.map((r) => r.id)).toEqual(CATALOG.map((m) => m.id));
    expect(rules[1]).toEqual({
      id: 'AGC-AWS-002',
      name: 'AGCAWS002',
      shortDescription: { text: 'AGC-AWS-002 title' },
      fullDescription: { text: 'Verify that AGC-AWS-002 holds.' },
      help: { text: 'The threat AGC-AWS-002 covers. Fix: What to change when AGC-AWS-002 fails.' },
      properties: { tags: ['cloud:aws', 'kind:negative', 'threat:rogue-ca'], severity: 'critical' },
    });
    const real = JSON.parse(renderSarifReport(sampleReport(), CHECK_CATALOG, '0.1.0')) as Log;
    expect(real.runs[0].tool.driver.rules!.map((r) => r.id)).toEqual(CHECK_CATALOG.map((m) => m.id));
  });

  test('results only for FAIL and INCONCLUSIVE, located at the template that declares the gate', () => {
    const results = sarif().runs[0].results!;
    expect(results.map((r) => [r.ruleId, r.ruleIndex, r.kind, r.level, r.message.text])).toEqual([
      ['AGC-AWS-002', 1, 'fail', 'error', 'Stack/Deployer: FAIL: a rogue CA <same DN> & "friends" got credentials'],
      ['AGC-AWS-003', 2, 'review', 'warning', "Stack/Deployer: INCONCLUSIVE: no verdict after retries (429 ThrottlingException: Rate exceeded) — it's <unclear>"],
      ['AGC-AWS-018', 4, 'fail', 'warning', 'Stack/Reader: FAIL: sessions last 12 hours'],
    ]);
    expect(results[0].locations).toEqual([{ physicalLocation: { artifactLocation: { uri: 'cdk.out/Stack.template.json' } }, logicalLocations: [{ fullyQualifiedName: 'Stack/Deployer' }] }]);
  });

  test('a FAIL is as loud as its severity: critical and high errors, medium warnings, low notes; INCONCLUSIVE always a warning', () => {
    const severities = ['critical', 'high', 'medium', 'low'] as const;
    const report = sampleReport({
      results: [
        ...severities.map((s, i) => checkResult('Stack/Deployer', `AGC-AWS-00${i + 1}`, 'FAIL', s, s)),
        checkResult('Stack/Reader', 'AGC-AWS-001', 'INCONCLUSIVE', 'throttled', 'critical'),
      ],
    });
    expect(sarif(report).runs[0].results!.map((r) => r.level)).toEqual(['error', 'error', 'warning', 'note', 'warning']);
  });

  test('a gate missing from the gate list is located by its ID', () => {
    const report = sampleReport({ results: [checkResult('Other/Role', 'AGC-AWS-002', 'FAIL', 'issued')] });
    expect(sarif(report).runs[0].results![0].locations![0].physicalLocation!.artifactLocation!.uri).toBe('Other/Role');
  });

  test('a run with nothing failed has no results', () => {
    const report = sampleReport({ results: [checkResult('Stack/Deployer', 'AGC-AWS-001', 'PASS', 'ok'), checkResult('Stack/Deployer', 'AGC-AWS-006', 'SKIPPED', 'no CRL')] });
    expect(sarif(report).runs[0].results).toEqual([]);
  });
});
