import { AttestGateError } from '../../core/errors';
import { HttpTransportError, sendRequest } from '../../http/send-request';
import { AZURE_TOKEN_EXCHANGE_AUDIENCE } from '../spiffe/azure';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_RESPONSE_BYTES = 1 << 20;
/** Tokens are fetched again this long before they expire (MSAL refreshes proactively too). */
export const AGENT_TOKEN_REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/** The shape of @azure/core-auth's AccessToken: what a TokenCredential's getToken resolves to. */
export interface AgentAccessToken {
  readonly token: string;
  /** Milliseconds since the epoch. */
  readonly expiresOnTimestamp: number;
  /** When the credential fetches a new one (getToken before then returns this one). */
  readonly refreshAfterTimestamp: number;
  readonly tokenType: 'Bearer';
}

export interface AgentIdentityCredentialOptions {
  /** The agent identity's tenant: both legs go to its token endpoint. */
  readonly tenantId: string;
  /** The blueprint's app ID: `client_id` of the first leg. */
  readonly blueprintClientId: string;
  /** The agent identity's app ID: `fmi_path` of the first leg, `client_id` of the second. */
  readonly agentClientId: string;
  /**
   * The attested JWT the blueprint's federated credential trusts, for `api://AzureADTokenExchange`:
   * a JWT-SVID (`azureAssertionFromSpiffe()`) or a managed identity's token. Called for every first leg.
   */
  readonly getAssertion: () => Promise<string>;
  /** @default AZURE_AUTHORITY_HOST, else 'https://login.microsoftonline.com' */
  readonly authorityHost?: string;
  /** A CA to trust besides Node's roots (an emulator's test CA), PEM. */
  readonly caPem?: string;
  /** The deadline of each HTTP exchange. @default 10000 */
  readonly timeoutMs?: number;
  /** @default - the system clock */
  readonly now?: () => Date;
}

/** Entra refused a leg, or gave no usable answer. */
export class AgentIdentityTokenError extends Error {
  constructor(
    /** 1: the blueprint's token for the agent's path; 2: the agent's token. */
    public readonly leg: 1 | 2,
    /** The HTTP status; undefined when no answer came. */
    public readonly status: number | undefined,
    /** Entra's `error` (`invalid_client`, …), `NetworkError`, `TimeoutError` or `InvalidResponse`. */
    public readonly code: string,
    /** The AADSTS number, when Entra gave one. */
    public readonly aadsts: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'AgentIdentityTokenError';
  }
}

interface Cached {
  readonly token: AgentAccessToken;
}

/**
 * Access tokens of an Entra agent identity, by the two-leg flow, usable wherever @azure/identity's
 * TokenCredential is (it has `getToken(scopes)`; no dependency on @azure/identity):
 *
 * 1. `client_id` = the blueprint, `fmi_path` = the agent, the attested JWT as `client_assertion`,
 *    scope `api://AzureADTokenExchange/.default` → a token naming the agent's path;
 * 2. `client_id` = the agent, that token as `client_assertion`, the resource's scope → the agent's token.
 *
 * Both are cached until five minutes before they expire (the first leg once for every scope);
 * concurrent callers share one exchange; a refused leg is not retried here.
 *
 * ```ts
 * const credential = new AgentIdentityCredential({ tenantId, blueprintClientId, agentClientId, getAssertion: azureAssertionFromSpiffe() });
 * new ResourceManagementClient(credential, subscriptionId);
 * ```
 *
 * @throws AttestGateError for bad options
 */
export class AgentIdentityCredential {
  private readonly authorityHost: string;
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  private leg1?: { cached?: Cached; inFlight?: Promise<Cached> };
  private readonly leg2 = new Map<string, { cached?: Cached; inFlight?: Promise<Cached> }>();

