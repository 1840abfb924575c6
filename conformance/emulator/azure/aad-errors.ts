import * as crypto from 'node:crypto';
import { AadErrorSpec } from '../../../lib/model/azure/aad-errors';
import { EmulatorHttpResponse } from '../http/loopback-server';

export { AADSTS, type AadErrorName, type AadErrorSpec } from '../../../lib/model/azure/aad-errors';

export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store, no-cache' } as const;

/** `2024-03-01 07:41:07Z`, as Entra writes timestamps in errors. */
const entraTimestamp = (now: Date) => `${now.toISOString().slice(0, 19).replace('T', ' ')}Z`;

/**
 * An Entra error response: `error`, `error_description` starting `AADSTSnnnn: `, `error_codes`
 * and the trace fields, with the description's trailer as Entra writes it.
 */
export function aadError(spec: AadErrorSpec, message: string, now: Date, authorityHost: string): EmulatorHttpResponse {
  const traceId = crypto.randomUUID();
  const correlationId = crypto.randomUUID();
  const timestamp = entraTimestamp(now);
  const body = {
    error: spec.error,
    error_description: `AADSTS${spec.code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [spec.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${authorityHost}/error?code=${spec.code}`,
  };
  return { status: spec.status, headers: JSON_HEADERS, body: JSON.stringify(body) };
}
