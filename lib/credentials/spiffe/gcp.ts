import { AttestGateError } from '../../core/errors';
import { HttpTransportError, sendRequest } from '../../http/send-request';
import { SpiffeSourceOptions, workloadApiSource } from './workload-api-source';

/** The token type of a JWT-SVID at Google's STS and in an executable's answer. */
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** An access token is fetched again this long before it expires, as google-auth-library's eager refresh does. */
export const GCP_REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
const PROVIDER = /^\/\/iam\.googleapis\.com\/projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_RESPONSE_BYTES = 1 << 20;

/**
 * The JWT audience a workload identity provider accepts when it lists no allowed_audiences: its
 * own resource name with `https:` in front (Google's documented default).
 */
export function defaultGcpJwtAudience(providerAudience: string): string {
  return `https:${providerAudience}`;
}

export interface GcpSubjectTokenFromSpiffeOptions extends SpiffeSourceOptions {
  /**
   * The `aud` of the JWT-SVID: one of the provider's allowed_audiences.
   *
   * @default - the provider's default audience, https: followed by the external account's `audience`
   */
  readonly jwtAudience?: string;
}

/** The shape of google-auth-library's SubjectTokenSupplier (a programmatic `subject_token_supplier`). */
export interface GcpSubjectTokenSupplier {
  getSubjectToken(context?: { readonly audience?: string; readonly subjectTokenType?: string }): Promise<string>;
}

/**
 * A `subject_token_supplier` for google-auth-library's external account clients, fed by the
 * SPIFFE Workload API: each call returns a JWT-SVID for the provider, which the library exchanges
 * at Google's STS and then uses to impersonate the service account — unchanged library code.
 *
 * ```ts
 * ExternalAccountClient.fromJSON({
 *   type: 'external_account', audience: '//iam.googleapis.com/projects/…/providers/spire',
 *   subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
 *   token_url: 'https://sts.googleapis.com/v1/token',
 *   service_account_impersonation_url: 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/deployer@….iam.gserviceaccount.com:generateAccessToken',
 *   subject_token_supplier: gcpSubjectTokenFromSpiffe({ jwtAudience: 'gcp' }),
 * });
 * ```
 *
 * @throws AttestGateError for bad options or an unset or malformed SPIFFE_ENDPOINT_SOCKET
 */
export function gcpSubjectTokenFromSpiffe(options: GcpSubjectTokenFromSpiffeOptions = {}): GcpSubjectTokenSupplier {
  const where = 'gcpSubjectTokenFromSpiffe';
  if (options.jwtAudience !== undefined) nonEmpty(where, 'jwtAudience', options.jwtAudience);
  const { client, spiffeId } = workloadApiSource(options, where);
  return {
    getSubjectToken: async (context) => {
      const audience = options.jwtAudience ?? (context?.audience ? defaultGcpJwtAudience(context.audience) : undefined);
      if (audience === undefined) {
        throw new AttestGateError({ where, field: 'jwtAudience', value: undefined, problem: 'is unset and the caller passed no provider audience to derive it from', fix: "give the provider's allowed audience, e.g. jwtAudience: 'gcp'" });
      }
      return (await client.fetchJwtSvid({ audience, spiffeId })).token;
    },
  };
}

export interface GcpAccessTokenFromSpiffeOptions extends SpiffeSourceOptions {
  /** The workload identity provider, as STS names it: `//iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`. */
  readonly audience: string;
  /** The `aud` of the JWT-SVID. @default - https: followed by audience (the provider's default) */
  readonly jwtAudience?: string;
  /** The service account to impersonate. @default - none: the federated token itself is returned */
  readonly serviceAccountEmail?: string;
  /** @default ['https://www.googleapis.com/auth/cloud-platform'] */
  readonly scopes?: readonly string[];
  /** The impersonated token's lifetime, 1–3600 s (longer needs an organization policy). @default 3600 */
  readonly lifetimeSeconds?: number;
  /** `http://` only for 127.0.0.1, localhost and [::1] (emulators). @default 'https://sts.googleapis.com' */
  readonly stsEndpoint?: string;
  /** `http://` only for loopback. @default 'https://iamcredentials.googleapis.com' */
  readonly iamCredentialsEndpoint?: string;
  /** The deadline of each HTTP exchange. @default 10000 */
  readonly timeoutMs?: number;
  /** @default - the system clock */
  readonly now?: () => Date;
}

