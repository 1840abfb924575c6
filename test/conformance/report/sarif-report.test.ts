import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Log } from 'sarif';
import { CHECK_CATALOG } from '../../../conformance/catalog';
import { CheckMeta } from '../../../conformance/engine/check';
import { renderSarifReport, resourceOfGate } from '../../../conformance/report/sarif-report';
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

  test('the schema check these tests rely on refuses invalid SARIF (an unknown level, a URI with a space, a line 0) and a region without a line', () => {
    const log = (result: Record<string, unknown>) => JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'attestgate', rules: [] } }, results: [{ message: { text: 'm' }, ...result }] }] });
    expect(() => validSarif(log({ level: 'catastrophic' }))).toThrow(/not valid SARIF 2\.1\.0[\s\S]*\/runs\/0\/results\/0\/level/);
    expect(() => validSarif(log({ locations: [{ physicalLocation: { artifactLocation: { uri: 'DELETE http://x/y' } } }] }))).toThrow(/not valid SARIF 2\.1\.0[\s\S]*uri/);
    expect(() => validSarif(log({ locations: [{ physicalLocation: { artifactLocation: { uri: 'a.json' }, region: { startLine: 0 } } }] }))).toThrow(/not valid SARIF 2\.1\.0[\s\S]*startLine/);
    // Valid SARIF, but code scanning places an alert by its line.
    const rule = { id: 'R', shortDescription: { text: 't' }, fullDescription: { text: 'd' }, help: { text: 'h' }, helpUri: 'https://x.example/' };
    const byteRegion = { version: '2.1.0', runs: [{ tool: { driver: { name: 'attestgate', rules: [rule] } }, results: [{ ruleId: 'R', ruleIndex: 0, message: { text: 'm' }, partialFingerprints: { f: '1' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a.json' }, region: { charOffset: 3 } } }] }] }] };
    expect(() => validSarif(JSON.stringify(byteRegion))).toThrow('its region has no startLine');
  });

  describe('the line that declares the gate', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-sarif-report-'));
    /** A hand-written template: Deployer's key on line `4 + padding`, after an output that names it. */
    const writeTemplate = (name: string, padding = 0) => {
      const file = path.join(dir, name);
      const lines = ['{', '  "Outputs": { "Deployer": { "Value": { "Fn::GetAtt": ["Deployer", "Arn"] } } },', '  "Resources": {', ...Array.from({ length: padding }, (_, i) => `    "Pad${i}": {},`), '    "Deployer": { "Type": "AWS::IAM::Role" },', '    "Reader": { "Type": "AWS::IAM::Role" }', '  }', '}'];
      fs.writeFileSync(file, lines.join('\n'));
      return file;
    };
    const reportOver = (file: string) =>
      sampleReport({
        gates: [
          { id: 'Stack/Deployer', cloud: 'aws', source: file, privilege: 'high' },
          { id: 'Stack/Reader', cloud: 'aws', source: file, privilege: 'read-only' },
        ],
      });
    const regionsOf = (log: Log) => log.runs[0].results!.map((r) => r.locations![0].physicalLocation!.region);

    test('each result is at its gate’s logical ID in the template, columns counted as the run says', () => {
      const log = sarif(reportOver(writeTemplate('Stack.template.json')));
      expect(regionsOf(log)).toEqual([
        { startLine: 4, startColumn: 5 },
        { startLine: 4, startColumn: 5 },
        { startLine: 5, startColumn: 5 },
      ]);
      expect(log.runs[0].columnKind).toBe('utf16CodeUnits');
    });

    test('a line moved is the same alert: the fingerprints do not follow the region', () => {
      const before = sarif(reportOver(writeTemplate('Before.template.json')));
      const after = sarif(reportOver(writeTemplate('After.template.json', 3)));
      expect(regionsOf(after).map((r) => r!.startLine)).toEqual([7, 7, 8]);
      expect(fingerprintsOf(after)).toEqual(fingerprintsOf(before));
    });

    test('no region when the template is gone or does not declare the gate', () => {
      const file = writeTemplate('Gone.template.json');
      fs.rmSync(file);
      expect(regionsOf(sarif(reportOver(file)))).toEqual([undefined, undefined, undefined]);
      const other = path.join(dir, 'Other.template.json');
      fs.writeFileSync(other, JSON.stringify({ Resources: { Somebody: { Type: 'AWS::IAM::Role' } } }));
      expect(regionsOf(sarif(reportOver(other)))).toEqual([undefined, undefined, undefined]);
    });
  });

  test('a gate’s resource is what follows its stack, whose display name may hold a slash', () => {
    expect(resourceOfGate('Stack/Deployer')).toBe('Deployer');
    expect(resourceOfGate('Stage/Stack/Deployer')).toBe('Deployer');
    expect(resourceOfGate('gcp/google_iam_workload_identity_pool_provider.spire')).toBe('google_iam_workload_identity_pool_provider.spire');
  });

  test('a run with nothing failed has no results', () => {
    const report = sampleReport({ results: [checkResult('Stack/Deployer', 'AGC-AWS-001', 'PASS', 'ok'), checkResult('Stack/Deployer', 'AGC-AWS-006', 'SKIPPED', 'no CRL')] });
    expect(sarif(report).runs[0].results).toEqual([]);
  });
});
