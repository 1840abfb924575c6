import { SourceError } from '../discovery/sources';
import { PkiError } from '../pki/pki-directory';
import { conformanceCommand } from './conformance-command';
import { emulatorCommand } from './emulator-command';
import { gatesCommand } from './gates-command';
import { EXIT_USAGE, UsageError } from './usage-error';

export { EXIT_USAGE, UsageError };

const USAGE = `Usage: attestgate <command> [options]

Commands:
  gates --app PATH...          print what each attestation gate accepts
  conformance --app PATH...    probe every gate and prove unattested issuance fails
      [--target local|aws|gcp|azure]
                               local: every cloud on the embedded emulators (default);
                               aws, gcp, azure: that cloud's live endpoints
      [--pki DIR]              CA certificates (*.crt), their keys (*.key) and CRLs (*.crl),
                               matched to trust anchors by public key; other keys sign as
                               the OIDC issuer whose published key they match
      [--tags TAG,...]         run checks with every TAG (and none of !TAG), or these check IDs
      [--list]                 list the checks and gates, probe nothing
      [--format table|json|junit|sarif]...   (default table; files go to --out)
      [--out DIR]              (default attestgate-report)
      [--rate N]               requests per second to each cloud (default AWS 9, GCP 10, Azure 5)
      [--concurrency N]        gates probed at once per cloud (default 4)
    aws:   [--region R] [--stack-name NAME] [--allow-mutations]
           [--endpoint-rolesanywhere URL] [--endpoint-sts URL] [--endpoint-cloudformation URL]
    gcp:   [--project-number [PROJECT=]NUMBER]... [--project ID]
           [--endpoint-gcp-sts URL] [--endpoint-iamcredentials URL]
    azure: [--tenant-id ID] [--client-id GATE_OR_IDENTITY=CLIENT_ID]...
           [--issuer-jwks ISSUER_URL=FILE]... [--authority-host URL] [--scope SCOPE]
    gcp, azure: [--token-command CMD]  prints a valid token (the control without an issuer key)
           [--var NAME=VALUE]...       Terraform variables the configurations use
  emulator --app PATH... [--pki DIR] [--var NAME=VALUE]... [--issuer-jwks ISSUER_URL=FILE]...
           [--port N (AWS)] [--gcp-port N] [--azure-port N]
           [--private-ca ARN=FILE]... [--no-throttle (AWS)]
                               serve the apps on 127.0.0.1 and print the endpoints as JSON
  help                         print this help

PATH: a CDK cloud assembly directory or a CloudFormation template (JSON) for AWS; a cdktf
output directory or a *.tf.json file for GCP and Azure.
Exit codes: 0 every gate proven, no FAIL and no INCONCLUSIVE; 1 a FAIL; 2 no FAIL but something
unproven (INCONCLUSIVE, interrupted, no gate of the target found, or a gate whose positive control
was skipped); 64 usage error.
`;

/** Runs the CLI; resolves to the process exit code. Output goes to the given streams. */
export async function main(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'gates':
        return await gatesCommand(rest, out);
      case 'conformance':
        return await conformanceCommand(rest, out, err);
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
    if (e instanceof UsageError || e instanceof SourceError || e instanceof PkiError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err.write(`attestgate: ${(e as Error).message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
