import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { AttestGateError } from '../../../lib/core/errors';
import { DistinguishedName } from '../../../lib/core/distinguished-name';
import { SpiffeId } from '../../../lib/core/spiffe-id';
import { RegistrationEntry, SpiffeSelector, entryMatches } from '../../../lib/spiffe/registration-entry';
import { SECURITY_HEADER, workloadApiModules } from '../../../lib/spiffe/workload-api/proto';
import type { JwtSvidRequestMessage, ValidateJwtSvidRequestMessage, X509SvidMessage, X509SvidResponseMessage } from '../../../lib/spiffe/workload-api/proto';
import { IssuerKey } from '../../oidc/issuer-key';
import { signJwt } from '../../oidc/jwt';
import { IssuedCertificate } from '../../pki/throwaway-pki';
import { issueX509Svid } from './x509-svid';
import { validateJwtSvid } from './validate-jwt-svid';

/**
 * A workload as the emulated agent attests it. On one machine there is no kubelet or container
 * runtime to ask who a caller is, so the emulator binds each workload profile to its own socket:
 * whoever connects to `<socketDirectory>/<name>.sock` is that workload, with these selectors,
 * under that agent. Registration entries then decide, as SPIRE does, what it is issued.
 */
export interface EmulatedWorkload {
  /** Names the socket (`<name>.sock`): letters, digits, `.`, `_` and `-`. */
  readonly name: string;
  /** The SPIFFE ID of the agent the workload runs under; an entry matches only if its parentId is this. */
  readonly agentId: string;
  /** What workload attestation found, e.g. `k8s:ns:agents`, `k8s:sa:deployer`, `k8s:pod-image:…@sha256:…`. */
  readonly selectors: readonly SpiffeSelector[];
}

export interface WorkloadApiServerOptions {
  /** The trust domain of the emulated SPIRE server; every entry's SPIFFE ID must be in it. */
  readonly trustDomain: string;
  readonly entries: readonly RegistrationEntry[];
  readonly workloads: readonly EmulatedWorkload[];
  /** The CA that signs X.509-SVIDs: the Roles Anywhere trust anchor's CA, so SVIDs chain to the anchor. */
  readonly x509Authority: IssuedCertificate;
  /**
   * The JWT-SVID signing key and the `iss` to write (SPIRE's `jwt_issuer`; without it SPIRE
   * writes no `iss`, which GCP and Entra refuse): the OIDC issuer the GCP and Azure gates trust.
   */
  readonly jwtAuthority: { readonly key: IssuerKey; readonly issuer?: string };
  /**
   * The subject of every X.509-SVID before the entry's first DNS name is set as its CN, as
   * SPIRE builds it. SPIRE's default is `C=US, O=SPIRE`; a credential composer plugin changes it.
   *
   * @default { C: 'US', O: 'SPIRE' }
   */
  readonly x509SvidSubject?: DistinguishedName;
  /** @default - a new directory under the system temporary directory, mode 0700 */
  readonly socketDirectory?: string;
  readonly now?: () => Date;
  /**
   * Faults to inject, for tests that must see the SPIFFE checks FAIL: a conformant agent has none.
   *
   * @default - none
   */
  readonly faults?: WorkloadApiFaults;
}

/** How a lax agent deviates from SPIRE. */
export interface WorkloadApiFaults {
  /**
   * Selectors the agent does not attest: it matches entries as if every workload presented them —
   * a workload attestor that reports what it never verified (`() => true`: no workload
   * attestation at all, every workload under the agent gets every entry of its parent).
   */
  readonly unattestedSelector?: (selector: SpiffeSelector) => boolean;
}

/** One call the server answered: which workload asked for what, and the status it got. */
export interface WorkloadApiLogEntry {
  readonly workload: string;
  readonly method: string;
  /** `OK`, or the gRPC status name and message. */
  readonly outcome: string;
}

