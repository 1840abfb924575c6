/**
 * A plain-text table with multi-line cells, for terminals and CI logs. Cells are split on
 * newlines; columns are as wide as their widest line.
 */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const cells = [headers, ...rows].map((row) => row.map((cell) => cell.split('\n')));
  const widths = headers.map((_, col) => Math.max(...cells.map((row) => Math.max(...(row[col] ?? ['']).map((line) => [...line].length)))));
  const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - [...text].length));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const lines: string[] = [rule];
  cells.forEach((row) => {
    const height = Math.max(...row.map((c) => c.length));
    for (let i = 0; i < height; i++) {
      lines.push(`| ${row.map((c, col) => pad(c[i] ?? '', widths[col])).join(' | ')} |`);
    }
    lines.push(rule);
  });
  return lines.join('\n');
}
