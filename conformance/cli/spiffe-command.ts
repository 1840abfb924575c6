import { SPIFFE_CLI } from '../clouds';
import { checkReportFormats, reportAreaRun } from './area-command';
import { CliCommand, PROBE_EXITS } from './command';

/**
 * `attestgate spiffe`: the SPIFFE checks (AGC-SPIFFE-*) against the Workload API that issues one
 * registration, reached through one socket per probe workload; reported as `conformance`
 * reports. Exit codes as for `conformance`: 0 proven, 1 a FAIL, 2 something unproven, 64 a bad
 * command line. `--list` prints the probe workloads and probes nothing.
 */
export async function spiffeCommand(args: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const options = SPIFFE_CLI.read(args);
  checkReportFormats(options);
  if (options.list) {
    out.write(SPIFFE_CLI.list(options.target));
    return 0;
  }
  const startedAt = new Date().toISOString();
  const run = await SPIFFE_CLI.run(options);
  return reportAreaRun('spiffe', options, startedAt, run, out, err);
}

export const SPIFFE_COMMAND: CliCommand = {
  name: 'spiffe',
  summary: SPIFFE_CLI.usage[1].trim(),
  usage: [SPIFFE_CLI.usage[0], ...SPIFFE_CLI.usage.slice(2)],
  notes: [PROBE_EXITS],
  options: SPIFFE_CLI.options,
  run: spiffeCommand,
};
