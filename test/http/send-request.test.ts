import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { createServerTls } from '../../conformance/emulator/azure/server-tls';
import { HttpTransportError, proxyAgentFor, sendRequest } from '../../lib/http/send-request';

/** A loopback server answering with `handler`, on 127.0.0.1 or another loopback address. */
async function serve(handler: http.RequestListener, host = '127.0.0.1'): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A forward proxy that records what it is asked: absolute-URI requests (http) and CONNECT tunnels (https), each refused or answered by itself. */
async function recordingProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('answered by the proxy');
  });
  server.on('connect', (req, socket) => {
    seen.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as HttpTransportError);

describe('sendRequest', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('resolves with the status, lowercase headers and the whole body; sends the headers and body as given', async () => {
    let received = '';
    const server = await serve((req, res) => {
      req.on('data', (c) => (received += c));
      req.on('end', () => res.writeHead(201, { 'X-Amzn-RequestId': 'r-1', 'content-type': 'application/json' }).end(JSON.stringify({ echo: req.headers['x-signed'] })));
    });
    try {
      const answer = await sendRequest(`${server.url}/sessions`, { method: 'POST', headers: { 'X-Signed': 'yes' }, body: 'payload', deadlineMs: 5000 });
      expect(answer.status).toBe(201);
      expect(answer.headers['x-amzn-requestid']).toBe('r-1');
      expect(JSON.parse(answer.body.toString())).toEqual({ echo: 'yes' });
      expect(received).toBe('payload');
    } finally {
      await server.close();
    }
  });

  test('the deadline bounds the whole exchange: an answer dripped a byte at a time still ends', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const started = Date.now();
      const error = await rejection(sendRequest(server.url, { deadlineMs: 300 }));
      expect(error).toBeInstanceOf(HttpTransportError);
      expect(error?.kind).toBe('timeout');
      expect(error?.message).toContain('gave no complete answer within 300 ms');
      // Bytes kept coming every 50 ms: an idle timeout of 300 ms would have waited the whole 5 s.
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      await server.close();
    }
  });

  test('an answer longer than the limit is abandoned (too-large)', async () => {
    const server = await serve((_req, res) => res.end('y'.repeat(10_000)));
    try {
      expect((await rejection(sendRequest(server.url, { deadlineMs: 5000, maxResponseBytes: 1000 })))?.kind).toBe('too-large');
    } finally {
      await server.close();
    }
  });

  test('an aborted signal sends nothing; an abort in flight abandons the request', async () => {
    let requests = 0;
    const server = await serve(() => {
      requests++;
    });
    try {
      const aborted = new AbortController();
      aborted.abort();
      expect((await rejection(sendRequest(server.url, { deadlineMs: 5000, signal: aborted.signal })))?.kind).toBe('aborted');
      expect(requests).toBe(0);
      const inFlight = new AbortController();
      const pending = rejection(sendRequest(server.url, { deadlineMs: 5000, signal: inFlight.signal }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      inFlight.abort();
      expect((await pending)?.kind).toBe('aborted');
    } finally {
      await server.close();
    }
  });

  test("a refused connection is a network failure whose cause is Node's error", async () => {
    const server = await serve(() => undefined);
    const url = server.url;
    await server.close();
    const error = await rejection(sendRequest(url, { deadlineMs: 5000 }));
    expect(error?.kind).toBe('network');
    expect((error?.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  test("an extra CA is trusted besides Node's roots", async () => {
    const material = await createServerTls();
    const server = https.createServer({ key: material.privateKeyPem, cert: material.certificatePem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await rejection(sendRequest(url, { deadlineMs: 5000 })))?.kind).toBe('network');
      expect((await sendRequest(url, { deadlineMs: 5000, extraCa: material.caPem })).body.toString()).toBe('ok');
      // The extra CA's connections are pooled apart: after one succeeded, a request trusting only the roots is still refused, and one trusting another CA too.
      expect((await rejection(sendRequest(url, { deadlineMs: 5000 })))?.kind).toBe('network');
      expect((await rejection(sendRequest(url, { deadlineMs: 5000, extraCa: (await createServerTls()).caPem })))?.kind).toBe('network');
      expect((await sendRequest(url, { deadlineMs: 5000, extraCa: material.caPem })).body.toString()).toBe('ok');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('proxies from the environment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('HTTP_PROXY carries http requests; HTTPS_PROXY tunnels https requests with CONNECT', async () => {
    const proxy = await recordingProxy();
    try {
      Object.assign(process.env, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '' });
      // 127.0.0.2 is loopback too, but not a name the client treats as local: it goes through the proxy.
      const answer = await sendRequest('http://127.0.0.2:8080/v1/token', { deadlineMs: 5000 });
      expect(answer.body.toString()).toBe('answered by the proxy');
      // The proxy refuses the tunnel: its own answer comes back, never one the cloud gave.
      const refused = await sendRequest('https://sts.example.invalid/v1/token', { method: 'POST', body: 'x', deadlineMs: 5000 });
      expect(refused.status).toBe(403);
      expect(proxy.seen).toEqual(['GET http://127.0.0.2:8080/v1/token', 'CONNECT sts.example.invalid:443']);
    } finally {
      await proxy.close();
    }
  });

  test('NO_PROXY is honoured, and loopback (the emulators) always goes direct', () => {
    Object.assign(process.env, { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'http://proxy.corp:3128', NO_PROXY: '.internal.example' });
    expect(proxyAgentFor(new URL('https://sts.amazonaws.com'))).toBeDefined();
    expect(proxyAgentFor(new URL('https://vault.internal.example'))).toBeUndefined();
    expect(proxyAgentFor(new URL('https://127.0.0.1:8443'))).toBeUndefined();
    expect(proxyAgentFor(new URL('http://localhost:4566'))).toBeUndefined();
    expect(proxyAgentFor(new URL('http://[::1]:4566'))).toBeUndefined();
    delete process.env.HTTPS_PROXY;
    delete process.env.HTTP_PROXY;
    expect(proxyAgentFor(new URL('https://sts.amazonaws.com'))).toBeUndefined();
  });
});
