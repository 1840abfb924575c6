import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_VERSION } from '../../lib/packs/private/version';
import { CHECK_CATALOG } from '../catalog';
import { ConformanceReport } from '../engine/report';
import { renderConsoleReport } from './console-report';
import { renderHtmlReport } from './html-report';
import { renderJsonReport } from './json-report';
import { renderJunitReport } from './junit-report';
import { renderSarifReport } from './sarif-report';
import { TerminalOptions, terminalOf } from './terminal';

/** What `conformance`, `step-up` and `spiffe` write: the table, and files for machines and for people. */
export const REPORT_FORMATS = ['table', 'json', 'junit', 'sarif', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What `attestgate rules` writes: its findings have no gates, paths or probes to draw. */
export const RULES_REPORT_FORMATS = ['table', 'json', 'junit', 'sarif'] as const;
export type RulesReportFormat = (typeof RULES_REPORT_FORMATS)[number];

const FILE_NAMES: Record<Exclude<ReportFormat, 'table'>, string> = { json: 'report.json', junit: 'junit.xml', sarif: 'report.sarif', html: 'report.html' };

/** How one kind of report is written: its text per format, and the file name of each file format. */
export interface ReportRenderers<F extends string> {
  readonly fileNames: Readonly<Record<Exclude<F, 'table'>, string>>;
  render(format: F): string;
}

/**
 * Writes the requested formats: the table to `out`, the others as files in `directory`.
 * Returns the files written.
 */
export function writeFormats<F extends string>(renderers: ReportRenderers<F>, formats: readonly F[], directory: string, out: NodeJS.WritableStream): string[] {
  const written: string[] = [];
  for (const format of new Set(formats)) {
    if (format === 'table') {
      out.write(`${renderers.render(format)}\n`);
      continue;
    }
    fs.mkdirSync(directory, { recursive: true });
    const file = path.join(directory, renderers.fileNames[format as Exclude<F, 'table'>]);
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
    format === 'table'
      ? renderConsoleReport(report, terminal)
      : format === 'json'
        ? renderJsonReport(report)
        : format === 'junit'
          ? renderJunitReport(report)
          : format === 'html'
            ? renderHtmlReport(report, CHECK_CATALOG)
            : renderSarifReport(report, CHECK_CATALOG, PACKAGE_VERSION);
  return writeFormats({ fileNames: FILE_NAMES, render }, formats, directory, out);
}
