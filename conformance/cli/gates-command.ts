import { discoverAwsGates } from '../discovery/aws-gates';
import { discoverAzureGates } from '../discovery/azure-gates';
import { discoverGcpGates } from '../discovery/gcp-gates';
import { loadAppSources } from '../discovery/app-sources';
import { renderGateTable } from '../report/gate-table';
import { parseArgs } from 'node:util';
import { UsageError } from './usage-error';

/** `attestgate gates --app PATH...`: the gate table of synthesized output (CloudFormation or Terraform JSON). */
export async function gatesCommand(args: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { app: { type: 'string', multiple: true } }, strict: true });
  const apps = values.app;
  if (!apps || apps.length === 0) throw new UsageError('gates needs at least one --app PATH');
  const { templates, configurations } = loadAppSources(apps);
  const gates = [...discoverAwsGates(templates), ...discoverGcpGates(configurations), ...discoverAzureGates(configurations)];
  out.write(`${renderGateTable(gates)}\n`);
  return 0;
}
