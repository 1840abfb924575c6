import { EmulatorHttpRequest, EmulatorHttpResponse, LoopbackServer } from '../http/loopback-server';
import { SlidingWindow } from '../http/sliding-window';
import { RolesAnywhereBehaviour, createSession, errorResponse } from './create-session';
import { createTrustAnchor, deleteTrustAnchor, describeStackResources } from './control-plane';
import { DeployedStack } from './deploy-cloudformation';
import { verifyHmacRequest } from './sigv4-hmac';
import { STS_API_VERSION, STS_ERRORS, STS_MESSAGES, isStsAction } from '../../../lib/model/aws/sts';
import { assumeRole, callerArn, getCallerIdentity, stsError } from './sts-assume-role';
import { getSessionToken, refuseFederationTokenForSession } from './sts-session-token';
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
  /** STS Query API requests per second per account before 400 Throttling; Infinity disables. */
  readonly stsRatePerSecond: number;
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
  private readonly server: LoopbackServer;
  /** Roles Anywhere's CreateSession quota: per account, per second. */
  private readonly createSessionQuota: SlidingWindow;
  /** STS's request rate: per account (the emulator's one), per second, over every action. */
  private readonly stsQuota: SlidingWindow;

  constructor(
    private readonly world: AwsWorld,
    private readonly stacks: readonly DeployedStack[],
    private readonly options: AwsEmulatorServerOptions,
  ) {
    this.createSessionQuota = new SlidingWindow(options.createSessionRatePerSecond, 1000);
    this.stsQuota = new SlidingWindow(options.stsRatePerSecond, 1000);
    this.server = new LoopbackServer({
      handle: (request) => this.route(request),
      internalError: (message, status = 500) => errorResponse(status, status === 413 ? 'ValidationException' : 'InternalServerException', message),
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

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private route(request: EmulatorHttpRequest): Promise<EmulatorHttpResponse> | EmulatorHttpResponse {
    const now = this.now();
    if (request.method === 'POST' && request.path === '/sessions') {
      if (!this.createSessionQuota.admit(now).admitted) return errorResponse(429, 'ThrottlingException', 'Rate exceeded');
      return createSession(this.world, request, now, this.options.behaviour);
    }
    // Everything else is signed with an IAM principal's key (SigV4 HMAC).
    const verified = verifyHmacRequest(this.world, request, now, this.options.behaviour.clockSkewSeconds);
    if ('error' in verified) {
      return request.path === '/' ? stsError(verified.error, verified.message) : errorResponse(403, 'AccessDeniedException', verified.message);
    }
    const { caller, service } = verified;
    if (request.path === '/' && service === 'sts' && (request.method === 'POST' || request.method === 'GET')) {
      // Counted once the signature names the account whose quota it is, as AWS's per-account one.
      if (!this.stsQuota.admit(now).admitted) return stsError(STS_ERRORS.throttling, STS_MESSAGES.throttling);
      // The Query protocol: parameters in the form body (what SDKs send) or the query string.
      const form = new URLSearchParams([...request.query.map(([k, v]) => [k, v]), ...new URLSearchParams(request.body)]);
      const action = form.get('Action') ?? '';
      if (action === 'AssumeRole') return assumeRole(this.world, caller, form, now);
      if (action === 'GetCallerIdentity') return getCallerIdentity(this.world, caller);
      if (action === 'GetSessionToken') return getSessionToken(this.world, caller, form, now);
      if (action === 'GetFederationToken') {
        const refusal = refuseFederationTokenForSession(caller);
        if (refusal) return refusal;
      }
      if (!isStsAction(action)) return stsError(STS_ERRORS.invalidAction, STS_MESSAGES.invalidAction(action, form.get('Version') ?? STS_API_VERSION));
      // An action STS has but the emulator does not serve: the emulator's own 404, never an
      // answer STS would give (InvalidAction would claim STS lacks it).
      return errorResponse(404, 'UnknownOperationException', `The emulator does not serve STS ${action}.`);
    }
    // A session's permissions are its role's identity policies, which the emulator does not
    // evaluate: outside STS it refuses sessions (fail closed; docs/emulator.md, divergences).
    if (caller.kind === 'session') {
      const denial = `User: ${callerArn(caller)} is not authorized to perform this ${service} action: the emulator grants role sessions STS only.`;
      return service === 'cloudformation' ? stsError(STS_ERRORS.accessDenied, denial) : errorResponse(403, 'AccessDeniedException', denial);
    }
    if (request.method === 'POST' && request.path === '/trustanchors' && service === 'rolesanywhere') {
      return createTrustAnchor(this.world, caller.persona, request.body, now);
    }
    const deletion = /^\/trustanchor\/([0-9a-f-]+)$/.exec(request.path);
    if (request.method === 'DELETE' && deletion && service === 'rolesanywhere') return deleteTrustAnchor(this.world, deletion[1], now);
    if (request.method === 'POST' && request.path === '/' && service === 'cloudformation') {
      const form = new URLSearchParams(request.body);
      if (form.get('Action') === 'DescribeStackResources') return describeStackResources(this.stacks, form);
    }
    return errorResponse(404, 'UnknownOperationException', `The emulator does not serve ${request.method} ${request.path}.`);
  }
}
