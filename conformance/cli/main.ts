import { AttestGateError } from '../../lib/core/errors';
import { SourceError } from '../discovery/sources';
import { PkiError } from '../pki/pki-directory';
import { CliCommand, PATH_NOTE, PROBE_EXITS, asksForHelp, commandHelp, parseErrorLine, unknownCommand } from './command';
import { CONFORMANCE_COMMAND } from './conformance-command';
import { EMULATOR_COMMAND } from './emulator-command';
import { GATES_COMMAND } from './gates-command';
import { RULES_COMMAND } from './rules-command';
import { SPIFFE_COMMAND } from './spiffe-command';
import { STEP_UP_COMMAND } from './step-up-command';
import { EXIT_INTERNAL, EXIT_USAGE, UsageError } from './usage-error';

export { EXIT_INTERNAL, EXIT_USAGE, UsageError };

/** `attestgate help [COMMAND]`: the overview, or one command's help. */
const HELP_COMMAND: CliCommand = {
  name: 'help',
  summary: "print this overview, or a command's help (attestgate help COMMAND)",
  usage: ['help [COMMAND]'],
  options: {},
  async run(args, out) {
    if (args.length > 1) throw new UsageError(`help takes one command, not ${args.length}: attestgate help ${args[0]}`);
    if (args.length === 0) {
      out.write(overview());
      return 0;
    }
    out.write(commandHelp(commandNamed(args[0])));
    return 0;
  },
};

/**
 * Every command, in the order `attestgate help` lists them. A command is one entry here: main()
 * answers its `--help`, reports its errors with a pointer to its help and suggests its options.
 */
export const COMMANDS: readonly CliCommand[] = [GATES_COMMAND, RULES_COMMAND, CONFORMANCE_COMMAND, STEP_UP_COMMAND, SPIFFE_COMMAND, EMULATOR_COMMAND, HELP_COMMAND];

function commandNamed(name: string): CliCommand {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw unknownCommand(name, COMMANDS);
  return command;
}

/** `attestgate help`: the commands in a line each; their options are in their own help. */
function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: attestgate <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'attestgate <command> --help' (or -h) for a command's options.",
    '',
    PATH_NOTE,
    '',
    PROBE_EXITS,
    '',
  ].join('\n');
}

/** Errors the user can fix: a bad command line, or an input file attestgate cannot use (parseArgs' are read by parseErrorLine). */
function isInputError(e: unknown): e is Error {
  return e instanceof UsageError || e instanceof SourceError || e instanceof PkiError || e instanceof AttestGateError;
}

/**
 * A message as one printable line: control characters (a NUL of a UTF-16 file, an escape
 * sequence in a file name) are shown escaped, never written raw to the user's terminal.
 */
export function printable(message: string): string {
  return message.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? ' ' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** Runs the CLI; resolves to the process exit code. Output goes to the given streams. */
export async function main(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [name, ...rest] = argv;
  // `attestgate --help`, `attestgate -h`: the overview, as `attestgate help`.
  const command = name === '--help' || name === '-h' ? HELP_COMMAND : COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw name === undefined ? new UsageError('no command given') : unknownCommand(name, COMMANDS);
    // `attestgate gates --help` prints that command's help, whatever else is on the line.
    if (asksForHelp(rest)) {
      out.write(command === HELP_COMMAND ? overview() : commandHelp(command));
      return 0;
    }
    return await command.run(rest, out, err);
  } catch (e) {
    const parseError = parseErrorLine(e, command?.options ?? {});
    if (parseError !== undefined || isInputError(e)) {
      // One line naming the problem, and where the command's help is: never the whole usage.
      const help = command && command !== HELP_COMMAND ? `attestgate ${command.name} --help` : 'attestgate help';
      err.write(`attestgate: ${printable(parseError ?? (e as Error).message)}\nRun '${help}' for usage.\n`);
      return EXIT_USAGE;
    }
    // Anything else is a bug: one line for the user, the stack only when asked for.
    const { message, stack } = (e ?? {}) as { message?: unknown; stack?: unknown };
    err.write(`attestgate: internal error: ${printable(typeof message === 'string' ? message : String(e))}\n`);
    if (process.env.ATTESTGATE_DEBUG === '1') err.write(`${typeof stack === 'string' ? stack : String(e)}\n`);
    else err.write('This is a bug in attestgate: rerun with ATTESTGATE_DEBUG=1 for the stack trace, and report it.\n');
    return EXIT_INTERNAL;
  }
}
