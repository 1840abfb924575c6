import { CheckStatus } from '../engine/check';
import { CheckResult, ConformanceReport, GateSummary, exitCodeOf, summarize, unprovenGates } from '../engine/report';
import { DEFAULT_COLUMNS, TerminalOptions, bold, indented, shortenMiddle, statusLabel } from './terminal';

const STATUSES: readonly CheckStatus[] = ['PASS', 'FAIL', 'INCONCLUSIVE', 'SKIPPED'];
const counts = (results: readonly CheckResult[]): string => {
  const s = summarize(results);
  return STATUSES.map((status) => `${s[status]} ${status}`).join(', ');
};
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The report for a person at a terminal, within `columns`: the summary first — per cloud its
 * gates, issuance paths and results, then the verdict in one line — and after it one block per
 * gate. By default a block shows only what needs attention (results that did not PASS, paths
 * that are not attested, missing detection signals, drift); `verbose` shows everything. Long
 * gate names are shortened in the middle; the JSON report keeps them whole.
 */
export function renderConsoleReport(report: ConformanceReport, options: TerminalOptions = { columns: DEFAULT_COLUMNS, color: false }): string {
  const width = options.columns;
  const lines: string[] = [...renderSummary(report, options), ''];
  for (const gate of report.gates) lines.push(...renderGateBlock(report, gate, options), '');
  // Results of gates the report does not list (an area's endpoints): still shown, never dropped.
  const listed = new Set(report.gates.map((g) => g.id));
  const stray = [...new Set(report.results.filter((r) => !listed.has(r.gate)).map((r) => r.gate))];
  for (const gate of stray) lines.push(...renderGateBlock(report, { id: gate, cloud: report.results.find((r) => r.gate === gate)!.cloud, source: '', privilege: '' }, options), '');
  if (!options.verbose && report.results.some((r) => r.status === 'PASS')) lines.push(...indented('Passing results and every detail: --verbose, or the JSON report.', 0, width));
  return lines.join('\n').replace(/\n+$/, '');
}

/** The summary: per cloud gates, paths and results; the totals; the verdict. */
export function renderSummary(report: ConformanceReport, options: TerminalOptions): string[] {
  const width = options.columns;
  const lines = [bold(`Summary (target ${report.target}${report.interrupted ? ', INTERRUPTED' : ''}):`, options)];
  const clouds = [...new Set([...report.gates.map((g) => g.cloud), ...report.results.map((r) => r.cloud)])];
  const nameWidth = Math.max(0, ...clouds.map((c) => c.length));
  for (const cloud of clouds) {
    const gates = report.gates.filter((g) => g.cloud === cloud);
    const paths = gates.flatMap((g) => g.paths ?? []);
    const results = report.results.filter((r) => r.cloud === cloud);
    const checks = new Set(results.map((r) => r.checkId)).size;
    lines.push(...indented(`${cloud.padEnd(nameWidth)}  ${plural(gates.length, 'gate')}, ${plural(paths.length, 'issuance path')}, ${plural(checks, 'check')}: ${counts(results)}`, 2, width));
  }
  lines.push(...indented(`${report.results.length} results: ${counts(report.results)}${report.interrupted ? ' (interrupted)' : ''}`, 2, width));
  const allPaths = report.gates.flatMap((g) => g.paths ?? []);
  if (allPaths.length > 0) {
    const count = (attested: boolean | undefined) => allPaths.filter((p) => p.attested === attested).length;
    const acknowledged = allPaths.filter((p) => p.acknowledged !== undefined).length;
    const withPaths = report.gates.filter((g) => (g.paths ?? []).length > 0).length;
    lines.push(
      ...indented(
        `${plural(allPaths.length, 'issuance path')} over ${plural(withPaths, 'gate')}: ${count(true)} attested, ${count(false)} not attested${acknowledged > 0 ? ` (${acknowledged} acknowledged)` : ''}${count(undefined) > 0 ? `, ${count(undefined)} not known before apply` : ''}`,
        2,
        width,
      ),
    );
  }
  // Unproven on purpose is still unproven: say so where the verdict is read.
  if (report.unprovenSubset) lines.push(...indented(`${report.unprovenSubset.results} INCONCLUSIVE acknowledged (--allow-unproven): ${report.unprovenSubset.reason}`, 2, width));
  lines.push(...verdict(report, options));
  return lines;
}