  constructor(private readonly options: AgentIdentityCredentialOptions) {
    const where = 'AgentIdentityCredential';
    for (const field of ['tenantId', 'blueprintClientId', 'agentClientId'] as const) {
      const value = options?.[field];
      if (typeof value !== 'string' || (field !== 'tenantId' && !GUID.test(value)) || value === '') {
        throw new AttestGateError({ where, field, value, problem: field === 'tenantId' ? 'is empty' : 'is not an app ID (a GUID)', fix: field === 'tenantId' ? 'give the agent identity’s tenant ID' : `give the ${field === 'agentClientId' ? 'agent identity' : 'blueprint'}’s appId (AttestedAgentIdentity.${field === 'agentClientId' ? 'clientId' : 'blueprintClientId'})` });
      }
    }
    if (options.blueprintClientId.toLowerCase() === options.agentClientId.toLowerCase()) {
      throw new AttestGateError({ where, field: 'agentClientId', value: options.agentClientId, problem: 'is the blueprint’s app ID', fix: 'give the agent identity’s own appId: the blueprint only obtains the first leg' });
    }
    if (typeof options.getAssertion !== 'function') throw new AttestGateError({ where, field: 'getAssertion', value: options.getAssertion, problem: 'is not a function', fix: 'pass azureAssertionFromSpiffe(), or a function returning the attested JWT' });
    this.timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isInteger(this.timeoutMs) || this.timeoutMs <= 0) throw new AttestGateError({ where, field: 'timeoutMs', value: this.timeoutMs, problem: 'is not a positive whole number of milliseconds', fix: 'pass e.g. 10000' });
    const host = options.authorityHost ?? process.env.AZURE_AUTHORITY_HOST ?? 'https://login.microsoftonline.com';
    let url: URL;
    try {
      url = new URL(host);
    } catch {
      throw new AttestGateError({ where, field: 'authorityHost', value: host, problem: 'is not a URL', fix: 'pass e.g. https://login.microsoftonline.com' });
    }
    // Entra and MSAL speak only https: assertions and tokens must not cross the network in clear.
    if (url.protocol !== 'https:') throw new AttestGateError({ where, field: 'authorityHost', value: host, problem: 'is not https', fix: 'use https (an emulator serves https with a test CA: pass caPem)' });
    this.authorityHost = url.origin;
    this.now = options.now ?? (() => new Date());
  }

  /** A token of the agent identity for one scope (`https://management.azure.com/.default`), as TokenCredential.getToken. */
  public async getToken(scopes: string | readonly string[]): Promise<AgentAccessToken> {
    const list = typeof scopes === 'string' ? [scopes] : [...scopes];
    if (list.length !== 1 || typeof list[0] !== 'string' || list[0] === '') {
      throw new AttestGateError({ where: 'AgentIdentityCredential.getToken', field: 'scopes', value: scopes, problem: 'is not exactly one scope', fix: 'ask for one resource, e.g. https://management.azure.com/.default' });
    }
    // The client-credentials grant takes a resource's /.default scope; a bare resource gets it, as @azure/identity does.
    const scope = list[0].endsWith('/.default') ? list[0] : `${list[0].replace(/\/+$/, '')}/.default`;
    const slot = this.leg2.get(scope) ?? {};
    this.leg2.set(scope, slot);
    return (await this.cachedOr(slot, async () => this.request(2, { client_id: this.options.agentClientId, scope, client_assertion: (await this.firstLeg()).token }))).token;
  }

  /** Leg 1: the blueprint's token for the agent's path, shared by every scope. */
  private async firstLeg(): Promise<AgentAccessToken> {
    this.leg1 ??= {};
    return (
      await this.cachedOr(this.leg1, async () =>
        this.request(1, { client_id: this.options.blueprintClientId, scope: `${AZURE_TOKEN_EXCHANGE_AUDIENCE}/.default`, fmi_path: this.options.agentClientId, client_assertion: await this.options.getAssertion() }),
      )
    ).token;
  }

  private async cachedOr(slot: { cached?: Cached; inFlight?: Promise<Cached> }, fetch: () => Promise<AgentAccessToken>): Promise<Cached> {
    if (slot.cached && slot.cached.token.refreshAfterTimestamp > this.now().getTime()) return slot.cached;
    slot.inFlight ??= fetch()
      .then((token) => (slot.cached = { token }))
      .finally(() => (slot.inFlight = undefined));
    return slot.inFlight;
  }

  private async request(leg: 1 | 2, fields: Record<string, string>): Promise<AgentAccessToken> {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, ...fields }).toString();
    const url = `${this.authorityHost}/${encodeURIComponent(this.options.tenantId)}/oauth2/v2.0/token`;
    const what = leg === 1 ? `leg 1 (blueprint ${this.options.blueprintClientId}, fmi_path ${this.options.agentClientId})` : `leg 2 (agent ${this.options.agentClientId})`;
    let answer;
    try {
      answer = await sendRequest(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, deadlineMs: this.timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES, ...(this.options.caPem ? { extraCa: this.options.caPem } : {}) });
    } catch (error) {
      if (!(error instanceof HttpTransportError)) throw error;
      throw new AgentIdentityTokenError(leg, undefined, error.kind === 'timeout' ? 'TimeoutError' : 'NetworkError', undefined, `Entra ${what}: ${error.message}`);
    }
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    if (answer.status === 200 && typeof json?.access_token === 'string' && typeof json.expires_in === 'number') {
      const issued = this.now().getTime();
      const expiresOnTimestamp = issued + json.expires_in * 1000;
      // A token shorter-lived than the refresh window is used for half its life.
      const refreshAfterTimestamp = Math.max(issued + (json.expires_in * 1000) / 2, expiresOnTimestamp - AGENT_TOKEN_REFRESH_BEFORE_EXPIRY_MS);
      return { token: json.access_token, expiresOnTimestamp, refreshAfterTimestamp, tokenType: 'Bearer' };
    }
    const codes = json?.error_codes;
    const aadsts = Array.isArray(codes) && typeof codes[0] === 'number' ? codes[0] : undefined;
    const code = typeof json?.error === 'string' ? json.error : 'InvalidResponse';
    const description = typeof json?.error_description === 'string' ? json.error_description : `HTTP ${answer.status} without an Entra error`;
    throw new AgentIdentityTokenError(leg, answer.status, code, aadsts, `Entra refused ${what} (HTTP ${answer.status} ${code}): ${description}`);
  }
}
