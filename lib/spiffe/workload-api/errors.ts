/** gRPC status codes by number, named as gRPC and SPIRE print them. */
const CODE_NAMES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
] as const;

/** A gRPC status name (`PermissionDenied`, `Unavailable`, …), or `InvalidResponse` for an answer the client cannot use. */
export type WorkloadApiErrorCode = (typeof CODE_NAMES)[number] | 'InvalidResponse';

export function grpcCodeName(code: number): WorkloadApiErrorCode {
  return CODE_NAMES[code] ?? 'Unknown';
}

/**
 * A call to the SPIFFE Workload API failed. `code` and `details` are what the agent (or gRPC)
 * said; the message adds what it means for the workload and what to change.
 */
export class WorkloadApiError extends Error {
  /** The gRPC status name, e.g. `PermissionDenied` when no registration entry matches the workload. */
  public readonly code: WorkloadApiErrorCode;
  /** The status message as the server sent it, e.g. `no identity issued`. */
  public readonly details: string;
  /** The address the client dialled. */
  public readonly address: string;
  /** The RPC, e.g. `FetchJWTSVID`. */
  public readonly method: string;

  constructor(init: { code: WorkloadApiErrorCode; details: string; address: string; method: string; meaning?: string; cause?: unknown }) {
    super(`SPIFFE Workload API ${init.method} at ${init.address} failed: ${init.code}: ${init.meaning ? `${init.details.replace(/\.$/, '')}. ${init.meaning}` : init.details}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'WorkloadApiError';
    this.code = init.code;
    this.details = init.details;
    this.address = init.address;
    this.method = init.method;
  }
}
