import { formatPlanLine } from '../engine/request-plan';
import { parseArgs } from 'node:util';
import { PACKAGE_VERSION } from '../../lib/packs/private/version';
import { ROLE_TYPE, trustPolicyOf } from '../../lib/model/aws/roles-anywhere';
import { CHECK_CATALOG } from '../catalog';
import { CLOUDS, DiscoveredCloud, discoverClouds } from '../clouds';
import { loadAppSources } from '../discovery/app-sources';
import { selectChecks } from '../engine/runner';
import { CheckResult, ConformanceReport, REPORT_SCHEMA, exitCodeOf, summarize, unprovenGates } from '../engine/report';
import { PkiMaterial, loadPkiDirectory } from '../pki/pki-directory';
import { REPORT_FORMATS, ReportFormat, writeReports } from '../report/write-reports';
import { renderTable } from '../report/text-table';
import { hangingIndent, showsProgress, terminalOf } from '../report/terminal';
import { CONFORMANCE_TARGETS, ConformanceTarget, runConformance } from '../run-conformance';
import { OptionSpecs, OptionValues } from './cloud-cli';
import { CliCommand, PATH_NOTE, PROBE_EXITS } from './command';
import { pairs } from './option-values';
import { UsageError } from './usage-error';

/** The conformance command's own options; each cloud adds those of its live target. */
const COMMON_OPTIONS = {
  target: { type: 'string', default: 'local' },
  app: { type: 'string', multiple: true },
  pki: { type: 'string' },
  tags: { type: 'string', multiple: true },
  'allow-unproven': { type: 'string' },
  list: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  format: { type: 'string', multiple: true },
  out: { type: 'string', default: 'attestgate-report' },
  rate: { type: 'string' },
  concurrency: { type: 'string', default: '4' },
  // Live targets of OIDC clouds, and Terraform clouds.
  'token-command': { type: 'string' },
  var: { type: 'string', multiple: true },
} as const;

/** The common options' values, as parseArgs returns them for COMMON_OPTIONS. */
interface CommonValues {
  readonly target: string;
  readonly app?: string[];
  readonly pki?: string;
  readonly tags?: string[];
  readonly 'allow-unproven'?: string;
  readonly list: boolean;
  readonly verbose: boolean;
  readonly format?: string[];
  readonly out: string;
  readonly rate?: string;
  readonly concurrency: string;
  readonly 'token-command'?: string;
  readonly var?: string[];
}

export const CONFORMANCE_OPTIONS: OptionSpecs = Object.assign({ ...COMMON_OPTIONS }, ...CLOUDS.map((c) => c.cli.conformance.options));

/**
 * `attestgate conformance`: probes every gate of the given apps on a target and reports.
 * Exit codes: 0 no FAIL and no INCONCLUSIVE, 1 a FAIL, 2 INCONCLUSIVE but no FAIL (or no gate
 * to probe), 64 usage error.
 */
