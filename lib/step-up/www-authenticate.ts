/**
 * `WWW-Authenticate`, both ways: parsing a header into challenges (RFC 9110 §11.6.1, §11.2, §5.6)
 * and writing the Bearer challenges of RFC 6750 §3 and RFC 9470 §3.
 *
 * The parser is strict where leniency would let a server's header mean two things: a parameter
 * named twice in one challenge (RFC 9110 §11.2: "MUST only occur once"), an unterminated quoted
 * string, a control character, or a header longer than a limit all make the whole header
 * unusable rather than half-read. Commas inside quoted strings are data, not separators.
 */

/** One challenge: its scheme (lowercase), its parameters (names lowercase), or its token68. */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
  readonly token68?: string;
}

/** The header could not be read; `reason` says where. */
export class ChallengeParseError extends Error {
  constructor(public readonly reason: string) {
    super(`WWW-Authenticate cannot be read: ${reason}`);
    this.name = 'ChallengeParseError';
  }
}

/** A header longer than this is refused unread. */
export const MAX_WWW_AUTHENTICATE_LENGTH = 8192;

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/** A cursor over the header text. */
class Reader {
  public i = 0;
  constructor(public readonly s: string) {}
  get done(): boolean {
    return this.i >= this.s.length;
  }
  peek(offset = 0): string {
    return this.s[this.i + offset] ?? '';
  }
  /** Skips optional whitespace (SP / HTAB); returns how many characters it skipped. */
  ows(): number {
    const start = this.i;
    while (this.peek() === ' ' || this.peek() === '\t') this.i++;
    return this.i - start;
  }
  token(): string {
    const start = this.i;
    while (!this.done && TCHAR.test(this.peek())) this.i++;
    return this.s.slice(start, this.i);
  }
}

/** Reads a quoted-string at the cursor (on its opening quote) and returns its unescaped value. */
function quotedString(r: Reader): string {
  r.i++; // the opening DQUOTE
  let value = '';
  for (;;) {
    if (r.done) throw new ChallengeParseError(`an unterminated quoted string at character ${r.i}`);
    const c = r.peek();
    const code = c.charCodeAt(0);
    if (c === '"') {
      r.i++;
      return value;
    }
    if (c === '\\') {
      const next = r.peek(1);
      if (next === '' || !isQuotable(next.charCodeAt(0))) throw new ChallengeParseError(`a backslash escapes nothing quotable at character ${r.i}`);
      value += next;
      r.i += 2;
      continue;
    }
    if (!isQdtext(code)) throw new ChallengeParseError(`a control character (0x${code.toString(16).padStart(2, '0')}) in a quoted string at character ${r.i}`);
    value += c;
    r.i++;
  }
}

// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
const isQdtext = (code: number) => code === 0x09 || code === 0x20 || code === 0x21 || (code >= 0x23 && code <= 0x5b) || (code >= 0x5d && code <= 0x7e) || (code >= 0x80 && code <= 0xff);
// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
const isQuotable = (code: number) => code === 0x09 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff);

/**
 * Whether the cursor, after a comma, starts an auth-param (`token BWS "="` followed by a value)
 * rather than the next challenge (`scheme` followed by space, comma or the end).
 */
function atAuthParam(r: Reader): boolean {
  const save = r.i;
  const name = r.token();
  r.ows();
  const isParam = name.length > 0 && r.peek() === '=';
  r.i = save;
  return isParam;
}

/** Tries a token68 (followed only by whitespace, a comma or the end); leaves the cursor unmoved when there is none. */
function token68(r: Reader): string | undefined {
  const save = r.i;
  while (!r.done && TOKEN68_CHAR.test(r.peek())) r.i++;
  if (r.i === save) return undefined;
  while (r.peek() === '=') r.i++;
  const value = r.s.slice(save, r.i);
  r.ows();
  if (r.done || r.peek() === ',') return value;
  r.i = save;
  return undefined;
}

