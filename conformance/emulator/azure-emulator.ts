import { TerraformSource } from '../../lib/model/terraform/configuration';
import { IssuerKey } from '../oidc/issuer-key';
import { deployTerraform } from './azure/deploy-terraform';
import { Jwks, PlayedIssuer, playIssuers } from './azure/played-issuers';
import { AzureEmulatorServer } from './azure/server';
import { createServerTls } from './azure/server-tls';
import { DEFAULT_ENTRA_BEHAVIOUR, EntraBehaviour } from './azure/token-endpoint';
import { AzureEnvironment, DEFAULT_AZURE_ENVIRONMENT } from '../../lib/model/azure/assigned-ids';
import { AzureWorld } from './azure/world';
import { AppliedConfiguration } from '../../lib/model/terraform/apply';

export interface AzureEmulatorOptions {
  readonly sources: readonly TerraformSource[];
  /** @default the fixed tenant and subscription of DEFAULT_AZURE_ENVIRONMENT */
  readonly env?: AzureEnvironment;
  readonly behaviour?: Partial<EntraBehaviour>;
  /** Token requests per minute before 429 AADSTS90055 with Retry-After. @default 600; Infinity disables */
  readonly tokenRequestsPerMinute?: number;
  /** Values of Terraform input variables. */
  readonly variables?: Readonly<Record<string, string>>;
  /** A real issuer's public keys, by issuer: served for it instead of keys the emulator makes. */
  readonly issuerJwks?: Readonly<Record<string, Jwks>>;
  /** The user's private issuer keys (e.g. from `--pki`): every played issuer publishes them too. */
  readonly issuerKeys?: readonly IssuerKey[];
  /** @default 0 (any free port) */
  readonly port?: number;
  readonly now?: () => Date;
}

export interface RunningAzureEmulator {
  /** `https://127.0.0.1:<port>`: the `authorityHost` for @azure/identity, and every other endpoint's origin. */
  readonly authorityHost: string;
  /** The test CA that signed the server certificate, PEM: trust it (`ca`, or `NODE_EXTRA_CA_CERTS` before Node starts). */
  readonly caPem: string;
  readonly tenantId: string;
  readonly world: AzureWorld;
  readonly configurations: readonly AppliedConfiguration[];
  /** Every issuer a federated credential names, with the keys the emulator plays it with. */
  readonly playedIssuers: ReadonlyMap<string, PlayedIssuer>;
  readonly server: AzureEmulatorServer;
  close(): Promise<void>;
}

/** Deploys the configurations into a fresh tenant, plays their issuers, and serves HTTPS on 127.0.0.1. */
export async function startAzureEmulator(options: AzureEmulatorOptions): Promise<RunningAzureEmulator> {
  const world = new AzureWorld(options.env ?? DEFAULT_AZURE_ENVIRONMENT);
  const configurations = deployTerraform(world, options.sources, options.variables);
  const playedIssuers = playIssuers(world.issuers(), { issuerJwks: options.issuerJwks, issuerKeys: options.issuerKeys });
  const tls = await createServerTls(options.now?.());
  const server = new AzureEmulatorServer(world, playedIssuers, {
    tls,
    behaviour: { ...DEFAULT_ENTRA_BEHAVIOUR, ...options.behaviour },
    tokenRequestsPerMinute: options.tokenRequestsPerMinute,
    now: options.now,
  });
  const authorityHost = await server.listen(options.port ?? 0);
  return { authorityHost, caPem: tls.caPem, tenantId: world.env.tenantId, world, configurations, playedIssuers, server, close: () => server.close() };
}
