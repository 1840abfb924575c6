import { firstBy, groupByGate } from '../engine/by-gate';
import { Advisory, CheckResult, ConformanceReport, GateSummary, exitCodeOf, summarize, unprovenGates } from '../engine/report';
import { CheckStatus } from '../engine/check';
import { DEFAULT_COLUMNS, TerminalOptions, bold, indented, shortenMiddle, statusLabel } from './terminal';

export const STATUSES: readonly CheckStatus[] = ['PASS', 'FAIL', 'INCONCLUSIVE', 'SKIPPED'];
/** `2 PASS, 1 FAIL, 0 INCONCLUSIVE, 0 SKIPPED`: every status, always in this order. */
export const formatCounts = (s: Readonly<Record<CheckStatus, number>>): string => STATUSES.map((status) => `${s[status]} ${status}`).join(', ');
const counts = (results: readonly CheckResult[]): string => formatCounts(summarize(results));
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
  const resultsOf = groupByGate(report.results);
  const advisoriesOf = groupByGate(report.advisories);
  const block = (gate: GateSummary) => renderGateBlock(gate, resultsOf.get(gate.id) ?? [], advisoriesOf.get(gate.id) ?? [], options);
  for (const gate of report.gates) lines.push(...block(gate), '');
  // Results of gates the report does not list (an area's endpoints): still shown, never dropped.
  const listed = new Set(report.gates.map((g) => g.id));
  const stray = [...resultsOf.keys()].filter((gate) => !listed.has(gate));
  for (const gate of stray) lines.push(...block({ id: gate, cloud: resultsOf.get(gate)![0].cloud, source: '', privilege: '' }), '');
  if (!options.verbose && report.results.some((r) => r.status === 'PASS')) lines.push(...indented('Passing results and every detail: --verbose, or the JSON report.', 0, width));
  return lines.join('\n').replace(/\n+$/, '');
}

/** One cloud's (or area's) line of the summary: its gates, issuance paths, checks and results per status. */
export interface CloudSummary {
  readonly cloud: string;
  readonly gates: number;
  readonly paths: number;
  readonly checks: number;
  readonly counts: Record<CheckStatus, number>;
}

/** Per cloud, in the order they appear in the report: what the summary's first lines say. */
export function cloudSummaries(report: ConformanceReport): CloudSummary[] {
  const clouds = [...new Set([...report.gates.map((g) => g.cloud), ...report.results.map((r) => r.cloud)])];
  return clouds.map((cloud) => {
    const gates = report.gates.filter((g) => g.cloud === cloud);
    const results = report.results.filter((r) => r.cloud === cloud);
    return { cloud, gates: gates.length, paths: gates.flatMap((g) => g.paths ?? []).length, checks: new Set(results.map((r) => r.checkId)).size, counts: summarize(results) };
  });
}

/** The issuance paths of the whole report, by judgement; undefined when no gate has any. */
export function pathTotals(report: ConformanceReport): { total: number; gates: number; attested: number; notAttested: number; acknowledged: number; unknown: number } | undefined {
  const all = report.gates.flatMap((g) => g.paths ?? []);
  if (all.length === 0) return undefined;
  const count = (attested: boolean | undefined) => all.filter((p) => p.attested === attested).length;
  return {
    total: all.length,
    gates: report.gates.filter((g) => (g.paths ?? []).length > 0).length,
    attested: count(true),
    notAttested: count(false),
    acknowledged: all.filter((p) => p.acknowledged !== undefined).length,
    unknown: count(undefined),
  };
}

