import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { WorkloadApiClient, X509ContextWatch, selectX509Svid } from '../../spiffe/workload-api/client';
import { WorkloadApiError } from '../../spiffe/workload-api/errors';
import { InvalidSvidError, X509Context, X509Svid } from '../../spiffe/workload-api/svid';
import { MAX_INTERMEDIATES } from '../roles-anywhere/sign-request';
import { RolesAnywhereSessionOptions, SigningMaterial, rolesAnywhereProvider, rolesAnywhereSettings } from '../roles-anywhere/session-provider';
import { SpiffeSourceOptions, workloadApiSource } from './workload-api-source';

const WHERE = 'fromSpiffe';

export interface FromSpiffeOptions extends RolesAnywhereSessionOptions, SpiffeSourceOptions {}

/** An AWS SDK credential provider that holds a Workload API stream open: close it when done. */
export interface SpiffeAwsCredentialProvider extends AwsCredentialIdentityProvider {
  /** Ends the X.509-SVID stream (and the Workload API client, if the provider made it). */
  close(): void;
}

/**
 * An AWS SDK v3 credential provider for an agent whose identity comes from SPIRE: it watches the
 * X.509-SVID stream of the SPIFFE Workload API and signs IAM Roles Anywhere CreateSession with
 * the current SVID, its key and its intermediates — as fromRolesAnywhere signs with files.
 *
 * Credentials are refreshed five minutes before they expire, and at the first call after the
 * agent rotates the SVID (so a session never outlives the SVID it was issued on by more than one
 * rotation). When the agent stops issuing the identity (PermissionDenied: the workload's entry was
 * removed) a refresh fails; still-valid credentials are served with a warning until they expire,
 * as under any refresh failure. Retries, deadlines and warnings are fromRolesAnywhere's.
 *
 * The stream opens at the first call and stays open until `close()`: a process that never
 * closes the provider does not exit on its own.
 *
 * @throws AttestGateError for bad options, or when no Workload API address is given and
 *   SPIFFE_ENDPOINT_SOCKET is unset or malformed
 * @returns a provider that rejects with WorkloadApiError when the agent gives no usable SVID
 *   (`code` PermissionDenied when the workload is not registered), or CreateSessionError
 */
export function fromSpiffe(options: FromSpiffeOptions): SpiffeAwsCredentialProvider {
  const settings = rolesAnywhereSettings(options, WHERE);
  const { client, owned, spiffeId } = workloadApiSource(options, WHERE);
  const svids = new X509SvidWatch(client, spiffeId, settings.now);
  const provider = rolesAnywhereProvider(settings, { load: () => svids.material(), version: () => svids.version });
  return Object.assign(provider, {
    close: () => {
      svids.close();
      if (owned) client.close();
    },
  });
}

/**
 * The workload's current X.509-SVID, kept by a watch of the Workload API stream. `version`
 * changes whenever the SVID in use changes (rotation) or is withdrawn.
 */
class X509SvidWatch {
  public version = 0;
  private current: X509Svid | undefined;
  private lastError: Error | undefined;
  private watch: X509ContextWatch | undefined;
  private waiters = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly client: WorkloadApiClient,
    private readonly spiffeId: string | undefined,
    private readonly now: () => Date,
  ) {}

  /** The current SVID as Roles Anywhere signing material; waits for the first one (up to the client's timeoutMs). */
  public async material(): Promise<SigningMaterial> {
    if (this.closed) throw new Error(`${WHERE}: the provider has been closed`);
    this.watch ??= this.client.watchX509Context({ onUpdate: (context) => this.update(context), onError: (error) => this.fail(error) });
    if (!this.current && !this.lastError) await this.nextEvent();
    const svid = this.current;
    if (!svid) throw this.lastError ?? new Error(`${WHERE}: the Workload API sent no X.509-SVID`);
    if (svid.expiresAt.getTime() <= this.now().getTime()) {
      throw new WorkloadApiError({
        code: 'InvalidResponse',
        details: `the X.509-SVID for ${svid.spiffeId} expired at ${svid.expiresAt.toISOString()} and the agent has sent no new one${this.lastError ? ` (last error: ${this.lastError.message})` : ''}`,
        address: this.client.endpoint.address,
        method: 'FetchX509SVID',
        meaning: 'Fix: check that the SPIRE agent is running and can reach its server',
      });
    }
    if (svid.certificates.length - 1 > MAX_INTERMEDIATES) {
      throw new WorkloadApiError({
        code: 'InvalidResponse',
        details: `the X.509-SVID for ${svid.spiffeId} comes with ${svid.certificates.length - 1} intermediates, more than the ${MAX_INTERMEDIATES} Roles Anywhere accepts`,
        address: this.client.endpoint.address,
        method: 'FetchX509SVID',
      });
    }
    const [certificate, ...intermediates] = svid.certificates;
    return { certificate, intermediates, privateKey: svid.privateKey };
  }

  public close(): void {
    this.closed = true;
    this.watch?.close();
    for (const wake of this.waiters) wake();
  }

  private update(context: X509Context): void {
    let svid: X509Svid;
    try {
      svid = selectX509Svid(context, this.spiffeId, this.client.endpoint.address);
    } catch (error) {
      this.withdraw(error as Error);
      return;
    }
    // The first SVID is no rotation (nothing was issued with an earlier one); a withdrawal counted already.
    if (this.current && svid.leaf.fingerprintSha256 !== this.current.leaf.fingerprintSha256) this.version++;
    this.current = svid;
    this.lastError = undefined;
    this.wake();
  }

  private fail(error: WorkloadApiError | InvalidSvidError): void {
    // SPIRE ends the stream with PermissionDenied once no entry matches any more: the identity is
    // withdrawn, and credentials must not be renewed with the SVID the workload still holds.
    // Other failures (the agent restarting) leave the current SVID usable until it expires.
    if (error instanceof WorkloadApiError && error.code === 'PermissionDenied') this.withdraw(error);
    else {
      this.lastError = error;
      this.wake();
    }
  }

  private withdraw(error: Error): void {
    if (this.current) this.version++;
    this.current = undefined;
    this.lastError = error;
    this.wake();
  }

  private wake(): void {
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Resolves at the next update or error, or when the client's timeout passes. */
  private nextEvent(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        this.lastError ??= new WorkloadApiError({
          code: 'DeadlineExceeded',
          details: `no X.509-SVID within ${this.client.timeoutMs} ms`,
          address: this.client.endpoint.address,
          method: 'FetchX509SVID',
          meaning: 'Fix: check that the SPIRE agent is healthy, or allow a longer timeoutMs',
        });
        resolve();
      }, this.client.timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.add(done);
    });
  }
}
