import { parseArgs } from 'node:util';
import { discoverClouds } from '../clouds';
import { loadAppSources } from '../discovery/app-sources';
import { renderGateSections } from '../report/gate-table';
import { terminalOf } from '../report/terminal';
import { BAD_INPUT_EXITS, CliCommand, PATH_NOTE } from './command';
import { UsageError } from './usage-error';

const OPTIONS = { app: { type: 'string', multiple: true } } as const;

/** `attestgate gates --app PATH...`: the gate table of synthesized output (CloudFormation or Terraform JSON). */
export async function gatesCommand(args: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: OPTIONS, strict: true });
  const apps = values.app;
  if (!apps || apps.length === 0) throw new UsageError('gates needs at least one --app PATH');
  const { columns } = terminalOf(out);
  out.write(`${renderGateSections(discoverClouds(loadAppSources(apps)).map((c) => c.tableSection(columns)))}\n`);
  return 0;
}

export const GATES_COMMAND: CliCommand = {
  name: 'gates',
  summary: 'print what each attestation gate accepts',
  usage: ['gates --app PATH...', '  --app PATH...                the synthesized output to read'],
  notes: [PATH_NOTE, `Exit codes: 0 printed;\n${BAD_INPUT_EXITS}`],
  options: OPTIONS,
  run: (args, out) => gatesCommand(args, out),
};