export interface RunningWorkloadApiServer {
  readonly trustDomain: string;
  readonly socketDirectory: string;
  /** `unix:///…/<name>.sock` for each workload, for SPIFFE_ENDPOINT_SOCKET. */
  readonly addresses: ReadonlyMap<string, string>;
  readonly log: readonly WorkloadApiLogEntry[];
  /**
   * Issues new X.509-SVIDs to a workload (every workload when none is named) and pushes them to
   * its open streams, as the agent does when an SVID reaches half its lifetime.
   */
  rotate(workloadName?: string): Promise<void>;
  /**
   * Replaces the registration entries, as an entry change on the SPIRE server reaches the agent:
   * each workload's open streams get its new SVIDs, or PermissionDenied "no identity issued"
   * (which ends them) when no entry matches it any more.
   */
  updateEntries(entries: readonly RegistrationEntry[]): Promise<void>;
  /** Ends every stream, stops listening and removes the sockets. */
  close(): Promise<void>;
}

/** SPIRE's default X.509-SVID subject (credtemplate.DefaultX509SVIDSubject). */
export const SPIRE_DEFAULT_X509_SVID_SUBJECT: DistinguishedName = { C: 'US', O: 'SPIRE' };
/** SPIRE's server defaults for entries without TTLs (default_x509_svid_ttl, default_jwt_svid_ttl). */
export const SPIRE_DEFAULT_X509_SVID_TTL_SECONDS = 3600;
export const SPIRE_DEFAULT_JWT_SVID_TTL_SECONDS = 300;

const WHERE = 'Workload API emulator';
const MIN_ROTATION_DELAY_MS = 100;
const NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** sun_path holds 108 bytes with the terminating NUL on Linux. */
const MAX_SOCKET_PATH_BYTES = 107;

const STATUS = {
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  UNIMPLEMENTED: 12,
} as const;

interface GrpcFailure {
  readonly code: number;
  readonly details: string;
}

/** An issued X.509-SVID and when the agent would rotate it (half its lifetime, as SPIRE's agent). */
interface IssuedX509 {
  readonly message: X509SvidMessage;
  readonly rotateAt: number;
}

interface IssuedJwt {
  readonly token: string;
  readonly rotateAt: number;
}

class WorkloadSocket {
  public readonly streams = new Set<grpc.ServerWritableStream<unknown, X509SvidResponseMessage>>();
  /** Open bundle streams, with their method. */
  public readonly bundleStreams = new Map<grpc.ServerWritableStream<unknown, unknown>, string>();
  public x509: IssuedX509[] | undefined;
  public issuing: Promise<IssuedX509[]> | undefined;
  public rotation: NodeJS.Timeout | undefined;
  public readonly jwts = new Map<string, IssuedJwt>();
  constructor(
    public readonly workload: EmulatedWorkload,
    public entries: readonly RegistrationEntry[],
    public readonly server: grpc.Server,
  ) {}
}

/**
 * Serves the SPIFFE Workload API the way a SPIRE agent does, for registration entries given to
 * it, on one Unix socket per emulated workload: X.509-SVIDs signed by the trust anchor's CA,
 * streamed and rotated at half their lifetime; JWT-SVIDs signed with the OIDC issuer's key, cached
 * until half their lifetime; the bundles; ValidateJWTSVID. Statuses and messages are SPIRE's
 * (pkg/agent/endpoints): InvalidArgument "security header missing from request", PermissionDenied
 * "no identity issued", InvalidArgument "audience must be specified", Unimplemented for WIT-SVIDs.
 */
