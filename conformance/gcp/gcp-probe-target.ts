import { REQUEST_DEADLINE_MS, sendHttp } from '../engine/send-http';
import { HttpOutcome } from './gcp-outcome';

/** Where the probes go: STS and IAM credentials, on the emulator or on Google. */
export interface GcpEndpoints {
  /** Origin of the STS: `POST <sts>/v1/token`. */
  readonly sts: string;
  /** Origin of IAM credentials: `POST <iamCredentials>/v1/projects/-/serviceAccounts/<email>:generateAccessToken`. */
  readonly iamCredentials: string;
}

export const PUBLIC_GCP_ENDPOINTS: GcpEndpoints = { sts: 'https://sts.googleapis.com', iamCredentials: 'https://iamcredentials.googleapis.com' };

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** The two calls of federation with impersonation, as a probe makes them. */
export interface GcpProbeTarget {
  readonly name: string;
  /** STS token exchange of a JWT for a federated token. */
  exchange(audience: string, subjectToken: string): Promise<HttpOutcome>;
  /** generateAccessToken for a service account with a federated token. */
  generateAccessToken(serviceAccountEmail: string, bearer: string, lifetimeSeconds?: number): Promise<HttpOutcome>;
  /** A GET of a JSON document (an issuer's discovery document or JWKS). */
  getJson(url: string): Promise<HttpOutcome>;
}

/** Sends exactly what google-auth-library sends: a form-encoded exchange, then a JSON generateAccessToken. */
export class GcpHttpProbeTarget implements GcpProbeTarget {
  constructor(
    public readonly name: string,
    private readonly endpoints: GcpEndpoints,
    /** The deadline of one exchange, connection to last byte. */
    private readonly deadlineMs: number = REQUEST_DEADLINE_MS,
  ) {}

  public exchange(audience: string, subjectToken: string): Promise<HttpOutcome> {
    const body = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience,
      scope: CLOUD_PLATFORM_SCOPE,
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token: subjectToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    }).toString();
    return sendHttp(`${this.endpoints.sts}/v1/token`, 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, body, this.deadlineMs);
  }

  public generateAccessToken(serviceAccountEmail: string, bearer: string, lifetimeSeconds = 3600): Promise<HttpOutcome> {
    const url = `${this.endpoints.iamCredentials}/v1/projects/-/serviceAccounts/${encodeURIComponent(serviceAccountEmail)}:generateAccessToken`;
    const body = JSON.stringify({ scope: [CLOUD_PLATFORM_SCOPE], lifetime: `${lifetimeSeconds}s` });
    return sendHttp(url, 'POST', { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body, this.deadlineMs);
  }

  public getJson(url: string): Promise<HttpOutcome> {
    return sendHttp(url, 'GET', { accept: 'application/json' }, '', this.deadlineMs);
  }
}
