import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { getProxyForUrl } from 'proxy-from-env';

/** A complete answer: status, headers with lowercase names, and the whole body. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Why no complete answer arrived. */
export type HttpFailureKind = 'timeout' | 'aborted' | 'too-large' | 'network';

/** No complete answer: `cause` is Node's own error (its `code`, e.g. ECONNRESET, is what retry classifiers read). */
export class HttpTransportError extends Error {
  constructor(
    public readonly kind: HttpFailureKind,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'HttpTransportError';
  }
}

export interface SendRequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /**
   * The deadline of the whole exchange — connecting, TLS, the headers and the last byte of the
   * body. An answer trickling in slower than this still fails: an idle timeout would not end it.
   */
  readonly deadlineMs: number;
  /** Abandons the request (kind `aborted`): an interrupted run sends nothing new and waits for nothing. */
  readonly signal?: AbortSignal;
  /** An answer longer than this is abandoned (kind `too-large`). @default 1 MiB */
  readonly maxResponseBytes?: number;
  /** CA certificates (PEM) to trust besides Node's roots, e.g. an emulator's test CA. */
  readonly extraCa?: string;
  /** @default 'TLSv1.2' */
  readonly minTlsVersion?: tls.SecureVersion;
}

const DEFAULT_MAX_RESPONSE_BYTES = 1 << 20;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The agent for a URL: a tunnel through the proxy that HTTPS_PROXY / HTTP_PROXY name (NO_PROXY
 * honoured), as users behind corporate proxies expect; none for loopback, where only the local
 * emulators live and no proxy could reach them. The environment is read at every request, so a
 * process that sets it later is honoured too.
 */
export function proxyAgentFor(url: URL): http.Agent | undefined {
  if (LOOPBACK.has(url.hostname)) return undefined;
  const proxy = getProxyForUrl(url.toString());
  if (!proxy) return undefined;
  // Loaded only when a proxy is set: most processes never need the tunnelling agents.
  if (url.protocol === 'https:') {
    const { HttpsProxyAgent } = require('https-proxy-agent') as typeof import('https-proxy-agent');
    return new HttpsProxyAgent(proxy);
  }
  const { HttpProxyAgent } = require('http-proxy-agent') as typeof import('http-proxy-agent');
  return new HttpProxyAgent(proxy);
}

/**
 * One agent per extra CA (and minimum TLS version), with its secure context built once: passing
 * `ca` — the system roots plus the extra CA — on each request made Node rebuild the agent's pool
 * key from the whole bundle every time (https.Agent#getName concatenates `ca`): ~4 ms of CPU per
 * request, most of an Azure conformance run's CPU on the emulator (bench/conformance-scale/azure).
 * Its own agent keeps connections verified against the extra CA in a pool of their own, never
 * reused for a request that trusts the system roots only. Few per process (one per CA given).
 */
const extraCaAgents = new Map<string, https.Agent>();

function tlsOptions(options: SendRequestOptions, proxy: http.Agent | undefined): https.RequestOptions {
  const minVersion = options.minTlsVersion ?? 'TLSv1.2';
  if (!options.extraCa) return { minVersion };
  // Through a proxy the tunnelling agent makes the connection: the CA goes with the request.
  if (proxy) return { minVersion, ca: [...tls.rootCertificates, options.extraCa] };
  const key = `${minVersion}\u0000${options.extraCa}`;
  let agent = extraCaAgents.get(key);
  if (!agent) {
    const secureContext = tls.createSecureContext({ ca: [...tls.rootCertificates, options.extraCa], minVersion });
    extraCaAgents.set(key, (agent = new https.Agent({ keepAlive: true, secureContext, minVersion })));
  }
  return { agent, minVersion };
}

/**
 * The one HTTP client of attestgate's own requests: the credential provider, the CRL importer,
 * the conformance probes and issuer metadata. Sends the request as given (a signature may cover
 * its headers), and resolves with the complete answer or rejects with an HttpTransportError.
 */
export function sendRequest(url: string | URL, options: SendRequestOptions): Promise<HttpAnswer> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const body = options.body ?? '';
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new HttpTransportError('aborted', `the request to ${target.origin} was not sent: interrupted`));
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const transport = target.protocol === 'https:' ? https : http;
  const agent = proxyAgentFor(target);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const fail = (kind: HttpFailureKind, message: string, cause?: unknown) => {
      settle(() => reject(new HttpTransportError(kind, message, cause)));
      request.destroy();
    };
    const request = transport.request(
      target,
      {
        method: options.method ?? 'GET',
        // A GET or HEAD without a body goes without a length, as the SDKs send them.
        headers: { ...options.headers, ...(Buffer.byteLength(body) > 0 || !['GET', 'HEAD'].includes(options.method ?? 'GET') ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
        ...(agent ? { agent } : {}),
        ...(target.protocol === 'https:' ? tlsOptions(options, agent) : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) return fail('too-large', `${target.origin} answered with more than ${maxBytes} bytes`);
          chunks.push(chunk);
        });
        response.on('error', (error) => fail('network', `the answer from ${target.origin} broke off: ${error.message}`, error));
        response.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
          settle(() => resolve({ status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks) }));
        });
      },
    );
    // Rejected here, not through destroy(error): once the headers are in, Node reports a
    // destroyed request as the response's "aborted", not with the error given.
    const deadline = setTimeout(() => fail('timeout', `${target.origin} gave no complete answer within ${options.deadlineMs} ms`), options.deadlineMs);
    const onAbort = () => fail('aborted', `the request to ${target.origin} was abandoned: interrupted`);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => fail('network', `${target.origin}: ${error.message}`, error));
    request.end(body);
  });
}