export interface GcpAccessToken {
  readonly token: string;
  readonly expiresAt: Date;
}

/** Google's STS or IAM Credentials refused, or gave no usable answer. */
export class GcpTokenError extends Error {
  constructor(
    /** `sts` (the token exchange) or `impersonation` (generateAccessToken). */
    public readonly stage: 'sts' | 'impersonation',
    /** The HTTP status; undefined when no answer came. */
    public readonly status: number | undefined,
    /** The service's error code (`invalid_grant`, `PERMISSION_DENIED`, …), `NetworkError`, `TimeoutError` or `InvalidResponse`. */
    public readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GcpTokenError';
  }
}

/**
 * Google Cloud access tokens for a SPIRE workload without google-auth-library: a JWT-SVID from
 * the Workload API is exchanged at Google's STS for a federated token, which then impersonates
 * the service account through IAM Credentials generateAccessToken (or is returned itself when no
 * service account is named). Tokens are cached until five minutes before they expire; concurrent
 * callers share one exchange. Failures are not retried here.
 *
 * For Google's client libraries use gcpSubjectTokenFromSpiffe (in code) or the
 * attestgate-gcp-executable command (in a credential configuration file) instead: the library
 * then performs these two exchanges itself.
 *
 * @throws AttestGateError for bad options
 * @returns `getAccessToken()`, which rejects with WorkloadApiError (no JWT-SVID) or GcpTokenError
 */
export function gcpAccessTokenFromSpiffe(options: GcpAccessTokenFromSpiffeOptions): { getAccessToken(): Promise<GcpAccessToken> } {
  const where = 'gcpAccessTokenFromSpiffe';
  if (typeof options?.audience !== 'string' || !PROVIDER.test(options.audience)) {
    throw new AttestGateError({ where, field: 'audience', value: options?.audience, problem: 'is not the resource name of a workload identity provider', fix: 'pass //iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>' });
  }
  const jwtAudience = options.jwtAudience === undefined ? defaultGcpJwtAudience(options.audience) : nonEmpty(where, 'jwtAudience', options.jwtAudience);
  const scopes = options.scopes ?? [CLOUD_PLATFORM_SCOPE];
  if (!Array.isArray(scopes) || scopes.length === 0 || scopes.some((s) => typeof s !== 'string' || s === '')) {
    throw new AttestGateError({ where, field: 'scopes', value: scopes, problem: 'is not a list of OAuth scopes', fix: `pass e.g. ['${CLOUD_PLATFORM_SCOPE}']` });
  }
  const lifetime = options.lifetimeSeconds ?? 3600;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 43_200) {
    throw new AttestGateError({ where, field: 'lifetimeSeconds', value: lifetime, problem: 'is not a whole number of seconds from 1 to 43200', fix: 'pass at most 3600 unless your organization allows longer tokens' });
  }
  if (options.serviceAccountEmail !== undefined && !/^[^@\s/]+@[^@\s/]+$/.test(options.serviceAccountEmail)) {
    throw new AttestGateError({ where, field: 'serviceAccountEmail', value: options.serviceAccountEmail, problem: 'is not a service account email', fix: 'pass e.g. deployer@my-project.iam.gserviceaccount.com' });
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new AttestGateError({ where, field: 'timeoutMs', value: timeoutMs, problem: 'is not a positive whole number of milliseconds', fix: 'pass e.g. 10000' });
  const sts = endpointOption(where, 'stsEndpoint', options.stsEndpoint ?? 'https://sts.googleapis.com');
  const iamCredentials = endpointOption(where, 'iamCredentialsEndpoint', options.iamCredentialsEndpoint ?? 'https://iamcredentials.googleapis.com');
  const now = options.now ?? (() => new Date());
  const { client, spiffeId } = workloadApiSource(options, where);

  const exchange = async (): Promise<GcpAccessToken> => {
    const svid = await client.fetchJwtSvid({ audience: jwtAudience, spiffeId });
    const form = new URLSearchParams({
      grant_type: TOKEN_EXCHANGE_GRANT,
      audience: options.audience,
      scope: scopes.join(' '),
      requested_token_type: ACCESS_TOKEN_TYPE,
      subject_token: svid.token,
      subject_token_type: JWT_TOKEN_TYPE,
    });
    const federated = await post('sts', `${sts}/v1/token`, { 'content-type': 'application/x-www-form-urlencoded' }, form.toString(), timeoutMs);
    if (typeof federated.access_token !== 'string' || typeof federated.expires_in !== 'number') {
      throw new GcpTokenError('sts', 200, 'InvalidResponse', 'Google STS answered without access_token and expires_in');
    }
    if (options.serviceAccountEmail === undefined) return { token: federated.access_token, expiresAt: new Date(now().getTime() + federated.expires_in * 1000) };
    const impersonated = await post(
      'impersonation',
      `${iamCredentials}/v1/projects/-/serviceAccounts/${options.serviceAccountEmail}:generateAccessToken`,
      { 'content-type': 'application/json', authorization: `Bearer ${federated.access_token}` },
      JSON.stringify({ scope: scopes, lifetime: `${lifetime}s` }),
      timeoutMs,
    );
    const expiresAt = typeof impersonated.expireTime === 'string' ? new Date(impersonated.expireTime) : undefined;
    if (typeof impersonated.accessToken !== 'string' || !expiresAt || Number.isNaN(expiresAt.getTime())) {
      throw new GcpTokenError('impersonation', 200, 'InvalidResponse', 'IAM Credentials answered without accessToken and expireTime');
    }
    return { token: impersonated.accessToken, expiresAt };
  };

  let cached: GcpAccessToken | undefined;
  let inFlight: Promise<GcpAccessToken> | undefined;
  return {
    getAccessToken: async () => {
      if (cached && cached.expiresAt.getTime() - GCP_REFRESH_BEFORE_EXPIRY_MS > now().getTime()) return cached;
      inFlight ??= exchange()
        .then((token) => (cached = token))
        .finally(() => (inFlight = undefined));
      return inFlight;
    },
  };
}

