import { Certificate } from '../../lib/core/pki/certificate';
import { STS_ASSUMED_REQUESTS_PER_SECOND } from '../../lib/model/aws/sts';
import { TemplateSource } from '../discovery/sources';
import { DEFAULT_ROLES_ANYWHERE_BEHAVIOUR, RolesAnywhereBehaviour } from './aws/create-session';
import { DeployedStack, deployTemplates } from './aws/deploy-cloudformation';
import { AwsEmulatorServer } from './aws/server';
import { AwsEnvironment, AwsWorld, DEFAULT_AWS_ENVIRONMENT } from './aws/world';

export interface AwsEmulatorOptions {
  readonly sources: readonly TemplateSource[];
  /** @default account 111122223333, us-east-1 */
  readonly env?: AwsEnvironment;
  readonly behaviour?: Partial<RolesAnywhereBehaviour>;
  /** @default 10, the Roles Anywhere CreateSession quota */
  readonly createSessionRatePerSecond?: number;
  /** @default 600, the STS rate assumed per account (AWS publishes none; lib/model/aws/sts.ts) */
  readonly stsRatePerSecond?: number;
  /** @default 0 (any free port) */
  readonly port?: number;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly privateCaCertificates?: ReadonlyMap<string, Certificate>;
  readonly now?: () => Date;
}

export interface RunningAwsEmulator {
  /** One endpoint for every service: `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly world: AwsWorld;
  readonly stacks: readonly DeployedStack[];
  readonly server: AwsEmulatorServer;
  close(): Promise<void>;
}

/** Deploys the templates into a fresh in-memory account and starts serving on 127.0.0.1. */
export async function startAwsEmulator(options: AwsEmulatorOptions): Promise<RunningAwsEmulator> {
  const world = new AwsWorld(options.env ?? DEFAULT_AWS_ENVIRONMENT);
  const stacks = deployTemplates(world, options.sources, { parameters: options.parameters, privateCaCertificates: options.privateCaCertificates });
  const server = new AwsEmulatorServer(world, stacks, {
    behaviour: { ...DEFAULT_ROLES_ANYWHERE_BEHAVIOUR, ...options.behaviour },
    createSessionRatePerSecond: options.createSessionRatePerSecond ?? 10,
    stsRatePerSecond: options.stsRatePerSecond ?? STS_ASSUMED_REQUESTS_PER_SECOND,
    now: options.now,
  });
  const endpoint = await server.listen(options.port ?? 0);
  return { endpoint, world, stacks, server, close: () => server.close() };
}
