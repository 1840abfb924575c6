import * as http from 'node:http';
import * as https from 'node:https';
import { HttpOutcome } from './http-outcome';

/** Sends a request exactly as given (headers included: the signature covers them). */
export function sendHttp(url: string, method: string, headers: Readonly<Record<string, string>>, body: string, timeoutMs = 15_000): Promise<HttpOutcome> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = client.request(target, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        const lower: Record<string, string> = {};
        for (const [k, v] of Object.entries(response.headers)) if (v !== undefined) lower[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
        resolve({ kind: 'response', status: response.statusCode ?? 0, headers: lower, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.on('timeout', () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    request.on('error', (e) => resolve({ kind: 'network-error', error: e.message }));
    request.end(body);
  });
}
