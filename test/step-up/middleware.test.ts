import * as http from 'node:http';
import { ACR } from '../../lib/step-up/acr';
import { StepUpEvent } from '../../lib/step-up/events';
import { StepUpGuard } from '../../lib/step-up/guard';
import {
  FastifyReplyLike,
  FastifyRequestLike,
  expressGuard,
  fastifyGuard,
  guardMcpRequest,
  mcpToolCalls,
  nodeHttpGuard,
  stepUpDecisionOf,
} from '../../lib/step-up/middleware';
import { readBearerChallenge } from '../../lib/step-up/www-authenticate';
import { AGENT, AUDIENCE, NOW, NOW_MS, randomJti, testIssuer } from './fixtures';
import { serve } from '../fixtures/loopback-http';

const issuer = testIssuer();
const fresh = () => issuer.mint({ acr: ACR.ATTESTED_FRESH, auth_time: NOW - 5, jti: randomJti() });
const weak = () => issuer.mint({ acr: ACR.ATTESTED });

function newGuard(events: StepUpEvent[] = []): StepUpGuard {
  return new StepUpGuard(
    {
      audience: AUDIENCE,
      issuers: [issuer.trusted],
      operations: [
        { name: 'destroy-stack', method: 'DELETE', route: '/stacks/:id', acr: [ACR.ATTESTED_FRESH], maxAge: 60 },
        { name: 'destroy-tool', tool: 'destroy_stack', acr: [ACR.ATTESTED_FRESH], maxAge: 60 },
      ],
      unmatched: 'allow',
    },
    { nowMs: () => NOW_MS, onDecision: (e) => events.push(e) },
  );
}

/** Sends a request; repeated headers go on the wire as repeated lines. */
function send(url: string, method: string, path: string, headers: Array<[string, string]> = [], body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    // A header given as a list goes on the wire as one line per value.
    const grouped: Record<string, string[]> = {};
    for (const [name, value] of headers) (grouped[name] ??= []).push(value);
    const req = http.request(`${url}${path}`, { method, headers: grouped }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('nodeHttpGuard', () => {
  test('lets the fresh token through to the handler with the verified decision; answers the rest itself', async () => {
    const events: StepUpEvent[] = [];
    const guard = newGuard(events);
    const server = await serve(
      nodeHttpGuard(guard, (req, res) => {
        const decision = stepUpDecisionOf(req);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ by: decision?.token?.subject ?? null, op: decision?.operation?.name ?? null }));
      }),
    );
    try {
      const ok = await send(server.url, 'DELETE', '/stacks/prod', [['authorization', `Bearer ${fresh()}`]]);
      expect(ok).toMatchObject({ status: 200 });
      expect(JSON.parse(ok.body)).toEqual({ by: AGENT, op: 'destroy-stack' });

      const challenged = await send(server.url, 'DELETE', '//stacks/prod/', [['authorization', `Bearer ${weak()}`]]);
      expect(challenged.status).toBe(401);
      expect(challenged.headers['cache-control']).toBe('no-store');
      expect(readBearerChallenge(challenged.headers['www-authenticate'] as string)).toMatchObject({ error: 'insufficient_user_authentication', acrValues: [ACR.ATTESTED_FRESH], maxAge: 60 });
      expect(JSON.parse(challenged.body)).toEqual({ error: 'insufficient_user_authentication', error_description: 'A stronger or more recent attestation is required' });

      // Node keeps only the first Authorization header in req.headers; the guard reads them all.
      const twice = await send(server.url, 'DELETE', '/stacks/prod', [['authorization', `Bearer ${fresh()}`], ['authorization', `Bearer ${fresh()}`]]);
      expect(twice.status).toBe(400);

      const badPath = await send(server.url, 'DELETE', '/stacks/%E0%A4%A', [['authorization', `Bearer ${fresh()}`]]);
      expect(badPath.status).toBe(400);

      // Unmatched requests pass through unauthenticated under unmatched: 'allow'.
      const health = await send(server.url, 'GET', '/healthz');
      expect(JSON.parse(health.body)).toEqual({ by: null, op: null });
      expect(events.map((e) => e.outcome)).toEqual(['allowed', 'step-up', 'invalid-request', 'invalid-request']);
    } finally {
      await server.close();
    }
  });

  test('an error in the guard answers 500 and reaches onError; the handler never runs', async () => {
    const guard = newGuard();
    const errors: unknown[] = [];
    jest.spyOn(guard, 'decide').mockRejectedValueOnce(new Error('boom'));
    let ran = false;
    const server = await serve(nodeHttpGuard(guard, (_req, res) => { ran = true; res.end(); }, { onError: (e) => errors.push(e) }));
    try {
      expect((await send(server.url, 'DELETE', '/stacks/1')).status).toBe(500);
      expect(ran).toBe(false);
      expect((errors[0] as Error).message).toBe('boom');
    } finally {
      await server.close();
    }
  });
});

