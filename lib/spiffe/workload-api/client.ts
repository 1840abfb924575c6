import * as fs from 'node:fs';
import type * as grpc from '@grpc/grpc-js';
import { AttestGateError } from '../../core/errors';
import { SpiffeId } from '../../core/spiffe-id';
import { WorkloadApiEndpoint, parseWorkloadApiAddress } from './address';
import { WorkloadApiError, grpcCodeName } from './errors';
import {
  JwtBundlesResponseMessage,
  JwtSvidRequestMessage,
  JwtSvidResponseMessage,
  SECURITY_HEADER,
  ValidateJwtSvidResponseMessage,
  X509BundlesResponseMessage,
  X509SvidResponseMessage,
  structToJson,
  workloadApiModules,
} from './proto';
import { InvalidSvidError, JwtSvid, X509Context, X509Svid, parseJwtSvid, parseX509Context, splitDerCertificates } from './svid';

/** A call waits this long for its answer (a stream for its first message) unless told otherwise. */
export const DEFAULT_WORKLOAD_API_TIMEOUT_MS = 10_000;
/** A broken watch is opened again after 1 s, 2 s, … up to this, as go-spiffe's linear backoff does. */
export const MAX_WATCH_BACKOFF_MS = 30_000;

export interface WorkloadApiClientOptions {
  /**
   * Where the agent's Workload API listens: `unix:///path/to/agent.sock` (or `unix:/path`), or
   * `tcp://<IP>:<port>`.
   *
   * @default - the SPIFFE_ENDPOINT_SOCKET environment variable
   */
  readonly address?: string;
  /**
   * How long a call waits for its answer, and a stream for its first message, before it fails
   * with DeadlineExceeded. A watch's later messages have no deadline: they come when SVIDs rotate.
   *
   * @default 10000
   */
  readonly timeoutMs?: number;
}

export interface WorkloadApiCallOptions {
  /** Cancels the call: it rejects with code `Canceled`. */
  readonly signal?: AbortSignal;
  /** @default - the client's timeoutMs */
  readonly timeoutMs?: number;
}

export interface FetchJwtSvidOptions extends WorkloadApiCallOptions {
  /** Who the token is for: the `aud` it must carry (one value, or several). */
  readonly audience: string | readonly string[];
  /** Ask for the SVID of this SPIFFE ID only. @default - the first SVID the agent returns */
  readonly spiffeId?: string;
}

export interface FetchX509SvidOptions extends WorkloadApiCallOptions {
  /** The SVID of this SPIFFE ID. @default - the first the agent sends, as go-spiffe's FetchX509SVID picks */
  readonly spiffeId?: string;
}

/** A JWT bundle: the trust domain's JWT authorities, a JWKS. */
export interface JwtBundle {
  readonly keys: ReadonlyArray<Record<string, unknown>>;
}

/** What a watch reports. Errors do not end a watch unless they are InvalidArgument (as go-spiffe's watcher). */
export interface X509ContextWatcher {
  /** Every message of the X.509-SVID stream: the first, then one at each rotation or change. */
  onUpdate(context: X509Context): void;
  /** A failed stream (it is opened again after a backoff) or an unusable message. */
  onError(error: WorkloadApiError | InvalidSvidError): void;
}

export interface X509ContextWatch {
  /** Ends the stream and any pending reconnection. */
  close(): void;
}

interface Stub extends grpc.Client {
  [method: string]: any;
}

const WHERE = 'WorkloadApiClient';

/**
 * A client of the SPIFFE Workload API (the `workload.proto` of the SPIFFE specification) over
 * gRPC: what a workload uses to get its X.509- and JWT-SVIDs from the SPIRE agent on its node.
 * Every call carries the `workload.spiffe.io: true` metadata SPIRE requires and has a deadline
 * (timeoutMs); failures are WorkloadApiError with the gRPC status SPIRE sent and what it means
 * (PermissionDenied: the workload is not registered).
 *
 * One-shot calls leave nothing open: the process can exit once they are done. A watch keeps a
 * stream open until it, or the client, is closed.
 */
export class WorkloadApiClient {
  public readonly endpoint: WorkloadApiEndpoint;
  /** How long a call waits for its answer (a stream for its first message). */
  public readonly timeoutMs: number;
  private readonly stub: Stub;
  private readonly watches = new Set<X509ContextWatch>();
  private closed = false;

