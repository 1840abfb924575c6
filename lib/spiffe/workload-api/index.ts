// The SPIFFE Workload API client. No cdk8s; @grpc/grpc-js is loaded at the first client.
export { SPIFFE_ENDPOINT_SOCKET, parseWorkloadApiAddress } from './address';
export type { WorkloadApiEndpoint } from './address';
export { DEFAULT_WORKLOAD_API_TIMEOUT_MS, MAX_WATCH_BACKOFF_MS, WorkloadApiClient } from './client';
export type { FetchJwtSvidOptions, FetchX509SvidOptions, JwtBundle, WorkloadApiCallOptions, WorkloadApiClientOptions, X509ContextWatch, X509ContextWatcher } from './client';
export { WorkloadApiError } from './errors';
export type { WorkloadApiErrorCode } from './errors';
export { WORKLOAD_PROTO_PATH } from './proto';
export { InvalidSvidError } from './svid';
export type { JwtSvid, X509Context, X509Svid } from './svid';