describe('expressGuard (Express requests and responses are Node’s, with originalUrl and next)', () => {
  /** Runs the middleware as Express would: a router mounted at /api rewrote req.url; originalUrl keeps the whole path. */
  async function viaExpressShape(middleware: ReturnType<typeof expressGuard>, method: string, path: string, token: string): Promise<{ status: number; nexted: unknown[] }> {
    const nexted: unknown[] = [];
    const server = await serve((req, res) => {
      const expressReq = Object.assign(req, { originalUrl: req.url, url: req.url!.replace(/^\/api/, '') || '/' });
      middleware(expressReq, res, (error?: unknown) => {
        nexted.push(error ?? 'next');
        res.statusCode = 204;
        res.end();
      });
    });
    try {
      const answer = await send(server.url, method, path, [['authorization', `Bearer ${token}`]]);
      return { status: answer.status, nexted };
    } finally {
      await server.close();
    }
  }

  test('app-level: matches originalUrl against the routes', async () => {
    const guard = new StepUpGuard({ audience: AUDIENCE, issuers: [issuer.trusted], operations: [{ name: 'destroy-stack', method: 'DELETE', route: '/api/stacks/:id', acr: [ACR.ATTESTED_FRESH], maxAge: 60 }] }, { nowMs: () => NOW_MS });
    expect(await viaExpressShape(expressGuard(guard), 'DELETE', '/api/stacks/7', weak())).toEqual({ status: 401, nexted: [] });
    expect(await viaExpressShape(expressGuard(guard), 'DELETE', '/api/stacks/7', fresh())).toEqual({ status: 204, nexted: ['next'] });
  });

  test('route-level: pinned to an operation, whatever the path; a typo fails when the route is declared', async () => {
    const guard = newGuard();
    expect(await viaExpressShape(expressGuard(guard, 'destroy-stack'), 'POST', '/api/anything', weak())).toEqual({ status: 401, nexted: [] });
    expect(await viaExpressShape(expressGuard(guard, 'destroy-stack'), 'POST', '/api/anything', fresh())).toEqual({ status: 204, nexted: ['next'] });
    expect(() => expressGuard(guard, 'destroy-stak')).toThrow(/not an operation of the policy/);
  });
});