/**
 * Parses a `WWW-Authenticate` field value (several header lines joined with ", " are one value)
 * into its challenges, in order. Throws ChallengeParseError on anything malformed.
 */
export function parseWwwAuthenticate(header: string, options: { readonly maxLength?: number } = {}): Challenge[] {
  const maxLength = options.maxLength ?? MAX_WWW_AUTHENTICATE_LENGTH;
  if (typeof header !== 'string') throw new ChallengeParseError('it is not a string');
  if (header.length > maxLength) throw new ChallengeParseError(`it is ${header.length} characters long, over the limit of ${maxLength}`);
  const r = new Reader(header);
  const challenges: Challenge[] = [];
  const skipSeparators = () => {
    for (;;) {
      r.ows();
      if (r.peek() !== ',') return;
      r.i++;
    }
  };
  skipSeparators();
  while (!r.done) {
    const scheme = r.token();
    if (!scheme) throw new ChallengeParseError(`an auth-scheme was expected at character ${r.i}`);
    const params: Record<string, string> = {};
    let t68: string | undefined;
    const spaces = r.ows();
    if (!r.done && r.peek() !== ',') {
      if (spaces === 0) throw new ChallengeParseError(`the scheme "${scheme}" is not followed by a space at character ${r.i}`);
      t68 = token68(r);
      if (t68 === undefined) {
        // #auth-param: a comma-separated list that ends where the next challenge begins.
        for (;;) {
          const name = r.token().toLowerCase();
          if (!name) throw new ChallengeParseError(`a parameter name was expected at character ${r.i}`);
          r.ows();
          if (r.peek() !== '=') throw new ChallengeParseError(`"=" was expected after the parameter "${name}" at character ${r.i}`);
          r.i++;
          r.ows();
          let value: string;
          if (r.peek() === '"') value = quotedString(r);
          else {
            value = r.token();
            if (!value) throw new ChallengeParseError(`the parameter "${name}" has no value at character ${r.i}`);
          }
          if (Object.prototype.hasOwnProperty.call(params, name)) throw new ChallengeParseError(`the parameter "${name}" appears twice in one ${scheme} challenge`);
          params[name] = value;
          r.ows();
          if (r.done) break;
          if (r.peek() !== ',') throw new ChallengeParseError(`a comma was expected at character ${r.i}`);
          skipSeparators();
          if (r.done || !atAuthParam(r)) break;
        }
      }
    }
    challenges.push({ scheme: scheme.toLowerCase(), params, ...(t68 !== undefined ? { token68: t68 } : {}) });
    skipSeparators();
  }
  return challenges;
}

/** RFC 6750 §3: the characters `error` and `error_description` may hold (%x20-21 / %x23-5B / %x5D-7E). */
export const isErrorText = (text: string) => /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(text);
/** RFC 6749 NQCHAR without space: one scope token, one ACR value (%x21 / %x23-5B / %x5D-7E). */
export const isNqToken = (text: string) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(text);

/** Replaces what RFC 6750 does not allow in an error description, so no value can break out of its quotes. */
export function errorText(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?').slice(0, 300);
}

/** Quotes a value as an HTTP quoted-string, escaping `"` and `\`; refuses control characters. */
export function quote(value: string): string {
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) throw new Error(`a header value cannot carry control characters: ${JSON.stringify(value)}`);
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** What one Bearer challenge says (RFC 6750 §3, RFC 9470 §3, RFC 9728 §5.1). */
export interface BearerChallengeParams {
  readonly realm?: string;
  readonly error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'insufficient_user_authentication';
  readonly errorDescription?: string;
  /** Scope tokens, written space-separated. */
  readonly scope?: readonly string[];
  /** ACR values in order of preference, written space-separated. */
  readonly acrValues?: readonly string[];
  /** Seconds; written as a token, which RFC 9470 §3 allows. */
  readonly maxAge?: number;
  /** RFC 9728: the protected resource's metadata URL. */
  readonly resourceMetadata?: string;
}

