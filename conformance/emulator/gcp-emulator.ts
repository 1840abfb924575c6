import { TerraformSource } from '../../lib/model/terraform/configuration';
import { IssuerKey } from '../oidc/issuer-key';
import { AppliedConfiguration } from '../../lib/model/terraform/apply';
import { applyGcpTerraform } from '../../lib/model/gcp/google-provider';
import { deployGcpWorld } from './gcp/deploy-terraform';
import { IamCredentialsBehaviour, DEFAULT_IAM_CREDENTIALS_BEHAVIOUR } from './gcp/generate-access-token';
import { PlayedIssuer, playIssuers } from './gcp/played-issuers';
import { GcpEmulatorServer } from './gcp/server';
import { DEFAULT_GCP_STS_BEHAVIOUR, GcpStsBehaviour } from './gcp/sts-token';
import { DEFAULT_GCP_ENVIRONMENT, GcpEnvironment, GcpWorld } from './gcp/world';

export interface GcpEmulatorOptions {
  readonly sources: readonly TerraformSource[];
  /** @default project number 123456789012 for the first project, project `attestgate-emulated` for resources that name none */
  readonly env?: Partial<GcpEnvironment>;
  readonly sts?: Partial<GcpStsBehaviour>;
  readonly iamCredentials?: Partial<IamCredentialsBehaviour>;
  /** Keys to sign with for played issuers, by issuer URI; an issuer not listed gets a fresh RS256 key. */
  readonly playedIssuerKeys?: ReadonlyMap<string, readonly IssuerKey[]>;
  /** Keys every other played issuer publishes besides its own (the user's, from `--pki`). */
  readonly issuerKeys?: readonly IssuerKey[];
  /** Requests per minute before 429 (STS 6,000 and IAM credentials 60,000, Google's defaults); Infinity disables. */
  readonly requestsPerMinute?: { readonly sts?: number; readonly iamCredentials?: number };
  /** Values of Terraform variables. */
  readonly variables?: Readonly<Record<string, string>>;
  /** @default 0 (any free port) */
  readonly port?: number;
  readonly now?: () => Date;
}

export interface RunningGcpEmulator {
  /** One endpoint for STS, IAM credentials and the played issuers: `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly world: GcpWorld;
  /** The configurations as applied: every resource with its computed attributes. */
  readonly configurations: readonly AppliedConfiguration[];
  /** What could not be deployed, and why (`<stack>/<address>`). */
  readonly problems: ReadonlyArray<{ readonly origin: string; readonly problem: string }>;
  /** The OIDC issuers the emulator signs for, by issuer URI. */
  readonly playedIssuers: ReadonlyMap<string, PlayedIssuer>;
  readonly server: GcpEmulatorServer;
  close(): Promise<void>;
}

/** "Applies" the Terraform configurations to a fresh in-memory project and serves it on 127.0.0.1. */
export async function startGcpEmulator(options: GcpEmulatorOptions): Promise<RunningGcpEmulator> {
  const world = new GcpWorld({ ...DEFAULT_GCP_ENVIRONMENT, ...options.env });
  const configurations = applyGcpTerraform(options.sources, {
    projectNumberOf: (project) => world.projectNumberOf(project),
    defaultProject: world.env.defaultProject,
    variables: options.variables,
  });
  const problems = deployGcpWorld(world, configurations);
  const playedIssuers = playIssuers(world, options.playedIssuerKeys, options.issuerKeys);
  const server = new GcpEmulatorServer(world, playedIssuers, {
    sts: { ...DEFAULT_GCP_STS_BEHAVIOUR, ...options.sts },
    iamCredentials: { ...DEFAULT_IAM_CREDENTIALS_BEHAVIOUR, ...options.iamCredentials },
    requestsPerMinute: options.requestsPerMinute,
    now: options.now,
  });
  const endpoint = await server.listen(options.port ?? 0);
  return { endpoint, world, configurations, problems, playedIssuers, server, close: () => server.close() };
}
