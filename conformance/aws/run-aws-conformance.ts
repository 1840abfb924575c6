import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { AWS_CHECKS } from '../checks/aws';
import { AwsGate, discoverAwsGates } from '../discovery/aws-gates';
import { TemplateSource } from '../discovery/sources';
import { AwsEmulatorOptions, RunningAwsEmulator, startAwsEmulator } from '../emulator/aws-emulator';
import { Advisory, CheckResult, GateSummary } from '../engine/report';
import { awsAdvisoriesOf } from '../discovery/aws-signals';
import { DEFAULT_RETRY_POLICY, RateLimiter, RetryPolicy } from '../engine/retry';
import { GateRun, planChecks, runGates } from '../engine/runner';
import { PkiMaterial } from '../pki/pki-directory';
import { AwsEndpoints, AwsHttpProbeTarget, publicAwsEndpoints } from './aws-probe-target';
import { AwsProbeContext, ResolvedAwsGate } from './probe-context';
import { ArnLookup, DeploymentProblems, resolveAwsGates } from './resolve-gates';

export interface AwsConformanceOptions {
  readonly sources: readonly TemplateSource[];
  readonly pki?: PkiMaterial;
  /** `local` (the in-process emulator) or `aws` (the live endpoints of `region`). */
  readonly target: 'local' | 'aws';
  /** Check selection by tag (`kind:negative`, `!mutating`) or ID. */
  readonly tags?: readonly string[];
  /** Let probes create resources on a live target (the attacker's trust anchor); always allowed locally. */
  readonly allowMutations?: boolean;
  readonly region?: string;
  readonly endpoints?: Partial<AwsEndpoints>;
  /** CloudFormation stack name to look a single template's resources up by (live target). */
  readonly stackName?: string;
  /** @default 9: the CreateSession quota is 10 per second; one is left for clock jitter. */
  readonly ratePerSecond?: number;
  /** @default 4 */
  readonly concurrency?: number;
  readonly retry?: RetryPolicy;
  readonly signal?: AbortSignal;
  readonly onResult?: (result: CheckResult) => void;
  /** Why negative checks may run without their positive control (the filter excludes it by name); see RunOptions. */
  readonly allowUnproven?: string;
  /** Emulator settings for the local target. */
  readonly emulator?: Partial<Omit<AwsEmulatorOptions, 'sources'>>;
}

export interface AwsConformanceRun {
  readonly target: string;
  readonly gates: readonly GateSummary[];
  readonly results: readonly CheckResult[];
  /** Whether each gate's detection signals exist: outside the results and the exit code. */
  readonly advisories: readonly Advisory[];
  /** Requests sent, retries included. */
  readonly requests: number;
}

