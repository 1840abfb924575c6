import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_VERSION } from '../../lib/packs/private/version';
import { CHECK_CATALOG } from '../catalog';
import { ConformanceReport } from '../engine/report';
import { renderConsoleReport } from './console-report';
import { renderJsonReport } from './json-report';
import { renderJunitReport } from './junit-report';
import { renderSarifReport } from './sarif-report';
import { TerminalOptions, terminalOf } from './terminal';

export const REPORT_FORMATS = ['table', 'json', 'junit', 'sarif'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const FILE_NAMES: Record<Exclude<ReportFormat, 'table'>, string> = { json: 'report.json', junit: 'junit.xml', sarif: 'report.sarif' };

/** How one kind of report is written: its text per format, and the file name of each file format. */
export interface ReportRenderers {
  readonly fileNames: Readonly<Record<Exclude<ReportFormat, 'table'>, string>>;
  render(format: ReportFormat): string;
}

/**
 * Writes the requested formats: the table to `out`, the others as files in `directory`.
 * Returns the files written.
 */
export function writeFormats(renderers: ReportRenderers, formats: readonly ReportFormat[], directory: string, out: NodeJS.WritableStream): string[] {
  const written: string[] = [];
  for (const format of new Set(formats)) {
    if (format === 'table') {
      out.write(`${renderers.render('table')}\n`);
      continue;
    }
    fs.mkdirSync(directory, { recursive: true });
    const file = path.join(directory, renderers.fileNames[format]);
    fs.writeFileSync(file, renderers.render(format));
    written.push(file);
  }
  return written;
}

/**
 * Writes a conformance report in the requested formats (see writeFormats); the table is laid out
 * for `out` (its width and colour) unless `terminal` says otherwise.
 */
export function writeReports(report: ConformanceReport, formats: readonly ReportFormat[], directory: string, out: NodeJS.WritableStream, terminal: TerminalOptions = terminalOf(out)): string[] {
  const render = (format: ReportFormat): string =>
    format === 'table' ? renderConsoleReport(report, terminal) : format === 'json' ? renderJsonReport(report) : format === 'junit' ? renderJunitReport(report) : renderSarifReport(report, CHECK_CATALOG, PACKAGE_VERSION);
  return writeFormats({ fileNames: FILE_NAMES, render }, formats, directory, out);
}
