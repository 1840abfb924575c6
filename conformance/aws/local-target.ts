import { AwsEmulatorOptions, startAwsEmulator } from '../emulator/aws-emulator';
import { startAwsEmulatorWorker } from '../emulator/aws-emulator-worker';
import { AwsEmulatorDeployment, describeDeployment } from '../emulator/aws/deployment';
import { firstBy } from '../engine/by-gate';
import { TargetSetup } from '../engine/cloud-conformance';
import { TemplateSource } from '../discovery/sources';
import { ArnLookup, DeploymentProblems } from './resolve-gates';

/** Where the local target's emulator runs: its own worker thread (the other core), or the prober's thread. */
export type LocalEmulatorThread = 'worker' | 'in-process';

/**
 * Starts the emulator for a local run and registers its stop with the run. In a worker the prober
 * learns only what the emulator announces at startup (`AwsEmulatorDeployment`); in process it is
 * given the same description, so the runner reads the deployment one way in both. A clock
 * (`emulator.now`, for tests) is a function and cannot cross threads: it needs `in-process`.
 */
export async function startLocalAws(
  sources: readonly TemplateSource[],
  emulator: Partial<Omit<AwsEmulatorOptions, 'sources'>> | undefined,
  thread: LocalEmulatorThread,
  setup: Pick<TargetSetup, 'onClose'>,
): Promise<AwsEmulatorDeployment> {
  if (thread === 'worker') {
    const { now, ...options } = emulator ?? {};
    if (now) throw new Error('an emulator clock (emulator.now) cannot cross threads: run the emulator in process (localEmulator: "in-process")');
    const running = await startAwsEmulatorWorker({ sources, ...options });
    setup.onClose(() => running.close());
    return running.deployment;
  }
  const running = await startAwsEmulator({ sources, ...emulator });
  setup.onClose(() => running.close());
  return describeDeployment(running);
}

/** The ARNs and deployment problems of the gates' resources, from what the emulator announced. */
export function deploymentLookup(deployment: AwsEmulatorDeployment): { lookup: ArnLookup; problems: DeploymentProblems } {
  // The first stack of a name, as a search of the list would find it.
  const stacks = firstBy(deployment.stacks, (s) => s.stackName);
  const resources = new Map([...stacks].map(([name, stack]) => [name, firstBy(stack.resources, (r) => r.logicalId)]));
  return {
    lookup: (stackName, logicalId, type) => resources.get(stackName)?.get(logicalId)?.attributes[type === 'role' ? 'Arn' : type === 'profile' ? 'ProfileArn' : 'TrustAnchorArn'],
    problems: (stackName, logicalIds) =>
      (stacks.get(stackName)?.problems ?? []).filter((p) => logicalIds.includes(p.logicalId)).map((p) => `${p.logicalId}: ${p.problem}`),
  };
}
