import { ConformanceReport } from '../engine/report';
import { renderTable } from './text-table';

/** The report as a table: one row per check and gate, then the summary and the exit status. */
export function renderConsoleReport(report: ConformanceReport): string {
  const rows = report.results.map((r) => [r.gate, r.checkId, r.title, r.status, wrap(r.reason, 70)]);
  const parts = [renderTable(['Gate', 'Check', 'Title', 'Status', 'Reason'], rows)];
  if (report.advisories.length > 0) {
    parts.push(
      'Advisories (detection signals; not part of the verdict):',
      renderTable(['Gate', 'Signal', 'Present', 'Detail'], report.advisories.map((a) => [a.gate, a.title, a.present ? 'yes' : 'NO', wrap(a.detail, 70)])),
    );
  }
  const paths = report.gates.flatMap((g) => (g.paths ?? []).map((p) => [g.id, wrap(p.description, 80), p.attested === true ? 'yes' : p.attested === false ? (p.acknowledged ? `NO (acknowledged: ${p.acknowledged})` : 'NO') : 'unknown']));
  if (paths.length > 0) parts.push('Issuance paths (every way to the identity’s credentials):', renderTable(['Gate', 'Path', 'Attested'], paths));
  const drifted = report.gates.filter((g) => (g.drift?.length ?? 0) > 0);
  if (drifted.length > 0) {
    parts.push(
      'Drift (the resources no longer match the identity the gate manifest declares; the checks probe what is deployed):',
      renderTable(['Gate', 'Drift'], drifted.flatMap((g) => g.drift!.map((d) => [g.id, wrap(d, 90)]))),
    );
  }
  const s = report.summary;
  parts.push(`${report.results.length} results: ${s.PASS} PASS, ${s.FAIL} FAIL, ${s.INCONCLUSIVE} INCONCLUSIVE, ${s.SKIPPED} SKIPPED${report.interrupted ? ' (interrupted)' : ''}`);
  const allPaths = report.gates.flatMap((g) => g.paths ?? []);
  if (allPaths.length > 0) {
    const count = (attested: boolean | undefined) => allPaths.filter((p) => p.attested === attested).length;
    const acknowledged = allPaths.filter((p) => p.acknowledged !== undefined).length;
    const withPaths = report.gates.filter((g) => (g.paths ?? []).length > 0).length;
    parts.push(
      `${allPaths.length} issuance path${allPaths.length === 1 ? '' : 's'} over ${withPaths} gate${withPaths === 1 ? '' : 's'}: ${count(true)} attested, ${count(false)} not attested${acknowledged > 0 ? ` (${acknowledged} acknowledged)` : ''}${count(undefined) > 0 ? `, ${count(undefined)} not known before apply` : ''}`,
    );
  }
  // Unproven on purpose is still unproven: say so where the verdict is read.
  if (report.unprovenSubset) parts.push(`${report.unprovenSubset.results} INCONCLUSIVE acknowledged (--allow-unproven): ${report.unprovenSubset.reason}`);
  return parts.join('\n');
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}