describe('fastifyGuard (a hook over a faithful request/reply shape)', () => {
  /** The reply methods a Fastify hook uses, recording what they were given. */
  function reply(): FastifyReplyLike & { sent?: { status: number; headers: Record<string, string>; payload: unknown } } {
    const state = { status: 200, headers: {} as Record<string, string> };
    const r: FastifyReplyLike & { sent?: { status: number; headers: Record<string, string>; payload: unknown } } = {
      code(status) {
        state.status = status;
        return r;
      },
      header(name, value) {
        state.headers[name] = value;
        return r;
      },
      send(payload) {
        r.sent = { ...state, payload };
        return r;
      },
    };
    return r;
  }
  const request = (method: string, url: string, token: string, routeUrl?: string): FastifyRequestLike => ({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    raw: { rawHeaders: ['Authorization', `Bearer ${token}`] },
    ...(routeUrl ? { routeOptions: { url: routeUrl } } : {}),
  });

  test("matches the route's own pattern, answers a refusal and returns the reply; an allowed request continues", async () => {
    const hook = fastifyGuard(newGuard());
    const refused = reply();
    // The route pattern decides, even where the concrete URL would not say which route it was.
    expect(await hook(request('DELETE', '/stacks/prod?x=1', weak(), '/stacks/:id'), refused)).toBe(refused);
    expect(refused.sent).toMatchObject({ status: 401, payload: { error: 'insufficient_user_authentication' } });
    expect(readBearerChallenge(refused.sent!.headers['www-authenticate'])).toMatchObject({ acrValues: [ACR.ATTESTED_FRESH], maxAge: 60 });

    const allowed = reply();
    const req = request('DELETE', '/stacks/prod', fresh(), '/stacks/:id');
    expect(await hook(req, allowed)).toBeUndefined();
    expect(allowed.sent).toBeUndefined();
    expect(stepUpDecisionOf(req)?.token?.subject).toBe(AGENT);
  });

  test('without a route pattern the path decides; pinned hooks ignore both', async () => {
    const byPath = reply();
    await fastifyGuard(newGuard())(request('DELETE', '/stacks/prod', weak()), byPath);
    expect(byPath.sent?.status).toBe(401);
    const pinned = reply();
    await fastifyGuard(newGuard(), 'destroy-stack')(request('GET', '/', weak(), '/'), pinned);
    expect(pinned.sent?.status).toBe(401);
  });
});

describe('MCP over HTTP', () => {
  const call = (name: string, id = 1) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: { stack: 'prod' } } });

  test('finds the tool calls of a message or batch', () => {
    expect(mcpToolCalls(call('destroy_stack'))).toEqual(['destroy_stack']);
    expect(mcpToolCalls([{ jsonrpc: '2.0', method: 'notifications/initialized' }, call('a'), call('b', 2)])).toEqual(['a', 'b']);
    expect(mcpToolCalls({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).toEqual([]);
    expect(mcpToolCalls({ method: 'tools/call', params: { name: 7 } })).toEqual(['']);
    expect(mcpToolCalls('garbage')).toEqual([]);
  });

  test('a protected tool call gets the step-up challenge as HTTP 401; other messages and tools follow the unmatched rule', async () => {
    const events: StepUpEvent[] = [];
    const guard = newGuard(events);
    const server = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        if (await guardMcpRequest(guard, req, res, JSON.parse(body))) res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":1,"result":{}}');
      });
    });
    try {
      const post = (token: string, message: unknown) => send(server.url, 'POST', '/mcp', [['authorization', `Bearer ${token}`], ['content-type', 'application/json']], JSON.stringify(message));
      const challenged = await post(weak(), call('destroy_stack'));
      expect(challenged.status).toBe(401);
      expect(readBearerChallenge(challenged.headers['www-authenticate'] as string)).toMatchObject({ error: 'insufficient_user_authentication', acrValues: [ACR.ATTESTED_FRESH], maxAge: 60 });
      expect((await post(fresh(), call('destroy_stack'))).status).toBe(200);
      expect((await post(weak(), call('list_stacks'))).status).toBe(200);
      expect((await post(weak(), { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status).toBe(200);
      // A batch that hides the protected call behind a harmless one is still challenged.
      expect((await post(weak(), [call('list_stacks'), call('destroy_stack', 2)])).status).toBe(401);
      expect(events.map((e) => `${e.operation}:${e.outcome}`)).toEqual(['destroy-tool:step-up', 'destroy-tool:allowed', 'destroy-tool:step-up']);
    } finally {
      await server.close();
    }
  });
});
