import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Jwks } from '../../lib/core/jwks';
import { TerraformSource } from '../../lib/model/terraform/configuration';
import { CloudCli, stringValue, stringValues } from '../cli/cloud-cli';
import { endpointUrl, issuerJwks, pairs } from '../cli/option-values';
import { RunningAzureEmulator, startAzureEmulator } from '../emulator/azure-emulator';
import { pkiIssuerKeys } from '../oidc/issuer-key';
import { AzureConformanceOptions } from './run-azure-conformance';

/** Entra clients need the authority host, the tenant, each identity's client ID, and to trust the test CA. */
function describeAzure(emulator: RunningAzureEmulator, caFile: string): Record<string, unknown> {
  return {
    authorityHost: emulator.authorityHost,
    tenantId: emulator.tenantId,
    caFile,
    identities: [...emulator.world.identities.values()].map((i) => ({
      name: i.name,
      // An agent identity's tokens come by two legs: leg 1 as its blueprint (client_id) with fmi_path = its clientId.
      kind: i.kind,
      clientId: i.clientId,
      ...(i.blueprintClientId ? { blueprintClientId: i.blueprintClientId } : {}),
      origins: i.origins,
      federatedCredentials: i.federatedCredentials.map((f) => ({ issuer: f.issuer, subject: f.subject, audiences: f.audiences })),
    })),
    playedIssuers: [...emulator.playedIssuers.keys()],
    problems: emulator.configurations.flatMap((c) => c.problems.map((p) => `${c.stackName}/${p.address}: ${p.problem}`)),
  };
}

/** Azure's part of the command line. */
export const AZURE_CLI: CloudCli<TerraformSource, Omit<AzureConformanceOptions, 'target' | 'sources'>, { issuerJwks: Record<string, Jwks> }> = {
  conformance: {
    options: {
      'tenant-id': { type: 'string' },
      'client-id': { type: 'string', multiple: true },
      'issuer-jwks': { type: 'string', multiple: true },
      'authority-host': { type: 'string' },
      scope: { type: 'string' },
    },
    usage: ['azure: [--tenant-id ID] [--client-id GATE_OR_IDENTITY=CLIENT_ID]...', '       [--issuer-jwks ISSUER_URL=FILE]... [--authority-host URL] [--scope SCOPE]'],
    runOptions(values, shared) {
      const tenantId = stringValue(values, 'tenant-id');
      const scope = stringValue(values, 'scope');
      const authorityHost = endpointUrl('authority-host', stringValue(values, 'authority-host'));
      return {
        ...(tenantId ? { tenantId } : {}),
        ...(shared.tokenCommand ? { tokenCommand: shared.tokenCommand } : {}),
        ...(scope ? { scope } : {}),
        clientIds: pairs('client-id', stringValues(values, 'client-id'), 'GATE_OR_IDENTITY=CLIENT_ID'),
        issuerJwks: issuerJwks(stringValues(values, 'issuer-jwks')),
        variables: shared.variables,
        endpoints: authorityHost ? { authorityHost } : {},
      };
    },
  },
  emulator: {
    portOption: 'azure-port',
    options: { 'issuer-jwks': { type: 'string', multiple: true } },
    usage: ['[--azure-port N] [--issuer-jwks ISSUER_URL=FILE]...'],
    readOptions: (values) => ({ issuerJwks: issuerJwks(stringValues(values, 'issuer-jwks')) }),
    async serve(sources, port, own, shared) {
      const emulator = await startAzureEmulator({
        sources,
        port,
        issuerKeys: pkiIssuerKeys(shared.pki),
        issuerJwks: own.issuerJwks,
        variables: shared.variables,
        ...(shared.noThrottle ? { tokenRequestsPerMinute: Infinity } : {}),
      });
      // Clients trust the emulator's test CA through NODE_EXTRA_CA_CERTS (or their own setting): write it where they can read it.
      const caDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-entra-ca-'));
      const caFile = path.join(caDir, 'entra-emulator-ca.pem');
      fs.writeFileSync(caFile, emulator.caPem);
      return {
        description: describeAzure(emulator, caFile),
        close: async () => {
          await emulator.close();
          fs.rmSync(caDir, { recursive: true, force: true });
        },
      };
    },
  },
};
