import type { Result } from 'sarif';
import { CheckMeta } from '../engine/check';
import { ConformanceReport } from '../engine/report';
import { levelOf, partialFingerprints, renderSarifLog, sarifLocation, sarifRule } from './sarif';

/**
 * SARIF 2.1.0 for code-scanning dashboards: one rule per check, one result per FAIL or
 * INCONCLUSIVE (a PASS or SKIPPED is not a finding), located at the template or `*.tf.json` that
 * declares the gate, with the gate's construct path or Terraform address as the logical location
 * (sarif.ts says what GitHub needs of each).
 * Written from the @types/sarif definitions: node-sarif-builder needs Node 22.
 */
export function renderSarifReport(report: ConformanceReport, catalog: readonly CheckMeta[], toolVersion: string): string {
  const rules = catalog.map((meta) =>
    sarifRule({
      id: meta.id,
      title: meta.title,
      description: meta.statement,
      help: [
        ['Threat', meta.threat],
        ['Fix', meta.remediation],
      ],
      docs: 'docs/conformance.md (Checks)',
      severity: meta.severity,
      tags: meta.tags,
      version: toolVersion,
    }),
  );
  const sourceOf = new Map(report.gates.map((g) => [g.id, g.source]));
  const results: Result[] = report.results
    .filter((r) => r.status === 'FAIL' || r.status === 'INCONCLUSIVE')
    .map((r) => ({
      ruleId: r.checkId,
      ruleIndex: catalog.findIndex((m) => m.id === r.checkId),
      level: r.status === 'FAIL' ? levelOf(r.severity) : 'warning',
      kind: r.status === 'FAIL' ? 'fail' : 'review',
      message: { text: `${r.gate}: ${r.status}: ${r.reason}` },
      locations: [sarifLocation(sourceOf.get(r.gate) ?? r.gate, r.gate)],
      partialFingerprints: partialFingerprints(r.checkId, r.gate),
    }));
  return renderSarifLog(toolVersion, rules, results);
}
