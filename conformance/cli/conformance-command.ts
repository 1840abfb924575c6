import { parseArgs } from 'node:util';
import { PACKAGE_VERSION } from '../../lib/packs/private/version';
import { runAwsConformance } from '../aws/run-aws-conformance';
import { CHECK_CATALOG } from '../catalog';
import { discoverAwsGates } from '../discovery/aws-gates';
import { loadTemplateSources } from '../discovery/sources';
import { selectChecks } from '../engine/runner';
import { CheckResult, ConformanceReport, REPORT_SCHEMA, exitCodeOf, summarize } from '../engine/report';
import { PkiMaterial, loadPkiDirectory } from '../pki/pki-directory';
import { REPORT_FORMATS, ReportFormat, writeReports } from '../report/write-reports';
import { renderTable } from '../report/text-table';
import { UsageError } from './usage-error';

const OPTIONS = {
  target: { type: 'string', default: 'local' },
  app: { type: 'string', multiple: true },
  pki: { type: 'string' },
  tags: { type: 'string', multiple: true },
  list: { type: 'boolean', default: false },
  format: { type: 'string', multiple: true },
  out: { type: 'string', default: 'attestgate-report' },
  region: { type: 'string' },
  'stack-name': { type: 'string' },
  'endpoint-rolesanywhere': { type: 'string' },
  'endpoint-sts': { type: 'string' },
  'endpoint-cloudformation': { type: 'string' },
  'allow-mutations': { type: 'boolean', default: false },
  rate: { type: 'string', default: '9' },
  concurrency: { type: 'string', default: '4' },
} as const;

/**
 * `attestgate conformance`: probes every gate of the given apps on a target and reports.
 * Exit codes: 0 no FAIL and no INCONCLUSIVE, 1 a FAIL, 2 INCONCLUSIVE but no FAIL, 64 usage error.
 */
export async function conformanceCommand(args: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: OPTIONS, strict: true });
  const apps = values.app ?? [];
  if (apps.length === 0) throw new UsageError('conformance needs at least one --app PATH');
  if (values.target !== 'local' && values.target !== 'aws') throw new UsageError(`--target ${values.target}: use local or aws`);
  const formats = (values.format ?? ['table']).flatMap((f) => f.split(','));
  const unknownFormat = formats.find((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (unknownFormat) throw new UsageError(`--format ${unknownFormat}: use ${REPORT_FORMATS.join(', ')}`);
  const rate = Number(values.rate);
  const concurrency = Number(values.concurrency);
  if (!(rate > 0)) throw new UsageError(`--rate ${values.rate}: give requests per second, a positive number`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency ${values.concurrency}: give a whole number of gates probed at once`);
  const tags = (values.tags ?? []).flatMap((t) => t.split(',')).filter(Boolean);

  const sources = apps.flatMap(loadTemplateSources);
  let pki: PkiMaterial | undefined;
  if (values.pki) {
    try {
      pki = loadPkiDirectory(values.pki);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    for (const file of pki.unmatchedKeys) err.write(`attestgate: note: ${file} matches no certificate in --pki; it is used only if it matches an OIDC issuer key\n`);
  }

  if (values.list) {
    const checks = selectChecks(CHECK_CATALOG.map((meta) => ({ meta })), tags);
    out.write(`${renderTable(['Check', 'Severity', 'Title', 'Tags'], checks.map(({ meta }) => [meta.id, meta.severity, meta.title, meta.tags.join(' ')]))}\n`);
    const gates = discoverAwsGates(sources);
    out.write(`${gates.length} gate(s): ${gates.map((g) => g.id).join(', ') || 'none'}\n`);
    return 0;
  }

  const controller = new AbortController();
  const stop = () => {
    if (!controller.signal.aborted) err.write('\nattestgate: interrupted; writing the reports of what ran\n');
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const startedAt = new Date().toISOString();
  const progress = (err as NodeJS.WriteStream).isTTY ? progressPrinter(err) : undefined;
  try {
    const run = await runAwsConformance({
      sources,
      pki,
      target: values.target,
      tags,
      allowMutations: values['allow-mutations'],
      region: values.region,
      stackName: values['stack-name'],
      endpoints: {
        ...(values['endpoint-rolesanywhere'] ? { rolesAnywhere: values['endpoint-rolesanywhere'] } : {}),
        ...(values['endpoint-sts'] ? { sts: values['endpoint-sts'] } : {}),
        ...(values['endpoint-cloudformation'] ? { cloudFormation: values['endpoint-cloudformation'] } : {}),
      },
      ratePerSecond: rate,
      concurrency,
      signal: controller.signal,
      onResult: progress,
    });
    const report: ConformanceReport = {
      schema: REPORT_SCHEMA,
      tool: { name: 'attestgate', version: PACKAGE_VERSION },
      target: run.target,
      startedAt,
      finishedAt: new Date().toISOString(),
      interrupted: controller.signal.aborted,
      gates: run.gates,
      results: run.results,
      advisories: run.advisories,
      summary: summarize(run.results),
    };
    if (progress) err.write('\n');
    const files = writeReports(report, formats as ReportFormat[], values.out, out);
    for (const file of files) out.write(`wrote ${file}\n`);
    return exitCodeOf(report);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
}

function progressPrinter(err: NodeJS.WritableStream): (result: CheckResult) => void {
  let done = 0;
  return (result) => {
    done++;
    err.write(`\r\x1b[K[${done}] ${result.gate} ${result.checkId} ${result.status}`);
  };
}