  /** @throws AttestGateError when the address (or SPIFFE_ENDPOINT_SOCKET) is unset or malformed */
  constructor(options: WorkloadApiClientOptions = {}) {
    this.endpoint = parseWorkloadApiAddress(options.address, WHERE);
    this.timeoutMs = timeoutOption(options.timeoutMs, DEFAULT_WORKLOAD_API_TIMEOUT_MS, 'timeoutMs');
    const { grpc: grpcJs, Client } = workloadApiModules();
    this.stub = new Client(this.endpoint.target, grpcJs.credentials.createInsecure()) as Stub;
  }

  /** The first X.509-SVID stream message: every SVID this workload is entitled to, with bundles. */
  public async fetchX509Context(options: WorkloadApiCallOptions = {}): Promise<X509Context> {
    const message = await this.firstMessage<X509SvidResponseMessage>('FetchX509SVID', {}, options);
    return this.usable('FetchX509SVID', () => parseX509Context(message));
  }

  /** One X.509-SVID with its key and chain. */
  public async fetchX509Svid(options: FetchX509SvidOptions = {}): Promise<X509Svid> {
    const wanted = options.spiffeId === undefined ? undefined : SpiffeId.parse(options.spiffeId, WHERE, 'spiffeId').toString();
    const context = await this.fetchX509Context(options);
    return selectX509Svid(context, wanted, this.endpoint.address);
  }

  /** Trust domains' X.509 authorities (DER), by trust domain ID. */
  public async fetchX509Bundles(options: WorkloadApiCallOptions = {}): Promise<Map<string, Buffer[]>> {
    const message = await this.firstMessage<X509BundlesResponseMessage>('FetchX509Bundles', {}, options);
    return this.usable('FetchX509Bundles', () => new Map(Object.entries(message.bundles).map(([td, der]) => [td, splitDerCertificates(der, `bundles[${td}]`)])));
  }

  /** A JWT-SVID for an audience. */
  public async fetchJwtSvid(options: FetchJwtSvidOptions): Promise<JwtSvid> {
    const audience = audienceOption(options?.audience);
    const spiffeId = options.spiffeId === undefined ? '' : SpiffeId.parse(options.spiffeId, WHERE, 'spiffeId').toString();
    const request: JwtSvidRequestMessage = { audience, spiffe_id: spiffeId };
    const response = await this.unary<JwtSvidResponseMessage>('FetchJWTSVID', request, options);
    return this.usable('FetchJWTSVID', () => {
      if (response.svids.length === 0) throw new InvalidSvidError('the response holds no JWT-SVID');
      const svid = parseJwtSvid(response.svids[0]);
      if (spiffeId && svid.spiffeId !== spiffeId) throw new InvalidSvidError(`asked for ${spiffeId}, the agent returned ${svid.spiffeId}`);
      const missing = audience.filter((a) => !svid.audience.includes(a));
      if (missing.length > 0) throw new InvalidSvidError(`the JWT-SVID's aud ${JSON.stringify(svid.audience)} lacks ${JSON.stringify(missing)}`);
      if (svid.expiresAt.getTime() <= Date.now()) throw new InvalidSvidError(`the JWT-SVID expired at ${svid.expiresAt.toISOString()}`);
      return svid;
    });
  }

  /** The JWT bundles (JWKS) by trust domain ID, to verify JWT-SVIDs offline. */
  public async fetchJwtBundles(options: WorkloadApiCallOptions = {}): Promise<Map<string, JwtBundle>> {
    const message = await this.firstMessage<JwtBundlesResponseMessage>('FetchJWTBundles', {}, options);
    return this.usable('FetchJWTBundles', () => {
      const bundles = new Map<string, JwtBundle>();
      for (const [td, json] of Object.entries(message.bundles)) {
        let jwks: unknown;
        try {
          jwks = JSON.parse(Buffer.from(json).toString('utf8'));
        } catch {
          throw new InvalidSvidError(`the JWT bundle of ${td} is not JSON`);
        }
        if (!Array.isArray((jwks as JwtBundle | null)?.keys)) throw new InvalidSvidError(`the JWT bundle of ${td} is not a JWKS (no keys array)`);
        bundles.set(td, jwks as JwtBundle);
      }
      return bundles;
    });
  }

  /** Asks the agent to validate a JWT-SVID for an audience: its SPIFFE ID and claims. */
  public async validateJwtSvid(token: string, audience: string, options: WorkloadApiCallOptions = {}): Promise<{ spiffeId: string; claims: Record<string, unknown> }> {
    if (typeof token !== 'string' || token === '') throw new AttestGateError({ where: WHERE, field: 'token', value: token, problem: 'is empty', fix: 'pass the JWT-SVID to validate' });
    const [aud] = audienceOption(audience);
    const response = await this.unary<ValidateJwtSvidResponseMessage>('ValidateJWTSVID', { audience: aud, svid: token }, options);
    return { spiffeId: response.spiffe_id, claims: structToJson(response.claims) };
  }