/** One JSON answer of STS or IAM Credentials, or a GcpTokenError in the service's words. */
async function post(stage: 'sts' | 'impersonation', url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const service = stage === 'sts' ? 'Google STS' : 'IAM Credentials generateAccessToken';
  let answer;
  try {
    answer = await sendRequest(url, { method: 'POST', headers, body, deadlineMs: timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES });
  } catch (error) {
    if (!(error instanceof HttpTransportError)) throw error;
    throw new GcpTokenError(stage, undefined, error.kind === 'timeout' ? 'TimeoutError' : 'NetworkError', `${service}: ${error.message}`);
  }
  let json: Record<string, any> | undefined;
  try {
    json = JSON.parse(answer.body.toString('utf8'));
  } catch {
    json = undefined;
  }
  if (answer.status >= 200 && answer.status < 300 && json && typeof json === 'object') return json;
  // STS answers in OAuth's shape ({error, error_description}); IAM Credentials in Google's ({error: {status, message}}).
  const code = typeof json?.error === 'string' ? json.error : typeof json?.error?.status === 'string' ? json.error.status : 'InvalidResponse';
  const message = typeof json?.error_description === 'string' ? json.error_description : typeof json?.error?.message === 'string' ? json.error.message : `HTTP ${answer.status} without a JSON error`;
  throw new GcpTokenError(stage, answer.status, code, `${service} refused (HTTP ${answer.status} ${code}): ${message}`);
}

function nonEmpty(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new AttestGateError({ where, field, value, problem: 'is empty', fix: "give the audience the provider accepts, e.g. 'gcp'" });
  return value;
}

function endpointOption(where: string, field: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AttestGateError({ where, field, value, problem: 'is not a URL', fix: 'pass scheme and host, e.g. https://sts.googleapis.com' });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new AttestGateError({ where, field, value, problem: 'is not https (plain http is allowed only for 127.0.0.1, localhost and [::1]); the token would cross the network unencrypted', fix: 'use https, or http only for a local emulator' });
  }
  return url.origin;
}