/** The summary: per cloud gates, paths and results; the totals; the verdict. */
export function renderSummary(report: ConformanceReport, options: TerminalOptions): string[] {
  const width = options.columns;
  const lines = [bold(`Summary (target ${report.target}${report.interrupted ? ', INTERRUPTED' : ''}):`, options)];
  const clouds = cloudSummaries(report);
  const nameWidth = Math.max(0, ...clouds.map((c) => c.cloud.length));
  for (const c of clouds) {
    lines.push(...indented(`${c.cloud.padEnd(nameWidth)}  ${plural(c.gates, 'gate')}, ${plural(c.paths, 'issuance path')}, ${plural(c.checks, 'check')}: ${formatCounts(c.counts)}`, 2, width));
  }
  lines.push(...indented(`${report.results.length} results: ${counts(report.results)}${report.interrupted ? ' (interrupted)' : ''}`, 2, width));
  const paths = pathTotals(report);
  if (paths) {
    lines.push(
      ...indented(
        `${plural(paths.total, 'issuance path')} over ${plural(paths.gates, 'gate')}: ${paths.attested} attested, ${paths.notAttested} not attested${paths.acknowledged > 0 ? ` (${paths.acknowledged} acknowledged)` : ''}${paths.unknown > 0 ? `, ${paths.unknown} not known before apply` : ''}`,
        2,
        width,
      ),
    );
  }
  // Unproven on purpose is still unproven: say so where the verdict is read.
  if (report.unprovenSubset) lines.push(...indented(`${report.unprovenSubset.results} INCONCLUSIVE acknowledged (--allow-unproven): ${report.unprovenSubset.reason}`, 2, width));
  const v = verdictOf(report);
  if (v.open.length === 0) lines.push(...indented(v.headline, 0, width));
  else lines.push(...indented(v.headline, 0, width), ...v.open.flatMap(({ gate, why }) => [`  ${shortenMiddle(gate, width - 2)}`, ...indented(why, 6, width)]));
  return lines;
}

/**
 * The run's verdict, as every report words it: `proven` in one line when every gate held;
 * otherwise OPEN (a FAIL) or UNPROVEN, with the gates that are, and what is open about each.
 */
export interface RunVerdict {
  readonly kind: 'proven' | 'open' | 'unproven';
  /** The verdict's line; when `open` is not empty it ends with a colon and the gates follow. */
  readonly headline: string;
  /** Each gate not proven: `open` when something got through (a FAIL, an unattested path), else `unproven`. */
  readonly open: ReadonlyArray<{ readonly gate: string; readonly why: string; readonly state: 'open' | 'unproven' }>;
}

export function verdictOf(report: ConformanceReport): RunVerdict {
  if (exitCodeOf(report) === 0) return { kind: 'proven', headline: 'Verdict: every path of every high-privilege gate refused unattested issuance', open: [] };
  const open: Array<{ gate: string; why: string; state: 'open' | 'unproven' }> = [];
  const resultsOf = groupByGate(report.results);
  const gateOf = firstBy(report.gates, (g) => g.id);
  for (const { id } of report.gates) {
    const results = resultsOf.get(id) ?? [];
    const failed = results.filter((r) => r.status === 'FAIL').map((r) => r.checkId);
    const unattested = (gateOf.get(id)?.paths ?? []).filter((p) => p.attested === false && p.acknowledged === undefined).length;
    const inconclusive = results.filter((r) => r.status === 'INCONCLUSIVE' && r.acknowledged === undefined).map((r) => r.checkId);
    const why = [
      ...(failed.length > 0 ? [`FAIL ${failed.join(', ')}`] : []),
      ...(unattested > 0 ? [`${plural(unattested, 'unattested path')}`] : []),
      ...(inconclusive.length > 0 ? [`INCONCLUSIVE ${inconclusive.join(', ')}`] : []),
    ];
    if (why.length > 0) open.push({ gate: id, why: why.join('; '), state: failed.length > 0 || unattested > 0 ? 'open' : 'unproven' });
  }
  const listedOpen = new Set(open.map((o) => o.gate));
  for (const u of unprovenGates(report)) {
    if (u.acknowledged || listedOpen.has(u.gate)) continue;
    open.push({ gate: u.gate, why: `unproven: ${u.why}`, state: 'unproven' });
    listedOpen.add(u.gate);
  }
  const kind = report.results.some((r) => r.status === 'FAIL') ? 'open' : 'unproven';
  const head = kind === 'open' ? 'Verdict: OPEN — unattested issuance got through at' : 'Verdict: UNPROVEN — nothing refused unattested issuance for certain at';
  if (open.length === 0) return { kind, headline: `${head.replace(/ at$/, '')}: ${report.gates.length === 0 ? 'no gate was found' : 'the run was interrupted'}`, open: [] };
  return { kind, headline: `${head} ${plural(open.length, 'gate')}:`, open };
}

/** A gate's block: its name and privilege, its results, and (verbose or when they need attention) paths, signals, drift. */
function renderGateBlock(gate: GateSummary, results: readonly CheckResult[], gateAdvisories: readonly Advisory[], options: TerminalOptions): string[] {
  const width = options.columns;
  const verbose = options.verbose === true;
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
  const advisories = gateAdvisories.filter((a) => verbose || !a.present);
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