  /**
   * Watches the X.509-SVID stream: `onUpdate` gets the first message and one at every rotation.
   * A failed stream is reported to `onError` and opened again after 1 s, 2 s, … (at most 30 s),
   * as go-spiffe's watcher does — except InvalidArgument, which no retry can fix. A
   * PermissionDenied is retried too: the workload may be registered later.
   */
  public watchX509Context(watcher: X509ContextWatcher): X509ContextWatch {
    this.assertOpen();
    let call: grpc.ClientReadableStream<X509SvidResponseMessage> | undefined;
    let retry: NodeJS.Timeout | undefined;
    let failures = 0;
    let stopped = false;
    const handle: X509ContextWatch = {
      close: () => {
        stopped = true;
        clearTimeout(retry);
        call?.cancel();
        this.watches.delete(handle);
      },
    };
    const scheduleRetry = () => {
      failures++;
      retry = setTimeout(open, Math.min(failures * 1000, MAX_WATCH_BACKOFF_MS));
    };
    const open = () => {
      if (stopped) return;
      const stream: grpc.ClientReadableStream<X509SvidResponseMessage> = this.stub.FetchX509SVID({}, this.metadata());
      call = stream;
      stream.on('data', (message: X509SvidResponseMessage) => {
        failures = 0;
        let context: X509Context;
        try {
          context = parseX509Context(message);
        } catch (error) {
          watcher.onError(error instanceof InvalidSvidError ? this.invalid('FetchX509SVID', error) : (error as WorkloadApiError));
          return;
        }
        watcher.onUpdate(context);
      });
      stream.on('error', (error: grpc.ServiceError) => {
        if (stopped || stream !== call) return;
        const failure = this.failure('FetchX509SVID', error, undefined);
        watcher.onError(failure);
        if (failure.code === 'InvalidArgument') handle.close();
        else scheduleRetry();
      });
      // A stream the agent ends without an error (it restarted cleanly) is opened again too.
      stream.on('status', (status: grpc.StatusObject) => {
        if (!stopped && stream === call && status.code === 0) scheduleRetry();
      });
    };
    this.watches.add(handle);
    open();
    return handle;
  }

