/**
 * Google Cloud's published default quotas for the credential APIs (cloud.google.com/iam/quotas),
 * per project: the emulator throttles at them, and the suite paces itself below them.
 */
export interface GcpQuota {
  readonly service: string;
  /** The quota metric and limit names, as quota errors quote them. */
  readonly metric: string;
  readonly limit: string;
  readonly perMinute: number;
}

/** Security Token Service API: exchange token requests (non-workforce identity federation). */
export const STS_EXCHANGE_QUOTA: GcpQuota = { service: 'sts.googleapis.com', metric: 'Exchange token requests', limit: 'Exchange token requests per minute', perMinute: 6000 };

/** Service Account Credentials API: requests to generate credentials. */
export const GENERATE_CREDENTIALS_QUOTA: GcpQuota = {
  service: 'iamcredentials.googleapis.com',
  metric: 'Generate credentials requests',
  limit: 'Generate credentials requests per minute',
  perMinute: 60000,
};

/** The message of a quota error: Google's `RESOURCE_EXHAUSTED` pattern. */
export function quotaExceededMessage(quota: GcpQuota, projectNumber: string): string {
  return `Quota exceeded for quota metric '${quota.metric}' and limit '${quota.limit}' of service '${quota.service}' for consumer 'project_number:${projectNumber}'.`;
}
