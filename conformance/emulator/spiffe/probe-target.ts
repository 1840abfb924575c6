import { RegistrationEntry } from '../../../lib/spiffe/registration-entry';
import { SpiffeGates, SpiffeTarget } from '../../spiffe/probe-context';
import { spiffeProbeWorkloads } from '../../spiffe/probe-workloads';
import { RunningWorkloadApiServer, WorkloadApiServerOptions, startWorkloadApiServer } from './workload-api-server';

export interface SpiffeProbeServerOptions extends Omit<WorkloadApiServerOptions, 'entries' | 'workloads'> {
  /** The entry as declared: its probe workloads are derived from it, and the checks judge against it. */
  readonly entry: RegistrationEntry;
  /**
   * The entries the emulated SPIRE holds. A test gives a laxer one than declared (a selector kind
   * dropped, a longer TTL) to see the checks fail, as a drifted or hand-edited registration would.
   *
   * @default - the declared entry
   */
  readonly servedEntries?: readonly RegistrationEntry[];
  /** The target's name in reports. @default the entry's SPIFFE ID */
  readonly id?: string;
  readonly gates?: SpiffeGates;
  readonly jwtAudience?: string;
}

/**
 * Serves the probe workloads of a registration on the emulated Workload API — one socket each,
 * under the entry's parent — and returns the target the SPIFFE checks probe.
 */
export async function serveSpiffeProbeTarget(options: SpiffeProbeServerOptions): Promise<{ server: RunningWorkloadApiServer; target: SpiffeTarget }> {
  const { entry, servedEntries, id, gates, jwtAudience, ...serverOptions } = options;
  const probes = spiffeProbeWorkloads(entry);
  const server = await startWorkloadApiServer({
    ...serverOptions,
    entries: servedEntries ?? [entry],
    workloads: probes.map((p) => ({ name: p.name, agentId: entry.parentId, selectors: p.selectors })),
  });
  const target: SpiffeTarget = {
    id: id ?? entry.spiffeId,
    entry,
    workloads: probes.map((p) => ({ ...p, address: server.addresses.get(p.name)! })),
    ...(gates ? { gates } : {}),
    ...(jwtAudience ? { jwtAudience } : {}),
  };
  return { server, target };
}
