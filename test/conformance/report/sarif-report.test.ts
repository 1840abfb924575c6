import type { Log } from 'sarif';
import { CHECK_CATALOG } from '../../../conformance/catalog';
import { CheckMeta } from '../../../conformance/engine/check';
import { renderSarifReport } from '../../../conformance/report/sarif-report';
import { checkMeta, checkResult, sampleReport } from '../../fixtures/reports';
import { validSarif } from '../../fixtures/sarif-schema';

const CATALOG = [checkMeta('AGC-AWS-001', [], 'critical'), checkMeta('AGC-AWS-002', ['threat:rogue-ca'], 'critical'), checkMeta('AGC-AWS-003'), checkMeta('AGC-AWS-006'), checkMeta('AGC-AWS-018', [], 'medium')];
/** The report as SARIF, valid against the official schema and GitHub's needs (validSarif throws otherwise). */
const sarif = (report = sampleReport(), catalog: readonly CheckMeta[] = CATALOG): Log => validSarif(renderSarifReport(report, catalog, '9.9.9'));
const fingerprintsOf = (log: Log) => log.runs[0].results!.map((r) => r.partialFingerprints);

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
      help: {
        text: 'Threat: The threat AGC-AWS-002 covers.\n\nFix: What to change when AGC-AWS-002 fails.\n\nSee docs/conformance.md (Checks) in the attestgate package.',
        markdown: '**Threat.** The threat AGC-AWS-002 covers.\n\n**Fix.** What to change when AGC-AWS-002 fails.\n\nSee docs/conformance.md (Checks) in the attestgate package.',
      },
      helpUri: 'https://www.npmjs.com/package/attestgate/v/9.9.9',
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['security', 'cloud:aws', 'kind:negative', 'threat:rogue-ca'], severity: 'critical', 'security-severity': '9.5' },
    });
    const real = sarif(sampleReport(), CHECK_CATALOG);
    expect(real.runs[0].tool.driver.rules!.map((r) => r.id)).toEqual(CHECK_CATALOG.map((m) => m.id));
  });

  test('results only for FAIL and INCONCLUSIVE, located at the template that declares the gate', () => {
    const results = sarif().runs[0].results!;
    expect(results.map((r) => [r.ruleId, r.ruleIndex, r.kind, r.level, r.message.text])).toEqual([
      ['AGC-AWS-002', 1, 'fail', 'error', 'Stack/Deployer: FAIL: a rogue CA <same DN> & "friends" got credentials'],
      ['AGC-AWS-003', 2, 'review', 'warning', "Stack/Deployer: INCONCLUSIVE: no verdict after retries (429 ThrottlingException: Rate exceeded) — it's <unclear>"],
      ['AGC-AWS-018', 4, 'fail', 'warning', 'Stack/Reader: FAIL: sessions last 12 hours'],
    ]);
    expect(results[0].locations).toEqual([{ physicalLocation: { artifactLocation: { uri: 'cdk.out/Stack.template.json' } }, logicalLocations: [{ fullyQualifiedName: 'Stack/Deployer', kind: 'resource' }] }]);
  });

  test('a result keeps its fingerprints from run to run, whatever its message; another gate or check is another alert', () => {
    const first = sarif();
    const later = sarif(sampleReport({ results: sampleReport().results.map((r) => ({ ...r, reason: `${r.reason} (request 42, 1.7 s)`, durationMs: 1700 })) }));
    expect(fingerprintsOf(later)).toEqual(fingerprintsOf(first));
    const [deployer, , reader] = fingerprintsOf(first);
    const renamed = sarif(sampleReport({ results: [checkResult('Stack/Deployer2', 'AGC-AWS-002', 'FAIL', 'a rogue CA <same DN> & "friends" got credentials', 'critical')] }));
    expect(fingerprintsOf(renamed)[0]).not.toEqual(deployer);
    expect(new Set([deployer, fingerprintsOf(first)[1], reader].map((f) => JSON.stringify(f))).size).toBe(3);
  });

  test('a step-up endpoint is located at its URL and a SPIFFE registration at its ID, both valid URIs', () => {
    const report = sampleReport({
      gates: [
        { id: 'DELETE /stacks', cloud: 'step-up', source: 'DELETE http://127.0.0.1:8080/stacks/canary', privilege: 'high' },
        { id: 'deployer', cloud: 'spiffe', source: 'spiffe://prod.example/agent/deployer', privilege: 'high' },
      ],
      results: [checkResult('DELETE /stacks', 'AGC-AWS-002', 'FAIL', 'no challenge'), checkResult('deployer', 'AGC-AWS-003', 'FAIL', 'unregistered got an SVID')],
    });
    expect(sarif(report).runs[0].results!.map((r) => r.locations![0].physicalLocation!.artifactLocation!.uri)).toEqual(['http://127.0.0.1:8080/stacks/canary', 'spiffe://prod.example/agent/deployer']);
  });

  test('a FAIL is as loud as its severity: critical and high errors, medium warnings, low notes; INCONCLUSIVE always a warning', () => {
    const severities = ['critical', 'high', 'medium', 'low'] as const;
    const report = sampleReport({
      results: [
        ...severities.map((s, i) => checkResult('Stack/Deployer', `AGC-AWS-00${i + 1}`, 'FAIL', s, s)),
        checkResult('Stack/Reader', 'AGC-AWS-001', 'INCONCLUSIVE', 'throttled', 'critical'),
      ],
    });
    const catalog = severities.map((s, i) => checkMeta(`AGC-AWS-00${i + 1}`, [], s));
    expect(sarif(report, catalog).runs[0].results!.map((r) => r.level)).toEqual(['error', 'error', 'warning', 'note', 'warning']);
  });

  test('a gate missing from the gate list is located by its ID', () => {
    const report = sampleReport({ results: [checkResult('Other/Role', 'AGC-AWS-002', 'FAIL', 'issued')] });
    expect(sarif(report).runs[0].results![0].locations![0].physicalLocation!.artifactLocation!.uri).toBe('Other/Role');
  });

  test('the schema check these tests rely on refuses invalid SARIF: an unknown level, a URI with a space', () => {
    const log = (result: Record<string, unknown>) => JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'attestgate', rules: [] } }, results: [{ message: { text: 'm' }, ...result }] }] });
    expect(() => validSarif(log({ level: 'catastrophic' }))).toThrow(/not valid SARIF 2\.1\.0[\s\S]*\/runs\/0\/results\/0\/level/);
    expect(() => validSarif(log({ locations: [{ physicalLocation: { artifactLocation: { uri: 'DELETE http://x/y' } } }] }))).toThrow(/not valid SARIF 2\.1\.0[\s\S]*uri/);
  });

  test('a run with nothing failed has no results', () => {
    const report = sampleReport({ results: [checkResult('Stack/Deployer', 'AGC-AWS-001', 'PASS', 'ok'), checkResult('Stack/Deployer', 'AGC-AWS-006', 'SKIPPED', 'no CRL')] });
    expect(sarif(report).runs[0].results).toEqual([]);
  });
});
