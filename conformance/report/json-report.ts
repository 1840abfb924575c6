import { ConformanceReport } from '../engine/report';

/** The JSON report: the report object itself, stable keys, two-space indentation. */
export function renderJsonReport(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