export async function startWorkloadApiServer(options: WorkloadApiServerOptions): Promise<RunningWorkloadApiServer> {
  const trustDomain = SpiffeId.parse(`spiffe://${options.trustDomain}`, WHERE, 'trustDomain').trustDomain;
  const trustDomainId = `spiffe://${trustDomain}`;
  const checkEntries = (entries: readonly RegistrationEntry[]) => entries.forEach((entry, index) => checkEntry(entry, index, trustDomain));
  checkEntries(options.entries);
  const names = new Set<string>();
  for (const [index, workload] of options.workloads.entries()) {
    if (typeof workload.name !== 'string' || !NAME.test(workload.name) || names.has(workload.name)) {
      throw new AttestGateError({ where: WHERE, field: `workloads[${index}].name`, value: workload.name, problem: 'is not a unique name of letters, digits, ".", "_" and "-" (at most 64)', fix: 'name each workload profile differently, e.g. "deployer"' });
    }
    names.add(workload.name);
    SpiffeId.parse(workload.agentId, WHERE, `workloads[${index}].agentId`);
  }
  const now = options.now ?? (() => new Date());
  const subject = options.x509SvidSubject ?? SPIRE_DEFAULT_X509_SVID_SUBJECT;
  const jwtKey = options.jwtAuthority.key;
  const jwtBundle = Buffer.from(JSON.stringify({ keys: [standardJwk(jwtKey)] }));
  const x509Bundle = options.x509Authority.der;

  const socketDirectory = options.socketDirectory ?? fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-spiffe-'));
  const ownsDirectory = options.socketDirectory === undefined;
  const log: WorkloadApiLogEntry[] = [];
  const { grpc: grpcJs, service } = workloadApiModules();
  const sockets = new Map<string, WorkloadSocket>();
  const addresses = new Map<string, string>();
  let closed = false;

  /** SPIRE's match of an entry to an attested workload, or the lax agent's (`faults`). */
  const attestedMatch = (entry: RegistrationEntry, workload: EmulatedWorkload): boolean => {
    const unattested = options.faults?.unattestedSelector;
    const presented = unattested ? [...workload.selectors, ...entry.selectors.filter(unattested)] : workload.selectors;
    return entryMatches(entry, workload.agentId, presented);
  };

  const record = (socket: WorkloadSocket, method: string, failure?: GrpcFailure) =>
    log.push({ workload: socket.workload.name, method, outcome: failure ? `${CODE_NAMES[failure.code] ?? failure.code}: ${failure.details}` : 'OK' });

  /** SPIRE's middleware: every Workload API call carries `workload.spiffe.io: true`, exactly once. */
  const securityHeaderMissing = (metadata: grpc.Metadata): GrpcFailure | undefined => {
    const values = metadata.get(SECURITY_HEADER.name);
    return values.length === 1 && values[0] === SECURITY_HEADER.value ? undefined : { code: STATUS.INVALID_ARGUMENT, details: 'security header missing from request' };
  };
  const noIdentity: GrpcFailure = { code: STATUS.PERMISSION_DENIED, details: 'no identity issued' };

  const issueFor = async (entry: RegistrationEntry): Promise<IssuedX509> => {
    const issuedAt = now();
    const svid = await issueX509Svid({ authority: options.x509Authority, entry, subject, ttlSeconds: ttlOf(entry.x509SvidTtlSeconds, SPIRE_DEFAULT_X509_SVID_TTL_SECONDS), now: issuedAt });
    const message: X509SvidMessage = { spiffe_id: entry.spiffeId, x509_svid: svid.der, x509_svid_key: svid.privateKeyPkcs8, bundle: x509Bundle, hint: entry.hint ?? '' };
    return { message, rotateAt: issuedAt.getTime() + (svid.notAfter.getTime() - issuedAt.getTime()) / 2 };
  };

  /** The workload's current SVIDs: issued on first use, again once past half their lifetime. */
  const currentX509 = async (socket: WorkloadSocket, force = false): Promise<IssuedX509[]> => {
    if (!force && socket.x509 && socket.x509.every((s) => s.rotateAt > now().getTime())) return socket.x509;
    socket.issuing ??= Promise.all(socket.entries.map(issueFor)).finally(() => (socket.issuing = undefined));
    socket.x509 = await socket.issuing;
    scheduleRotation(socket);
    return socket.x509;
  };

  const scheduleRotation = (socket: WorkloadSocket) => {
    clearTimeout(socket.rotation);
    if (closed || socket.streams.size === 0 || !socket.x509) return;
    const at = Math.min(...socket.x509.map((s) => s.rotateAt));
    // Unreferenced: an open stream keeps the process alive, a pending rotation alone need not.
    // At least 100 ms apart, and at most a day ahead (setTimeout's limit is ~24.8 days; the
    // timer is set again when it fires), whatever the emulator's clock says.
    const delay = Math.min(Math.max(MIN_ROTATION_DELAY_MS, at - now().getTime()), 86_400_000);
    socket.rotation = setTimeout(() => void rotateIfDue(socket), delay).unref();
  };

  const x509Response = (issued: readonly IssuedX509[]): X509SvidResponseMessage => ({ svids: issued.map((s) => s.message), crl: [], federated_bundles: {} });

  const rotateIfDue = async (socket: WorkloadSocket) => {
    const due = !socket.x509 || socket.x509.some((s) => s.rotateAt <= now().getTime());
    // A failed rotation (the CA expired) leaves the streams with the SVIDs they have, as an agent that cannot renew does.
    if (due) await push(socket, true).catch((error: Error) => record(socket, 'rotation', { code: 14, details: `could not rotate: ${error.message}` }));
    else scheduleRotation(socket);
  };

  const push = async (socket: WorkloadSocket, force: boolean) => {
    const issued = await currentX509(socket, force);
    for (const stream of socket.streams) stream.write(x509Response(issued));
  };

  const handlersFor = (socket: WorkloadSocket): grpc.UntypedServiceImplementation => {
    const refuseStream = (call: grpc.ServerWritableStream<unknown, unknown>, method: string, failure: GrpcFailure) => {
      record(socket, method, failure);
      call.emit('error', failure);
    };
    const refuseUnary = (callback: grpc.sendUnaryData<unknown>, method: string, failure: GrpcFailure) => {
      record(socket, method, failure);
      callback(failure as grpc.ServiceError, null);
    };
    return {
      FetchX509SVID: (call: grpc.ServerWritableStream<unknown, X509SvidResponseMessage>) => {
        const failure = securityHeaderMissing(call.metadata) ?? (socket.entries.length > 0 ? undefined : noIdentity);
        if (failure) return refuseStream(call, 'FetchX509SVID', failure);
        socket.streams.add(call);
        call.on('cancelled', () => {
          socket.streams.delete(call);
          if (socket.streams.size === 0) clearTimeout(socket.rotation);
        });
        currentX509(socket).then(
          (issued) => {
            if (call.cancelled || !socket.streams.has(call)) return;
            record(socket, 'FetchX509SVID');
            call.write(x509Response(issued));
            scheduleRotation(socket);
          },
          (error: Error) => refuseStream(call, 'FetchX509SVID', { code: 14, details: `could not serialize response: ${error.message}` }),
        );
      },
      FetchX509Bundles: (call: grpc.ServerWritableStream<unknown, unknown>) => {
        const failure = securityHeaderMissing(call.metadata) ?? (socket.entries.length > 0 ? undefined : noIdentity);
        if (failure) return refuseStream(call, 'FetchX509Bundles', failure);
        record(socket, 'FetchX509Bundles');
        socket.bundleStreams.set(call, 'FetchX509Bundles');
        call.on('cancelled', () => socket.bundleStreams.delete(call));
        call.write({ crl: [], bundles: { [trustDomainId]: x509Bundle } });
      },
      FetchJWTSVID: (call: grpc.ServerUnaryCall<JwtSvidRequestMessage, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        const request = call.request;
        let failure = securityHeaderMissing(call.metadata);
        if (!failure && request.audience.length === 0) failure = { code: STATUS.INVALID_ARGUMENT, details: 'audience must be specified' };
        if (!failure && request.spiffe_id !== '') {
          try {
            SpiffeId.parse(request.spiffe_id);
          } catch (error) {
            failure = { code: STATUS.INVALID_ARGUMENT, details: `invalid requested SPIFFE ID: ${(error as Error).message}` };
          }
        }
        const entries = socket.entries.filter((e) => request.spiffe_id === '' || e.spiffeId === request.spiffe_id);
        if (!failure && entries.length === 0) failure = noIdentity;
        if (failure) return refuseUnary(callback, 'FetchJWTSVID', failure);
        record(socket, 'FetchJWTSVID');
        callback(null, { svids: entries.map((entry) => ({ spiffe_id: entry.spiffeId, svid: jwtFor(socket, entry, request.audience), hint: entry.hint ?? '' })) });
      },
      FetchJWTBundles: (call: grpc.ServerWritableStream<unknown, unknown>) => {
        const failure = securityHeaderMissing(call.metadata) ?? (socket.entries.length > 0 ? undefined : noIdentity);
        if (failure) return refuseStream(call, 'FetchJWTBundles', failure);
        record(socket, 'FetchJWTBundles');
        socket.bundleStreams.set(call, 'FetchJWTBundles');
        call.on('cancelled', () => socket.bundleStreams.delete(call));
        call.write({ bundles: { [trustDomainId]: jwtBundle } });
      },
      ValidateJWTSVID: (call: grpc.ServerUnaryCall<ValidateJwtSvidRequestMessage, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        let failure = securityHeaderMissing(call.metadata);
        if (!failure && call.request.audience === '') failure = { code: STATUS.INVALID_ARGUMENT, details: 'audience must be specified' };
        if (!failure && call.request.svid === '') failure = { code: STATUS.INVALID_ARGUMENT, details: 'svid must be specified' };
        if (failure) return refuseUnary(callback, 'ValidateJWTSVID', failure);
        const result = validateJwtSvid(call.request.svid, call.request.audience, { trustDomain, keys: [jwtKey], now: now() });
        if ('problem' in result) return refuseUnary(callback, 'ValidateJWTSVID', { code: STATUS.INVALID_ARGUMENT, details: result.problem });
        record(socket, 'ValidateJWTSVID');
        callback(null, { spiffe_id: result.spiffeId, claims: result.claims });
      },
      FetchWITSVID: (call: grpc.ServerWritableStream<unknown, unknown>) => refuseStream(call, 'FetchWITSVID', { code: STATUS.UNIMPLEMENTED, details: 'fetching WIT-SVIDs is not implemented' }),
      FetchWITBundles: (call: grpc.ServerWritableStream<unknown, unknown>) => refuseStream(call, 'FetchWITBundles', { code: STATUS.UNIMPLEMENTED, details: 'fetching WIT bundles is not implemented' }),
    };
  };

  /**
   * A JWT-SVID as SPIRE signs it (aud always a list, iat, exp, sub, iss when configured), reused
   * until half its lifetime as the agent's cache does — unless the entry sets jwt_svid_include_jti:
   * then every fetch mints a new token with a new UUID jti and the cache is neither read nor
   * written, as SPIRE's agent bypasses it for such entries.
   */
  const jwtFor = (socket: WorkloadSocket, entry: RegistrationEntry, audience: readonly string[]): string => {
    const key = JSON.stringify([entry.spiffeId, [...audience].sort()]);
    const at = now();
    const cached = entry.jwtSvidIncludeJti ? undefined : socket.jwts.get(key);
    if (cached && cached.rotateAt > at.getTime()) return cached.token;
    const iat = Math.floor(at.getTime() / 1000);
    const ttl = ttlOf(entry.jwtSvidTtlSeconds, SPIRE_DEFAULT_JWT_SVID_TTL_SECONDS);
    const claims = {
      aud: [...audience],
      exp: iat + ttl,
      iat,
      sub: entry.spiffeId,
      ...(options.jwtAuthority.issuer ? { iss: options.jwtAuthority.issuer } : {}),
      ...(entry.jwtSvidIncludeJti ? { jti: crypto.randomUUID() } : {}),
    };
    const token = signJwt(jwtKey, claims as never);
    if (!entry.jwtSvidIncludeJti) socket.jwts.set(key, { token, rotateAt: at.getTime() + (ttl * 1000) / 2 });
    return token;
  };

  try {
    for (const workload of options.workloads) {
      const socketPath = path.join(socketDirectory, `${workload.name}.sock`);
      if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
        throw new AttestGateError({ where: WHERE, field: 'socketDirectory', value: socketDirectory, problem: `makes the socket path ${socketPath} longer than the ${MAX_SOCKET_PATH_BYTES} bytes a Unix socket path may have`, fix: 'use a shorter directory' });
      }
      const server = new grpcJs.Server();
      const socket = new WorkloadSocket(
        workload,
        options.entries.filter((entry) => attestedMatch(entry, workload)),
        server,
      );
      server.addService(service, handlersFor(socket));
      const address = `unix://${socketPath}`;
      await new Promise<void>((resolve, reject) => server.bindAsync(address, grpcJs.ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())));
      sockets.set(workload.name, socket);
      addresses.set(workload.name, address);
    }
  } catch (error) {
    for (const socket of sockets.values()) socket.server.forceShutdown();
    if (ownsDirectory) fs.rmSync(socketDirectory, { recursive: true, force: true });
    throw error;
  }

  return {
    trustDomain,
    socketDirectory,
    addresses,
    log,
    rotate: async (workloadName?: string) => {
      const targets = workloadName === undefined ? [...sockets.values()] : [sockets.get(workloadName)];
      if (targets.some((s) => s === undefined)) throw new Error(`${WHERE}: no workload named ${JSON.stringify(workloadName)}`);
      await Promise.all(targets.filter((s) => s!.entries.length > 0).map((s) => push(s!, true)));
    },
    updateEntries: async (entries: readonly RegistrationEntry[]) => {
      checkEntries(entries);
      await Promise.all(
        [...sockets.values()].map(async (socket) => {
          socket.entries = entries.filter((entry) => attestedMatch(entry, socket.workload));
          socket.x509 = undefined;
          socket.jwts.clear();
          if (socket.entries.length > 0) {
            if (socket.streams.size > 0) await push(socket, true);
            return;
          }
          clearTimeout(socket.rotation);
          const open: Array<[grpc.ServerWritableStream<unknown, unknown>, string]> = [...[...socket.streams].map((stream) => [stream, 'FetchX509SVID'] as [typeof stream, string]), ...socket.bundleStreams];
          for (const [stream, method] of open) {
            record(socket, method, noIdentity);
            stream.emit('error', noIdentity);
          }
          socket.streams.clear();
          socket.bundleStreams.clear();
        }),
      );
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const socket of sockets.values()) {
        clearTimeout(socket.rotation);
        // forceShutdown cancels open streams; tryShutdown would wait for clients to end them.
        socket.server.forceShutdown();
      }
      if (ownsDirectory) fs.rmSync(socketDirectory, { recursive: true, force: true });
      else for (const name of sockets.keys()) fs.rmSync(path.join(socketDirectory, `${name}.sock`), { force: true });
    },
  };
}

