import { EmulatorHttpRequest, EmulatorHttpResponse, LoopbackServer } from '../http/loopback-server';
import { SlidingWindow } from '../http/sliding-window';
import { GENERATE_CREDENTIALS_QUOTA, GcpQuota, STS_EXCHANGE_QUOTA, quotaExceededMessage } from '../../../lib/model/gcp/quotas';
import { stsIntrospect } from './sts-introspect';
import { RequestLogEntry } from '../aws/server';
import { DEFAULT_IAM_CREDENTIALS_BEHAVIOUR, GENERATE_ACCESS_TOKEN_PATH, IamCredentialsBehaviour, generateAccessToken, googleError } from './generate-access-token';
import { PlayedIssuer, discoveryDocument } from './played-issuers';
import { DEFAULT_GCP_STS_BEHAVIOUR, GcpStsBehaviour, oauthError, stsToken } from './sts-token';
import { GcpWorld } from './world';

export interface GcpEmulatorServerOptions {
  readonly sts?: GcpStsBehaviour;
  readonly iamCredentials?: IamCredentialsBehaviour;
  /**
   * Requests per minute before 429 RESOURCE_EXHAUSTED, by API (Google's published defaults:
   * STS 6,000, IAM credentials 60,000); Infinity disables.
   */
  readonly requestsPerMinute?: { readonly sts?: number; readonly iamCredentials?: number };
  /** The clock; tests move it. */
  readonly now?: () => Date;
}

/** `playedIssuerPaths`: the issuer URI is one URL-encoded path segment. */
const PLAYED_ISSUER_PATH = /^\/issuers\/([^/]+)\/(\.well-known\/openid-configuration|jwks)$/;

const json = (value: unknown): EmulatorHttpResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

/**
 * The HTTP face of the GCP emulator, on 127.0.0.1 only, one origin for every service:
 *
 * - `POST /v1/token` — STS token exchange (sts.googleapis.com)
 * - `POST /v1/introspect` — STS token introspection (RFC 7662; gcloud calls it)
 * - `POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken` — IAM credentials
 *   (iamcredentials.googleapis.com)
 * - `GET /issuers/{url-encoded issuer}/.well-known/openid-configuration` and
 *   `GET /issuers/{url-encoded issuer}/jwks` — the OIDC issuers the emulator plays
 */
export class GcpEmulatorServer {
  public readonly log: RequestLogEntry[] = [];
  private readonly server: LoopbackServer;
  private readonly stsQuota: SlidingWindow;
  private readonly iamCredentialsQuota: SlidingWindow;

  constructor(
    private readonly world: GcpWorld,
    private readonly issuers: ReadonlyMap<string, PlayedIssuer>,
    private readonly options: GcpEmulatorServerOptions = {},
  ) {
    this.stsQuota = new SlidingWindow(options.requestsPerMinute?.sts ?? STS_EXCHANGE_QUOTA.perMinute, 60_000);
    this.iamCredentialsQuota = new SlidingWindow(options.requestsPerMinute?.iamCredentials ?? GENERATE_CREDENTIALS_QUOTA.perMinute, 60_000);
    this.server = new LoopbackServer({
      handle: (request) => this.route(request),
      internalError: (message, status = 500) => googleError(status, status === 413 ? 'INVALID_ARGUMENT' : 'INTERNAL', message),
      answered: (request, response) =>
        this.log.push({ method: request.method, path: request.path, status: response.status, ...(response.status >= 400 ? { error: response.body.slice(0, 200) } : {}) }),
    });
  }

  /** Listens on 127.0.0.1 (never another interface); resolves to the endpoint URL. */
  public listen(port = 0): Promise<string> {
    return this.server.listen(port);
  }

  public close(): Promise<void> {
    return this.server.close();
  }

  private route(request: EmulatorHttpRequest): Promise<EmulatorHttpResponse> | EmulatorHttpResponse {
    const now = this.options.now?.() ?? new Date();
    if (request.path === '/v1/token' || request.path === '/v1/introspect') {
      if (request.method !== 'POST') return oauthError(405, 'invalid_request', `${request.method} is not allowed; POST the token exchange.`);
      if (!this.stsQuota.admit(now).admitted) return this.quotaExceeded(STS_EXCHANGE_QUOTA);
      if (request.path === '/v1/introspect') return stsIntrospect(this.world, request, now);
      return stsToken(this.world, this.issuers, request, now, this.options.sts ?? DEFAULT_GCP_STS_BEHAVIOUR);
    }
    if (request.method === 'POST' && GENERATE_ACCESS_TOKEN_PATH.test(request.path)) {
      if (!this.iamCredentialsQuota.admit(now).admitted) return this.quotaExceeded(GENERATE_CREDENTIALS_QUOTA);
      return generateAccessToken(this.world, request, now, this.options.iamCredentials ?? DEFAULT_IAM_CREDENTIALS_BEHAVIOUR);
    }
    const document = request.method === 'GET' ? PLAYED_ISSUER_PATH.exec(request.path) : null;
    if (document) {
      let issuer: PlayedIssuer | undefined;
      try {
        issuer = this.issuers.get(decodeURIComponent(document[1]));
      } catch {
        issuer = undefined;
      }
      if (issuer) return json(document[2] === 'jwks' ? issuer.jwks : discoveryDocument(this.server.origin, issuer));
    }
    return googleError(404, 'NOT_FOUND', `The emulator does not serve ${request.method} ${request.path}.`);
  }

  /** Google's quota error: 429 RESOURCE_EXHAUSTED with a QuotaFailure naming the metric. */
  private quotaExceeded(quota: GcpQuota): EmulatorHttpResponse {
    return googleError(429, 'RESOURCE_EXHAUSTED', quotaExceededMessage(quota, this.world.env.projectNumber), [
      { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ subject: `project_number:${this.world.env.projectNumber}`, description: quota.limit }] },
    ]);
  }
}
