import * as crypto from 'node:crypto';
import { AttestGateError } from '../../core/errors';

/*
 * The canonical request and string to sign of IAM Roles Anywhere's X.509 flavour of SigV4, as the
 * credential helper (aws_signing_helper/signer.go) builds them.
 *
 * Written by hand rather than taken from @smithy/signature-v4: smithy exposes these steps only as
 * protected members of an SDK-internal base class and brings ~10 MB of SDK runtime, and the
 * emulator needs the server half (parse an Authorization header, rebuild the canonical request
 * from what arrived on the wire), which smithy does not have. The tests hold these functions
 * byte-for-byte against smithy's.
 */

/** The signing name of the service, the third part of the credential scope. */
export const ROLES_ANYWHERE_SERVICE = 'rolesanywhere';
/** The last part of every SigV4 credential scope. */
export const SCOPE_TERMINATOR = 'aws4_request';
export const CREATE_SESSION_METHOD = 'POST';
export const CREATE_SESSION_PATH = '/sessions';

/**
 * The algorithms attestgate signs and verifies. Roles Anywhere also accepts `AWS4-X509-MLDSA`
 * (since 2026-02), which node:crypto on Node 20 cannot produce or check.
 */
export const SIGNING_ALGORITHMS = ['AWS4-X509-RSA-SHA256', 'AWS4-X509-ECDSA-SHA256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** Headers the credential helper never signs, even when present. */
export const UNSIGNED_HEADERS: ReadonlySet<string> = new Set(['authorization', 'user-agent', 'x-amzn-trace-id']);

/** Raised for a request whose signature parts cannot be read; the emulator answers these with 403. */
export class MalformedSignatureError extends AttestGateError {
  constructor(details: { where?: string; field: string; value: unknown; problem: string; fix: string }) {
    super({ where: details.where ?? 'Roles Anywhere request', ...details });
    this.name = 'MalformedSignatureError';
  }
}

/**
 * URI-encodes per RFC 3986 as SigV4 requires: every byte except the unreserved characters
 * `A-Z a-z 0-9 - _ . ~` becomes `%XX` (uppercase hex) of its UTF-8 encoding; a space is `%20`.
 */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Query parameters: a record (an array value repeats the name), or decoded name/value pairs such as a URLSearchParams. */
export type QueryInput = Readonly<Record<string, string | readonly string[] | undefined>> | Iterable<readonly [string, string]>;

function queryPairs(query: QueryInput): Array<[string, string]> {
  if (typeof (query as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return [...(query as Iterable<readonly [string, string]>)].map(([name, value]) => [name, value]);
  }
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(query as Record<string, string | readonly string[] | undefined>)) {
    if (value === undefined) continue;
    for (const one of typeof value === 'string' ? [value] : value) pairs.push([name, one]);
  }
  return pairs;
}

/**
 * The canonical query string: names and values RFC 3986-encoded, sorted by encoded name and then
 * by encoded value, joined with `&`. Empty when there are no parameters.
 *
 * Values are encoded once, as the credential helper (`url.Values.Encode` with `+` → `%20`) and
 * smithy do; the SigV4 guide's "double-encode `=` in values" is not what deployed clients send.
 * Give a URLSearchParams to canonicalize a query read off the wire (it decodes `+` to a space).
 */
export function canonicalQuery(query: QueryInput): string {
  return queryPairs(query)
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([n1, v1], [n2, v2]) => compareCodeUnits(n1, n2) || compareCodeUnits(v1, v2))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The canonical path: `.` and `..` segments resolved, empty segments dropped, each segment
 * RFC 3986-encoded. A path read off the wire is still percent-encoded, so its `%` become `%25`:
 * the "encode twice" of the SigV4 guide. `/sessions` stays `/sessions`.
 */
export function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `${path.startsWith('/') ? '/' : ''}${segments.map(uriEncode).join('/')}${trailing}`;
}

/** Request headers: any name case; an array holds the values of a repeated header, in order. */
export type HeaderInput = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The canonical form of the headers a signature covers. */
export interface CanonicalHeaders {
  /** Lowercase names, sorted. */
  readonly names: readonly string[];
  /** One `name:value\n` line per header, in `names` order. */
  readonly block: string;
  /** The names joined with `;`: the SignedHeaders of the Authorization header. */
  readonly signedHeaders: string;
}

/**
 * The canonical value of one header: each value trimmed with inner runs of spaces, tabs and line
 * breaks collapsed to one space; the values of a repeated header joined with `,`.
 */
export function canonicalHeaderValue(value: string | readonly string[]): string {
  return (typeof value === 'string' ? [value] : value).map((one) => one.replace(/[ \t\r\n]+/g, ' ').replace(/^ | $/g, '')).join(',');
}

/**
 * Canonicalizes request headers.
 *
 * Without `signedHeaderNames` (the signer's side) every header is signed except Authorization,
 * User-Agent and X-Amzn-Trace-Id, as the credential helper does. With them (the verifier's side,
 * from the Authorization header) exactly those headers are used, and a name the request does not
 * carry is an error.
 */
