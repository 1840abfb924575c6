import { AttestGateError } from '../../core/errors';
import { SpiffeId } from '../../core/spiffe-id';
import { WorkloadApiClient, WorkloadApiClientOptions } from '../../spiffe/workload-api/client';

/** How a credential provider reaches the Workload API, and which identity it presents. */
export interface SpiffeSourceOptions {
  /**
   * The SPIFFE ID to present when the workload is issued several.
   *
   * @default - the first SVID the agent returns (go-spiffe's choice)
   */
  readonly spiffeId?: string;
  /**
   * A Workload API client to use (the provider does not close it), or the options of one to
   * create (its address, its timeoutMs).
   *
   * @default - a client of the agent named by SPIFFE_ENDPOINT_SOCKET
   */
  readonly workloadApi?: WorkloadApiClient | WorkloadApiClientOptions;
}

/** The client a provider uses, whether it made it (and so closes it), and the SPIFFE ID it asks for. */
export function workloadApiSource(options: SpiffeSourceOptions | undefined, where: string): { client: WorkloadApiClient; owned: boolean; spiffeId: string | undefined } {
  const spiffeId = options?.spiffeId === undefined ? undefined : SpiffeId.parse(options.spiffeId, where, 'spiffeId').toString();
  const given = options?.workloadApi;
  if (given instanceof WorkloadApiClient) return { client: given, owned: false, spiffeId };
  if (given !== undefined && (typeof given !== 'object' || given === null)) {
    throw new AttestGateError({ where, field: 'workloadApi', value: given, problem: 'is neither a WorkloadApiClient nor its options', fix: "pass { address: 'unix:///run/spire/sockets/agent.sock' }, a WorkloadApiClient, or nothing to use SPIFFE_ENDPOINT_SOCKET" });
  }
  return { client: new WorkloadApiClient(given ?? {}), owned: true, spiffeId };
}