export async function conformanceCommand(args: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  // Typed by the common options (defaults included); each cloud reads its own from `values`.
  const { values } = parseArgs({ args: [...args], options: CONFORMANCE_OPTIONS, strict: true }) as unknown as { values: CommonValues & OptionValues };
  const apps = values.app ?? [];
  if (apps.length === 0) throw new UsageError('conformance needs at least one --app PATH');
  const target = values.target as ConformanceTarget;
  if (!CONFORMANCE_TARGETS.includes(target)) throw new UsageError(`--target ${values.target}: use ${CONFORMANCE_TARGETS.join(', ')}`);
  const formats = (values.format ?? ['table']).flatMap((f) => f.split(','));
  const unknownFormat = formats.find((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (unknownFormat) throw new UsageError(`--format ${unknownFormat}: use ${REPORT_FORMATS.join(', ')}`);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  const concurrency = Number(values.concurrency);
  if (rate !== undefined && !(rate > 0)) throw new UsageError(`--rate ${values.rate}: give requests per second, a positive number`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency ${values.concurrency}: give a whole number of gates probed at once`);
  const tags = (values.tags ?? []).flatMap((t) => t.split(',')).filter(Boolean);
  const allowUnproven = values['allow-unproven']?.trim();
  if (values['allow-unproven'] !== undefined && (allowUnproven ?? '').length < 10) {
    throw new UsageError(`--allow-unproven ${JSON.stringify(values['allow-unproven'])}: give the reason the positive controls are left out, at least 10 characters (it is written into the report)`);
  }
  const variables = pairs('var', values.var, 'NAME=VALUE', true);
  const tokenCommand = values['token-command'];
  // Every cloud's options are read now, so a bad value is refused before anything is probed.
  const cloudOptions = Object.fromEntries(CLOUDS.map((c) => [c.cloud, c.cli.conformance.runOptions(values, { variables, ...(tokenCommand ? { tokenCommand } : {}) })]));

  const sources = loadAppSources(apps);
  for (const input of [...sources.configurations, ...sources.templates]) if (input.readAs) err.write(`attestgate: read ${input.file} as ${input.readAs}\n`);
  let pki: PkiMaterial | undefined;
  if (values.pki) {
    // A PkiError names the file and the fix; main reports it as bad input (64).
    pki = loadPkiDirectory(values.pki);
    // Wrapped to the terminal: a temporary directory's path alone takes a third of a line.
    const note = (text: string) => err.write(`${hangingIndent(`attestgate: note: ${text}`, terminalOf(err).columns).join('\n')}\n`);
    for (const file of pki.unmatchedKeys) note(`${file} matches no certificate in --pki; it is used as an OIDC issuer's key where its public key is the issuer's`);
    for (const file of pki.ignoredFiles) note(`--pki ${file} is not read: only *.crt (certificates), *.key (private keys) and *.crl (CRLs) are; rename it if it is one of those`);
  }

  if (values.list) {
    const checks = selectChecks(CHECK_CATALOG.map((meta) => ({ meta })), tags);
    out.write(`${renderTable(['Check', 'Severity', 'Title', 'Tags'], checks.map(({ meta }) => [meta.id, meta.severity, meta.title, meta.tags.join(' ')]), terminalOf(out).columns)}\n`);
    const gates = discoverClouds(sources).flatMap((c) => c.gates);
    out.write(`${gates.length} gate(s): ${gates.map((g) => g.id).join(', ') || 'none'}\n`);
    return 0;
  }

  // The first SIGINT or SIGTERM stops the run: nothing new is sent and the report of what was
  // judged is written within seconds. Later signals change nothing: the report is on its way.
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    err.write(`\nattestgate: ${signal}: stopping; writing the report of what was judged, the rest INCONCLUSIVE\n`);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const startedAt = new Date().toISOString();
  // Progress on a terminal only: a CI log or a pipe keeps every line, and would fill with them.
  const progress = showsProgress(err) ? progressPrinter(err, discoverClouds(sources).filter((c) => target === 'local' || c.cloud === target), tags) : undefined;
  try {
    const run = await runConformance({
      sources,
      pki,
      target,
      tags,
      ...(allowUnproven ? { allowUnproven } : {}),
      ...(rate !== undefined ? { ratePerSecond: rate } : {}),
      concurrency,
      signal: controller.signal,
      onResult: progress,
      // The plan before the first probe: how many requests, how many shared, how long live.
      onPlan: (cloud, plan) => err.write(`${progress ? '\r\x1b[K' : ''}attestgate: ${formatPlanLine(cloud, plan)}\n`),
      ...cloudOptions,
    });
    if (progress) err.write('\r\x1b[K');
    if (run.unprobed.length > 0) {
      err.write(`attestgate: note: --target ${target} probes ${target} gates only; not probed: ${run.unprobed.map((g) => `${g.id} (${g.cloud})`).join(', ')}\n`);
    }
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
      plans: run.plans,
      ...(allowUnproven && run.results.some((r) => r.acknowledged) ? { unprovenSubset: { reason: allowUnproven, results: run.results.filter((r) => r.acknowledged).length } } : {}),
    };
    const files = writeReports(report, formats as ReportFormat[], values.out, out, { ...terminalOf(out), verbose: values.verbose });
    for (const file of files) out.write(`wrote ${file}\n`);
    // A run that proved nothing must not pass CI: a wrong directory, a missing key or client ID.
    if (run.gates.length === 0) err.write(`attestgate: no ${target === 'local' ? '' : `${target} `}gate found in ${apps.join(', ')}: nothing was probed\n`);
    // A role whose trust policy is not known (a plan's, until apply) may be a gate: say why none was found.
    for (const source of sources.templates) {
      for (const role of source.model.resourcesOfType(ROLE_TYPE)) {
        const trust = trustPolicyOf(role);
        if (!trust.readable) err.write(`attestgate: note: ${source.stackName}/${role.logicalId} was not probed: its trust policy cannot be read (${trust.reason}), so whether IAM Roles Anywhere can assume it is not known; plan again once it is, or give the state after apply\n`);
      }
    }
    for (const { gate, why, acknowledged } of unprovenGates(report)) err.write(`attestgate: nothing proven about ${gate}: ${why}${acknowledged ? ` (acknowledged: ${allowUnproven})` : ''}\n`);
    const excludedControls = run.excludedControls;
    if (excludedControls.length > 0 && !allowUnproven) {
      err.write(`attestgate: --tags excludes the positive control${excludedControls.length > 1 ? 's' : ''} ${excludedControls.join(', ')}, so no denial of ${excludedControls.length > 1 ? 'their' : 'its'} gates is proven; pass --allow-unproven REASON to accept that on purpose\n`);
    }
    return exitCodeOf(report);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
}

export const CONFORMANCE_COMMAND: CliCommand = {
  name: 'conformance',
  summary: 'probe every gate and prove unattested issuance fails',
  usage: [
    'conformance --app PATH... [options]',
    `  --target local|${CLOUDS.map((c) => c.cloud).join('|')}`,
    '                               local: every cloud on the embedded emulators (default);',
    `                               ${CLOUDS.map((c) => c.cloud).join(', ')}: that cloud's live endpoints`,
    '  --pki DIR                    CA certificates (*.crt), their keys (*.key) and CRLs (*.crl),',
    '                               matched to trust anchors by public key; other keys sign as',
    '                               the OIDC issuer whose published key they match',
    '  --tags TAG,...               run checks with every TAG (and none of !TAG), or these check IDs;',
    "                               a gate's positive control runs whenever its checks need it",
    '  --allow-unproven REASON      accept that --tags excludes the positive controls (!kind:positive):',
    '                               their denials stay INCONCLUSIVE, acknowledged, and do not exit 2',
    '  --list                       list the checks and gates, probe nothing',
    '  --verbose                    the table shows every result, path and signal, not only what',
    '                               needs attention',
    `  --format ${REPORT_FORMATS.join('|')}   (default table; comma lists too)`,
    '                               files go to --out: report.json, junit.xml, report.sarif and',
    '                               report.html (one page, loads nothing: open it in a browser)',
    '  --out DIR                    where the report files go (default attestgate-report)',
    `  --rate N                     requests per second to each cloud (default ${CLOUDS.map((c) => `${c.cloud} ${c.defaultRatePerSecond}`).join(', ')})`,
    '  --concurrency N              gates probed at once per cloud (default 4)',
    '  --token-command CMD          prints a valid token (the control without an issuer key; gcp, azure)',
    '  --var NAME=VALUE             Terraform variables the configurations use (repeatable)',
    'Live targets:',
    ...CLOUDS.flatMap((c) => c.cli.conformance.usage).map((line) => `  ${line}`),
  ],
  notes: [PATH_NOTE, PROBE_EXITS],
  options: CONFORMANCE_OPTIONS,
  run: conformanceCommand,
};

/**
 * One status line on the terminal, rewritten as results come in: per cloud the gates done of
 * those found, the requests sent (retries included) and the time since the start. A gate is done
 * when all the checks selected for its cloud have a result.
 */
function progressPrinter(err: NodeJS.WritableStream, clouds: readonly DiscoveredCloud[], tags: readonly string[]): (result: CheckResult) => void {
  const started = Date.now();
  const expected = new Map(clouds.map((c) => [c.cloud as string, selectChecks(CHECK_CATALOG.filter((m) => m.cloud === c.cloud).map((meta) => ({ meta })), tags).length]));
  const perGate = new Map<string, number>();
  let requests = 0;
  return (result) => {
    perGate.set(result.gate, (perGate.get(result.gate) ?? 0) + 1);
    requests += result.attempts;
    const done = (cloud: DiscoveredCloud) => cloud.gates.filter((g) => (perGate.get(g.id) ?? 0) >= (expected.get(cloud.cloud) ?? Infinity)).length;
    const line = `${clouds.map((c) => `${c.cloud} ${done(c)}/${c.gates.length} gates`).join(' · ')} · ${requests} requests · ${Math.round((Date.now() - started) / 1000)} s`;
    const columns = terminalOf(err).columns;
    err.write(`\r\x1b[K${line.length < columns ? line : line.slice(0, columns - 1)}`);
  };
}