export function canonicalHeaders(headers: HeaderInput, signedHeaderNames?: readonly string[]): CanonicalHeaders {
  const values = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    values.set(lower, [...(values.get(lower) ?? []), ...(typeof value === 'string' ? [value] : value)]);
  }
  let names: string[];
  if (signedHeaderNames) {
    names = signedHeaderNames.map((name) => name.toLowerCase());
    const missing = names.find((name) => !values.has(name));
    if (missing !== undefined) {
      throw new MalformedSignatureError({
        field: 'SignedHeaders',
        value: missing,
        problem: 'names a header the request does not carry',
        fix: 'sign only headers that are sent, and send every header that is signed',
      });
    }
  } else {
    names = [...values.keys()].filter((name) => !UNSIGNED_HEADERS.has(name));
  }
  names = [...new Set(names)].sort(compareCodeUnits);
  return {
    names,
    block: names.map((name) => `${name}:${canonicalHeaderValue(values.get(name)!)}\n`).join(''),
    signedHeaders: names.join(';'),
  };
}

/** SHA-256 of the request body, lowercase hex; a string is hashed as UTF-8. */
export function payloadHash(body: string | Uint8Array): string {
  return crypto.createHash('sha256').update(body).digest('hex');
}

export interface CanonicalRequestParts {
  /** @default 'POST' */
  readonly method?: string;
  /** @default '/sessions' */
  readonly path?: string;
  readonly query: QueryInput;
  readonly headers: CanonicalHeaders;
  /** From {@link payloadHash}. */
  readonly payloadHash: string;
}

/**
 * The canonical request:
 * `METHOD\n<canonical path>\n<canonical query>\n<header lines, each ending in \n>\n<signed headers>\n<payload hash>`.
 */
export function canonicalRequest(parts: CanonicalRequestParts): string {
  return [
    parts.method ?? CREATE_SESSION_METHOD,
    canonicalPath(parts.path ?? CREATE_SESSION_PATH),
    canonicalQuery(parts.query),
    parts.headers.block,
    parts.headers.signedHeaders,
    parts.payloadHash,
  ].join('\n');
}

