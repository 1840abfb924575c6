import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseCertificate } from '../../lib/core/pki/certificate';
import { pemBlocks } from '../../lib/core/pki/pem';
import { pkiIssuerKeys } from '../azure/run-azure-conformance';
import { configurationsOf, loadAppSources } from '../discovery/app-sources';
import { discoverAwsGates } from '../discovery/aws-gates';
import { discoverAzureGates } from '../discovery/azure-gates';
import { discoverGcpGates } from '../discovery/gcp-gates';
import { RunningAwsEmulator, startAwsEmulator } from '../emulator/aws-emulator';
import { RunningAzureEmulator, startAzureEmulator } from '../emulator/azure-emulator';
import { RunningGcpEmulator, startGcpEmulator } from '../emulator/gcp-emulator';
import { PkiMaterial, loadPkiDirectory } from '../pki/pki-directory';
import { issuerJwks, pairs, portOption } from './option-values';
import { UsageError } from './usage-error';

/** What a client needs to reach the AWS emulator: its endpoint, the deployed ARNs, the personas' keys. */
function describeAws(emulator: RunningAwsEmulator): Record<string, unknown> {
  return {
    endpoint: emulator.endpoint,
    account: emulator.world.env.account,
    region: emulator.world.env.region,
    trustAnchors: [...emulator.world.trustAnchors.values()].map((t) => ({ arn: t.arn, origin: t.origin })),
    profiles: [...emulator.world.profiles.values()].map((p) => ({ arn: p.arn, origin: p.origin })),
    roles: [...emulator.world.roles.values()].map((r) => ({ arn: r.arn, origin: r.origin })),
    personas: [...emulator.world.personas.values()],
    problems: emulator.stacks.flatMap((s) => s.problems.map((p) => `${s.stackName}/${p.logicalId}: ${p.problem}`)),
  };
}

/** The GCP emulator serves STS and IAM credentials on one origin; clients set both endpoints to it. */
function describeGcp(emulator: RunningGcpEmulator): Record<string, unknown> {
  return {
    endpoint: emulator.endpoint,
    stsTokenUrl: `${emulator.endpoint}/v1/token`,
    iamCredentialsEndpoint: emulator.endpoint,
    // stsAudience is the token exchange's `audience` parameter; the JWT's `aud` must be one of allowedAudiences.
    providers: [...emulator.world.providers.values()].map((p) => ({ name: p.name, issuer: p.oidc?.issuerUri, stsAudience: `//iam.googleapis.com/${p.name}`, allowedAudiences: p.oidc?.allowedAudiences })),
    serviceAccounts: [...emulator.world.serviceAccounts.values()].map((s) => ({ email: s.email, origin: s.origin })),
    playedIssuers: [...emulator.playedIssuers.keys()],
    problems: emulator.problems.map((p) => `${p.origin}: ${p.problem}`),
  };
}

/** Entra clients need the authority host, the tenant, each identity's client ID, and to trust the test CA. */
function describeAzure(emulator: RunningAzureEmulator, caFile: string): Record<string, unknown> {
  return {
    authorityHost: emulator.authorityHost,
    tenantId: emulator.tenantId,
    caFile,
    identities: [...emulator.world.identities.values()].map((i) => ({
      name: i.name,
      clientId: i.clientId,
      origins: i.origins,
      federatedCredentials: i.federatedCredentials.map((f) => ({ issuer: f.issuer, subject: f.subject, audiences: f.audiences })),
    })),
    playedIssuers: [...emulator.playedIssuers.keys()],
    problems: emulator.configurations.flatMap((c) => c.problems.map((p) => `${c.stackName}/${p.address}: ${p.problem}`)),
  };
}

/**
 * `attestgate emulator --app PATH...`: deploys the apps into the local emulator of each cloud that
 * has gates in them, prints one JSON line with the endpoints (and where the Entra emulator's test
 * CA is, for NODE_EXTRA_CA_CERTS), and serves until interrupted.
 */