  /** Closes every watch and the channel. Calls after this throw. */
  public close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const watch of [...this.watches]) watch.close();
    this.stub.close();
  }

  private metadata(): grpc.Metadata {
    const metadata = new (workloadApiModules().grpc.Metadata)();
    metadata.set(SECURITY_HEADER.name, SECURITY_HEADER.value);
    return metadata;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the Workload API client for ${this.endpoint.address} has been closed`);
  }

  private unary<T>(method: string, request: unknown, options: WorkloadApiCallOptions): Promise<T> {
    this.assertOpen();
    const timeoutMs = timeoutOption(options.timeoutMs, this.timeoutMs, 'timeoutMs');
    const { signal } = options;
    return new Promise<T>((resolve, reject) => {
      let onAbort: (() => void) | undefined;
      const call: grpc.ClientUnaryCall = this.stub[method](request, this.metadata(), { deadline: Date.now() + timeoutMs }, (error: grpc.ServiceError | null, response: T) => {
        if (onAbort) signal?.removeEventListener('abort', onAbort);
        if (error) reject(this.failure(method, error, timeoutMs));
        else resolve(response);
      });
      onAbort = () => call.cancel();
      if (signal?.aborted) call.cancel();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The first message of a server stream; the stream is cancelled once it has arrived. */
  private firstMessage<T>(method: string, request: unknown, options: WorkloadApiCallOptions): Promise<T> {
    this.assertOpen();
    const timeoutMs = timeoutOption(options.timeoutMs, this.timeoutMs, 'timeoutMs');
    const { signal } = options;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const call: grpc.ClientReadableStream<T> = this.stub[method](request, this.metadata(), { deadline: Date.now() + timeoutMs });
      const onAbort = () => call.cancel();
      call.on('data', (message: T) => {
        settle(() => resolve(message));
        call.cancel();
      });
      // Also after our own cancel: a stream's error must always have a listener.
      call.on('error', (error: grpc.ServiceError) => settle(() => reject(this.failure(method, error, timeoutMs))));
      call.on('status', () => settle(() => reject(new WorkloadApiError({ code: 'InvalidResponse', details: 'the stream ended without a message', address: this.endpoint.address, method }))));
      if (signal?.aborted) call.cancel();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private usable<T>(method: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof InvalidSvidError) throw this.invalid(method, error);
      throw error;
    }
  }

  private invalid(method: string, error: InvalidSvidError): WorkloadApiError {
    return new WorkloadApiError({ code: 'InvalidResponse', details: error.message, address: this.endpoint.address, method, cause: error });
  }

  /** A gRPC failure as a WorkloadApiError that says what it means for this workload. */
  private failure(method: string, error: grpc.ServiceError, timeoutMs: number | undefined): WorkloadApiError {
    const code = grpcCodeName(error.code);
    // grpc-js appends an empty "Resolution note:" to connection failures; it says nothing.
    const details = (error.details ?? error.message).replace(/\s*Resolution note:\s*$/, '');
    return new WorkloadApiError({ code, details, address: this.endpoint.address, method, meaning: meaningOf(code, details, this.endpoint, timeoutMs), cause: error });
  }
}

/** What a status means for the workload, and the fix. */
function meaningOf(code: string, details: string, endpoint: WorkloadApiEndpoint, timeoutMs: number | undefined): string | undefined {
  switch (code) {
    case 'PermissionDenied':
      return (
        'No registration entry matches this workload, so SPIRE issues it no identity: it is not registered, or the selectors the agent attested ' +
        '(namespace, service account, image digest, uid, …) differ from its entry’s, or it runs under another agent (parent ID). ' +
        'Fix: register the workload (a ClusterSPIFFEID or `spire-server entry create`) with the selectors it really has'
      );
    case 'InvalidArgument':
      return /security header/.test(details)
        ? 'The agent did not receive the workload.spiffe.io metadata this client sends with every call: something between them removed it'
        : undefined;
    case 'DeadlineExceeded':
      return timeoutMs === undefined ? undefined : `No answer within ${timeoutMs} ms (timeoutMs). Fix: check that the agent is healthy, or allow a longer timeoutMs`;
    case 'Canceled':
      return 'The call was cancelled (its AbortSignal fired, or the client was closed)';
    case 'Unavailable':
      if (/workload attestation failed/.test(details)) return 'The agent could not attest this process (it could not read the process’s details, e.g. from the container runtime or kubelet)';
      if (endpoint.kind === 'unix') return socketProblem(endpoint.socketPath);
      return `Nothing answers at ${endpoint.address}. Fix: start the agent, or set SPIFFE_ENDPOINT_SOCKET to where it listens`;
    default:
      return undefined;
  }
}

/** Why a unix socket cannot be reached, read from the file system. */
function socketProblem(socketPath: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(socketPath);
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT' || errno === 'ENOTDIR') {
      return `There is no socket at ${socketPath}: the SPIRE agent is not running, or its socket directory is not mounted into this container. Fix: start the agent, mount its socket (hostPath or the SPIFFE CSI driver), or set SPIFFE_ENDPOINT_SOCKET to the agent's socket`;
    }
    if (errno === 'EACCES') return `This process may not reach ${socketPath} (EACCES). Fix: run it as a user that can open the socket's directory`;
    return `${socketPath} cannot be read (${errno ?? (error as Error).message})`;
  }
  if (!stat.isSocket()) return `${socketPath} exists but is not a socket. Fix: point SPIFFE_ENDPOINT_SOCKET at the agent's socket`;
  return `Nothing accepts connections on ${socketPath} (the agent that created it has stopped). Fix: restart the agent`;
}

/** The SVID of a SPIFFE ID, or the first. */
export function selectX509Svid(context: X509Context, spiffeId: string | undefined, address: string): X509Svid {
  if (spiffeId === undefined) return context.svids[0];
  const svid = context.svids.find((s) => s.spiffeId === spiffeId);
  if (!svid) {
    throw new WorkloadApiError({
      code: 'InvalidResponse',
      details: `the agent issued this workload ${context.svids.map((s) => s.spiffeId).join(', ')}, not ${spiffeId}`,
      address,
      method: 'FetchX509SVID',
      meaning: 'Fix: register the workload for that SPIFFE ID, or ask for one it is issued',
    });
  }
  return svid;
}

function timeoutOption(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new AttestGateError({ where: WHERE, field, value, problem: 'is not a positive whole number of milliseconds', fix: 'pass e.g. 10000' });
  return value;
}

function audienceOption(value: string | readonly string[] | undefined): string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? [...value] : [];
  if (list.length === 0 || list.some((a) => typeof a !== 'string' || a === '')) {
    throw new AttestGateError({ where: WHERE, field: 'audience', value, problem: 'is not one or more non-empty strings (SPIRE refuses a JWT-SVID without an audience)', fix: "pass who the token is for, e.g. 'api://AzureADTokenExchange'" });
  }
  return list;
}