/** The X-Amz-Date form of a time: `YYYYMMDD'T'HHMMSS'Z'` in UTC, seconds truncated. */
export function formatAmzDate(date: Date): string {
  if (Number.isNaN(date.getTime())) {
    throw new AttestGateError({ where: 'formatAmzDate', field: 'date', value: String(date), problem: 'is not a valid time', fix: 'pass a valid Date' });
  }
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** Reads an X-Amz-Date value. Throws MalformedSignatureError unless it is a real UTC time in `YYYYMMDD'T'HHMMSS'Z'` form. */
export function parseAmzDate(value: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  const date = match ? new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`) : undefined;
  if (!match || !date || Number.isNaN(date.getTime()) || formatAmzDate(date) !== value) {
    throw new MalformedSignatureError({
      field: 'X-Amz-Date',
      value,
      problem: 'is not a UTC time in the form YYYYMMDDTHHMMSSZ',
      fix: 'send the signing time as e.g. 20260401T120000Z',
    });
  }
  return date;
}

/** Whether `yyyymmdd` names a real day. */
function isCalendarDay(text: string): boolean {
  if (!/^\d{8}$/.test(text)) return false;
  const day = new Date(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && formatAmzDate(day).slice(0, 8) === text;
}

/** The credential scope: `<yyyymmdd>/<region>/rolesanywhere/aws4_request`. */
export function credentialScope(shortDate: string, region: string): string {
  return `${shortDate}/${region}/${ROLES_ANYWHERE_SERVICE}/${SCOPE_TERMINATOR}`;
}

/** The string to sign: `<algorithm>\n<X-Amz-Date>\n<scope>\n<hex SHA-256 of the canonical request>`. */
export function stringToSign(algorithm: SigningAlgorithm, amzDate: string, scope: string, canonical: string): string {
  return `${algorithm}\n${amzDate}\n${scope}\n${payloadHash(canonical)}`;
}

/** The parts of an `Authorization` header of a CreateSession request. */
export interface AuthorizationHeader {
  readonly algorithm: SigningAlgorithm;
  readonly credential: {
    /** The leaf certificate's serial number in decimal, as sent. */
    readonly serialNumber: string;
    /** `yyyymmdd`. */
    readonly date: string;
    readonly region: string;
    /** Always `rolesanywhere`. */
    readonly service: string;
    /** Always `aws4_request`. */
    readonly terminator: string;
  };
  /** `<date>/<region>/rolesanywhere/aws4_request`. */
  readonly scope: string;
  /** Lowercase, sorted, unique. */
  readonly signedHeaders: readonly string[];
  /** Lowercase hex. */
  readonly signature: string;
}

/** Builds the Authorization header value. */
export function formatAuthorizationHeader(parts: {
  readonly algorithm: SigningAlgorithm;
  /** Decimal serial number of the leaf certificate. */
  readonly serialNumber: string;
  readonly scope: string;
  /** From {@link CanonicalHeaders.signedHeaders}. */
  readonly signedHeaders: string;
  /** Lowercase hex. */
  readonly signature: string;
}): string {
  return `${parts.algorithm} Credential=${parts.serialNumber}/${parts.scope}, SignedHeaders=${parts.signedHeaders}, Signature=${parts.signature}`;
}

const REGION = /^[a-z0-9]+(-[a-z0-9]+)+$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** Whether a string has the shape of an AWS region name (`us-east-1`, `us-gov-west-1`, `cn-north-1`). */
export function isRegionName(value: string): boolean {
  return REGION.test(value);
}

/**
 * Parses the Authorization header of a CreateSession request:
 * `<algorithm> Credential=<serial>/<yyyymmdd>/<region>/rolesanywhere/aws4_request, SignedHeaders=<a;b>, Signature=<hex>`.
 * The three components may come in any order, separated by `,` and optional spaces.
 *
 * @throws MalformedSignatureError naming the part that is wrong
 */
export function parseAuthorizationHeader(value: string): AuthorizationHeader {
  const fail = (field: string, bad: unknown, problem: string, fix: string): never => {
    throw new MalformedSignatureError({ where: 'Authorization header', field, value: bad, problem, fix });
  };
  if (typeof value !== 'string' || value.trim() === '') {
    fail('value', value, 'is empty', 'send `<algorithm> Credential=..., SignedHeaders=..., Signature=...`');
  }
  const text = value.trim();
  const space = text.search(/\s/);
  const algorithm = space === -1 ? text : text.slice(0, space);
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(algorithm)) {
    const why =
      algorithm === 'AWS4-X509-MLDSA'
        ? 'is accepted by Roles Anywhere but not by attestgate (node:crypto on Node 20 has no ML-DSA)'
        : algorithm === 'AWS4-HMAC-SHA256'
          ? 'is SigV4 with an access key; CreateSession is signed with the certificate key'
          : 'is not a supported algorithm';
    fail('algorithm', algorithm, why, `use ${SIGNING_ALGORITHMS.join(' or ')}`);
  }
  const components = new Map<string, string>();
  for (const item of (space === -1 ? '' : text.slice(space)).split(',')) {
    const part = item.trim();
    const equals = part.indexOf('=');
    const key = equals === -1 ? part : part.slice(0, equals);
    if (!['Credential', 'SignedHeaders', 'Signature'].includes(key)) {
      fail('component', part, 'is not one of Credential=, SignedHeaders=, Signature=', 'separate the three components with ", " and write each as Name=value');
    }
    if (components.has(key)) fail(key, part, 'appears twice', `send ${key} once`);
    components.set(key, part.slice(equals + 1));
  }
  for (const key of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!components.has(key)) fail(key, undefined, 'is missing', `add ${key}=... to the Authorization header`);
  }

  const credentialText = components.get('Credential')!;
  const parts = credentialText.split('/');
  if (parts.length !== 5) {
    fail('Credential', credentialText, `has ${parts.length} "/"-separated parts`, 'write it as <serial in decimal>/<yyyymmdd>/<region>/rolesanywhere/aws4_request');
  }
  const [serialNumber, date, region, service, terminator] = parts;
  if (!/^(0|[1-9][0-9]*)$/.test(serialNumber)) {
    fail('Credential serial number', serialNumber, 'is not a decimal integer without leading zeros', "send the leaf certificate's serial number in decimal");
  }
  if (!isCalendarDay(date)) {
    fail('Credential date', date, 'is not a date in the form yyyymmdd', 'send the day of X-Amz-Date, e.g. 20260401');
  }
  if (!REGION.test(region)) fail('Credential region', region, 'is not a region name', 'send the region of the trust anchor, e.g. us-east-1');
  if (service !== ROLES_ANYWHERE_SERVICE) fail('Credential service', service, `is not "${ROLES_ANYWHERE_SERVICE}"`, `sign for the service "${ROLES_ANYWHERE_SERVICE}"`);
  if (terminator !== SCOPE_TERMINATOR) fail('Credential terminator', terminator, `is not "${SCOPE_TERMINATOR}"`, `end the credential with "/${SCOPE_TERMINATOR}"`);

  const signedText = components.get('SignedHeaders')!;
  const signedHeaders = signedText.split(';');
  for (const [index, name] of signedHeaders.entries()) {
    if (!HEADER_NAME.test(name)) fail('SignedHeaders', signedText, `holds ${JSON.stringify(name)}, which is not a lowercase header name`, 'list lowercase header names separated by ";"');
    if (index > 0 && !(signedHeaders[index - 1] < name)) fail('SignedHeaders', signedText, 'is not sorted or repeats a name', 'list each signed header once, sorted');
  }

  const signature = components.get('Signature')!;
  if (!/^([0-9a-f]{2})+$/.test(signature)) fail('Signature', signature, 'is not lowercase hex of whole bytes', 'send the signature as lowercase hex');

  return {
    algorithm: algorithm as SigningAlgorithm,
    credential: { serialNumber, date, region, service, terminator },
    scope: credentialScope(date, region),
    signedHeaders,
    signature,
  };
}
