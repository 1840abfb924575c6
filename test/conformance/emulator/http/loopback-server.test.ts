import * as https from 'node:https';
import { createServerTls } from '../../../../conformance/emulator/azure/server-tls';
import { EmulatorHttpRequest, EmulatorHttpResponse, LoopbackServer, MAX_BODY_BYTES } from '../../../../conformance/emulator/http/loopback-server';

const internalError = (message: string, status = 500): EmulatorHttpResponse => ({ status, headers: { 'content-type': 'text/plain' }, body: message });

describe('LoopbackServer', () => {
  test('binds 127.0.0.1 and hands the handler the whole request: method, path, query, lowercased headers, body', async () => {
    const seen: EmulatorHttpRequest[] = [];
    const server = new LoopbackServer({
      handle: (request) => {
        seen.push(request);
        return { status: 201, headers: { 'x-answer': 'yes' }, body: 'made' };
      },
      internalError,
    });
    const origin = await server.listen();
    try {
      expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.origin).toBe(origin);
      const response = await fetch(`${origin}/v1/token?a=1&a=2`, { method: 'POST', headers: { 'X-Custom': 'v' }, body: 'grant_type=x' });
      expect(response.status).toBe(201);
      expect(response.headers.get('x-answer')).toBe('yes');
      expect(await response.text()).toBe('made');
      // Framed by length, not chunked: one write per answer, nothing for the client to reassemble.
      expect(response.headers.get('content-length')).toBe('4');
      expect(response.headers.get('transfer-encoding')).toBeNull();
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ method: 'POST', path: '/v1/token', query: [['a', '1'], ['a', '2']], body: 'grant_type=x' });
      expect(seen[0].headers['x-custom']).toBe('v');
      // Another loopback address reaches this host, but not a socket bound to 127.0.0.1 alone.
      await expect(fetch(origin.replace('127.0.0.1', '127.0.0.2'))).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    } finally {
      await server.close();
    }
  });

  test('Content-Length counts bytes, not characters: a UTF-8 body arrives whole', async () => {
    const server = new LoopbackServer({ handle: () => ({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'café ✓' }), internalError });
    const origin = await server.listen();
    try {
      const response = await fetch(`${origin}/`);
      expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength('café ✓')));
      expect(await response.text()).toBe('café ✓');
    } finally {
      await server.close();
    }
  });

  test("a handler that throws gets the cloud's internal error, and the answer is still reported", async () => {
    const answered: Array<[string, number]> = [];
    const server = new LoopbackServer({
      handle: () => {
        throw new Error('no such table');
      },
      internalError,
      answered: (request, response) => answered.push([request.path, response.status]),
    });
    const origin = await server.listen();
    try {
      const response = await fetch(`${origin}/broken`);
      expect(response.status).toBe(500);
      expect(await response.text()).toBe('emulator error: no such table');
      expect(answered).toEqual([['/broken', 500]]);
    } finally {
      await server.close();
    }
  });

  test('a body over the limit is refused with 413 without reaching the handler; a failing request log costs no answer', async () => {
    let handled = 0;
    const server = new LoopbackServer({
      handle: () => {
        handled++;
        return { status: 200, headers: {}, body: 'ok' };
      },
      internalError,
      answered: () => {
        throw new Error('log full');
      },
    });
    const origin = await server.listen();
    try {
      const big = await fetch(`${origin}/v1/token`, { method: 'POST', body: 'x'.repeat(MAX_BODY_BYTES + 1) });
      expect(big.status).toBe(413);
      expect(handled).toBe(0);
      const small = await fetch(`${origin}/v1/token`, { method: 'POST', body: 'x' });
      expect([small.status, await small.text()]).toEqual([200, 'ok']);
    } finally {
      await server.close();
    }
  });

  test('serves HTTPS with the given certificate, which a client trusting its CA accepts', async () => {
    const tls = await createServerTls();
    const server = new LoopbackServer({ handle: () => ({ status: 200, headers: {}, body: 'over tls' }), internalError, tls });
    const origin = await server.listen();
    try {
      expect(origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        https.get(`${origin}/`, { ca: tls.caPem }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).toBe('over tls');
    } finally {
      await server.close();
    }
  });
});
