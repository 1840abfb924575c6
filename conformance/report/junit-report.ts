import junit from 'junit-report-builder';
import { ConformanceReport } from '../engine/report';

/**
 * JUnit XML: one test suite per gate, one test case per check. FAIL is a failure, INCONCLUSIVE an
 * error (CI systems show both as red, but apart), SKIPPED skipped.
 */
export function renderJunitReport(report: ConformanceReport): string {
  const builder = junit.newBuilder().name(`attestgate conformance (${report.target})`);
  for (const gate of report.gates) {
    const suite = builder.testSuite().name(gate.id);
    for (const result of report.results.filter((r) => r.gate === gate.id)) {
      const testCase = suite.testCase().className(`attestgate.${result.cloud}.${gate.id}`).name(`${result.checkId} ${result.title}`).time(result.durationMs / 1000);
      if (result.status === 'FAIL') testCase.failure(result.reason, 'FAIL');
      else if (result.status === 'INCONCLUSIVE') testCase.error(result.reason, 'INCONCLUSIVE');
      else if (result.status === 'SKIPPED') testCase.skipped().standardOutput(result.reason);
      else testCase.standardOutput(result.reason);
    }
  }
  return builder.build();
}
