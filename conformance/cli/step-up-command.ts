import { PACKAGE_VERSION } from '../../lib/packs/private/version';
import { STEP_UP_CLI } from '../clouds';
import { ConformanceReport, REPORT_SCHEMA, summarize, unprovenGates } from '../engine/report';
import { REPORT_FORMATS, ReportFormat, writeReports } from '../report/write-reports';
import { CliCommand, PROBE_EXITS } from './command';
import { UsageError } from './usage-error';

/**
 * `attestgate step-up`: the step-up checks (AGC-SU-*) against one deployed endpoint, reported as
 * `conformance` reports. Exit codes as for `conformance`: 0 proven, 1 a FAIL, 2 something
 * unproven, 64 a bad command line.
 */
export async function stepUpCommand(args: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const options = STEP_UP_CLI.read(args);
  const unknownFormat = options.formats.find((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (unknownFormat) throw new UsageError(`--format ${unknownFormat}: use ${REPORT_FORMATS.join(', ')}`);
  const startedAt = new Date().toISOString();
  const run = await STEP_UP_CLI.run(options);
  const report: ConformanceReport = {
    schema: REPORT_SCHEMA,
    tool: { name: 'attestgate', version: PACKAGE_VERSION },
    target: 'step-up',
    startedAt,
    finishedAt: new Date().toISOString(),
    interrupted: false,
    gates: run.gates,
    results: run.results,
    advisories: [],
    summary: summarize(run.results),
    ...(options.allowUnproven && run.results.some((r) => r.acknowledged) ? { unprovenSubset: { reason: options.allowUnproven, results: run.results.filter((r) => r.acknowledged).length } } : {}),
  };
  for (const file of writeReports(report, options.formats as ReportFormat[], options.out, out)) out.write(`wrote ${file}\n`);
  for (const { gate, why, acknowledged } of unprovenGates(report)) err.write(`attestgate: nothing proven about ${gate}: ${why}${acknowledged ? ` (acknowledged: ${options.allowUnproven})` : ''}\n`);
  return run.exitCode;
}

export const STEP_UP_COMMAND: CliCommand = {
  name: 'step-up',
  summary: STEP_UP_CLI.usage[1].trim(),
  usage: [STEP_UP_CLI.usage[0], ...STEP_UP_CLI.usage.slice(2)],
  notes: [PROBE_EXITS],
  options: STEP_UP_CLI.options,
  run: stepUpCommand,
};
