import { HttpOutcome } from '../engine/http-outcome';
import { REQUEST_DEADLINE_MS, sendHttp } from '../engine/send-http';

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
  /** A CA to trust besides the system's (added to Node's roots, so a live host keeps working), PEM: the emulator's test CA. */
  readonly caPem?: string;
  /** The deadline of one exchange, connection to last byte. @default 15000 */
  readonly timeoutMs?: number;
}

/** Sends token requests over HTTPS, trusting an extra CA when given (in-process, no environment change). */
export class AzureHttpProbeTarget implements AzureProbeTarget {
  public readonly name: string;
  public readonly authorityHost: string;

  constructor(private readonly options: AzureHttpProbeTargetOptions) {
    const url = new URL(options.authorityHost);
    if (url.protocol !== 'https:') throw new Error(`the authority host ${options.authorityHost} must use https (Entra and MSAL accept nothing else)`);
    this.name = options.name;
    this.authorityHost = options.authorityHost.replace(/\/+$/, '');
  }

  public tokenEndpoint(tenantId: string): string {
    return `${this.authorityHost}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
  }

  public requestToken(tenantId: string, form: Readonly<Record<string, string>>): Promise<HttpOutcome> {
    const body = new URLSearchParams(form as Record<string, string>).toString();
    return sendHttp(this.tokenEndpoint(tenantId), 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, body, this.options.timeoutMs ?? REQUEST_DEADLINE_MS, this.options.caPem ? { extraCa: this.options.caPem } : {});
  }
}
