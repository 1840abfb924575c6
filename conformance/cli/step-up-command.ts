import { STEP_UP_CLI } from '../clouds';
import { checkReportFormats, reportAreaRun } from './area-command';
import { CliCommand, PROBE_EXITS } from './command';

/**
 * `attestgate step-up`: the step-up checks (AGC-SU-*) against one deployed endpoint, reported as
 * `conformance` reports. Exit codes as for `conformance`: 0 proven, 1 a FAIL, 2 something
 * unproven, 64 a bad command line.
 */
export async function stepUpCommand(args: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const options = STEP_UP_CLI.read(args);
  checkReportFormats(options);
  const startedAt = new Date().toISOString();
  const run = await STEP_UP_CLI.run(options);
  return reportAreaRun('step-up', options, startedAt, run, out, err);
}

export const STEP_UP_COMMAND: CliCommand = {
  name: 'step-up',
  summary: STEP_UP_CLI.usage[1].trim(),
  usage: [STEP_UP_CLI.usage[0], ...STEP_UP_CLI.usage.slice(2)],
  notes: [PROBE_EXITS],
  options: STEP_UP_CLI.options,
  run: stepUpCommand,
};
