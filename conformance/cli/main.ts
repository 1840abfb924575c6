import { SourceError } from '../discovery/sources';
import { gatesCommand } from './gates-command';

/** Exit codes: 0 success, 1 a FAIL, 2 INCONCLUSIVE, 64 usage error (sysexits EX_USAGE). */
export const EXIT_USAGE = 64;

export class UsageError extends Error {}

const USAGE = `Usage: attestgate <command> [options]

Commands:
  gates --app PATH...    print what each attestation gate accepts
                         (PATH: a CDK cloud assembly or CloudFormation template, a cdktf output directory or *.tf.json)
  help                   print this help
`;

/** Runs the CLI; resolves to the process exit code. Output goes to the given streams. */
export async function main(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'gates':
        return await gatesCommand(rest, out);
      case 'help':
      case '--help':
      case '-h':
        out.write(USAGE);
        return 0;
      default:
        throw new UsageError(command === undefined ? 'no command given' : `unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof SourceError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err.write(`attestgate: ${(e as Error).message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
