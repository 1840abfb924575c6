export { fromSpiffe } from './aws';
export type { FromSpiffeOptions, SpiffeAwsCredentialProvider } from './aws';
export { AZURE_TOKEN_EXCHANGE_AUDIENCE, azureAssertionFromSpiffe } from './azure';
export type { AzureAssertionFromSpiffeOptions } from './azure';
export { GCP_REFRESH_BEFORE_EXPIRY_MS, GcpTokenError, JWT_TOKEN_TYPE, defaultGcpJwtAudience, gcpAccessTokenFromSpiffe, gcpSubjectTokenFromSpiffe } from './gcp';
export type { GcpAccessToken, GcpAccessTokenFromSpiffeOptions, GcpSubjectTokenFromSpiffeOptions, GcpSubjectTokenSupplier } from './gcp';
export type { SpiffeSourceOptions } from './workload-api-source';
