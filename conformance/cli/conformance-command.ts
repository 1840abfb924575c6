import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { PACKAGE_VERSION } from '../../lib/packs/private/version';
import { CHECK_CATALOG } from '../catalog';
import { loadAppSources } from '../discovery/app-sources';
import { discoverAwsGates } from '../discovery/aws-gates';
import { discoverAzureGates } from '../discovery/azure-gates';
import { discoverGcpGates } from '../discovery/gcp-gates';
import { Jwks } from '../emulator/azure/played-issuers';
import { selectChecks } from '../engine/runner';
import { CheckResult, ConformanceReport, REPORT_SCHEMA, exitCodeOf, summarize } from '../engine/report';
import { PkiMaterial, loadPkiDirectory } from '../pki/pki-directory';
import { REPORT_FORMATS, ReportFormat, writeReports } from '../report/write-reports';
import { renderTable } from '../report/text-table';
import { CONFORMANCE_TARGETS, ConformanceTarget, runConformance } from '../run-conformance';
import { UsageError } from './usage-error';

const OPTIONS = {
  target: { type: 'string', default: 'local' },
  app: { type: 'string', multiple: true },
  pki: { type: 'string' },
  tags: { type: 'string', multiple: true },
  list: { type: 'boolean', default: false },
  format: { type: 'string', multiple: true },
  out: { type: 'string', default: 'attestgate-report' },
  rate: { type: 'string' },
  concurrency: { type: 'string', default: '4' },
  // AWS, live
  region: { type: 'string' },
  'stack-name': { type: 'string' },
  'endpoint-rolesanywhere': { type: 'string' },
  'endpoint-sts': { type: 'string' },
  'endpoint-cloudformation': { type: 'string' },
  'allow-mutations': { type: 'boolean', default: false },
  // GCP and Azure, live
  'token-command': { type: 'string' },
  var: { type: 'string', multiple: true },
  // GCP, live
  'project-number': { type: 'string', multiple: true },
  project: { type: 'string' },
  'endpoint-gcp-sts': { type: 'string' },
  'endpoint-iamcredentials': { type: 'string' },
  // Azure, live
  'tenant-id': { type: 'string' },
  'client-id': { type: 'string', multiple: true },
  'issuer-jwks': { type: 'string', multiple: true },
  'authority-host': { type: 'string' },
  scope: { type: 'string' },
} as const;

