import type { Result } from 'sarif';
import { CheckMeta } from '../engine/check';
import { ConformanceReport } from '../engine/report';
import { ResourceRegions, levelOf, partialFingerprints, renderSarifLog, sarifLocation, sarifRule } from './sarif';

/**
 * SARIF 2.1.0 for code-scanning dashboards: one rule per check, one result per FAIL or
 * INCONCLUSIVE (a PASS or SKIPPED is not a finding), located at the template or `*.tf.json` that
 * declares the gate — at the line of its role's logical ID or its Terraform resource — with the
 * gate's construct path or Terraform address as the logical location (sarif.ts says what GitHub
 * needs of each).
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
  const regions = new ResourceRegions();
  const results: Result[] = report.results
    .filter((r) => r.status === 'FAIL' || r.status === 'INCONCLUSIVE')
    .map((r) => {
      const source = sourceOf.get(r.gate);
      return {
        ruleId: r.checkId,
        ruleIndex: catalog.findIndex((m) => m.id === r.checkId),
        level: r.status === 'FAIL' ? levelOf(r.severity) : 'warning',
        kind: r.status === 'FAIL' ? 'fail' : 'review',
        message: { text: `${r.gate}: ${r.status}: ${r.reason}` },
        // A gate the report does not list (an area's endpoint) is located by its ID alone.
        locations: [source === undefined ? sarifLocation(r.gate, r.gate) : sarifLocation(source, r.gate, regions.regionOf(source, resourceOfGate(r.gate)))],
        partialFingerprints: partialFingerprints(r.checkId, r.gate),
      };
    });
  return renderSarifLog(toolVersion, rules, results);
}

/**
 * The resource a gate is in its file: a gate's ID is `<stack>/<logical ID>` or `<stack>/<address>`
 * (conformance/<cloud>/discover-gates.ts). A stack's display name may hold a slash; a logical ID
 * never does, nor a configuration's address (an instance key of a plan may: its resource is not a
 * key of any file, and gets no region either way).
 */
export function resourceOfGate(gateId: string): string {
  return gateId.slice(gateId.lastIndexOf('/') + 1);
}
