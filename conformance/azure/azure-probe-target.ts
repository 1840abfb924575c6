import * as https from 'node:https';
import * as tls from 'node:tls';
import { HttpOutcome } from '../aws/http-outcome';

/** Entra's public authority host; sovereign clouds and tests override it. */
export const PUBLIC_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** Where probes go: the local emulator or Entra. Both speak the same wire protocol. */
export interface AzureProbeTarget {
  readonly name: string;
  readonly authorityHost: string;
  /** POSTs a form to `/{tenant}/oauth2/v2.0/token`. */
  requestToken(tenantId: string, form: Readonly<Record<string, string>>): Promise<HttpOutcome>;
}

export interface AzureHttpProbeTargetOptions {
  readonly name: string;
  /** `https://…`, without a trailing slash. */
  readonly authorityHost: string;
  /** A CA to trust besides the system's, PEM: the emulator's test CA. */
  readonly caPem?: string;
  /** @default 15000 */
  readonly timeoutMs?: number;
}

/** Sends token requests over HTTPS, trusting an extra CA when given (in-process, no environment change). */
export class AzureHttpProbeTarget implements AzureProbeTarget {
  public readonly name: string;
  public readonly authorityHost: string;
  private readonly agent: https.Agent;

  constructor(private readonly options: AzureHttpProbeTargetOptions) {
    const url = new URL(options.authorityHost);
    if (url.protocol !== 'https:') throw new Error(`the authority host ${options.authorityHost} must use https (Entra and MSAL accept nothing else)`);
    this.name = options.name;
    this.authorityHost = options.authorityHost.replace(/\/+$/, '');
    // The extra CA is added to Node's roots, not put in their place: a live authority host keeps working.
    this.agent = new https.Agent({ keepAlive: false, ...(options.caPem ? { ca: [...tls.rootCertificates, options.caPem] } : {}) });
  }

  public tokenEndpoint(tenantId: string): string {
    return `${this.authorityHost}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
  }

  public requestToken(tenantId: string, form: Readonly<Record<string, string>>): Promise<HttpOutcome> {
    const body = new URLSearchParams(form as Record<string, string>).toString();
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    return new Promise((resolve) => {
      const request = https.request(
        this.tokenEndpoint(tenantId),
        { method: 'POST', agent: this.agent, timeout: timeoutMs, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(response.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
            resolve({ kind: 'response', status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)));
      request.on('error', (e) => resolve({ kind: 'network-error', error: e.message }));
      request.end(body);
    });
  }
}
