/**
 * The middleware under the real frameworks it is typed for — Express 5, Fastify 5 and an MCP
 * SDK tool server driven by the SDK's client — not under the shapes it declares: each must
 * answer a weak token with the RFC 9470 challenge, a forged one with invalid_token, and let a
 * fresh strong token reach the handler.
 */
import { AddressInfo } from 'node:net';
import * as http from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ACR } from '../../lib/step-up/acr';
import { StepUpEvent } from '../../lib/step-up/events';
import { StepUpGuard } from '../../lib/step-up/guard';
import { expressGuard, fastifyGuard, mcpExpressGuard, stepUpDecisionOf } from '../../lib/step-up/middleware';
import { stepUpFetch } from '../../lib/step-up/agent-fetch';
import { TokenRequest, TokenSource } from '../../lib/step-up/token-source';
import { readBearerChallenge } from '../../lib/step-up/www-authenticate';
import { AGENT, AUDIENCE, NOW, NOW_MS, randomJti, testIssuer } from './fixtures';

const issuer = testIssuer();
const forger = testIssuer(issuer.iss, { keyName: 'forger' });
const routine = () => issuer.mint({ acr: ACR.ATTESTED });
const strong = () => issuer.mint({ acr: ACR.ATTESTED_FRESH, auth_time: NOW - 5, jti: randomJti() });
const forged = () => forger.mint({ acr: ACR.ATTESTED_FRESH, auth_time: NOW - 5, jti: randomJti() });

function guardOf(events: StepUpEvent[] = []): StepUpGuard {
  return new StepUpGuard(
    {
      audience: AUDIENCE,
      issuers: [issuer.trusted],
      operations: [
        { name: 'destroy-stack', method: 'DELETE', route: '/stacks/:id', acr: [ACR.ATTESTED_FRESH], maxAge: 60 },
        { name: 'destroy-stack-tool', tool: 'destroy_stack', acr: [ACR.ATTESTED_FRESH], maxAge: 60 },
      ],
      unmatched: 'authenticate',
    },
    { nowMs: () => NOW_MS, onDecision: (e) => events.push(e) },
  );
}

