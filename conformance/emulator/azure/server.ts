import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { IssuerKey, generateIssuerKey } from '../../oidc/issuer-key';
import { AADSTS, EmulatorHttpResponse, JSON_HEADERS, aadError } from './aad-errors';
import { openIdConfiguration } from './discovery';
import { PlayedIssuer, issuerDiscoveryDocument } from './played-issuers';
import { ServerTls } from './test-ca';
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
  readonly now?: () => Date;
}

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
  private readonly server: https.Server;
  private origin = '';

  constructor(
    private readonly world: AzureWorld,
    private readonly issuers: ReadonlyMap<string, PlayedIssuer>,
    private readonly options: AzureEmulatorServerOptions,
  ) {
    this.server = https.createServer({ cert: options.tls.certificatePem, key: options.tls.privateKeyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handle(req.method ?? 'GET', req.url ?? '/', Buffer.concat(chunks).toString('utf8')).then((response) => {
          res.writeHead(response.status, response.headers);
          res.end(response.body);
        });
      });
    });
  }

  /** Listens on 127.0.0.1 (never another interface); resolves to the authority host, `https://127.0.0.1:<port>`. */
  public listen(port = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.origin = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        resolve(this.origin);
      });
    });
  }

  public close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async handle(method: string, url: string, body: string): Promise<EmulatorHttpResponse> {
    const path = new URL(url, 'https://127.0.0.1').pathname;
    let response: EmulatorHttpResponse;
    try {
      response = await this.route(method, path, body);
    } catch (e) {
      response = { status: 500, headers: JSON_HEADERS, body: JSON.stringify({ error: 'server_error', error_description: `emulator error: ${(e as Error).message}` }) };
    }
    let code: number | undefined;
    if (response.status >= 400) code = (JSON.parse(response.body) as { error_codes?: number[] }).error_codes?.[0];
    this.log.push({ method, path, status: response.status, ...(code !== undefined ? { code } : {}) });
    return response;
  }

  private route(method: string, path: string, body: string): Promise<EmulatorHttpResponse> | EmulatorHttpResponse {
    const now = this.now();
    const json = (value: unknown): EmulatorHttpResponse => ({ status: 200, headers: JSON_HEADERS, body: JSON.stringify(value) });
    const tenantId = this.world.env.tenantId;
    const unknownTenant = (tenant: string) =>
      aadError(AADSTS.tenantNotFound, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, now, this.origin);

    const token = TOKEN.exec(path);
    if (token) {
      if (method !== 'POST') return aadError(AADSTS.methodNotAllowed, `The endpoint only accepts POST requests. Received a ${method} request.`, now, this.origin);
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
