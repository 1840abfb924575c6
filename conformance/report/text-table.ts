import { displayWidth, indented, shortenMiddle } from './terminal';

/**
 * A plain-text table with multi-line cells, for terminals and CI logs. Cells are split on
 * newlines; columns are as wide as their widest line. When that is wider than `maxWidth`, each
 * row becomes a block instead (see renderBlocks): a wide table wrapped by the terminal is noise.
 */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, maxWidth = Infinity): string {
  const cells = [headers, ...rows].map((row) => row.map((cell) => cell.split('\n')));
  const widths = headers.map((_, col) => Math.max(...cells.map((row) => Math.max(...(row[col] ?? ['']).map(displayWidth)))));
  if (widths.reduce((sum, w) => sum + w + 3, 1) > maxWidth) return renderBlocks(headers, rows, maxWidth);
  const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));
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

/**
 * Rows as blocks within `width`: the first cell as the block's title (shortened in the middle if
 * it must be), then each other cell after its header, or under it, wrapped, when it does not fit
 * on the line. Blank cells are left out.
 */
export function renderBlocks(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, width: number): string {
  return rows
    .map((row) => {
      const lines = [shortenMiddle(row[0] ?? '', width)];
      row.slice(1).forEach((cell, i) => {
        if (cell.trim() === '') return;
        const oneLine = `  ${headers[i + 1]}: ${cell}`;
        if (!cell.includes('\n') && displayWidth(oneLine) <= width) lines.push(oneLine);
        else lines.push(...indented(`${headers[i + 1]}:`, 2, width), ...indented(cell, 4, width));
      });
      return lines.join('\n');
    })
    .join('\n\n');
}
