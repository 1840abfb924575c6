import { RunningAwsEmulator } from '../aws-emulator';
import { DeployedResource } from './deploy-cloudformation';
import { Persona } from './world';

/**
 * What a client of the AWS emulator learns when it starts — the endpoint, the account, the
 * deployed stacks' resources (logical ID to physical ID and attributes, as CloudFormation's
 * DescribeStackResources and `Fn::GetAtt` give them), what could not be deployed, and the
 * unattested persona's keys — as plain data: the one message a worker thread sends at startup,
 * and the only view of the emulator the conformance runner has, in a worker or not.
 */
export interface AwsEmulatorDeployment {
  /** `http://127.0.0.1:<port>`, every service. */
  readonly endpoint: string;
  readonly account: string;
  readonly region: string;
  /** The IAM users with long-term keys and no attestation (one today): what a thief holds. */
  readonly personas: readonly Persona[];
  readonly stacks: ReadonlyArray<{
    readonly stackName: string;
    readonly file: string;
    readonly resources: readonly DeployedResource[];
    readonly problems: ReadonlyArray<{ readonly logicalId: string; readonly problem: string }>;
  }>;
}

/** The deployment of a running emulator, as plain data (structured-cloneable). */
export function describeDeployment(emulator: RunningAwsEmulator): AwsEmulatorDeployment {
  return {
    endpoint: emulator.endpoint,
    account: emulator.world.env.account,
    region: emulator.world.env.region,
    personas: [...emulator.world.personas.values()].map((p) => ({ arn: p.arn, accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey })),
    stacks: emulator.stacks.map((s) => ({
      stackName: s.stackName,
      file: s.file,
      resources: [...s.resources.values()].map((r) => ({ logicalId: r.logicalId, type: r.type, physicalId: r.physicalId, attributes: { ...r.attributes } })),
      problems: s.problems.map((p) => ({ logicalId: p.logicalId, problem: p.problem })),
    })),
  };
}
