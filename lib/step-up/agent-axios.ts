// The agent's step-up for axios: interceptors on the caller's instance, over the same StepUpAgent
// as stepUpFetch. axios is typed by the shapes used here and never imported, so attestgate/step-up
// loads without it and an application that does not use axios does not need it installed.
import { ChallengeAnswer, StepUpAgent, StepUpAgentOptions, StepUpRetry } from './agent-fetch';

/** What the hook reads and writes of an axios request config (InternalAxiosRequestConfig). */
export interface AxiosLikeRequestConfig {
  method?: string;
  url?: string;
  data?: unknown;
  signal?: unknown;
  headers: { set(name: string, value: string): unknown };
  /** Per request: that it may (or may not) be sent twice. Unset, the idempotent methods may. */
  stepUp?: { readonly repeatable?: boolean };
}

/** What the hook reads of an axios response. */
export interface AxiosLikeResponse {
  status: number;
  headers: unknown;
  data?: unknown;
  config: AxiosLikeRequestConfig;
}

/**
 * The parts of an axios instance (axios.create(), or axios itself) the hook uses. Configs and
 * responses are `any` here because axios's interceptor signatures (InternalAxiosRequestConfig in,
 * InternalAxiosRequestConfig out) admit no narrower structural type; the hook reads them as
 * AxiosLikeRequestConfig and AxiosLikeResponse.
 */
export interface AxiosLikeInstance {
  interceptors: {
    request: { use(onFulfilled: (config: any) => Promise<any>): number; eject(id: number): void };
    response: { use(onFulfilled: (response: any) => Promise<any>, onRejected: (error: unknown) => Promise<any>): number; eject(id: number): void };
  };
  request(config: any): Promise<any>;
  getUri(config?: any): string;
}

export interface StepUpAxiosOptions extends StepUpAgentOptions {
  /** Which requests may be repeated, beyond the idempotent methods (e.g. MCP `tools/call` POSTs the guard refused). */
  readonly repeatable?: (config: AxiosLikeRequestConfig) => boolean;
}

/**
 * The retry's mark, carried in its config. A class instance, so axios's config merge keeps it by
 * identity (it copies plain objects); only marks this module made are honoured, so a caller's
 * config cannot claim to be a retry and skip the step-up.
 */
class RetryMark {
  constructor(public readonly retry: StepUpRetry) {}
}
const issued = new WeakSet<RetryMark>();
const MARK = 'attestgateStepUpRetry';

function markOf(config: AxiosLikeRequestConfig): RetryMark | undefined {
  const mark = (config as unknown as Record<string, unknown>)[MARK];
  return mark instanceof RetryMark && issued.has(mark) ? mark : undefined;
}

/** WWW-Authenticate, however the adapter stored the headers (AxiosHeaders, or a plain object). */
function wwwAuthenticateOf(headers: unknown): string | null {
  if (headers === null || typeof headers !== 'object') return null;
  const getter = (headers as { get?: unknown }).get;
  const value = typeof getter === 'function' ? getter.call(headers, 'www-authenticate') : Object.entries(headers).find(([k]) => k.toLowerCase() === 'www-authenticate')?.[1];
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? value.join(', ') : null;
  return typeof value === 'string' ? value : null;
}

const answerOf = (response: AxiosLikeResponse): ChallengeAnswer => ({ status: response.status, wwwAuthenticate: wwwAuthenticateOf(response.headers) });

/** A body that was a stream has been consumed: it cannot be sent again. */
function isStream(data: unknown): boolean {
  return data !== null && typeof data === 'object' && (typeof (data as { pipe?: unknown }).pipe === 'function' || (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream));
}

/** Frees a refused answer's body when the caller asked for a stream (responseType 'stream'). */
async function release(response: AxiosLikeResponse): Promise<void> {
  const data = response.data as { destroy?: () => void; cancel?: () => Promise<void> } | undefined;
  try {
    if (typeof data?.destroy === 'function') data.destroy();
    else if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) await data.cancel();
  } catch {
    // Nothing to release.
  }
}

/**
 * Step-up for an axios instance: the same agent as stepUpFetch, as interceptors. Each request
 * gets a token from `source` (the Authorization header is the hook's); a response carrying RFC
 * 9470's `insufficient_user_authentication`, `invalid_token`, `insufficient_scope` or Entra's
 * `insufficient_claims` challenge — whether axios rejected it (the default `validateStatus`) or
 * resolved it — is answered by re-attesting through the source and sending the request once
 * more. It never loops (a challenged retry is `refused-after-step-up`), never repeats a request
 * that may not be repeated (a POST unless marked with `stepUp: { repeatable: true }` or by
 * `repeatable`; a stream body never), and refuses a request to another origin before any token
 * is asked for. Failures are the StepUpError of stepUpFetch. `eject()` removes the interceptors.
 */
export function stepUpAxios(instance: AxiosLikeInstance, options: StepUpAxiosOptions): { eject(): void } {
  const agent = new StepUpAgent(options, 'stepUpAxios');
  const detailsOf = (config: AxiosLikeRequestConfig) => ({ method: (config.method ?? 'get').toUpperCase(), url: instance.getUri(config) });
  const signalOf = (config: AxiosLikeRequestConfig) => (config.signal instanceof AbortSignal ? config.signal : undefined);

  const requestId = instance.interceptors.request.use(async (config: AxiosLikeRequestConfig) => {
    const details = detailsOf(config);
    agent.checkOrigin(details.url);
    const mark = markOf(config);
    const token = mark ? mark.retry.token : await agent.initialToken(details, signalOf(config));
    config.headers.set('Authorization', `Bearer ${token}`);
    return config;
  });

  const answered = async (response: AxiosLikeResponse, error?: unknown): Promise<AxiosLikeResponse> => {
    const { config } = response;
    const mark = markOf(config);
    if (mark) {
      // The one retry: another challenge ends it; any other answer goes back as axios gave it.
      await mark.retry.settle(answerOf(response), () => release(response));
      if (error !== undefined) throw error;
      return response;
    }
    const details = detailsOf(config);
    const repeatable = agent.isRepeatable(details.method, config.stepUp?.repeatable, () => options.repeatable?.(config) ?? false);
    const why = !repeatable ? 'is not marked repeatable' : isStream(config.data) ? 'has a stream body, which cannot be sent twice' : true;
    const retry = await agent.answer(details, answerOf(response), why, () => release(response), signalOf(config));
    if (!retry) {
      if (error !== undefined) throw error;
      return response;
    }
    const mark2 = new RetryMark(retry);
    issued.add(mark2);
    return instance.request({ ...config, [MARK]: mark2 });
  };

  const responseId = instance.interceptors.response.use(
    (response: AxiosLikeResponse) => answered(response),
    async (error: unknown) => {
      const response = (error as { isAxiosError?: unknown; response?: AxiosLikeResponse } | null)?.response;
      // No answer (a network error, a timeout, a refusal before sending): nothing to step up.
      if ((error as { isAxiosError?: unknown } | null)?.isAxiosError !== true || !response?.config) throw error;
      return answered(response, error);
    },
  );

  return {
    eject: () => {
      instance.interceptors.request.eject(requestId);
      instance.interceptors.response.eject(responseId);
    },
  };
}