/** Probes every AWS gate of the sources on a target. */
export async function runAwsConformance(options: AwsConformanceOptions): Promise<AwsConformanceRun> {
  const gates = discoverAwsGates(options.sources);
  const plan = planChecks(AWS_CHECKS, options.tags ?? []);
  let emulator: RunningAwsEmulator | undefined;
  try {
    let target: AwsHttpProbeTarget;
    let lookup: ArnLookup;
    let deploymentProblems: DeploymentProblems | undefined;
    if (options.target === 'local') {
      emulator = await startAwsEmulator({ sources: options.sources, ...options.emulator });
      const persona = [...emulator.world.personas.values()][0];
      target = new AwsHttpProbeTarget({
        name: 'local',
        region: emulator.world.env.region,
        endpoints: { rolesAnywhere: emulator.endpoint, sts: emulator.endpoint, cloudFormation: emulator.endpoint },
        unattestedCredentials: { accessKeyId: persona.accessKeyId, secretAccessKey: persona.secretAccessKey },
      });
      const stacks = emulator.stacks;
      lookup = (stackName, logicalId, type) => {
        const resource = stacks.find((s) => s.stackName === stackName)?.resources.get(logicalId);
        return resource?.attributes[type === 'role' ? 'Arn' : type === 'profile' ? 'ProfileArn' : 'TrustAnchorArn'];
      };
      deploymentProblems = (stackName, logicalIds) =>
        (stacks.find((s) => s.stackName === stackName)?.problems ?? []).filter((p) => logicalIds.includes(p.logicalId)).map((p) => `${p.logicalId}: ${p.problem}`);
    } else {
      const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
      if (!region) throw new Error('--target aws needs a region: pass --region or set AWS_REGION');
      const endpoints = { ...publicAwsEndpoints(region), ...options.endpoints };
      const credentials = defaultProvider();
      target = new AwsHttpProbeTarget({ name: `aws (${region})`, region, endpoints, unattestedCredentials: credentials });
      lookup = await liveLookup(gates, region, endpoints, credentials, options.stackName);
    }
    const resolved = resolveAwsGates(gates, lookup, options.pki, deploymentProblems);
    const context = new AwsProbeContext({
      target,
      limiter: new RateLimiter(options.ratePerSecond ?? 9),
      retry: options.retry ?? DEFAULT_RETRY_POLICY,
      allowMutations: options.target === 'local' || options.allowMutations === true,
    });
    const runs: Array<GateRun<ResolvedAwsGate, AwsProbeContext>> = resolved.map((gate) => ({ id: gate.gate.id, cloud: 'aws', gate, context, checks: plan.checks, ...(plan.excludedControl ? { excludedControl: plan.excludedControl } : {}) }));
    const results = await runGates(runs as Array<GateRun<unknown, unknown>>, {
      concurrency: options.concurrency ?? 4,
      signal: options.signal,
      onResult: options.onResult,
      ...(options.allowUnproven ? { allowUnproven: options.allowUnproven } : {}),
    });
    const advisories = gates.flatMap((gate) => {
      const source = options.sources.find((s) => s.stackName === gate.stackName && s.file === gate.file);
      return source ? awsAdvisoriesOf(source.model, gate) : [];
    });
    return { target: target.name, gates: gates.map(summaryOf), results, advisories, requests: context.attempts };
  } finally {
    await emulator?.close();
  }
}

export function summaryOf(gate: AwsGate): GateSummary {
  return { id: gate.id, cloud: 'aws', source: gate.file, privilege: gate.privilege };
}

/** Maps logical IDs to ARNs on live AWS with DescribeStackResources, in the caller's account. */
async function liveLookup(
  gates: readonly AwsGate[],
  region: string,
  endpoints: AwsEndpoints,
  credentials: ReturnType<typeof defaultProvider>,
  stackNameOverride: string | undefined,
): Promise<ArnLookup> {
  const sts = new STSClient({ region, endpoint: endpoints.sts, credentials });
  const cfn = new CloudFormationClient({ region, endpoint: endpoints.cloudFormation, credentials });
  try {
    const account = (await sts.send(new GetCallerIdentityCommand({}))).Account!;
    const physical = new Map<string, Map<string, string>>();
    // DescribeStackResources gives a role's name; its ARN also carries the role's path.
    const paths = new Map(gates.map((g) => [`${g.stackName}/${g.role.logicalId}`, typeof g.role.properties.Path === 'string' ? g.role.properties.Path : '/']));
    for (const stackName of new Set(gates.map((g) => g.stackName))) {
      const deployedName = stackNameOverride ?? stackName;
      const answer = await cfn.send(new DescribeStackResourcesCommand({ StackName: deployedName }));
      physical.set(stackName, new Map((answer.StackResources ?? []).map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!])));
    }
    return (stackName, logicalId, type) => {
      const id = physical.get(stackName)?.get(logicalId);
      if (id === undefined) return undefined;
      if (type === 'role') return id.startsWith('arn:') ? id : `arn:aws:iam::${account}:role${paths.get(`${stackName}/${logicalId}`) ?? '/'}${id}`;
      return `arn:aws:rolesanywhere:${region}:${account}:${type}/${id}`;
    };
  } finally {
    sts.destroy();
    cfn.destroy();
  }
}
