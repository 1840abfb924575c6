import { TerraformSource } from '../../lib/model/terraform/configuration';
import { CloudCli, stringValue, stringValues } from '../cli/cloud-cli';
import { endpointUrl, projectNumbers } from '../cli/option-values';
import { RunningGcpEmulator, startGcpEmulator } from '../emulator/gcp-emulator';
import { pkiIssuerKeys } from '../oidc/issuer-key';
import { GcpConformanceOptions } from './run-gcp-conformance';

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

/** GCP's part of the command line. */
export const GCP_CLI: CloudCli<TerraformSource, Omit<GcpConformanceOptions, 'target' | 'sources'>, null> = {
  conformance: {
    options: {
      'project-number': { type: 'string', multiple: true },
      project: { type: 'string' },
      'endpoint-gcp-sts': { type: 'string' },
      'endpoint-iamcredentials': { type: 'string' },
    },
    usage: ['gcp:   [--project-number [PROJECT=]NUMBER]... [--project ID]', '       [--endpoint-gcp-sts URL] [--endpoint-iamcredentials URL]'],
    runOptions(values, shared) {
      const sts = endpointUrl('endpoint-gcp-sts', stringValue(values, 'endpoint-gcp-sts'));
      const iamCredentials = endpointUrl('endpoint-iamcredentials', stringValue(values, 'endpoint-iamcredentials'));
      const project = stringValue(values, 'project');
      return {
        ...projectNumbers(stringValues(values, 'project-number')),
        ...(project ? { project } : {}),
        ...(shared.tokenCommand ? { tokenCommand: shared.tokenCommand } : {}),
        variables: shared.variables,
        // The emulator resolves the configurations' variables itself.
        emulator: { variables: shared.variables },
        endpoints: { ...(sts ? { sts } : {}), ...(iamCredentials ? { iamCredentials } : {}) },
      };
    },
  },
  emulator: {
    portOption: 'gcp-port',
    options: {},
    usage: ['[--gcp-port N]'],
    readOptions: () => null,
    async serve(sources, port, _own, shared) {
      const emulator = await startGcpEmulator({
        sources,
        port,
        issuerKeys: pkiIssuerKeys(shared.pki),
        variables: shared.variables,
        ...(shared.noThrottle ? { requestsPerMinute: { sts: Infinity, iamCredentials: Infinity } } : {}),
      });
      return { description: describeGcp(emulator), close: () => emulator.close() };
    },
  },
};