function expectStepUpChallenge(status: number, header: string | null) {
  expect(status).toBe(401);
  expect(readBearerChallenge(header!)!).toMatchObject({ error: 'insufficient_user_authentication', acrValues: [ACR.ATTESTED_FRESH], maxAge: 60 });
}
function expectInvalidToken(status: number, header: string | null) {
  expect(status).toBe(401);
  const challenge = readBearerChallenge(header!)!;
  expect(challenge.error).toBe('invalid_token');
  // Never a step-up challenge for a forged token, and nothing of the policy disclosed (RFC 9470 §9).
  expect(challenge.acrValues ?? []).toEqual([]);
  expect(challenge.maxAge).toBeUndefined();
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const close = (server: http.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('Express 5', () => {
  let server: http.Server;
  let base: string;
  const deleted: string[] = [];
  beforeAll(async () => {
    const app = express();
    const guard = guardOf();
    app.delete('/stacks/:id', expressGuard(guard, 'destroy-stack'), (req, res) => {
      deleted.push(`${req.params.id} by ${stepUpDecisionOf(req)?.token?.subject}`);
      res.status(204).end();
    });
    server = http.createServer(app);
    base = await listen(server);
  });
  afterAll(() => close(server));

  test('a weak token is challenged (RFC 9470), a forged one gets invalid_token, a fresh strong one reaches the handler with the verified subject', async () => {
    const call = (token: string) => fetch(`${base}/stacks/prod`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    const weak = await call(routine());
    expectStepUpChallenge(weak.status, weak.headers.get('www-authenticate'));
    const bad = await call(forged());
    expectInvalidToken(bad.status, bad.headers.get('www-authenticate'));
    expect(deleted).toEqual([]);
    expect((await call(strong())).status).toBe(204);
    expect(deleted).toEqual([`prod by ${AGENT}`]);
  });

  test('mounted app-wide (app.use), another spelling of the protected path is guarded the same', async () => {
    const app = express();
    app.use(expressGuard(guardOf()));
    app.delete('/stacks/:id', (_req, res) => res.status(204).end());
    const s = http.createServer(app);
    const url = await listen(s);
    try {
      const weak = await fetch(`${url}//STACKS/prod/`, { method: 'DELETE', headers: { authorization: `Bearer ${routine()}` } });
      expectStepUpChallenge(weak.status, weak.headers.get('www-authenticate'));
    } finally {
      await close(s);
    }
  });
});

describe('Fastify 5', () => {
  test('as an onRequest hook matching the route pattern: challenge, invalid_token, then the handler', async () => {
    const app = Fastify();
    const reached: string[] = [];
    app.addHook('onRequest', fastifyGuard(guardOf()));
    app.delete('/stacks/:id', async (request, reply) => {
      reached.push(stepUpDecisionOf(request)!.token!.subject);
      return reply.code(204).send();
    });
    try {
      // Over a socket, not app.inject: the request goes through Fastify's own HTTP parsing.
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      const call = (token: string) => fetch(`${base}/stacks/prod`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      const weak = await call(routine());
      expectStepUpChallenge(weak.status, weak.headers.get('www-authenticate'));
      const bad = await call(forged());
      expectInvalidToken(bad.status, bad.headers.get('www-authenticate'));
      expect(reached).toEqual([]);
      expect((await call(strong())).status).toBe(204);
      expect(reached).toEqual([AGENT]);
    } finally {
      await app.close();
    }
  });
});

describe('an MCP SDK tool server, driven by the SDK client', () => {
  let server: http.Server;
  let base: string;
  const destroyed: string[] = [];
  const events: StepUpEvent[] = [];
  beforeAll(async () => {
    const app = express();
    // Stateless Streamable HTTP: a server and transport per request, as the SDK's examples do.
    app.post('/mcp', express.json(), mcpExpressGuard(guardOf(events)), async (req, res) => {
      const mcp = new McpServer({ name: 'tools', version: '1.0.0' });
      mcp.registerTool('destroy_stack', { description: 'Destroys a stack (irreversible)', inputSchema: {} }, async () => {
        destroyed.push(stepUpDecisionOf(req)!.token!.subject);
        return { content: [{ type: 'text', text: 'destroyed' }] };
      });
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => void transport.close());
      await mcp.connect(transport);
      await transport.handleRequest(req, res, req.body);
    });
    server = http.createServer(app);
    base = await listen(server);
  });
  afterAll(() => close(server));

  /** A client whose every request carries `token()`, recording the answers it got. */
  async function clientWith(fetchImpl: (input: Request) => Promise<Response>) {
    const client = new Client({ name: 'agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { fetch: (url, init) => fetchImpl(new Request(url, init)) }));
    return client;
  }
  type Answer = { status: number; header: string | null };
  const withToken = (token: () => string, answers: Answer[]) => async (request: Request) => {
    const headers = new Headers(request.headers);
    headers.set('authorization', `Bearer ${token()}`);
    const response = await fetch(new Request(request, { headers }));
    answers.push({ status: response.status, header: response.headers.get('www-authenticate') });
    return response;
  };

  test('the destructive tool called with a routine token is challenged, and with a forged token gets invalid_token; the tool never runs', async () => {
    const answers: Answer[] = [];
    const client = await clientWith(withToken(routine, answers));
    await expect(client.callTool({ name: 'destroy_stack', arguments: {} })).rejects.toThrow();
    const last = answers[answers.length - 1];
    expectStepUpChallenge(last.status, last.header);
    await client.close();

    const forgedAnswers: Answer[] = [];
    const forgedClient = new Client({ name: 'agent', version: '1.0.0' });
    await expect(forgedClient.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { fetch: (url, init) => withToken(forged, forgedAnswers)(new Request(url, init)) }))).rejects.toThrow();
    expectInvalidToken(forgedAnswers[0].status, forgedAnswers[0].header);
    expect(destroyed).toEqual([]);
  });

  test('with stepUpFetch, the agent answers the challenge by re-attesting once and the tool runs', async () => {
    const asked: TokenRequest[] = [];
    const source: TokenSource = {
      getToken: async (request) => {
        asked.push(request);
        return request.reason === 'initial' ? routine() : strong();
      },
    };
    const fetchWithStepUp = stepUpFetch({ resource: base, audience: AUDIENCE, source, repeatable: (r) => r.method === 'POST' });
    const client = await clientWith(fetchWithStepUp);
    const result = await client.callTool({ name: 'destroy_stack', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'destroyed' }]);
    expect(destroyed).toEqual([AGENT]);
    expect(asked.some((r) => r.reason === 'step-up' && r.acrValues?.[0] === ACR.ATTESTED_FRESH && r.maxAge === 60)).toBe(true);
    expect(events.filter((e) => e.operation === 'destroy-stack-tool').map((e) => e.outcome)).toEqual(expect.arrayContaining(['step-up', 'allowed']));
    await client.close();
  });
});
