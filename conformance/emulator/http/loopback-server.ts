import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';

/** Bodies larger than this are refused with 413: no real request of these APIs comes near it. */
export const MAX_BODY_BYTES = 1 << 20;

/** A request as the emulators' handlers see it: the whole body read, header names lowercased. */
export interface EmulatorHttpRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** Lowercase header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

export interface EmulatorHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface LoopbackServerOptions {
  /** Answers one request. */
  readonly handle: (request: EmulatorHttpRequest) => Promise<EmulatorHttpResponse> | EmulatorHttpResponse;
  /** The cloud's own shape of an error the server itself answers: a handler that threw (500), a body too large (413). */
  readonly internalError: (message: string, status?: number) => EmulatorHttpResponse;
  /** Sees every answer, internal errors included: the emulators' request logs. */
  readonly answered?: (request: EmulatorHttpRequest, response: EmulatorHttpResponse) => void;
  /** Serve HTTPS with this certificate (Entra clients refuse plain HTTP); HTTP otherwise. */
  readonly tls?: { readonly certificatePem: string; readonly privateKeyPem: string };
}

/**
 * The listening socket every emulator shares. It binds 127.0.0.1 only, never another interface:
 * an emulator hands out credentials for whoever asks, so nothing off the machine may reach it.
 */
export class LoopbackServer {
  private readonly server: http.Server;
  private boundOrigin = '';

  constructor(private readonly options: LoopbackServerOptions) {
    const listener: http.RequestListener = (req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY_BYTES) chunks.push(c);
      });
      req.on('end', () => {
        const answered = size > MAX_BODY_BYTES ? Promise.resolve(this.options.internalError(`request body over ${MAX_BODY_BYTES} bytes`, 413)) : this.answer(req, Buffer.concat(chunks).toString('utf8'));
        answered
          .then((response) => {
            // The length up front, as the clouds' endpoints send it: without it, headers written
            // before the body make Node answer chunked — a second write per response (writev)
            // and chunk framing for every client to parse. 204 and 304 carry no body, so no length.
            const framed = response.status === 204 || response.status === 304 ? response.headers : { ...response.headers, 'content-length': Buffer.byteLength(response.body) };
            res.writeHead(response.status, framed);
            res.end(response.body);
          })
          // Never an unhandled rejection: it would stop the emulator and leave the client waiting.
          .catch(() => res.destroy());
      });
    };
    this.server = options.tls ? https.createServer({ cert: options.tls.certificatePem, key: options.tls.privateKeyPem }, listener) : http.createServer(listener);
  }

  /** `http(s)://127.0.0.1:<port>` once listening; empty before. */
  public get origin(): string {
    return this.boundOrigin;
  }

  /** Listens on 127.0.0.1; resolves to the origin. Port 0 picks a free one. */
  public listen(port = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.removeListener('error', reject);
        this.boundOrigin = `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        resolve(this.boundOrigin);
      });
    });
  }

  public close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async answer(req: http.IncomingMessage, body: string): Promise<EmulatorHttpResponse> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
    const request: EmulatorHttpRequest = { method: req.method ?? 'GET', path: url.pathname, query: [...url.searchParams.entries()], headers, body };
    let response: EmulatorHttpResponse;
    try {
      response = await this.options.handle(request);
    } catch (e) {
      response = this.options.internalError(`emulator error: ${(e as Error).message}`);
    }
    try {
      this.options.answered?.(request, response);
    } catch {
      // A request log that cannot record an answer must not cost the client its answer.
    }
    return response;
  }
}
