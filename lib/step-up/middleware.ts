/**
 * The guard in front of handlers: Node's `http`, Express, Fastify and MCP servers over HTTP.
 *
 * The adapters are thin and typed by the shapes they read — no Express or Fastify import at run
 * time or in the types — so attestgate adds no web framework to an application. Each answers a
 * refusal itself (status, `WWW-Authenticate`, `Cache-Control: no-store`, a JSON body with the
 * OAuth error) and hands an allowed request on; `stepUpDecisionOf(req)` then gives the handler
 * the verified token and the decision.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { OperationTarget, StepUpDecision, StepUpGuard } from './guard';

/** What the guard reads of Node's IncomingMessage (an Express request is one). */
export interface NodeRequestLike {
  readonly method?: string;
  readonly url?: string;
  readonly headers: IncomingHttpHeaders;
  /** Node keeps only the first of repeated Authorization headers in `headers`; the raw list shows them all. */
  readonly rawHeaders?: readonly string[];
}

/** What the guard writes of Node's ServerResponse (an Express response is one). */
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(chunk?: string): unknown;
  readonly headersSent?: boolean;
}

const decisions = new WeakMap<object, StepUpDecision>();

/** The guard's decision for a request it let through: the verified token, the operation. */
export function stepUpDecisionOf(request: object): StepUpDecision | undefined {
  return decisions.get(request);
}

/** Every Authorization value the request carries: Node drops repeats from `headers`, not from `rawHeaders`. */
export function authorizationOf(req: { readonly headers: IncomingHttpHeaders; readonly rawHeaders?: readonly string[] }): string[] {
  if (req.rawHeaders) {
    const values: string[] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === 'authorization') values.push(req.rawHeaders[i + 1]);
    return values;
  }
  const value = req.headers.authorization;
  return value === undefined ? [] : [value];
}

/** Writes a refusal on a Node response (no body for HEAD). */
export function writeRefusal(res: NodeResponseLike, decision: StepUpDecision, method?: string): void {
  res.statusCode = decision.status;
  for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
  res.end(method?.toUpperCase() === 'HEAD' ? undefined : JSON.stringify(decision.body));
}

function targetOf(guard: StepUpGuard, req: NodeRequestLike, path: string | undefined, operation: string | undefined): OperationTarget {
  if (operation !== undefined) return guard.operation(operation);
  return guard.operationForRequest(req.method ?? 'GET', path ?? req.url ?? '/');
}

/**
 * Guards one Node request: answers a refusal on `res` and resolves false, or resolves true and
 * records the decision for `stepUpDecisionOf(req)`. `operation` pins the request to one
 * operation of the policy; without it, the request's method and path choose.
 */
export async function guardNodeRequest(guard: StepUpGuard, req: NodeRequestLike, res: NodeResponseLike, operation?: string, path?: string): Promise<boolean> {
  const decision = await guard.decide(targetOf(guard, req, path, operation), authorizationOf(req));
  if (!decision.allowed) {
    writeRefusal(res, decision, req.method);
    return false;
  }
  decisions.set(req, decision);
  return true;
}

/**
 * A Node `http` request listener behind the guard:
 * `http.createServer(nodeHttpGuard(guard, (req, res) => ...))`. An error in the guard itself
 * (never a refusal) answers 500 and is passed to `onError`.
 */
export function nodeHttpGuard<Req extends NodeRequestLike, Res extends NodeResponseLike>(
  guard: StepUpGuard,
  listener: (req: Req, res: Res) => unknown,
  options: { readonly onError?: (error: unknown) => void } = {},
): (req: Req, res: Res) => void {
  return (req, res) => {
    guardNodeRequest(guard, req, res).then(
      (allowed) => {
        if (allowed) return listener(req, res);
        return undefined;
      },
      (error: unknown) => {
        options.onError?.(error);
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end();
        }
      },
    );
  };
}

/** What the Express adapter reads of a request: Node's plus `originalUrl` (the path before router mounts). */
export interface ExpressRequestLike extends NodeRequestLike {
  readonly originalUrl?: string;
}

/**
 * Express middleware: `app.use(expressGuard(guard))` matches each request's method and path
 * against the policy's routes; `app.delete('/stacks/:id', expressGuard(guard, 'destroy-stack'), handler)`
 * pins one route to one operation (Express's router has matched the path already).
 */
export function expressGuard(guard: StepUpGuard, operation?: string): (req: ExpressRequestLike, res: NodeResponseLike, next: (error?: unknown) => void) => void {
  // Resolved now: a pinned operation the policy lacks fails at startup, not at the first request.
  if (operation !== undefined) guard.operation(operation);
  return (req, res, next) => {
    guardNodeRequest(guard, req, res, operation, req.originalUrl ?? req.url).then((allowed) => {
      if (allowed) next();
    }, next);
  };
}

