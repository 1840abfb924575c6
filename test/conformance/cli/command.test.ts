import { asksForHelp, commandHelp, parseErrorLine } from '../../../conformance/cli/command';
import { COMMANDS } from '../../../conformance/cli/main';
import { runCli } from '../../fixtures/cli';
import { gcpConfiguration } from '../../fixtures/terraform';
import { writeTemplate } from '../../fixtures/synth';

/** The exit code and the two lines a bad command line must print: the problem, and where the help is. */
async function refused(argv: string[]): Promise<{ line: string; hint: string }> {
  const { code, out, err } = await runCli(argv);
  expect(code).toBe(64);
  expect(out).toBe('');
  const [line, hint, ...more] = err.split('\n');
  // Never the whole usage text after the error: one line, one pointer.
  expect(more).toEqual(['']);
  return { line, hint };
}

describe('every command answers --help and -h with its own help', () => {
  test.each(COMMANDS.filter((c) => c.name !== 'help').flatMap((c) => [[c.name, '--help'], [c.name, '-h']]))('%s %s', async (name, flag) => {
    const { code, out, err } = await runCli([name, flag]);
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out.startsWith(`Usage: attestgate ${name}`)).toBe(true);
    // Its own help, not the overview of every command.
    expect(out).not.toContain('Commands:');
    expect(await runCli(['help', name])).toEqual({ code: 0, out, err: '' });
  });

  test.each(COMMANDS.map((c) => [c.name]))('%s: its help names every option it accepts', (name) => {
    const command = COMMANDS.find((c) => c.name === name)!;
    const help = commandHelp(command);
    const missing = Object.keys(command.options).filter((option) => !new RegExp(`--${option}\\b`).test(help));
    expect(missing).toEqual([]);
  });

  test('--help wins over a bad option or a missing --app on the same line', async () => {
    const { code, out } = await runCli(['conformance', '--nope', '--target', 'mars', '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: attestgate conformance --app PATH/);
  });

  test('help, --help, -h: the overview lists every command with its summary, and the exit codes', async () => {
    for (const argv of [['help'], ['--help'], ['-h'], ['help', '--help']]) {
      const { code, out, err } = await runCli(argv);
      expect({ argv, code, err }).toEqual({ argv, code: 0, err: '' });
      expect(out).toMatch(/^Usage: attestgate <command> \[options\]\n/);
      for (const c of COMMANDS) expect(out).toContain(`  ${c.name.padEnd(11)}  ${c.summary}\n`);
      expect(out).toMatch(/70 internal error .*ATTESTGATE_DEBUG=1/s);
    }
  });

  test('asksForHelp: not after "--", where every argument is a value', () => {
    expect(asksForHelp(['--app', 'x', '-h'])).toBe(true);
    expect(asksForHelp(['--body', 'x', '--', '--help'])).toBe(false);
    expect(asksForHelp(['--helpful'])).toBe(false);
  });
});

describe('a bad command line: one line naming the problem, a pointer to that command\'s help, exit 64', () => {
  test.each(COMMANDS.filter((c) => Object.keys(c.options).length > 0).map((c) => [c.name]))('%s: an option with two letters swapped suggests the option', async (name) => {
    const command = COMMANDS.find((c) => c.name === name)!;
    const option = Object.keys(command.options).sort((a, b) => b.length - a.length)[0];
    // The first two neighbours that differ, swapped: a typo, not the option itself.
    const at = [...option].findIndex((c, i) => c !== option[i + 1]);
    const typo = `${option.slice(0, at)}${option[at + 1]}${option[at]}${option.slice(at + 2)}`;
    const { line, hint } = await refused([name, `--${typo}`, 'x']);
    expect(line).toBe(`attestgate: unknown option --${typo}; did you mean --${option}?`);
    expect(hint).toBe(`Run 'attestgate ${name} --help' for usage.`);
  });

  test('an unknown option far from every option is named without a guess', async () => {
    expect(await refused(['gates', '--verbose-mode'])).toEqual({ line: 'attestgate: unknown option --verbose-mode', hint: "Run 'attestgate gates --help' for usage." });
  });

  test('an option without its value, a flag with one, a stray argument', async () => {
    expect((await refused(['rules', '--app'])).line).toBe('attestgate: --app needs a value');
    expect((await refused(['conformance', '--list=yes'])).line).toBe('attestgate: --list takes no value');
    expect((await refused(['gates', 'cdk.out'])).line).toBe('attestgate: unexpected argument "cdk.out": every value follows its option (--app PATH); a value that starts with "-" goes after "--"');
  });

  test('an unknown command suggests the nearest, and points at the overview', async () => {
    expect(await refused(['gatse'])).toEqual({ line: 'attestgate: unknown command "gatse"; did you mean "gates"?', hint: "Run 'attestgate help' for usage." });
    expect((await refused(['deploy'])).line).toBe('attestgate: unknown command "deploy"');
    expect((await refused(['help', 'conformence'])).line).toBe('attestgate: unknown command "conformence"; did you mean "conformance"?');
  });

  test('a Terraform configuration under a name other than *.tf.json: the file and the fix, then the pointer', async () => {
    const file = writeTemplate(gcpConfiguration(), 'agents.json');
    const { line, hint } = await refused(['gates', '--app', file]);
    expect(line).toMatch(new RegExp(`^attestgate: --app ${file}: .*\\.tf\\.json`));
    expect(hint).toBe("Run 'attestgate gates --help' for usage.");
  });

  test('parseErrorLine leaves errors that are not parseArgs\' alone', () => {
    expect(parseErrorLine(new Error('boom'), {})).toBeUndefined();
    expect(parseErrorLine(undefined, {})).toBeUndefined();
  });
});
