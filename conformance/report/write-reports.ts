import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_VERSION } from '../../lib/packs/private/version';
import { CHECK_CATALOG } from '../catalog';
import { ConformanceReport } from '../engine/report';
import { renderConsoleReport } from './console-report';
import { renderJsonReport } from './json-report';
import { renderJunitReport } from './junit-report';
import { renderSarifReport } from './sarif-report';

export const REPORT_FORMATS = ['table', 'json', 'junit', 'sarif'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const FILE_NAMES: Record<Exclude<ReportFormat, 'table'>, string> = { json: 'report.json', junit: 'junit.xml', sarif: 'report.sarif' };

/**
 * Writes the requested formats: the table to `out`, the others as files in `directory`.
 * Returns the files written.
 */
export function writeReports(report: ConformanceReport, formats: readonly ReportFormat[], directory: string, out: NodeJS.WritableStream): string[] {
  const written: string[] = [];
  for (const format of new Set(formats)) {
    if (format === 'table') {
      out.write(`${renderConsoleReport(report)}\n`);
      continue;
    }
    fs.mkdirSync(directory, { recursive: true });
    const file = path.join(directory, FILE_NAMES[format]);
    const text = format === 'json' ? renderJsonReport(report) : format === 'junit' ? renderJunitReport(report) : renderSarifReport(report, CHECK_CATALOG, PACKAGE_VERSION);
    fs.writeFileSync(file, text);
    written.push(file);
  }
  return written;
}
