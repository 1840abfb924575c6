import { OptionSpecs } from './cloud-cli';
import { nearest } from './suggest';
import { UsageError } from './usage-error';

/**
 * One `attestgate` command: its name, its one-line summary for `attestgate help`, its own help
 * text and the option table it parses. main() answers `--help`/`-h` from `help` and turns a parse
 * error into one line with the nearest option from `options`, so a new command slots in by
 * adding one of these to the list in main.ts and nothing else.
 */
export interface CliCommand {
  readonly name: string;
  /** What it does, in a line of `attestgate help`. */
  readonly summary: string;
  /** Its synopsis and options, one per line, as `attestgate <name> --help` prints them after "Usage: attestgate ". */
  readonly usage: readonly string[];
  /** Paragraphs after the options (PATH, exit codes), shared between commands. */
  readonly notes?: readonly string[];
  /** The options it parses (parseArgs specifications): the ones an unknown option is matched against. */
  readonly options: OptionSpecs;
  run(args: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number>;
}

/** `attestgate <name> --help`. */
export function commandHelp(command: CliCommand): string {
  const [synopsis, ...lines] = command.usage;
  return [`Usage: attestgate ${synopsis}`, `  ${command.summary}`, '', ...lines, ...(command.notes ?? []).flatMap((note) => ['', note])].join('\n') + '\n';
}

/**
 * Whether the arguments ask for help: `--help` or `-h` anywhere before a `--` (after it, every
 * argument is a value, as parseArgs reads them).
 */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * parseArgs' error as the one line attestgate prints, or undefined when the error is not one of
 * parseArgs'. Node's messages explain positional arguments at length; the user needs the option,
 * the problem and, for a typo, the option they probably meant. By code, since Node's errors need
 * not be of this realm's Error.
 */
export function parseErrorLine(error: unknown, options: OptionSpecs): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS') || typeof message !== 'string') return undefined;
  const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /^Unknown option '(-{1,2}[^']*)'/.exec(message)?.[1] : undefined;
  if (unknown !== undefined) {
    const names = Object.keys(options);
    const guess = unknown.startsWith('--') ? nearest(unknown.slice(2), names) : undefined;
    return `unknown option ${unknown}${guess ? `; did you mean --${guess}?` : ''}`;
  }
  const unexpected = code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? /^Unexpected argument '([^']*)'/.exec(message)?.[1] : undefined;
  if (unexpected !== undefined) return `unexpected argument ${JSON.stringify(unexpected)}: every value follows its option (--app PATH); a value that starts with "-" goes after "--"`;
  const invalid = code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? /^Option '(-{1,2}[^ ']+)[^']*' (argument missing|does not take an argument)/.exec(message) : null;
  if (invalid) return invalid[2] === 'argument missing' ? `${invalid[1]} needs a value` : `${invalid[1]} takes no value`;
  return message;
}

/** An unknown command, with the nearest known one when there is one. */
export function unknownCommand(name: string, commands: readonly CliCommand[]): UsageError {
  const guess = nearest(name, commands.map((c) => c.name));
  return new UsageError(`unknown command ${JSON.stringify(name)}${guess ? `; did you mean "${guess}"?` : ''}`);
}

/** What `--app PATH` reads, for every command that takes it. */
export const PATH_NOTE = `PATH: a CDK cloud assembly directory or a CloudFormation template (JSON) for AWS; a cdktf
output directory or a *.tf.json file for GCP and Azure; what terraform show -json prints for a
plan or a state (recognised by its content) for all three. --app is repeatable.`;

/** Exit codes 64 and 70, which every command shares. */
export const BAD_INPUT_EXITS = `64 bad command line or bad input (an --app or --pki file that cannot be used;
the one-line message names the file, the problem and the fix); 70 internal error (a bug in
attestgate: rerun with ATTESTGATE_DEBUG=1 for the stack trace, and report it).`;

/** The exit codes of the commands that probe (conformance, step-up). */
export const PROBE_EXITS = `Exit codes: 0 every gate proven, no FAIL and no INCONCLUSIVE; 1 a FAIL; 2 no FAIL but something
unproven (INCONCLUSIVE, interrupted, no gate of the target found, or a gate whose positive control
did not pass);
${BAD_INPUT_EXITS}`;
