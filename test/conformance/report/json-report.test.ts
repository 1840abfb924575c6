import { renderJsonReport } from '../../../conformance/report/json-report';
import { sampleReport } from '../../fixtures/reports';

describe('renderJsonReport', () => {
  test('is the report itself, two-space indented, ending in a newline', () => {
    const report = sampleReport();
    const text = renderJsonReport(report);
    expect(JSON.parse(text)).toEqual(report);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n').slice(0, 3)).toEqual(['{', '  "schema": "attestgate/conformance-report/v1",', '  "tool": {']);
  });

  test('keeps characters a reason may hold, and evidence, intact', () => {
    const report = sampleReport();
    const withEvidence = { ...report, results: [{ ...report.results[1], evidence: { received: '201: {"credentialSet":[…]}', expected: '403 AccessDeniedException' } }] };
    expect(JSON.parse(renderJsonReport(withEvidence)).results[0]).toEqual(withEvidence.results[0]);
  });
});
