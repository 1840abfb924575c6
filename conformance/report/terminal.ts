import { CheckStatus } from '../engine/check';

/** How the console report is laid out for the stream it goes to. */
export interface TerminalOptions {
  /** The widest a line may be. */
  readonly columns: number;
  /** ANSI colour for statuses. */
  readonly color: boolean;
  /** Every result, advisory and path, not only what needs attention. */
  readonly verbose?: boolean;
}

/** Lines fit this width when the stream is not a terminal, or the terminal does not say. */
export const DEFAULT_COLUMNS = 100;
/** Below this, nothing reads well: the narrowest layout attestgate promises to fit. */
const MIN_COLUMNS = 40;

/**
 * The layout for a stream: its terminal's width (100 when it is not a terminal or does not say);
 * colour only on a terminal and never with NO_COLOR set (no-color.org: any value but empty).
 */
export function terminalOf(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): TerminalOptions {
  const tty = stream as Partial<NodeJS.WriteStream>;
  const columns = tty.isTTY && typeof tty.columns === 'number' && tty.columns > 0 ? tty.columns : DEFAULT_COLUMNS;
  return { columns: Math.max(MIN_COLUMNS, columns), color: tty.isTTY === true && !env.NO_COLOR };
}

/** Whether progress belongs on this stream: a terminal, outside CI (whose logs keep every \r line). */
export function showsProgress(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return (stream as Partial<NodeJS.WriteStream>).isTTY === true && !env.CI;
}

/** Characters as a terminal counts them (code points; our text has no wide characters). */
export const displayWidth = (text: string): number => [...text].length;

/**
 * A name shortened in the middle to `width`, both ends kept: a gate's stack and its resource's
 * hash say which one it is. The full name stays in the JSON report.
 */
export function shortenMiddle(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  const head = Math.ceil((width - 1) / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (width - 1 - head)).join('')}`;
}

/**
 * Text wrapped at word boundaries to `width`; a word longer than the width (a URL, an ARN) is cut
 * into pieces rather than shortened, so nothing of a reason or a detail is lost. Newlines in the
 * text are kept, and so is each line's indentation.
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    // A paragraph's own indentation (a condition under its heading) is kept on each of its lines.
    const lead = /^ */.exec(paragraph)![0].slice(0, Math.max(0, width - 10));
    const room = width - lead.length;
    let line = '';
    const push = (l: string) => lines.push(`${lead}${l}`);
    for (let word of paragraph.slice(lead.length).split(' ')) {
      while (displayWidth(word) > room) {
        if (line) push(line);
        line = '';
        push([...word].slice(0, room).join(''));
        word = [...word].slice(room).join('');
      }
      if (line && displayWidth(line) + 1 + displayWidth(word) > room) {
        push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    push(line);
  }
  return lines;
}

/** Each line of `text` wrapped to `width` after `indent`, continuation lines indented as much again. */
export function indented(text: string, indent: number, width: number): string[] {
  return wrapText(text, Math.max(10, width - indent)).map((line) => `${' '.repeat(indent)}${line}`);
}

/**
 * One line of narration wrapped to `width` with a hanging indent: continuation lines go `hang`
 * further in than the line's own indentation, so each wrapped line still reads as one item.
 */
export function hangingIndent(line: string, width: number, hang = 2): string[] {
  const lead = /^ */.exec(line)![0];
  const [first, ...rest] = wrapText(line.slice(lead.length), Math.max(10, width - lead.length - hang));
  return [`${lead}${first}`, ...rest.map((l) => `${lead}${' '.repeat(hang)}${l}`)];
}

/** The ANSI colours of verdicts: passed green, open bold red, unproven yellow, not applicable dim. */
export const COLOURS = { pass: '32', open: '31;1', unproven: '33', dim: '2' } as const;
const STATUS_COLOURS: Record<CheckStatus, string> = { PASS: COLOURS.pass, FAIL: COLOURS.open, INCONCLUSIVE: COLOURS.unproven, SKIPPED: COLOURS.dim };

/** A word padded to `width`, coloured (ANSI SGR `sgr`) when the terminal takes colour. */
export function label(text: string, width: number, sgr: string, options: Pick<TerminalOptions, 'color'>): string {
  const padded = text.padEnd(width);
  return options.color ? `\x1b[${sgr}m${padded}\x1b[0m` : padded;
}

/** A status word, coloured when the terminal takes colour; padded to the widest status. */
export function statusLabel(status: CheckStatus, options: Pick<TerminalOptions, 'color'>): string {
  return label(status, 'INCONCLUSIVE'.length, STATUS_COLOURS[status], options);
}

/** Bold for headings on a colour terminal. */
export const bold = (text: string, options: Pick<TerminalOptions, 'color'>): string => (options.color ? `\x1b[1m${text}\x1b[0m` : text);
