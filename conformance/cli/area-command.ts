import { PACKAGE_VERSION } from '../../lib/packs/private/version';
import { CheckResult, ConformanceReport, GateSummary, REPORT_SCHEMA, summarize, unprovenGates } from '../engine/report';
import { REPORT_FORMATS, ReportFormat, writeReports } from '../report/write-reports';
import { AreaRunArgs } from './area-args';
import { UsageError } from './usage-error';

// What the area commands (`attestgate step-up`, `attestgate spiffe`) share once their options are
// read (area-args.ts): the reports and the exit code, exactly as `attestgate conformance` has them.

/** Refuses an unknown `--format` before anything is probed. */
export function checkReportFormats(args: AreaRunArgs): void {
  const unknownFormat = args.formats.find((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (unknownFormat) throw new UsageError(`--format ${unknownFormat}: use ${REPORT_FORMATS.join(', ')}`);
}

/**
 * Writes an area run as a `conformance` report (table, JSON, JUnit, SARIF), says what was left
 * unproven, and returns the run's exit code: 0 proven, 1 a FAIL, 2 something unproven.
 */
export function reportAreaRun(
  target: string,
  args: AreaRunArgs,
  startedAt: string,
  run: { readonly gates: readonly GateSummary[]; readonly results: readonly CheckResult[]; readonly exitCode: number },
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): number {
  const report: ConformanceReport = {
    schema: REPORT_SCHEMA,
    tool: { name: 'attestgate', version: PACKAGE_VERSION },
    target,
    startedAt,
    finishedAt: new Date().toISOString(),
    interrupted: false,
    gates: run.gates,
    results: run.results,
    advisories: [],
    summary: summarize(run.results),
    ...(args.allowUnproven && run.results.some((r) => r.acknowledged) ? { unprovenSubset: { reason: args.allowUnproven, results: run.results.filter((r) => r.acknowledged).length } } : {}),
  };
  for (const file of writeReports(report, args.formats as ReportFormat[], args.out, out)) out.write(`wrote ${file}\n`);
  for (const { gate, why, acknowledged } of unprovenGates(report)) err.write(`attestgate: nothing proven about ${gate}: ${why}${acknowledged ? ` (acknowledged: ${args.allowUnproven})` : ''}\n`);
  return run.exitCode;
}