/** One line when every gate held; otherwise the open gates, one a line, with what is open. */
function verdict(report: ConformanceReport, options: TerminalOptions): string[] {
  const width = options.columns;
  if (exitCodeOf(report) === 0) return indented('Verdict: every path of every high-privilege gate refused unattested issuance', 0, width);
  const open: Array<{ gate: string; why: string }> = [];
  for (const { id } of report.gates) {
    const failed = report.results.filter((r) => r.gate === id && r.status === 'FAIL').map((r) => r.checkId);
    const unattested = (report.gates.find((g) => g.id === id)?.paths ?? []).filter((p) => p.attested === false && p.acknowledged === undefined).length;
    const inconclusive = report.results.filter((r) => r.gate === id && r.status === 'INCONCLUSIVE' && r.acknowledged === undefined).map((r) => r.checkId);
    const why = [
      ...(failed.length > 0 ? [`FAIL ${failed.join(', ')}`] : []),
      ...(unattested > 0 ? [`${plural(unattested, 'unattested path')}`] : []),
      ...(inconclusive.length > 0 ? [`INCONCLUSIVE ${inconclusive.join(', ')}`] : []),
    ];
    if (why.length > 0) open.push({ gate: id, why: why.join('; ') });
  }
  for (const u of unprovenGates(report)) if (!u.acknowledged && !open.some((o) => o.gate === u.gate)) open.push({ gate: u.gate, why: `unproven: ${u.why}` });
  const failed = report.results.some((r) => r.status === 'FAIL');
  const head = failed ? 'Verdict: OPEN — unattested issuance got through at' : 'Verdict: UNPROVEN — nothing refused unattested issuance for certain at';
  if (open.length === 0) return indented(`${head.replace(/ at$/, '')}: ${report.gates.length === 0 ? 'no gate was found' : 'the run was interrupted'}`, 0, width);
  return [
    ...indented(`${head} ${plural(open.length, 'gate')}:`, 0, width),
    ...open.flatMap(({ gate, why }) => [`  ${shortenMiddle(gate, width - 2)}`, ...indented(why, 6, width)]),
  ];
}

/** A gate's block: its name and privilege, its results, and (verbose or when they need attention) paths, signals, drift. */
function renderGateBlock(report: ConformanceReport, gate: GateSummary, options: TerminalOptions): string[] {
  const width = options.columns;
  const verbose = options.verbose === true;
  const results = report.results.filter((r) => r.gate === gate.id);
  const about = [gate.cloud, gate.privilege].filter(Boolean).join(', ');
  const lines = [bold(shortenMiddle(gate.id, width - about.length - 3), options) + (about ? ` (${about})` : ''), ...indented(`${results.length} results: ${counts(results)}`, 2, width)];
  for (const r of results.filter((r) => verbose || r.status !== 'PASS')) {
    lines.push(`  ${statusLabel(r.status, options)} ${r.checkId}`, ...indented(r.title, 4, width), ...indented(`${r.acknowledged ? `(acknowledged: ${r.acknowledged}) ` : ''}${r.reason}`, 6, width));
  }
  const paths = (gate.paths ?? []).filter((p) => verbose || p.attested !== true);
  if (paths.length > 0) {
    lines.push('  Issuance paths (every way to the identity’s credentials):');
    for (const p of paths) {
      const attested = p.attested === true ? 'attested' : p.attested === false ? (p.acknowledged ? `NOT attested (acknowledged: ${p.acknowledged})` : 'NOT attested') : 'not known before apply';
      lines.push(...indented(`${attested}: ${p.description}`, 4, width));
    }
  }
  const advisories = report.advisories.filter((a) => a.gate === gate.id && (verbose || !a.present));
  if (advisories.length > 0) {
    lines.push('  Detection signals (advisories; not part of the verdict):');
    for (const a of advisories) lines.push(...indented(`${a.present ? 'yes' : 'NO '} ${a.title}`, 4, width), ...indented(a.detail, 8, width));
  }
  if ((gate.drift ?? []).length > 0) {
    lines.push('  Drift (the resources no longer match the identity the gate manifest declares; the checks probe what is deployed):'.length <= width ? '  Drift (the resources no longer match the identity the gate manifest declares; the checks probe what is deployed):' : '  Drift from the gate manifest:');
    for (const d of gate.drift!) lines.push(...indented(d, 4, width));
  }
  return lines;
}
