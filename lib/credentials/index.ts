// attestgate/credentials: clients that turn attested identities into cloud credentials.
// Loads node:crypto, node:https and lib/core only — no CDK, cdktf or AWS SDK.
export * from './roles-anywhere/canonical-request';
export * from './roles-anywhere/sign-request';
export * from './roles-anywhere/credential-provider';
