import { parseArgs } from 'node:util';
import { CLOUDS, SPIFFE_CLI, discoverClouds } from '../clouds';
import { loadAppSources } from '../discovery/app-sources';
import { PkiMaterial, loadPkiDirectory } from '../pki/pki-directory';
import { OptionSpecs, OptionValues, ServedEmulator, SharedValues } from './cloud-cli';
import { BAD_INPUT_EXITS, CliCommand, PATH_NOTE } from './command';
import { pairs, portOption } from './option-values';
import { UsageError } from './usage-error';

/** The emulator command's own options; each cloud adds its port and its extra options. */
const COMMON_OPTIONS: OptionSpecs = {
  app: { type: 'string', multiple: true },
  pki: { type: 'string' },
  var: { type: 'string', multiple: true },
  // One switch for every cloud: a user load-testing a client against the emulators wants none of them to throttle.
  'no-throttle': { type: 'boolean', default: false },
};

export const EMULATOR_OPTIONS: OptionSpecs = Object.assign(
  { ...COMMON_OPTIONS, ...SPIFFE_CLI.emulator.options },
  ...CLOUDS.map((c) => ({ [c.cli.emulator.portOption]: { type: 'string', default: '0' }, ...c.cli.emulator.options })),
);

/**
 * `attestgate emulator --app PATH...`: deploys the apps into the local emulator of each cloud that
 * has gates in them, prints one JSON line with each one's endpoints (and, for Entra, where its
 * test CA is, for NODE_EXTRA_CA_CERTS), and serves until interrupted. With
 * `--spiffe-registrations`, it also plays a SPIRE agent (the Workload API, one socket per
 * `--spiffe-workload` profile), described under `spiffe`; the apps are then optional.
 */
export async function emulatorCommand(args: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: EMULATOR_OPTIONS, strict: true }) as { values: OptionValues };
  const apps = (values.app as string[] | undefined) ?? [];
  const wantsSpiffe = ((values['spiffe-registrations'] as string[] | undefined) ?? []).length > 0;
  if (apps.length === 0 && !wantsSpiffe) throw new UsageError('emulator needs at least one --app PATH (or --spiffe-registrations FILE)');
  const ports = new Map(CLOUDS.map((c) => [c.cloud, portOption(c.cli.emulator.portOption, values[c.cli.emulator.portOption] as string)]));
  const fixed = [...ports.values()].filter((p) => p !== 0);
  if (new Set(fixed).size < fixed.length) {
    throw new UsageError(`${CLOUDS.map((c) => `--${c.cli.emulator.portOption} ${ports.get(c.cloud)}`).join(', ')}: each emulator needs its own port (0 picks a free one)`);
  }
  const variables = pairs('var', values.var as string[] | undefined, 'NAME=VALUE', true);
  // Every cloud's options are read before anything starts: a bad value is refused up front.
  const own = new Map(CLOUDS.map((c) => [c.cloud, c.cli.emulator.readOptions(values)]));
  let pki: PkiMaterial | undefined;
  // A PkiError names the file and the fix; main reports it as bad input (64).
  if (values.pki) pki = loadPkiDirectory(values.pki as string);
  const shared: SharedValues = { ...(pki ? { pki } : {}), variables, noThrottle: values['no-throttle'] === true };
  const spiffe = SPIFFE_CLI.emulator.read(values, pki);
  const clouds = apps.length === 0 ? [] : discoverClouds(loadAppSources(apps)).filter((c) => c.gates.length > 0);
  if (clouds.length === 0 && !spiffe) throw new UsageError(`no gate found in ${apps.join(', ')}: nothing to emulate`);

  const running: ServedEmulator[] = [];
  try {
    const description: Record<string, unknown> = { pkiCertificates: pki?.entries.length ?? 0 };
    for (const cloud of clouds) {
      const option = CLOUDS.find((c) => c.cloud === cloud.cloud)!.cli.emulator.portOption;
      const port = ports.get(cloud.cloud)!;
      try {
        const served = await cloud.serve(port, own.get(cloud.cloud), shared);
        running.push(served);
        description[cloud.cloud] = served.description;
      } catch (e) {
        // A port in use is the user's to fix: say which option, not a stack trace.
        if ((e as { code?: string }).code === 'EADDRINUSE') throw new UsageError(`--${option} ${port}: the port is in use; pick another, or 0 for any free one`);
        throw e;
      }
    }
    if (spiffe) {
      const served = await SPIFFE_CLI.emulator.serve(spiffe);
      running.push(served);
      description.spiffe = served.description;
    }
    out.write(`${JSON.stringify(description)}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return 0;
  } finally {
    await Promise.all(running.map((emulator) => emulator.close()));
  }
}

export const EMULATOR_COMMAND: CliCommand = {
  name: 'emulator',
  summary: "serve the apps' gates on 127.0.0.1 and print the endpoints as JSON",
  usage: [
    'emulator --app PATH... [--pki DIR] [--var NAME=VALUE]... [options]',
    '  --pki DIR                    CA certificates, keys and CRLs, as for conformance',
    '  --var NAME=VALUE             Terraform variables the configurations use (repeatable)',
    '  --no-throttle                no emulator throttles: AWS CreateSession and STS, GCP STS, Entra',
    ...CLOUDS.flatMap((c) => c.cli.emulator.usage).map((line) => `  ${line}`),
    '                               ports: 0 (the default) picks a free one; serves until interrupted',
    ...SPIFFE_CLI.emulator.usage.map((line) => `  ${line}`),
    '                               with --spiffe-registrations, --app is optional',
  ],
  notes: [PATH_NOTE, `Exit codes: 0 stopped by SIGINT or SIGTERM;\n${BAD_INPUT_EXITS}`],
  options: EMULATOR_OPTIONS,
  run: (args, out) => emulatorCommand(args, out),
};
