import { parseArgs } from 'node:util';
import * as fs from 'node:fs';
import { parseCertificate } from '../../lib/core/pki/certificate';
import { pemBlocks } from '../../lib/core/pki/pem';
import { loadTemplateSources } from '../discovery/sources';
import { startAwsEmulator } from '../emulator/aws-emulator';
import { loadPkiDirectory } from '../pki/pki-directory';
import { UsageError } from './usage-error';

/**
 * `attestgate emulator --app PATH... [--pki DIR] [--port N]`: deploys the apps into the local
 * emulator, prints one JSON line with its endpoints and personas, and serves until interrupted.
 */
export async function emulatorCommand(args: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      app: { type: 'string', multiple: true },
      pki: { type: 'string' },
      port: { type: 'string', default: '0' },
      'private-ca': { type: 'string', multiple: true },
      'no-throttle': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const apps = values.app ?? [];
  if (apps.length === 0) throw new UsageError('emulator needs at least one --app PATH');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${values.port}: give a TCP port (0 for any free one)`);
  const privateCas = new Map(
    (values['private-ca'] ?? []).map((entry) => {
      const [arn, file] = entry.split('=');
      if (!arn || !file) throw new UsageError(`--private-ca ${entry}: write it as <ACM PCA ARN>=<CA certificate file>`);
      const der = pemBlocks(fs.readFileSync(file, 'utf8'), 'CERTIFICATE')[0];
      if (!der) throw new UsageError(`--private-ca ${entry}: ${file} holds no PEM certificate`);
      return [arn, parseCertificate(der)] as const;
    }),
  );
  let pkiEntries = 0;
  if (values.pki) {
    try {
      pkiEntries = loadPkiDirectory(values.pki).entries.length;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const emulator = await startAwsEmulator({
    sources: apps.flatMap(loadTemplateSources),
    port,
    privateCaCertificates: privateCas,
    ...(values['no-throttle'] ? { createSessionRatePerSecond: Infinity } : {}),
  });
  out.write(
    `${JSON.stringify({
      aws: {
        endpoint: emulator.endpoint,
        account: emulator.world.env.account,
        region: emulator.world.env.region,
        trustAnchors: [...emulator.world.trustAnchors.values()].map((t) => ({ arn: t.arn, origin: t.origin })),
        profiles: [...emulator.world.profiles.values()].map((p) => ({ arn: p.arn, origin: p.origin })),
        roles: [...emulator.world.roles.values()].map((r) => ({ arn: r.arn, origin: r.origin })),
        personas: [...emulator.world.personas.values()],
        problems: emulator.stacks.flatMap((s) => s.problems.map((p) => `${s.stackName}/${p.logicalId}: ${p.problem}`)),
      },
      pkiCertificates: pkiEntries,
    })}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.close();
  return 0;
}