/** What the Fastify adapter reads of a request. */
export interface FastifyRequestLike {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Node's request, for its raw headers. */
  readonly raw?: { readonly rawHeaders?: readonly string[] };
  /** Fastify ≥ 4.10: the route's own pattern, e.g. `/stacks/:id`. */
  readonly routeOptions?: { readonly url?: string };
}

/** What the Fastify adapter writes of a reply. */
export interface FastifyReplyLike {
  code(statusCode: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

/**
 * A Fastify `onRequest` or `preHandler` hook: `app.addHook('onRequest', fastifyGuard(guard))`, or
 * per route `{ onRequest: fastifyGuard(guard, 'destroy-stack') }`. Without a pinned operation the
 * route's own pattern is matched first (exactly, with the method), then the request's path.
 * A refused request is answered and the hook returns the reply, as Fastify's async hooks expect.
 */
export function fastifyGuard(guard: StepUpGuard, operation?: string): (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<FastifyReplyLike | undefined> {
  if (operation !== undefined) guard.operation(operation);
  return async (request, reply) => {
    let target: OperationTarget;
    if (operation !== undefined) target = guard.operation(operation);
    else {
      const pattern = request.routeOptions?.url;
      const method = request.method.toUpperCase();
      const byPattern = pattern === undefined ? undefined : guard.policy.operations.find((op) => op.route === pattern && (op.method === '*' || op.method === method));
      target = byPattern ?? guard.operationForRequest(method, request.url);
    }
    const decision = await guard.decide(target, authorizationOf({ headers: request.headers, ...(request.raw?.rawHeaders ? { rawHeaders: request.raw.rawHeaders } : {}) }));
    if (decision.allowed) {
      decisions.set(request, decision);
      return undefined;
    }
    reply.code(decision.status);
    for (const [name, value] of Object.entries(decision.headers)) reply.header(name, value);
    reply.send(request.method.toUpperCase() === 'HEAD' ? undefined : decision.body);
    return reply;
  };
}

/** The tool names of the `tools/call` requests in a JSON-RPC message or batch. */
export function mcpToolCalls(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  const tools: string[] = [];
  for (const m of messages) {
    if (typeof m !== 'object' || m === null) continue;
    const { method, params } = m as { method?: unknown; params?: unknown };
    if (method !== 'tools/call') continue;
    const name = typeof params === 'object' && params !== null ? (params as { name?: unknown }).name : undefined;
    tools.push(typeof name === 'string' ? name : '');
  }
  return tools;
}

/**
 * Decides an MCP request over HTTP (Streamable HTTP: one JSON-RPC message or batch per POST).
 * A `tools/call` of a tool an operation names takes that operation's requirements; every other
 * message (initialize, tools/list, a tool no operation names) is unmatched. In a batch, each tool
 * call is decided in order and the first refusal answers. A challenge is an HTTP 401 or 403
 * with `WWW-Authenticate`, as the MCP authorization specification places it.
 */
export async function decideMcp(guard: StepUpGuard, authorization: string | readonly string[] | undefined, body: unknown): Promise<StepUpDecision> {
  const tools = mcpToolCalls(body);
  if (tools.length === 0) return guard.decide('unmatched', authorization);
  let last: StepUpDecision | undefined;
  for (const tool of tools) {
    last = await guard.decide(guard.operationForTool(tool), authorization);
    if (!last.allowed) return last;
  }
  return last!;
}

/**
 * Guards an MCP request on Node's `http`, given its parsed JSON body (what
 * `StreamableHTTPServerTransport.handleRequest(req, res, parsedBody)` takes next): answers a
 * refusal and resolves false, or resolves true.
 */
export async function guardMcpRequest(guard: StepUpGuard, req: NodeRequestLike, res: NodeResponseLike, parsedBody: unknown): Promise<boolean> {
  const decision = await decideMcp(guard, authorizationOf(req), parsedBody);
  if (!decision.allowed) {
    writeRefusal(res, decision, req.method);
    return false;
  }
  decisions.set(req, decision);
  return true;
}

/** Express middleware for an MCP endpoint, after `express.json()`: `app.post('/mcp', express.json(), mcpExpressGuard(guard), handler)`. */
export function mcpExpressGuard(guard: StepUpGuard): (req: ExpressRequestLike & { readonly body?: unknown }, res: NodeResponseLike, next: (error?: unknown) => void) => void {
  return (req, res, next) => {
    guardMcpRequest(guard, req, res, req.body).then((allowed) => {
      if (allowed) next();
    }, next);
  };
}