const CODE_NAMES: Record<number, string> = { 0: 'OK', 3: 'InvalidArgument', 7: 'PermissionDenied', 12: 'Unimplemented', 14: 'Unavailable' };

/** A TTL of 0 takes the server default, as SPIRE does for an entry without one. */
function ttlOf(seconds: number, fallback: number): number {
  return seconds === 0 ? fallback : seconds;
}

/** The checks SPIRE makes when an entry is created, for what the emulator relies on. */
function checkEntry(entry: RegistrationEntry, index: number, trustDomain: string): void {
  const where = `${WHERE} entries[${index}]`;
  const id = SpiffeId.parse(entry.spiffeId, where, 'spiffeId');
  if (id.trustDomain !== trustDomain || id.path === '') {
    throw new AttestGateError({ where, field: 'spiffeId', value: entry.spiffeId, problem: `is not a workload ID in the server's trust domain ${trustDomain}`, fix: `issue IDs under spiffe://${trustDomain}/…, or start a server for that trust domain` });
  }
  SpiffeId.parse(entry.parentId, where, 'parentId');
  if (entry.selectors.length === 0) throw new AttestGateError({ where, field: 'selectors', value: [], problem: 'is empty; SPIRE refuses an entry without selectors', fix: 'give the selectors of the workload' });
  for (const field of ['x509SvidTtlSeconds', 'jwtSvidTtlSeconds'] as const) {
    if (!Number.isInteger(entry[field]) || entry[field] < 0) throw new AttestGateError({ where, field, value: entry[field], problem: 'is not a whole number of seconds (0 takes the server default)', fix: 'give e.g. 3600 for X.509-SVIDs, 300 for JWT-SVIDs' });
  }
}

/** A JWT authority as SPIRE publishes it in a JWT bundle (StandardJWKS: no `use`, no SPIFFE extras). */
function standardJwk(key: IssuerKey): Record<string, unknown> {
  const { kty, kid, n, e, crv, x, y } = key.publicJwk;
  return kty === 'RSA' ? { kty, kid, n, e } : { kty, kid, crv, x, y };
}
