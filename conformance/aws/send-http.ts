import * as http from 'node:http';
import * as https from 'node:https';
import { probeSignal } from '../engine/probe-scope';
import { HttpOutcome } from './http-outcome';

/** The longest one exchange may take, connection to last byte of the body. */
export const REQUEST_DEADLINE_MS = 15_000;

/**
 * Sends a request exactly as given (headers included: the signature covers them). `deadlineMs`
 * bounds the whole exchange, not the gaps between bytes: an answer dripped slowly still ends in
 * a network error by the deadline. An interrupted run (the running check's abort signal) sends
 * nothing, and abandons a request in flight.
 */
export function sendHttp(url: string, method: string, headers: Readonly<Record<string, string>>, body: string, deadlineMs = REQUEST_DEADLINE_MS, options: https.RequestOptions = {}): Promise<HttpOutcome> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  const signal = probeSignal();
  if (signal?.aborted) return Promise.resolve({ kind: 'network-error', error: 'interrupted: not sent' });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: HttpOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const request = client.request(target, { ...options, method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('error', (e) => settle({ kind: 'network-error', error: e.message }));
      response.on('end', () => {
        const lower: Record<string, string> = {};
        for (const [k, v] of Object.entries(response.headers)) if (v !== undefined) lower[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
        settle({ kind: 'response', status: response.statusCode ?? 0, headers: lower, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    const deadline = setTimeout(() => {
      settle({ kind: 'network-error', error: `no complete answer within ${deadlineMs} ms` });
      request.destroy();
    }, deadlineMs);
    const onAbort = () => {
      settle({ kind: 'network-error', error: 'interrupted: the answer was abandoned' });
      request.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (e) => settle({ kind: 'network-error', error: e.message }));
    request.end(body);
  });
}
