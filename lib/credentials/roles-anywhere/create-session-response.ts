import type * as http from 'node:http';
import type { AwsCredentialIdentity } from '@smithy/types';

/**
 * A failed CreateSession call. For an answer in the service's error format, `message` is the
 * service's own message and `code` its error type; for anything else (a proxy's HTML page, an
 * empty or garbled body, no answer at all) `message` says what arrived instead.
 */
export class CreateSessionError extends Error {
  /** The HTTP status; undefined when no answer arrived. */
  public readonly status: number | undefined;
  /**
   * The service's error type (`AccessDeniedException`, `ValidationException`,
   * `ResourceNotFoundException`, `ThrottlingException`, …), or one of this client's:
   * `NonAwsResponse` (an error status whose body is not an AWS error: HTML, empty, unparseable),
   * `InvalidResponse` (a 2xx without usable credentials), `NetworkError`, `TimeoutError`, or
   * `UnknownError` (an AWS-style JSON error without a type).
   */
  public readonly code: string;
  /** `x-amzn-RequestId`, when the service sent one. */
  public readonly requestId: string | undefined;
  /** The first bytes of the body (at most 200 characters, secrets redacted), when it was not an AWS error. */
  public readonly bodyExcerpt: string | undefined;
  /** How many CreateSession requests were sent before giving up; undefined outside fromRolesAnywhere's retries. */
  public readonly attempts: number | undefined;
  /** The answer's Retry-After header, when it had one. */
  public readonly retryAfter: string | undefined;

  constructor(details: { status: number | undefined; code: string; message: string; requestId?: string; bodyExcerpt?: string; attempts?: number; retryAfter?: string; cause?: unknown }) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'CreateSessionError';
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
    this.bodyExcerpt = details.bodyExcerpt;
    this.attempts = details.attempts;
    this.retryAfter = details.retryAfter;
  }
}

/** An HTTP answer to CreateSession, as read off the wire. */
export interface CreateSessionHttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** Long enough to recognise a WAF page or a proxy's message, short enough for a log line. */
export const BODY_EXCERPT_CHARS = 200;

/**
 * Reads a CreateSession answer: credentials from a 2xx, a CreateSessionError from anything else.
 * Credentials whose expiration is not after `now` are refused: they cannot sign anything, and a
 * caller caching them would fail on every request until the next refresh.
 */
export function parseCreateSessionResponse(answer: CreateSessionHttpAnswer, now: Date = new Date()): AwsCredentialIdentity {
  const requestId = headerValue(answer.headers['x-amzn-requestid']);
  const json = parseJson(answer.body);
  if (answer.status < 200 || answer.status >= 300) throw errorFromAnswer(answer, json, requestId);

  const invalid = (what: string, bodyExcerpt?: string): never => {
    throw new CreateSessionError({ status: answer.status, code: 'InvalidResponse', message: `CreateSession answered HTTP ${answer.status} but ${what}`, requestId, bodyExcerpt });
  };
  if (json === undefined) {
    const excerpt = bodyExcerpt(answer.body);
    invalid(answer.body.length === 0 ? 'with an empty body' : `with a body that is not JSON (${describeContentType(answer)}), starting: ${JSON.stringify(excerpt)}`, excerpt);
  }
  const set = (json as { credentialSet?: unknown } | undefined)?.credentialSet;
  if (!Array.isArray(set) || set.length === 0) invalid('with no credentialSet');
  const credentials = (set as Array<{ credentials?: Record<string, unknown> }>)[0]?.credentials;
  if (typeof credentials !== 'object' || credentials === null) invalid('credentialSet[0] has no credentials');
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = credentials as Record<string, unknown>;
  for (const [name, value] of Object.entries({ accessKeyId, secretAccessKey, sessionToken, expiration })) {
    if (typeof value !== 'string' || value.length === 0) invalid(`credentials.${name} is missing`);
  }
  const expires = new Date(expiration as string);
  if (Number.isNaN(expires.getTime())) invalid(`credentials.expiration ${JSON.stringify(expiration)} is not a timestamp`);
  if (expires.getTime() <= now.getTime()) {
    invalid(`credentials.expiration ${expires.toISOString()} is already past (the clock here reads ${now.toISOString()}); refusing credentials that cannot be used — if the service's time is right, this host's clock is wrong`);
  }
  return { accessKeyId: accessKeyId as string, secretAccessKey: secretAccessKey as string, sessionToken: sessionToken as string, expiration: expires };
}

