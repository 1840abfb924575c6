import { parseArgs } from 'node:util';
import { loadAppSources } from '../discovery/app-sources';
import { RULES_REPORT_FORMATS, RulesReportFormat } from '../report/write-reports';
import { writeRulesReports } from '../report/rules-report';
import { judgeApp, rulesExitCode } from '../rules/judge-app';
import { BAD_INPUT_EXITS, CliCommand, PATH_NOTE } from './command';
import { UsageError } from './usage-error';
import { readInput, utf8Text } from '../discovery/input-files';
import { FileAcknowledgement, parseAcknowledgementsFile } from '../../lib/rules/acknowledgements-file';

const OPTIONS = {
  app: { type: 'string', multiple: true },
  acknowledgements: { type: 'string', multiple: true },
  format: { type: 'string', multiple: true },
  out: { type: 'string', default: 'attestgate-report' },
} as const;

/**
 * `attestgate rules --app PATH...`: every synth-time rule over synthesized or hand-written output
 * (cloud assembly, CloudFormation template, cdktf output, `*.tf.json`), without the app that made
 * it — for teams on plain CloudFormation, HCL or another tool, in CI with one line.
 * `--acknowledgements FILE` (repeatable) accepts findings of inputs that cannot carry an
 * acknowledgement themselves, such as a plan (lib/rules/acknowledgements-file.ts).
 */
export async function rulesCommand(args: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: OPTIONS, strict: true });
  const apps = values.app;
  if (!apps || apps.length === 0) throw new UsageError('rules needs at least one --app PATH');
  const formats = (values.format ?? ['table']).flatMap((f) => f.split(','));
  const unknownFormat = formats.find((f) => !(RULES_REPORT_FORMATS as readonly string[]).includes(f));
  if (unknownFormat) throw new UsageError(`--format ${unknownFormat}: use ${RULES_REPORT_FORMATS.join(', ')}`);
  const acknowledgements = (values.acknowledgements ?? []).flatMap(readAcknowledgements);
  const report = judgeApp(loadAppSources(apps), acknowledgements);
  const files = writeRulesReports(report, formats as RulesReportFormat[], values.out!, out);
  for (const file of files) out.write(`wrote ${file}\n`);
  return rulesExitCode(report);
}

function readAcknowledgements(file: string): FileAcknowledgement[] {
  const decoded = utf8Text(readInput(file, (problem) => new UsageError(`--acknowledgements ${file}: ${problem}`)));
  if ('problem' in decoded) throw new UsageError(`--acknowledgements ${file}: ${decoded.problem}`);
  return parseAcknowledgementsFile(decoded.text, file);
}

export const RULES_COMMAND: CliCommand = {
  name: 'rules',
  summary: 'run every synth-time rule over synthesized output, without CDK or cdktf',
  usage: [
    'rules --app PATH... [--format F]... [--out DIR] [--acknowledgements FILE]...',
    `  --format ${RULES_REPORT_FORMATS.join('|')}    (default table; comma lists too; files go to --out)`,
    '  --out DIR                    where the report files go (default attestgate-report)',
    '  --acknowledgements FILE      JSON { "acknowledgements": [ { "rule", "resource", "reason" } ] }',
    '                               for inputs that cannot carry one (a plan, a state); an entry',
    '                               that matches no finding is reported. Otherwise acknowledgements',
    '                               are read from the output (Metadata / "//" "attestgate:acknowledgements",',
    '                               CDK metadata)',
  ],
  notes: [PATH_NOTE, `Exit codes: 0 no open finding; 1 an open violation; 2 only findings that cannot be judged\nbefore apply are open;\n${BAD_INPUT_EXITS}`],
  options: OPTIONS,
  run: (args, out) => rulesCommand(args, out),
};