/** `NAME=VALUE` pairs of a repeatable option, with the option named in the error. */
function pairs(option: string, entries: readonly string[] | undefined, shape: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of entries ?? []) {
    const at = entry.lastIndexOf('=');
    if (at <= 0 || at === entry.length - 1) throw new UsageError(`--${option} ${entry}: write it as ${shape}`);
    result[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return result;
}

/** `--project-number N` (every project) or `--project-number PROJECT=N`, repeatable. */
function projectNumbers(entries: readonly string[] | undefined): { projectNumber?: string; projectNumbers: Record<string, string> } {
  const numbered = (entries ?? []).filter((e) => e.includes('='));
  const bare = (entries ?? []).filter((e) => !e.includes('='));
  if (bare.length > 1) throw new UsageError(`--project-number given ${bare.length} times without a project: write PROJECT=NUMBER for each project`);
  const projectNumbers = pairs('project-number', numbered, 'PROJECT_ID=PROJECT_NUMBER');
  for (const [project, number] of Object.entries({ ...projectNumbers, ...(bare[0] ? { '': bare[0] } : {}) })) {
    if (!/^\d{6,20}$/.test(number)) throw new UsageError(`--project-number ${project ? `${project}=` : ''}${number}: a project number is digits only (gcloud projects describe PROJECT --format='value(projectNumber)')`);
  }
  return { ...(bare[0] ? { projectNumber: bare[0] } : {}), projectNumbers };
}

/** `--issuer-jwks ISSUER=FILE`: the issuer's published keys, read now so a bad file is a usage error. */
function issuerJwks(entries: readonly string[] | undefined): Record<string, Jwks> {
  const result: Record<string, Jwks> = {};
  for (const [issuer, file] of Object.entries(pairs('issuer-jwks', entries, 'ISSUER_URL=JWKS_FILE'))) {
    let jwks: unknown;
    try {
      jwks = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new UsageError(`--issuer-jwks ${issuer}=${file}: ${(e as Error).message}`);
    }
    if (!Array.isArray((jwks as Jwks | null)?.keys)) throw new UsageError(`--issuer-jwks ${issuer}=${file}: not a JWKS (a JSON object with a "keys" array)`);
    result[issuer] = jwks as Jwks;
  }
  return result;
}

/**
 * `attestgate conformance`: probes every gate of the given apps on a target and reports.
 * Exit codes: 0 no FAIL and no INCONCLUSIVE, 1 a FAIL, 2 INCONCLUSIVE but no FAIL (or no gate
 * to probe), 64 usage error.
 */
export async function conformanceCommand(args: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: OPTIONS, strict: true });
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
  const variables = pairs('var', values.var, 'NAME=VALUE');
  const gcpProjects = projectNumbers(values['project-number']);
  const clientIds = pairs('client-id', values['client-id'], 'GATE_OR_IDENTITY=CLIENT_ID');
  const jwks = issuerJwks(values['issuer-jwks']);

  const sources = loadAppSources(apps);
  let pki: PkiMaterial | undefined;
  if (values.pki) {
    try {
      pki = loadPkiDirectory(values.pki);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    for (const file of pki.unmatchedKeys) err.write(`attestgate: note: ${file} matches no certificate in --pki; it is used as an OIDC issuer's key where its public key is the issuer's\n`);
  }

  if (values.list) {
    const checks = selectChecks(CHECK_CATALOG.map((meta) => ({ meta })), tags);
    out.write(`${renderTable(['Check', 'Severity', 'Title', 'Tags'], checks.map(({ meta }) => [meta.id, meta.severity, meta.title, meta.tags.join(' ')]))}\n`);
    const gates = [...discoverAwsGates(sources.templates), ...discoverGcpGates(sources.configurations), ...discoverAzureGates(sources.configurations)];
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
    const run = await runConformance({
      sources,
      pki,
      target,
      tags,
      ...(rate !== undefined ? { ratePerSecond: rate } : {}),
      concurrency,
      signal: controller.signal,
      onResult: progress,
      aws: {
        allowMutations: values['allow-mutations'],
        region: values.region,
        stackName: values['stack-name'],
        endpoints: {
          ...(values['endpoint-rolesanywhere'] ? { rolesAnywhere: values['endpoint-rolesanywhere'] } : {}),
          ...(values['endpoint-sts'] ? { sts: values['endpoint-sts'] } : {}),
          ...(values['endpoint-cloudformation'] ? { cloudFormation: values['endpoint-cloudformation'] } : {}),
        },
      },
      gcp: {
        ...gcpProjects,
        ...(values.project ? { project: values.project } : {}),
        ...(values['token-command'] ? { tokenCommand: values['token-command'] } : {}),
        variables,
        // The emulator resolves the configurations' variables itself.
        emulator: { variables },
        endpoints: {
          ...(values['endpoint-gcp-sts'] ? { sts: values['endpoint-gcp-sts'] } : {}),
          ...(values['endpoint-iamcredentials'] ? { iamCredentials: values['endpoint-iamcredentials'] } : {}),
        },
      },
      azure: {
        ...(values['tenant-id'] ? { tenantId: values['tenant-id'] } : {}),
        ...(values['token-command'] ? { tokenCommand: values['token-command'] } : {}),
        ...(values.scope ? { scope: values.scope } : {}),
        clientIds,
        issuerJwks: jwks,
        variables,
        endpoints: values['authority-host'] ? { authorityHost: values['authority-host'] } : {},
      },
    });
    if (progress) err.write('\n');
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
    };
    const files = writeReports(report, formats as ReportFormat[], values.out, out);
    for (const file of files) out.write(`wrote ${file}\n`);
    if (run.gates.length === 0) {
      // A run that probed nothing proved nothing: CI pointed at the wrong directory must not pass.
      err.write(`attestgate: no ${target === 'local' ? '' : `${target} `}gate found in ${apps.join(', ')}: nothing was probed\n`);
      return 2;
    }
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
