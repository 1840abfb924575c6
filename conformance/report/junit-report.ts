import junit from 'junit-report-builder';
import { groupByGate } from '../engine/by-gate';
import { ConformanceReport, endpointOf } from '../engine/report';

/**
 * JUnit XML: one test suite per gate, one test case per check. FAIL is a failure, INCONCLUSIVE an
 * error (CI systems show both as red, but apart), SKIPPED skipped; each with its reason — a
 * failure's and an error's as their message, a skip's and a pass's as the case's output (the
 * builder writes <skipped/> without a message). A case of a gate declared in a file names it
 * (`file`), as GitLab shows it.
 */
export function renderJunitReport(report: ConformanceReport): string {
  const builder = junit.newBuilder().name(`attestgate conformance (${report.target})`);
  const resultsOf = groupByGate(report.results);
  for (const gate of report.gates) {
    const suite = builder.testSuite().name(gate.id);
    const file = endpointOf(gate.source) === undefined ? gate.source : undefined;
    for (const result of resultsOf.get(gate.id) ?? []) {
      const testCase = suite.testCase().className(`attestgate.${result.cloud}.${gate.id}`).name(`${result.checkId} ${result.title}`).time(result.durationMs / 1000);
      if (file) testCase.file(file);
      if (result.status === 'FAIL') testCase.failure(result.reason, 'FAIL');
      else if (result.status === 'INCONCLUSIVE') testCase.error(result.reason, 'INCONCLUSIVE');
      else if (result.status === 'SKIPPED') testCase.skipped().standardOutput(result.reason);
      else testCase.standardOutput(result.reason);
    }
  }
  return builder.build();
}
