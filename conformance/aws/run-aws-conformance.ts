import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { AWS_CHECKS } from '../checks/aws';
import { AwsGate, discoverAwsGates } from './discover-gates';
import { TemplateSource } from '../discovery/sources';
import { AwsEmulatorOptions } from '../emulator/aws-emulator';
import { LocalEmulatorThread, deploymentLookup, startLocalAws } from './local-target';
import { GateSummary, gateSummaryOf } from '../engine/report';
import { awsAdvisoriesOf } from './signals';
import { CloudConformance, CloudRun, CommonRunOptions, PreparedTarget, TargetSetup, runCloudConformance } from '../engine/cloud-conformance';
import { AwsEndpoints, AwsHttpProbeTarget, publicAwsEndpoints, sdkAgentFor } from './aws-probe-target';
import { REQUEST_DEADLINE_MS } from '../engine/send-http';
import { AWS_LIVE_QUOTAS, AwsProbeContext, ResolvedAwsGate } from './probe-context';
import { renderAwsGateTable } from './gate-table';
import { describePath, routeOfPath } from '../../lib/model/aws/issuance-paths';
import { ArnLookup, DeploymentProblems, resolveAwsGates } from './resolve-gates';

export interface AwsConformanceOptions extends CommonRunOptions<TemplateSource> {
  /** `local` (the in-process emulator) or `aws` (the live endpoints of `region`). */
  readonly target: 'local' | 'aws';
  /** Let probes create resources on a live target (the attacker's trust anchor); always allowed locally. */
  readonly allowMutations?: boolean;
  readonly region?: string;
  readonly endpoints?: Partial<AwsEndpoints>;
  /** CloudFormation stack name to look a single template's resources up by (live target). */
  readonly stackName?: string;
  /** Emulator settings for the local target. */
  readonly emulator?: Partial<Omit<AwsEmulatorOptions, 'sources'>>;
  /**
   * Where the local target's emulator runs: `worker`, its own thread, so it serves on the other
   * core while this thread probes (the CLI and the benches); `in-process`, this thread (tests
   * that set the emulator's clock, or read its world).
   * @default 'in-process'
   */
  readonly localEmulator?: LocalEmulatorThread;
}

/** What an AWS run found and concluded. */
export type AwsConformanceRun = CloudRun;

export function summaryOf(gate: AwsGate): GateSummary {
  return gateSummaryOf(
    'aws',
    gate,
    gate.paths.map((p) => ({
      id: p.id,
      attested: p.kind === 'roles-anywhere' ? true : p.kind === 'principal' ? false : undefined,
      description: describePath(p),
      ...(p.kind === 'principal' && p.acknowledged ? { acknowledged: p.acknowledged } : {}),
      route: routeOfPath(p, gate.id),
    })),
  );
}

/** IAM Roles Anywhere gates, as the engine runs them. */
export const AWS_CONFORMANCE: CloudConformance<TemplateSource, AwsGate, ResolvedAwsGate, AwsProbeContext, AwsConformanceOptions> = {
  cloud: 'aws',
  // The CreateSession quota is 10 per second; one is left for clock jitter.
  defaultRatePerSecond: 9,
  liveQuotas: AWS_LIVE_QUOTAS,
  checks: AWS_CHECKS,
  discover: discoverAwsGates,
  title: 'AWS — IAM Roles Anywhere',
  summary: summaryOf,
  gateTable: renderAwsGateTable,
  advisories: (gates, sources) =>
    gates.flatMap((gate) => {
      const source = sources.find((s) => s.stackName === gate.stackName && s.file === gate.file);
      return source ? awsAdvisoriesOf(source.model, gate) : [];
    }),
  prepare: prepareAws,
};

/** The target of an AWS run: the emulator, or live AWS with the stacks' resources looked up. */
async function prepareAws(gates: readonly AwsGate[], options: AwsConformanceOptions, setup: TargetSetup): Promise<PreparedTarget<ResolvedAwsGate, AwsProbeContext>> {
  let target: AwsHttpProbeTarget;
  let lookup: ArnLookup;
  let deploymentProblems: DeploymentProblems | undefined;
  if (options.target === 'local') {
    // What a client of the emulator learns at its start — endpoint, ARNs, the persona's keys —
    // is all the run reads of it, wherever it runs.
    const deployment = await startLocalAws(options.sources, options.emulator, options.localEmulator ?? 'in-process', setup);
    const persona = deployment.personas[0];
    target = new AwsHttpProbeTarget({
      name: 'local',
      region: deployment.region,
      endpoints: { rolesAnywhere: deployment.endpoint, sts: deployment.endpoint, cloudFormation: deployment.endpoint },
      unattestedCredentials: { accessKeyId: persona.accessKeyId, secretAccessKey: persona.secretAccessKey },
      requestDeadlineMs: setup.requestDeadlineMs,
    });
    ({ lookup, problems: deploymentProblems } = deploymentLookup(deployment));
  } else {
    const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new Error('--target aws needs a region: pass --region or set AWS_REGION');
    const endpoints = { ...publicAwsEndpoints(region), ...options.endpoints };
    const credentials = defaultProvider();
    target = new AwsHttpProbeTarget({ name: `aws (${region})`, region, endpoints, unattestedCredentials: credentials, requestDeadlineMs: setup.requestDeadlineMs });
    const deadlineMs = 2 * (setup.requestDeadlineMs ?? REQUEST_DEADLINE_MS);
    ({ lookup, problems: deploymentProblems } = await liveLookup(gates, { region, endpoints, credentials, stackNameOverride: options.stackName, interrupted: options.signal, deadlineMs }));
  }
  setup.onClose(async () => target.close());
  const context = new AwsProbeContext({ target, limiter: setup.limiter, retry: setup.retry, allowMutations: options.target === 'local' || options.allowMutations === true, onClose: (close) => setup.onClose(close) });
  return {
    name: target.name,
    gates: resolveAwsGates(gates, lookup, options.pki, deploymentProblems).map((resolved) => ({ id: resolved.gate.id, resolved })),
    context,
    requests: () => context.attempts,
  };
}