export async function emulatorCommand(args: readonly string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      app: { type: 'string', multiple: true },
      pki: { type: 'string' },
      port: { type: 'string', default: '0' },
      'gcp-port': { type: 'string', default: '0' },
      'azure-port': { type: 'string', default: '0' },
      'private-ca': { type: 'string', multiple: true },
      'no-throttle': { type: 'boolean', default: false },
      var: { type: 'string', multiple: true },
      'issuer-jwks': { type: 'string', multiple: true },
    },
    strict: true,
  });
  const apps = values.app ?? [];
  if (apps.length === 0) throw new UsageError('emulator needs at least one --app PATH');
  const ports = { aws: portOption('port', values.port), gcp: portOption('gcp-port', values['gcp-port']), azure: portOption('azure-port', values['azure-port']) };
  const fixed = [ports.aws, ports.gcp, ports.azure].filter((p) => p !== 0);
  if (new Set(fixed).size < fixed.length) throw new UsageError(`--port ${ports.aws}, --gcp-port ${ports.gcp}, --azure-port ${ports.azure}: each emulator needs its own port (0 picks a free one)`);
  const variables = pairs('var', values.var, 'NAME=VALUE', true);
  const jwks = issuerJwks(values['issuer-jwks']);
  const privateCas = new Map(
    (values['private-ca'] ?? []).map((entry) => {
      const at = entry.indexOf('=');
      const [arn, file] = at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      if (!arn || !file) throw new UsageError(`--private-ca ${entry}: write it as <ACM PCA ARN>=<CA certificate file>`);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(`--private-ca ${entry}: ${(e as Error).message}`);
      }
      const der = pemBlocks(text, 'CERTIFICATE')[0];
      if (!der) throw new UsageError(`--private-ca ${entry}: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the CA's certificate (aws acm-pca get-certificate-authority-certificate)`);
      try {
        return [arn, parseCertificate(der)] as const;
      } catch (e) {
        throw new UsageError(`--private-ca ${entry}: ${file} holds a PEM block that is not an X.509 certificate (${(e as Error).message}); give the CA's certificate (aws acm-pca get-certificate-authority-certificate)`);
      }
    }),
  );
  let pki: PkiMaterial | undefined;
  if (values.pki) {
    // A PkiError names the file and the fix; main reports it as bad input (64).
    pki = loadPkiDirectory(values.pki);
  }
  const sources = loadAppSources(apps);
  const gcpConfigurations = configurationsOf(sources.configurations, discoverGcpGates(sources.configurations));
  const azureConfigurations = configurationsOf(sources.configurations, discoverAzureGates(sources.configurations));
  const hasGates = { aws: discoverAwsGates(sources.templates).length > 0, gcp: gcpConfigurations.length > 0, azure: azureConfigurations.length > 0 };
  if (!hasGates.aws && !hasGates.gcp && !hasGates.azure) throw new UsageError(`no gate found in ${apps.join(', ')}: nothing to emulate`);

  // A port in use is the user's to fix: say which option, not a stack trace.
  const listening = async <T>(option: string, port: number, start: () => Promise<T>): Promise<T> => {
    try {
      return await start();
    } catch (e) {
      if ((e as { code?: string }).code === 'EADDRINUSE') throw new UsageError(`--${option} ${port}: the port is in use; pick another, or 0 for any free one`);
      throw e;
    }
  };
  const running: Array<{ close(): Promise<void> }> = [];
  let caDir: string | undefined;
  try {
    const description: Record<string, unknown> = { pkiCertificates: pki?.entries.length ?? 0 };
    if (hasGates.aws) {
      const aws = await listening('port', ports.aws, () =>
        startAwsEmulator({
          sources: sources.templates,
          port: ports.aws,
          privateCaCertificates: privateCas,
          ...(values['no-throttle'] ? { createSessionRatePerSecond: Infinity } : {}),
        }),
      );
      running.push(aws);
      description.aws = describeAws(aws);
    }
    if (hasGates.gcp) {
      const gcp = await listening('gcp-port', ports.gcp, () => startGcpEmulator({ sources: gcpConfigurations, port: ports.gcp, issuerKeys: pkiIssuerKeys(pki), variables }));
      running.push(gcp);
      description.gcp = describeGcp(gcp);
    }
    if (hasGates.azure) {
      const azure = await listening('azure-port', ports.azure, () =>
        startAzureEmulator({ sources: azureConfigurations, port: ports.azure, issuerKeys: pkiIssuerKeys(pki), issuerJwks: jwks, variables }),
      );
      running.push(azure);
      caDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-entra-ca-'));
      const caFile = path.join(caDir, 'entra-emulator-ca.pem');
      fs.writeFileSync(caFile, azure.caPem);
      description.azure = describeAzure(azure, caFile);
    }
    out.write(`${JSON.stringify(description)}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return 0;
  } finally {
    await Promise.all(running.map((emulator) => emulator.close()));
    if (caDir) fs.rmSync(caDir, { recursive: true, force: true });
  }
}
