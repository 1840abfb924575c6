import { indented, wrapText } from '../conformance/report/terminal';

/**
 * `npm start`'s last words, fitting `columns`: the exit code and time first, then what each part
 * of the run proved (the gates, the Workload API demonstration, the SPIFFE and step-up checks),
 * one clause a line — run together they made one line of nearly 300 characters. Last, the HTML
 * report to open, when one was written: its path on a line of its own, so it can be copied whole.
 */
export function renderStartVerdict(clauses: readonly string[], exitCode: number, seconds: number, columns: number, htmlReport?: string): string {
  return [
    ...wrapText(`npm start: exit ${exitCode} in ${seconds.toFixed(1)} s:`, columns),
    ...clauses.flatMap((clause) => indented(`- ${clause}`, 2, columns)),
    ...(htmlReport ? ['The conformance report, every gate, path and check (open it in a browser):', `  ${htmlReport}`] : []),
  ].join('\n');
}
