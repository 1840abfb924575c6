import type { Log, ReportingDescriptor, Result } from 'sarif';
import { CheckMeta } from '../engine/check';
import { ConformanceReport } from '../engine/report';

const LEVEL: Record<CheckMeta['severity'], Result.level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };

/**
 * SARIF 2.1.0 for code-scanning dashboards: one rule per check, one result per FAIL or
 * INCONCLUSIVE (a PASS or SKIPPED is not a finding), located at the template that declares the gate.
 * Written from the @types/sarif definitions: node-sarif-builder needs Node 22.
 */
export function renderSarifReport(report: ConformanceReport, catalog: readonly CheckMeta[], toolVersion: string): string {
  const rules: ReportingDescriptor[] = catalog.map((meta) => ({
    id: meta.id,
    name: meta.id.replace(/-/g, ''),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.statement },
    help: { text: `${meta.threat} Fix: ${meta.remediation}` },
    properties: { tags: [...meta.tags], severity: meta.severity },
  }));
  const sourceOf = new Map(report.gates.map((g) => [g.id, g.source]));
  const results: Result[] = report.results
    .filter((r) => r.status === 'FAIL' || r.status === 'INCONCLUSIVE')
    .map((r) => ({
      ruleId: r.checkId,
      ruleIndex: catalog.findIndex((m) => m.id === r.checkId),
      level: r.status === 'FAIL' ? LEVEL[r.severity] : 'warning',
      kind: r.status === 'FAIL' ? 'fail' : 'review',
      message: { text: `${r.gate}: ${r.status}: ${r.reason}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: sourceOf.get(r.gate) ?? r.gate } }, logicalLocations: [{ fullyQualifiedName: r.gate }] }],
    }));
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'attestgate', version: toolVersion, informationUri: 'https://www.npmjs.com/package/attestgate', rules } }, results }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
