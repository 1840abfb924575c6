import { AttestGateError } from '../../lib/core/errors';
import { SourceError } from '../discovery/sources';
import { CLOUDS, SPIFFE_CLI, STEP_UP_CLI } from '../clouds';
import { PkiError } from '../pki/pki-directory';
import { conformanceCommand } from './conformance-command';
import { emulatorCommand } from './emulator-command';
import { gatesCommand } from './gates-command';
import { rulesCommand } from './rules-command';
import { spiffeCommand } from './spiffe-command';
import { stepUpCommand } from './step-up-command';
import { EXIT_INTERNAL, EXIT_USAGE, UsageError } from './usage-error';

export { EXIT_INTERNAL, EXIT_USAGE, UsageError };

const USAGE = `Usage: attestgate <command> [options]

Commands:
  gates --app PATH...          print what each attestation gate accepts
  rules --app PATH...          run every synth-time rule over the output, without CDK or cdktf
      [--format table|json|junit|sarif]...   (default table; files go to --out)
      [--out DIR]              (default attestgate-report)
      [--acknowledgements FILE]...
                               JSON { "acknowledgements": [ { "rule", "resource", "reason" } ] }
                               for inputs that cannot carry one (a plan, a state); an entry
                               that matches no finding is reported
                               exit 1 on an open violation, 2 when only findings that cannot be
                               judged before apply are open; acknowledgements are read from the
                               output (Metadata / "//" "attestgate:acknowledgements", CDK metadata)
  conformance --app PATH...    probe every gate and prove unattested issuance fails
      [--target local|${CLOUDS.map((c) => c.cloud).join('|')}]
                               local: every cloud on the embedded emulators (default);
                               ${CLOUDS.map((c) => c.cloud).join(', ')}: that cloud's live endpoints
      [--pki DIR]              CA certificates (*.crt), their keys (*.key) and CRLs (*.crl),
                               matched to trust anchors by public key; other keys sign as
                               the OIDC issuer whose published key they match
      [--tags TAG,...]         run checks with every TAG (and none of !TAG), or these check IDs;
                               a gate's positive control runs whenever its checks need it
      [--allow-unproven REASON]
                               accept that --tags excludes the positive controls (!kind:positive):
                               their denials stay INCONCLUSIVE, acknowledged, and do not exit 2
      [--list]                 list the checks and gates, probe nothing
      [--format table|json|junit|sarif]...   (default table; files go to --out)
      [--out DIR]              (default attestgate-report)
      [--rate N]               requests per second to each cloud (default ${CLOUDS.map((c) => `${c.cloud} ${c.defaultRatePerSecond}`).join(', ')})
      [--concurrency N]        gates probed at once per cloud (default 4)
${CLOUDS.flatMap((c) => c.cli.conformance.usage).map((line) => `    ${line}`).join('\n')}
    [--token-command CMD]      prints a valid token (the control without an issuer key; gcp, azure)
    [--var NAME=VALUE]...      Terraform variables the configurations use
${STEP_UP_CLI.usage.map((line) => `  ${line}`).join('\n')}
${SPIFFE_CLI.usage.map((line) => `  ${line}`).join('\n')}
  emulator --app PATH... [--pki DIR] [--var NAME=VALUE]...
${CLOUDS.flatMap((c) => c.cli.emulator.usage).map((line) => `           ${line}`).join('\n')}
${SPIFFE_CLI.emulator.usage.map((line) => `           ${line}`).join('\n')}
                               serve the apps on 127.0.0.1 and print the endpoints as JSON
  help, <command> --help       print this help

PATH: a CDK cloud assembly directory or a CloudFormation template (JSON) for AWS; a cdktf
output directory or a *.tf.json file for GCP and Azure; what terraform show -json prints for a
plan or a state (recognised by its content) for all three.
Exit codes: 0 every gate proven, no FAIL and no INCONCLUSIVE; 1 a FAIL; 2 no FAIL but something
unproven (INCONCLUSIVE, interrupted, no gate of the target found, or a gate whose positive control
did not pass); 64 bad command line or bad input (an --app or --pki file that cannot be used; the
one-line message names the file, the problem and the fix); 70 internal error (a bug in attestgate:
rerun with ATTESTGATE_DEBUG=1 for the stack trace, and report it).
`;

const COMMANDS = new Set(['gates', 'rules', 'conformance', 'step-up', 'spiffe', 'emulator']);

/** Errors the user can fix: a bad command line, or an input file attestgate cannot use. */
function isInputError(e: unknown): e is Error {
  if (e instanceof UsageError || e instanceof SourceError || e instanceof PkiError || e instanceof AttestGateError) return true;
  // parseArgs' errors: by code, since Node's errors need not be of this realm's Error.
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
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
  const [command, ...rest] = argv;
  // `attestgate gates --help` prints the usage, whatever else is on the line.
  if (COMMANDS.has(command) && (rest.includes('--help') || rest.includes('-h'))) {
    out.write(USAGE);
    return 0;
  }
  try {
    switch (command) {
      case 'gates':
        return await gatesCommand(rest, out);
      case 'rules':
        return await rulesCommand(rest, out);
      case 'conformance':
        return await conformanceCommand(rest, out, err);
      case 'step-up':
        return await stepUpCommand(rest, out, err);
      case 'spiffe':
        return await spiffeCommand(rest, out, err);
      case 'emulator':
        return await emulatorCommand(rest, out);
      case 'help':
      case '--help':
      case '-h':
        out.write(USAGE);
        return 0;
      default:
        throw new UsageError(command === undefined ? 'no command given' : `unknown command "${command}"`);
    }
  } catch (e) {
    if (isInputError(e)) {
      const help = COMMANDS.has(command) ? `attestgate ${command} --help` : 'attestgate help';
      err.write(`attestgate: ${printable(e.message)}\nRun '${help}' for usage.\n`);
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
