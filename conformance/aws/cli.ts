import * as fs from 'node:fs';
import { parseCertificate } from '../../lib/core/pki/certificate';
import { pemBlocks } from '../../lib/core/pki/pem';
import { CloudCli, OptionValues, stringValue, stringValues } from '../cli/cloud-cli';
import { endpointUrl } from '../cli/option-values';
import { UsageError } from '../cli/usage-error';
import { TemplateSource } from '../discovery/sources';
import { RunningAwsEmulator, startAwsEmulator } from '../emulator/aws-emulator';
import { AwsConformanceOptions } from './run-aws-conformance';

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

/** `--private-ca ARN=FILE`: the CA certificate of an ACM Private CA trust anchor, read now so a bad file is a usage error. */
function privateCas(values: OptionValues) {
  return new Map(
    (stringValues(values, 'private-ca') ?? []).map((entry) => {
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
}

/** AWS's part of the command line. */
export const AWS_CLI: CloudCli<TemplateSource, Omit<AwsConformanceOptions, 'target' | 'sources'>, { privateCas: ReturnType<typeof privateCas> }> = {
  conformance: {
    options: {
      region: { type: 'string' },
      'stack-name': { type: 'string' },
      'endpoint-rolesanywhere': { type: 'string' },
      'endpoint-sts': { type: 'string' },
      'endpoint-cloudformation': { type: 'string' },
      'allow-mutations': { type: 'boolean', default: false },
    },
    usage: [
      'aws:   [--region R] [--stack-name NAME] [--allow-mutations]',
      '       [--endpoint-rolesanywhere URL] [--endpoint-sts URL] [--endpoint-cloudformation URL]',
    ],
    runOptions(values) {
      const rolesAnywhere = endpointUrl('endpoint-rolesanywhere', stringValue(values, 'endpoint-rolesanywhere'));
      const sts = endpointUrl('endpoint-sts', stringValue(values, 'endpoint-sts'));
      const cloudFormation = endpointUrl('endpoint-cloudformation', stringValue(values, 'endpoint-cloudformation'));
      return {
        // The local target's emulator serves from its own thread: the run probes on one core while
        // it answers on the other.
        localEmulator: 'worker',
        allowMutations: values['allow-mutations'] === true,
        region: stringValue(values, 'region'),
        stackName: stringValue(values, 'stack-name'),
        endpoints: { ...(rolesAnywhere ? { rolesAnywhere } : {}), ...(sts ? { sts } : {}), ...(cloudFormation ? { cloudFormation } : {}) },
      };
    },
  },
  emulator: {
    portOption: 'port',
    options: {
      'private-ca': { type: 'string', multiple: true },
    },
    usage: ['[--port N (AWS)] [--private-ca ARN=FILE]...'],
    readOptions: (values) => ({ privateCas: privateCas(values) }),
    async serve(sources, port, own, shared) {
      const emulator = await startAwsEmulator({
        sources,
        port,
        privateCaCertificates: own.privateCas,
        ...(shared.noThrottle ? { createSessionRatePerSecond: Infinity, stsRatePerSecond: Infinity } : {}),
      });
      return { description: describeAws(emulator), close: () => emulator.close() };
    },
  },
};