/** Writes a Bearer challenge; every value is quoted or checked so none can add a parameter. */
export function formatBearerChallenge(p: BearerChallengeParams): string {
  const parts: string[] = [];
  if (p.realm !== undefined) parts.push(`realm=${quote(p.realm)}`);
  if (p.error !== undefined) parts.push(`error=${quote(p.error)}`);
  if (p.errorDescription !== undefined) parts.push(`error_description=${quote(errorText(p.errorDescription))}`);
  if (p.acrValues?.length) parts.push(`acr_values=${quote(checkedTokens(p.acrValues, 'acr_values').join(' '))}`);
  if (p.maxAge !== undefined) {
    if (!Number.isSafeInteger(p.maxAge) || p.maxAge < 0) throw new Error(`max_age must be a non-negative integer, not ${p.maxAge}`);
    parts.push(`max_age=${p.maxAge}`);
  }
  if (p.scope?.length) parts.push(`scope=${quote(checkedTokens(p.scope, 'scope').join(' '))}`);
  if (p.resourceMetadata !== undefined) parts.push(`resource_metadata=${quote(p.resourceMetadata)}`);
  return parts.length > 0 ? `Bearer ${parts.join(', ')}` : 'Bearer';
}

function checkedTokens(values: readonly string[], what: string): readonly string[] {
  for (const v of values) if (!isNqToken(v)) throw new Error(`a ${what} value must be printable ASCII without spaces, quotes or backslashes: ${JSON.stringify(v)}`);
  return values;
}

/** The error codes a Bearer challenge can carry that a client acts on. */
export type BearerError = NonNullable<BearerChallengeParams['error']>;

/** A Bearer (or DPoP) challenge as an agent reads it. */
export interface ReadBearerChallenge {
  readonly scheme: string;
  readonly error?: string;
  readonly errorDescription?: string;
  readonly realm?: string;
  readonly acrValues: readonly string[];
  readonly maxAge?: number;
  readonly scope: readonly string[];
  readonly resourceMetadata?: string;
  /**
   * Entra ID's claims challenge (`error="insufficient_claims", claims="<base64 JSON>"`): the
   * decoded claims request, as JSON text an MSAL-based source passes on as its `claims` parameter.
   */
  readonly claims?: string;
  /** The authentication context IDs (`acrs`, e.g. `c1`) the claims request asks for in the access token. */
  readonly claimsAcrs?: readonly string[];
}

/** The longest claims request accepted, decoded (Entra's are tens of bytes). */
const MAX_CLAIMS_LENGTH = 2048;
/** The members of an OpenID Connect claims request (OIDC Core §5.5). */
const CLAIMS_REQUEST_MEMBERS = new Set(['access_token', 'id_token', 'userinfo']);

/**
 * Decodes Entra's `claims` parameter: base64 (standard or URL-safe, padded or not) of a JSON
 * claims request. Anything else — not base64, not UTF-8, not JSON, not an object of
 * `access_token`/`id_token`/`userinfo` objects, nested past 4 levels, or over 2 KiB — is
 * unreadable, and an unreadable challenge is not obeyed.
 */