/** Probes every AWS gate of the sources on a target. */
export function runAwsConformance(options: AwsConformanceOptions): Promise<AwsConformanceRun> {
  return runCloudConformance(AWS_CONFORMANCE, options);
}

/** Why a setup call failed, in one line: the service's error code and message, or the transport's. */
function setupFailure(call: string, error: unknown, deadlineMs: number): string {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return `${call} got no answer within ${deadlineMs / 1000} s`;
  return `${call} failed${status ? ` (${status})` : ''}: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${(e.message ?? String(error)).split('\n')[0].slice(0, 200)}`;
}

/**
 * Maps logical IDs to ARNs on live AWS with DescribeStackResources, in the caller's account.
 * Every call has a deadline and the SDK's standard retries (throttling and 5xx, Retry-After
 * honoured); a call that still fails does not end the run: the gates it concerns are reported
 * INCONCLUSIVE with the failure as their deployment problem.
 */
async function liveLookup(
  gates: readonly AwsGate[],
  setup: {
    readonly region: string;
    readonly endpoints: AwsEndpoints;
    readonly credentials: ReturnType<typeof defaultProvider>;
    readonly stackNameOverride: string | undefined;
    readonly interrupted: AbortSignal | undefined;
    /** The deadline of one call, its retries included. */
    readonly deadlineMs: number;
  },
): Promise<{ lookup: ArnLookup; problems: DeploymentProblems }> {
  const { region, endpoints, credentials, stackNameOverride, interrupted, deadlineMs } = setup;
  const handler = (endpoint: string) => ({ connectionTimeout: deadlineMs / 2, requestTimeout: deadlineMs / 2, ...sdkAgentFor(endpoint) });
  const sts = new STSClient({ region, credentials, maxAttempts: 3, endpoint: endpoints.sts, requestHandler: handler(endpoints.sts) });
  const cfn = new CloudFormationClient({ region, credentials, maxAttempts: 3, endpoint: endpoints.cloudFormation, requestHandler: handler(endpoints.cloudFormation) });
  const deadline = () => ({ abortSignal: interrupted ? AbortSignal.any([interrupted, AbortSignal.timeout(deadlineMs)]) : AbortSignal.timeout(deadlineMs) });
  const failures = new Map<string, string>();
  const physical = new Map<string, Map<string, string>>();
  let account: string | undefined;
  // A gate's anchor (and its CRLs), and its profiles, may be of other stacks, imported: their resources are looked up there.
  const stackNames = new Set(
    gates.flatMap((g) => [g.stackName, ...g.profiles.map((p) => p.stackName), ...g.trustAnchors.flatMap((a) => [...(a.location ? [a.location.stackName] : []), ...a.crls.map((c) => c.stackName)])]),
  );
  try {
    try {
      account = (await sts.send(new GetCallerIdentityCommand({}), deadline())).Account;
      if (!account) throw new Error('the answer names no account');
    } catch (e) {
      for (const stackName of stackNames) failures.set(stackName, `the account could not be identified: ${setupFailure('sts:GetCallerIdentity', e, deadlineMs)}`);
    }
    for (const stackName of stackNames) {
      if (failures.has(stackName)) continue;
      const deployedName = stackNameOverride ?? stackName;
      try {
        const answer = await cfn.send(new DescribeStackResourcesCommand({ StackName: deployedName }), deadline());
        physical.set(stackName, new Map((answer.StackResources ?? []).map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!])));
      } catch (e) {
        failures.set(stackName, `its resources could not be looked up: ${setupFailure(`cloudformation:DescribeStackResources of stack ${deployedName}`, e, deadlineMs)}`);
      }
    }
  } finally {
    sts.destroy();
    cfn.destroy();
  }
  // DescribeStackResources gives a role's name; its ARN also carries the role's path.
  const paths = new Map(gates.map((g) => [`${g.stackName}/${g.role.logicalId}`, typeof g.role.properties.Path === 'string' ? g.role.properties.Path : '/']));
  return {
    lookup: (stackName, logicalId, type) => {
      const id = physical.get(stackName)?.get(logicalId);
      if (id === undefined) return undefined;
      if (type === 'role') return id.startsWith('arn:') ? id : `arn:aws:iam::${account}:role${paths.get(`${stackName}/${logicalId}`) ?? '/'}${id}`;
      return `arn:aws:rolesanywhere:${region}:${account}:${type}/${id}`;
    },
    problems: (stackName) => {
      const failure = failures.get(stackName);
      return failure ? [failure] : [];
    },
  };
}
