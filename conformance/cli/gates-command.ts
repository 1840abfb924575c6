import { parseArgs } from 'node:util';
import { discoverClouds } from '../clouds';
import { loadAppSources } from '../discovery/app-sources';
import { renderGateSections } from '../report/gate-table';
import { UsageError } from './usage-error';

/** `attestgate gates --app PATH...`: the gate table of synthesized output (CloudFormation or Terraform JSON). */
export async function gatesCommand(args: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { app: { type: 'string', multiple: true } }, strict: true });
  const apps = values.app;
  if (!apps || apps.length === 0) throw new UsageError('gates needs at least one --app PATH');
  out.write(`${renderGateSections(discoverClouds(loadAppSources(apps)).map((c) => c.tableSection()))}\n`);
  return 0;
}
