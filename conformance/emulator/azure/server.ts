import { EmulatorHttpRequest, EmulatorHttpResponse, LoopbackServer } from '../http/loopback-server';
import { SlidingWindow } from '../http/sliding-window';
import { IssuerKey, generateIssuerKey } from '../../oidc/issuer-key';
import { AADSTS, JSON_HEADERS, aadError } from './aad-errors';
import { openIdConfiguration } from './discovery';
import { PlayedIssuer, issuerDiscoveryDocument } from './played-issuers';
import { ServerTls } from './server-tls';
import { EntraBehaviour, tokenRequest } from './token-endpoint';
import { AzureWorld } from './world';

/** One request log line; bodies (assertions, tokens) are never logged. */
export interface AzureRequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The AADSTS code of an error response. */
  readonly code?: number;
}

export interface AzureEmulatorServerOptions {
  readonly tls: ServerTls;
  readonly behaviour: EntraBehaviour;
  /**
   * Token requests per minute per tenant before 429 AADSTS90055 with `Retry-After`. Entra
   * publishes no number; the default is the emulator's (docs/emulator.md). Infinity disables.
   * @default 600
   */
  readonly tokenRequestsPerMinute?: number;
  readonly now?: () => Date;
}

export const DEFAULT_TOKEN_REQUESTS_PER_MINUTE = 600;

const DISCOVERY = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/;
const TENANT_KEYS = /^\/([^/]+)\/discovery\/v2\.0\/keys$/;
const TOKEN = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;
const ISSUER_DISCOVERY = /^\/issuers\/([0-9a-f]{16})\/\.well-known\/openid-configuration$/;
const ISSUER_KEYS = /^\/issuers\/([0-9a-f]{16})\/keys$/;

/**
 * The HTTPS face of the Entra emulator, on 127.0.0.1 only: the tenant's discovery document and
 * keys, the v2 token endpoint, and the discovery documents and JWKS of the issuers it plays
 * (`/issuers/<slug>/.well-known/openid-configuration`, `/issuers/<slug>/keys`). Routes match on
 * the path alone: MSAL adds a query string to the token request.
 */
export class AzureEmulatorServer {
  public readonly log: AzureRequestLogEntry[] = [];
  /** The key the tenant signs access tokens with. */
  public readonly tenantKey: IssuerKey = generateIssuerKey('RS256');
  private readonly server: LoopbackServer;
  private readonly tokenQuota: SlidingWindow;

  constructor(
    private readonly world: AzureWorld,
    private readonly issuers: ReadonlyMap<string, PlayedIssuer>,
    private readonly options: AzureEmulatorServerOptions,
  ) {
    this.tokenQuota = new SlidingWindow(options.tokenRequestsPerMinute ?? DEFAULT_TOKEN_REQUESTS_PER_MINUTE, 60_000);
    this.server = new LoopbackServer({
      handle: (request) => this.route(request),
      internalError: (message, status = 500) => ({ status, headers: JSON_HEADERS, body: JSON.stringify({ error: status === 413 ? 'invalid_request' : 'server_error', error_description: message }) }),
      answered: (request, response) => {
        const code = response.status >= 400 ? (JSON.parse(response.body) as { error_codes?: number[] }).error_codes?.[0] : undefined;
        this.log.push({ method: request.method, path: request.path, status: response.status, ...(code !== undefined ? { code } : {}) });
      },
      tls: options.tls,
    });
  }

  /** Listens on 127.0.0.1 (never another interface); resolves to the authority host, `https://127.0.0.1:<port>`. */
  public listen(port = 0): Promise<string> {
    return this.server.listen(port);
  }

  public close(): Promise<void> {
    return this.server.close();
  }

  private get origin(): string {
    return this.server.origin;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private route({ method, path, body }: EmulatorHttpRequest): Promise<EmulatorHttpResponse> | EmulatorHttpResponse {
    const now = this.now();
    const json = (value: unknown): EmulatorHttpResponse => ({ status: 200, headers: JSON_HEADERS, body: JSON.stringify(value) });
    const tenantId = this.world.env.tenantId;
    const unknownTenant = (tenant: string) =>
      aadError(AADSTS.tenantNotFound, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, now, this.origin);

    const token = TOKEN.exec(path);
    if (token) {
      if (method !== 'POST') return aadError(AADSTS.methodNotAllowed, `The endpoint only accepts POST requests. Received a ${method} request.`, now, this.origin);
      const quota = this.tokenQuota.admit(now);
      if (!quota.admitted) {
        // Entra throttles the client-credentials grant with 429 and Retry-After (whole seconds).
        const throttled = aadError(AADSTS.tenantThrottled, 'There are too many incoming requests. Retry later.', now, this.origin);
        return { ...throttled, headers: { ...throttled.headers, 'retry-after': String(Math.max(1, Math.ceil(quota.retryAfterMs / 1000))) } };
      }
      return tokenRequest({ world: this.world, issuers: this.issuers, behaviour: this.options.behaviour, origin: this.origin, tenantKey: this.tenantKey }, token[1], body, now);
    }
    if (method === 'GET') {
      const discovery = DISCOVERY.exec(path);
      if (discovery) return discovery[1] === tenantId ? json(openIdConfiguration(this.origin, tenantId)) : unknownTenant(discovery[1]);
      const keys = TENANT_KEYS.exec(path);
      if (keys) return keys[1] === tenantId ? json({ keys: [this.tenantKey.publicJwk] }) : unknownTenant(keys[1]);
      const issuer = ISSUER_DISCOVERY.exec(path) ?? ISSUER_KEYS.exec(path);
      const played = issuer ? [...this.issuers.values()].find((i) => i.slug === issuer[1]) : undefined;
      if (played) return json(path.endsWith('/keys') ? played.jwks : issuerDiscoveryDocument(played, this.origin));
    }
    return { status: 404, headers: JSON_HEADERS, body: JSON.stringify({ error: 'not_found', error_description: `The emulator does not serve ${method} ${path}.` }) };
  }
}
