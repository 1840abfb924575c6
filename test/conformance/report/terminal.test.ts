import { PassThrough } from 'node:stream';
import { hangingIndent, shortenMiddle, showsProgress, terminalOf, wrapText } from '../../../conformance/report/terminal';

/** A stream that says it is a terminal of the given width, as process.stdout does. */
const tty = (columns?: number) => Object.assign(new PassThrough(), { isTTY: true, columns });

describe('terminalOf', () => {
  test('a terminal: its width, and colour unless NO_COLOR is set to anything', () => {
    expect(terminalOf(tty(132), {})).toEqual({ columns: 132, color: true });
    expect(terminalOf(tty(132), { NO_COLOR: '1' })).toEqual({ columns: 132, color: false });
  });

  test('a pipe or a file: 100 columns, no colour; a terminal that does not say its width: 100', () => {
    expect(terminalOf(new PassThrough(), {})).toEqual({ columns: 100, color: false });
    expect(terminalOf(tty(undefined), {})).toEqual({ columns: 100, color: true });
    // A terminal narrower than anything reads well in is laid out at 40.
    expect(terminalOf(tty(20), {}).columns).toBe(40);
  });
});

test('showsProgress: a terminal outside CI only', () => {
  expect(showsProgress(tty(80), {})).toBe(true);
  expect(showsProgress(tty(80), { CI: 'true' })).toBe(false);
  expect(showsProgress(new PassThrough(), {})).toBe(false);
});

describe('shortenMiddle', () => {
  test('keeps both ends and the width exactly; short names unchanged', () => {
    const name = 'attestgate-azure-example/azurerm_user_assigned_identity.Deployer_Identity_71F47558';
    const short = shortenMiddle(name, 40);
    expect([...short].length).toBe(40);
    expect(short).toBe('attestgate-azure-exa…r_Identity_71F47558');
    expect(shortenMiddle('Stack/Deployer', 40)).toBe('Stack/Deployer');
  });
});

describe('wrapText', () => {
  test('wraps at spaces; cuts a word longer than the line instead of overflowing; keeps newlines', () => {
    const url = `https://sts.example/${'x'.repeat(50)}`;
    const lines = wrapText(`denied at ${url} twice\nsecond paragraph`, 30);
    expect(lines.every((line) => [...line].length <= 30)).toBe(true);
    expect(lines.join('')).toContain(url.slice(0, 30));
    expect(lines.join('').replace(/ /g, '')).toBe(`deniedat${url}twicesecondparagraph`);
    expect(lines[lines.length - 1]).toBe('second paragraph');
  });
});

describe('hangingIndent', () => {
  test('a line that fits is left as it is', () => {
    expect(hangingIndent('  deployer: GET /stacks → 200', 40)).toEqual(['  deployer: GET /stacks → 200']);
  });

  test('continuation lines go two further in than the line, and every line fits', () => {
    const lines = hangingIndent('  intruder: DELETE /stacks/prod → 401 reattestation-failed: no SPIRE agent attests this process', 40);
    expect(lines[0]).toMatch(/^ {2}intruder:/);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {4}\S/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
    expect(lines.map((l) => l.trim()).join(' ')).toBe('intruder: DELETE /stacks/prod → 401 reattestation-failed: no SPIRE agent attests this process');
  });
});