export function decodeClaimsChallenge(value: string): { readonly claims: string; readonly acrs: readonly string[] } {
  if (value.length > (MAX_CLAIMS_LENGTH * 4) / 3 + 4 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) throw new ChallengeParseError('claims is not base64 of at most 2 KiB');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  } catch {
    throw new ChallengeParseError('claims does not decode to UTF-8 text');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ChallengeParseError('claims does not decode to JSON');
  }
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(parsed) || Object.keys(parsed).length === 0 || !Object.entries(parsed).every(([k, v]) => CLAIMS_REQUEST_MEMBERS.has(k) && isObject(v))) {
    throw new ChallengeParseError('claims is not an OpenID Connect claims request (an object of access_token, id_token or userinfo objects)');
  }
  const depth = (v: unknown): number => (isObject(v) ? 1 + Math.max(0, ...Object.values(v).map(depth)) : Array.isArray(v) ? 1 + Math.max(0, ...v.map(depth)) : 0);
  if (depth(parsed) > 4) throw new ChallengeParseError('claims is nested deeper than a claims request is');
  const acrs = (parsed.access_token as Record<string, unknown>)?.acrs;
  const values = isObject(acrs) ? [...(typeof acrs.value === 'string' ? [acrs.value] : []), ...(Array.isArray(acrs.values) ? acrs.values.filter((v): v is string => typeof v === 'string') : [])] : [];
  for (const v of values) if (!isNqToken(v) || v.length > MAX_ITEM_LENGTH) throw new ChallengeParseError('claims asks for an acrs value with characters it cannot carry');
  return { claims: JSON.stringify(parsed), acrs: values };
}

/** Limits on what a challenge may ask for: a server cannot make an agent request 10 000 ACR values. */
const MAX_LIST_ITEMS = 32;
const MAX_ITEM_LENGTH = 512;
const MAX_AGE_LIMIT = 10 * 365 * 24 * 3600;

function spaceList(value: string | undefined, name: string): string[] {
  if (value === undefined) return [];
  const items = value.split(' ').filter((v) => v.length > 0);
  if (items.length > MAX_LIST_ITEMS) throw new ChallengeParseError(`${name} lists ${items.length} values, over the limit of ${MAX_LIST_ITEMS}`);
  for (const item of items) {
    if (item.length > MAX_ITEM_LENGTH) throw new ChallengeParseError(`a ${name} value is ${item.length} characters long, over the limit of ${MAX_ITEM_LENGTH}`);
    if (!isNqToken(item)) throw new ChallengeParseError(`${name} holds a value with characters it cannot carry`);
  }
  return items;
}

/**
 * The OAuth challenge of a response (RFC 6750 §3, RFC 9470 §3): the first Bearer or DPoP
 * challenge. Throws ChallengeParseError when the header is malformed, when two OAuth challenges
 * carry an `error` (which one would the agent obey?), or when `max_age` is not a non-negative
 * integer. Returns undefined when there is no OAuth challenge.
 */
export function readBearerChallenge(header: string): ReadBearerChallenge | undefined {
  const oauth = parseWwwAuthenticate(header).filter((c) => c.scheme === 'bearer' || c.scheme === 'dpop');
  if (oauth.length === 0) return undefined;
  const withError = oauth.filter((c) => c.params.error !== undefined);
  if (withError.length > 1) throw new ChallengeParseError(`${withError.length} OAuth challenges carry an error; which to answer is ambiguous`);
  const c = withError[0] ?? oauth[0];
  let maxAge: number | undefined;
  if (c.params.max_age !== undefined) {
    if (!/^\d{1,10}$/.test(c.params.max_age) || Number(c.params.max_age) > MAX_AGE_LIMIT) throw new ChallengeParseError(`max_age must be a non-negative integer of seconds, not ${JSON.stringify(c.params.max_age.slice(0, 40))}`);
    maxAge = Number(c.params.max_age);
  }
  return {
    scheme: c.scheme,
    ...(c.params.error !== undefined ? { error: c.params.error } : {}),
    ...(c.params.error_description !== undefined ? { errorDescription: c.params.error_description } : {}),
    ...(c.params.realm !== undefined ? { realm: c.params.realm } : {}),
    acrValues: spaceList(c.params.acr_values, 'acr_values'),
    ...(maxAge !== undefined ? { maxAge } : {}),
    scope: spaceList(c.params.scope, 'scope'),
    ...(c.params.resource_metadata !== undefined ? { resourceMetadata: c.params.resource_metadata } : {}),
    ...(c.params.claims !== undefined ? (({ claims, acrs }) => ({ claims, claimsAcrs: acrs }))(decodeClaimsChallenge(c.params.claims)) : {}),
  };
}