/**
 * The error of a non-2xx answer. An AWS error has its type in x-amzn-ErrorType or the body's
 * `__type`/`code`, and a `message`; anything else did not come from the service's error model
 * (usually a proxy, firewall, WAF or load balancer answered) and says so, with an excerpt.
 */
function errorFromAnswer(answer: CreateSessionHttpAnswer, json: unknown, requestId: string | undefined): CreateSessionError {
  const body = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  const headerCode = errorCode(headerValue(answer.headers['x-amzn-errortype']));
  const bodyCode = errorCode([body?.__type, body?.code, body?.Code].find((c): c is string => typeof c === 'string'));
  const serviceMessage = [body?.message, body?.Message].find((m): m is string => typeof m === 'string' && m.length > 0);
  const retryAfter = headerValue(answer.headers['retry-after']);
  if (headerCode !== undefined || bodyCode !== undefined || serviceMessage !== undefined) {
    const code = headerCode ?? bodyCode ?? 'UnknownError';
    return new CreateSessionError({ status: answer.status, code, message: serviceMessage ?? `HTTP ${answer.status} ${code} with no error message`, requestId, retryAfter });
  }
  const excerpt = bodyExcerpt(answer.body);
  const what = answer.body.trim().length === 0 ? 'an empty body' : `${/html/i.test(describeContentType(answer)) || /^\s*<(!doctype|html)/i.test(answer.body) ? 'an HTML page' : 'a body'} (${describeContentType(answer)}) starting ${JSON.stringify(excerpt)}`;
  return new CreateSessionError({
    status: answer.status,
    code: 'NonAwsResponse',
    message: `CreateSession answered HTTP ${answer.status} with ${what}, which is not an AWS error response: something between this host and the endpoint (a proxy, firewall, WAF or load balancer) probably answered instead of IAM Roles Anywhere`,
    requestId,
    bodyExcerpt: excerpt.length > 0 ? excerpt : undefined,
    retryAfter,
  });
}

function parseJson(body: string): unknown {
  if (body.trim().length === 0) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function describeContentType(answer: CreateSessionHttpAnswer): string {
  const type = headerValue(answer.headers['content-type']);
  return type ? `content-type ${type}` : 'no content-type';
}

// A body may carry credentials (a 2xx cut short, a proxy echoing the request): the values of
// secret-looking fields, access key IDs and long base64 runs never reach a message or a log.
const SECRET_FIELD = String.raw`[\w-]*(?:secret|token|password|credential|signature|authorization|private|key)[\w-]*`;
const REDACTIONS: ReadonlyArray<[RegExp, string]> = [
  [new RegExp(String.raw`("${SECRET_FIELD}"\s*:\s*)"(?:[^"\\]|\\.)*"?`, 'gi'), '$1"[redacted]"'],
  [new RegExp(String.raw`(<(${SECRET_FIELD})>)[^<]*`, 'gi'), '$1[redacted]'],
  [new RegExp(String.raw`(\b${SECRET_FIELD}\s*[=:]\s*)[^\s&,;"'<]+`, 'gi'), '$1[redacted]'],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{12,}/g, '[redacted]'],
  [/[A-Za-z0-9+/=_-]{40,}/g, '[redacted]'],
];

/** The start of a body for an error message: whitespace collapsed, secrets redacted, capped. */
export function bodyExcerpt(body: string): string {
  // Redact before cutting, so a cut cannot leave half a secret behind a field name it removed.
  let text = body.slice(0, BODY_EXCERPT_CHARS * 20).replace(/\s+/g, ' ').trim();
  for (const [pattern, replacement] of REDACTIONS) text = text.replace(pattern, replacement);
  return text.length > BODY_EXCERPT_CHARS ? `${text.slice(0, BODY_EXCERPT_CHARS - 1)}…` : text;
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `AccessDeniedException:http://internal.amazon.com/...` or `com.amazonaws.rolesanywhere#AccessDeniedException` → `AccessDeniedException`. */
function errorCode(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const code = raw.split(':')[0].split('#').pop()!.trim();
  return code.length > 0 ? code : undefined;
}
