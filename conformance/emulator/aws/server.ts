import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { RolesAnywhereBehaviour, EmulatorHttpRequest, EmulatorHttpResponse, createSession, errorResponse } from './create-session';
import { createTrustAnchor, deleteTrustAnchor, describeStackResources } from './control-plane';
import { DeployedStack } from './deploy-cloudformation';
import { verifyHmacRequest } from './sigv4-hmac';
import { assumeRole, getCallerIdentity, stsError } from './sts-assume-role';
import { AwsWorld } from './world';

/** One request log line; the emulator keeps them for tests and `--verbose`. */
export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly error?: string;
}

export interface AwsEmulatorServerOptions {
  readonly behaviour: RolesAnywhereBehaviour;
  /** CreateSession requests per second per account before ThrottlingException (AWS: 10); Infinity disables. */
  readonly createSessionRatePerSecond: number;
  /** The clock; tests move it. */
  readonly now?: () => Date;
}

/**
 * The HTTP face of the AWS emulator, on 127.0.0.1 only: Roles Anywhere CreateSession and the two
 * control-plane calls probes need, STS AssumeRole and GetCallerIdentity, and CloudFormation
 * DescribeStackResources — each
 * on the path and wire format the real endpoint uses, so unmodified clients work against it.
 */
export class AwsEmulatorServer {
  public readonly log: RequestLogEntry[] = [];
  private readonly server: http.Server;
  private readonly window: number[] = [];

  constructor(
    private readonly world: AwsWorld,
    private readonly stacks: readonly DeployedStack[],
    private readonly options: AwsEmulatorServerOptions,
  ) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handle(req, Buffer.concat(chunks).toString('utf8')).then((response) => {
          res.writeHead(response.status, response.headers);
          res.end(response.body);
        });
      });
    });
  }

  /** Listens on 127.0.0.1 (never another interface); resolves to the endpoint URL. */
  public listen(port = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`));
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

  private async handle(req: http.IncomingMessage, body: string): Promise<EmulatorHttpResponse> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
    const request: EmulatorHttpRequest = { method: req.method ?? 'GET', path: url.pathname, query: [...url.searchParams.entries()], headers, body };
    let response: EmulatorHttpResponse;
    try {
      response = await this.route(request);
    } catch (e) {
      response = errorResponse(500, 'InternalServerException', `emulator error: ${(e as Error).message}`);
    }
    this.log.push({ method: request.method, path: request.path, status: response.status, ...(response.status >= 400 ? { error: response.body.slice(0, 200) } : {}) });
    return response;
  }

  private route(request: EmulatorHttpRequest): Promise<EmulatorHttpResponse> | EmulatorHttpResponse {
    const now = this.now();
    if (request.method === 'POST' && request.path === '/sessions') {
      if (this.throttled(now)) return errorResponse(429, 'ThrottlingException', 'Rate exceeded');
      return createSession(this.world, request, now, this.options.behaviour);
    }
    // Everything else is signed with an IAM principal's key (SigV4 HMAC).
    const verified = verifyHmacRequest(this.world, request, now, this.options.behaviour.clockSkewSeconds);
    if ('error' in verified) {
      return request.path === '/' ? stsError(403, verified.code, verified.error) : errorResponse(403, 'AccessDeniedException', verified.error);
    }
    if (request.method === 'POST' && request.path === '/trustanchors' && verified.service === 'rolesanywhere') {
      return createTrustAnchor(this.world, verified.persona, request.body, now);
    }
    const deletion = /^\/trustanchor\/([0-9a-f-]+)$/.exec(request.path);
    if (request.method === 'DELETE' && deletion && verified.service === 'rolesanywhere') return deleteTrustAnchor(this.world, deletion[1], now);
    if (request.method === 'POST' && request.path === '/') {
      const form = new URLSearchParams(request.body);
      if (verified.service === 'sts' && form.get('Action') === 'AssumeRole') return assumeRole(this.world, verified.persona, form, now);
      if (verified.service === 'sts' && form.get('Action') === 'GetCallerIdentity') return getCallerIdentity(this.world, verified.persona);
      if (verified.service === 'cloudformation' && form.get('Action') === 'DescribeStackResources') return describeStackResources(this.stacks, form);
    }
    return errorResponse(404, 'UnknownOperationException', `The emulator does not serve ${request.method} ${request.path}.`);
  }

  /** A sliding one-second window per account, as Roles Anywhere's CreateSession quota. */
  private throttled(now: Date): boolean {
    const rate = this.options.createSessionRatePerSecond;
    if (!Number.isFinite(rate)) return false;
    const t = now.getTime();
    while (this.window.length > 0 && this.window[0] <= t - 1000) this.window.shift();
    if (this.window.length >= rate) return true;
    this.window.push(t);
    return false;
  }
}
