// attestgate/credentials: clients that turn attested identities into cloud credentials.
// Loads node:crypto, node:https, lib/core and the AWS SDK's retry building blocks (@smithy/core/retry)
// only — no CDK, cdktf or AWS SDK client. @grpc/grpc-js loads at the first Workload API client.
export * from './roles-anywhere/canonical-request';
export * from './roles-anywhere/sign-request';
export * from './roles-anywhere/credential-provider';
export * from '../spiffe/workload-api';
export * from './spiffe';
export * from './azure/agent-identity-credential';
