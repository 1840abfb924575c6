import { indented, wrapText } from '../conformance/report/terminal';

/**
 * `npm start`'s last words, fitting `columns`: the exit code and time first, then what each part
 * of the run proved (the gates, the Workload API demonstration, the SPIFFE and step-up checks),
 * one clause a line — run together they made one line of nearly 300 characters.
 */
export function renderStartVerdict(clauses: readonly string[], exitCode: number, seconds: number, columns: number): string {
  return [...wrapText(`npm start: exit ${exitCode} in ${seconds.toFixed(1)} s:`, columns), ...clauses.flatMap((clause) => indented(`- ${clause}`, 2, columns))].join('\n');
}
