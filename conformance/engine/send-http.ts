import { HttpTransportError, sendRequest } from '../../lib/http/send-request';
import { probeSignal } from './probe-scope';
import { HttpOutcome } from './http-outcome';

/** The longest one exchange may take, connection to last byte of the body. */
export const REQUEST_DEADLINE_MS = 15_000;

/**
 * Sends a probe exactly as given (headers included: the signature covers them) over the one HTTP
 * client, and turns what happens into an outcome to judge: a response, or a network error —
 * never an exception. `deadlineMs` bounds the whole exchange; an interrupted run (the running
 * check's abort signal) sends nothing, and abandons a request in flight.
 */
export async function sendHttp(
  url: string,
  method: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  deadlineMs = REQUEST_DEADLINE_MS,
  tls: { readonly extraCa?: string } = {},
): Promise<HttpOutcome> {
  try {
    const answer = await sendRequest(url, { method, headers, body, deadlineMs, signal: probeSignal(), ...tls });
    return { kind: 'response', status: answer.status, headers: answer.headers, body: answer.body.toString('utf8') };
  } catch (error) {
    if (error instanceof HttpTransportError) return { kind: 'network-error', error: error.kind === 'aborted' ? `interrupted: ${error.message}` : error.message };
    return { kind: 'network-error', error: (error as Error).message };
  }
}
