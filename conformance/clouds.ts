import { AWS_CLI } from './aws/cli';
import { AWS_CONFORMANCE, AwsConformanceOptions } from './aws/run-aws-conformance';
import { AZURE_CLI } from './azure/cli';
import { AZURE_CONFORMANCE, AzureConformanceOptions } from './azure/run-azure-conformance';
import { CloudCli, OptionSpecs, OptionValues, ServedEmulator, SharedValues } from './cli/cloud-cli';
import { AppSources } from './discovery/app-sources';
import { CheckMeta, Cloud } from './engine/check';
import { CloudConformance, CloudRun, CommonRunOptions, runCloudConformance } from './engine/cloud-conformance';
import { GateSummary } from './engine/report';
import { GCP_CLI } from './gcp/cli';
import { GCP_CONFORMANCE, GcpConformanceOptions } from './gcp/run-gcp-conformance';
import { SPIFFE_CHECKS } from './checks/spiffe';
import { STEP_UP_CHECKS } from './checks/step-up';
import { STEP_UP_OPTIONS, STEP_UP_USAGE, readStepUpArgs, runStepUpCli } from './step-up/cli';
import type { AwsGate } from './aws/discover-gates';
import type { AzureGate } from './azure/discover-gates';
import type { GcpGate } from './gcp/discover-gates';
import { GateTableSection, renderGateSections } from './report/gate-table';

/**
 * The clouds attestgate knows, each registered once: its adapter and which of an app's sources
 * it reads. A run, `attestgate gates` and `conformance --list` iterate this list; nothing else
 * names a cloud.
 */

/** What every cloud's runner takes alike; the rest is per cloud. */
type CommonOptions = keyof CommonRunOptions<unknown>;

/** Each cloud's own run options (API: `runConformance({ aws: {...}, gcp: {...} })`). */
export interface CloudRunOptions {
  readonly aws: Omit<AwsConformanceOptions, CommonOptions>;
  readonly gcp: Omit<GcpConformanceOptions, CommonOptions>;
  readonly azure: Omit<AzureConformanceOptions, CommonOptions>;
}

/** A cloud's gates in the given apps, discovered once, with what can be done with them. */
export interface DiscoveredCloud {
  readonly cloud: Cloud;
  readonly gates: readonly GateSummary[];
  /** The gates' section of `attestgate gates`, within `width` columns. */
  tableSection(width?: number): GateTableSection;
  /** Probes them on the target with the common options and the cloud's own. */
  run(common: Omit<CommonRunOptions<never>, 'sources' | 'target'>, target: 'local' | Cloud, own: unknown): Promise<CloudRun>;
  /** Serves the sources that hold them on the cloud's emulator (`attestgate emulator`); `own` from `cli.emulator.readOptions`. */
  serve(port: number, own: unknown, shared: SharedValues): Promise<ServedEmulator>;
}

/** A cloud's part of the command line, its types erased. */
export interface RegisteredCli {
  readonly conformance: { readonly options: OptionSpecs; readonly usage: readonly string[]; runOptions(values: OptionValues, shared: SharedValues): unknown };
  readonly emulator: { readonly portOption: string; readonly options: OptionSpecs; readonly usage: readonly string[]; readOptions(values: OptionValues): unknown };
}

export interface RegisteredCloud {
  readonly cloud: Cloud;
  /** The gate table section of gates this cloud discovered. */
  tableSection(gates: ReadonlyArray<{ readonly cloud: Cloud }>): GateTableSection;
  readonly defaultRatePerSecond: number;
  /** Its checks' metadata. */
  readonly checks: readonly CheckMeta[];
  readonly cli: RegisteredCli;
  discover(app: AppSources): DiscoveredCloud;
}

/** Binds an adapter to the sources it reads; its types are erased behind DiscoveredCloud. */
function register<Source, Gate extends { readonly id: string }, Resolved, Context, Options extends CommonRunOptions<Source>, EmulatorOwn>(
  adapter: CloudConformance<Source, Gate, Resolved, Context, Options>,
  sourcesOf: (app: AppSources) => readonly Source[],
  cli: CloudCli<Source, Omit<Options, 'target' | 'sources'>, EmulatorOwn>,
): RegisteredCloud {
  return {
    cloud: adapter.cloud,
    defaultRatePerSecond: adapter.defaultRatePerSecond,
    // The gates are this adapter's own (the caller filters by cloud); their type is erased above.
    tableSection: (found) => ({ title: adapter.title, gateCount: found.length, table: found.length > 0 ? adapter.gateTable(found as unknown as Gate[]) : '' }),
    checks: adapter.checks.map((c) => c.meta),
    cli,
    discover(app) {
      const sources = sourcesOf(app);
      const gates = adapter.discover(sources);
      return {
        cloud: adapter.cloud,
        gates: gates.map((g) => adapter.summary(g)),
        tableSection: (width) => ({ title: adapter.title, gateCount: gates.length, table: gates.length > 0 ? adapter.gateTable(gates, width) : '' }),
        // The cloud's own options plus the common ones make its Options; TypeScript cannot see that
        // through the generic Omit, hence the cast.
        run: (common, target, own) => runCloudConformance(adapter, { ...(own as object), ...common, sources, target } as unknown as Options, gates),
        serve: (port, own, shared) => cli.emulator.serve(adapter.sourcesToDeploy?.(sources, gates) ?? [...sources], port, own as EmulatorOwn, shared),
      };
    },
  };
}

export const CLOUDS: readonly RegisteredCloud[] = [
  register(AWS_CONFORMANCE, (app) => app.templates, AWS_CLI),
  register(GCP_CONFORMANCE, (app) => app.configurations, GCP_CLI),
  register(AZURE_CONFORMANCE, (app) => app.configurations, AZURE_CLI),
];

/**
 * The checks of areas that are not clouds: `step-up` probes resource servers behind RFC 9470
 * (`runStepUpConformance`), `spiffe` the Workload API that issues an identity's SVIDs
 * (`runSpiffeConformance`), not gates discovered in apps.
 */
export const AREA_CHECKS: readonly CheckMeta[] = [...STEP_UP_CHECKS, ...SPIFFE_CHECKS].map((c) => c.meta);

/** The command line of the step-up area (`attestgate step-up`): its usage lines, option table, reading and running. */
export const STEP_UP_CLI = { usage: STEP_UP_USAGE, options: STEP_UP_OPTIONS, read: readStepUpArgs, run: runStepUpCli } as const;

/** The command line of the spiffe area (`attestgate spiffe`, and the Workload API of `attestgate emulator`). */
export { SPIFFE_CLI } from './spiffe/cli';

/** Every cloud's gates in the apps. */
export function discoverClouds(app: AppSources): DiscoveredCloud[] {
  return CLOUDS.map((c) => c.discover(app));
}

/** A gate of any registered cloud, as discovery returns it. */
export type Gate = AwsGate | GcpGate | AzureGate;

/** What each gate accepts, one section per cloud in the order the clouds are registered. */
export function renderGateTable(gates: readonly Gate[]): string {
  return renderGateSections(CLOUDS.map((c) => c.tableSection(gates.filter((g) => g.cloud === c.cloud))));
}
