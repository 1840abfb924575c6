import { AttestGateError } from '../core/errors';
import { ACR, ProfileAcr, isProfileAcr } from './acr';
import { isNqToken } from './www-authenticate';

/** JWS algorithms a step-up policy may accept: asymmetric only. */
export type StepUpAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'Ed25519';
const ALGORITHMS: readonly StepUpAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** What an issuer is trusted to sign with when its entry names no algorithms. */
export const DEFAULT_ALGORITHMS: readonly StepUpAlgorithm[] = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

/** A JSON Web Key Set given inline. */
export interface InlineJwks {
  readonly keys: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** An issuer whose tokens the resource server accepts, and what its tokens mean. */
export interface TrustedIssuer {
  /** The exact `iss` of its tokens (SPIRE: the OIDC discovery provider's URL; Entra: `https://login.microsoftonline.com/{tid}/v2.0`). */
  readonly issuer: string;
  /** Where its signing keys are published (https, or http on loopback only). Exactly one of `jwksUri` and `jwks`. */
  readonly jwksUri?: string;
  /** Its signing keys, inline. */
  readonly jwks?: InlineJwks;
  /** The algorithms it signs with. @default RS256, PS256, ES256, ES384, EdDSA */
  readonly algorithms?: readonly StepUpAlgorithm[];
  /** The `typ` header its tokens must carry, e.g. `at+jwt` (RFC 9068). @default any */
  readonly typ?: string;
  /**
   * For an issuer that puts no `acr` in its tokens but verifies one by construction: the ACR
   * every token of it carries. A SPIRE server whose registration entries set
   * `jwt_svid_include_jti` mints a new JWT-SVID for each attestation: `ACR.ATTESTED_FRESH` with
   * `attestationTime: 'iat'`. Overrides an `acr` claim. @default the token's `acr` claim
   */
  readonly impliedAcr?: ProfileAcr;
  /**
   * The claim that says when the workload was attested. `iat` only for an issuer that signs a
   * new token at each attestation (a SPIRE agent serving cached JWT-SVIDs does not).
   * @default 'auth_time'
   */
  readonly attestationTime?: 'auth_time' | 'iat';
  /** CA certificates (PEM) to trust for its https JWKS besides Node's roots, e.g. an emulator's test CA. */
  readonly extraCa?: string;
  /**
   * Microsoft Entra ID: which ACR value each authentication context ID in its tokens' `acrs`
   * claim (c1 to c99) stands for — what the Conditional Access policy bound to that context
   * verifies, e.g. `{ c1: ACR.HUMAN_APPROVED }` for a context whose policy demands a person's
   * approval. A token of this issuer then presents its `acr` and each value its `acrs` maps to;
   * an ID not mapped here means nothing, and the guard's own checks still apply to a mapped
   * value (attested-fresh: the `jti`, once, and `max_age`; attested-hwk: `amr` `hwk`).
   * Explicit because the token does not say what a context requires: that is a tenant's policy.
   * A value outside the profile (`{ c1: 'c1' }`) lets an operation name the context itself.
   * @default `acrs` is not read
   */
  readonly authenticationContexts?: Readonly<Record<string, string>>;
}

/** An operation: which requests it covers, and what they require. */
export interface StepUpOperation {
  /** A stable name, used in events and to pin a route guard (`guard.express('destroy-stack')`). */
  readonly name: string;
  /** The HTTP method (any case), or `*`. With `route`. */
  readonly method?: string;
  /** A path pattern: literal segments, `:name` for one segment, a final `*` for the rest. With `method`. */
  readonly route?: string;
  /** An MCP tool name, for the MCP guard. Instead of `method`/`route`. */
  readonly tool?: string;
  /** ACR values, in order of preference, one of which the token must meet (RFC 9470 §3). @default none */
  readonly acr?: readonly string[];
  /** Seconds since the workload's attestation (RFC 9470 `max_age`). Required with `ACR.ATTESTED_FRESH`. */
  readonly maxAge?: number;
  /** Scopes the token must all carry (`scope` claim, or `scp`). @default none */
  readonly scopes?: readonly string[];
}

/** The largest clock tolerance a policy may set: more would stretch every max_age and expiry. */
export const MAX_CLOCK_TOLERANCE_SECONDS = 60;

export interface StepUpPolicy {
  /** This resource server's identifier: every accepted token's `aud` must include it. */
  readonly audience: string;
  /** The issuers whose tokens are accepted. With none, every token is refused. */
  readonly issuers: readonly TrustedIssuer[];
  /** The operations; a request takes the first one that covers it. */
  readonly operations: readonly StepUpOperation[];
  /**
   * A request no operation covers: `authenticate` (a valid token, nothing more) or `allow`
   * (passed through unauthenticated: health checks). @default 'authenticate'
   */
  readonly unmatched?: 'authenticate' | 'allow';
  /** Seconds of clock difference tolerated for `exp`, `nbf`, `iat` and `max_age` (≤ 60). @default 15 */
  readonly clockToleranceSeconds?: number;
  /** The challenge's `realm`. @default the audience */
  readonly realm?: string;
  /** RFC 9728: the URL of this resource's metadata, added to every challenge (MCP clients read it). */
  readonly resourceMetadata?: string;
}

/** A policy whose every part has been checked, with its defaults applied. */
export interface ResolvedPolicy {
  readonly audience: string;
  readonly issuers: ReadonlyArray<Required<Pick<TrustedIssuer, 'issuer' | 'algorithms' | 'attestationTime'>> & TrustedIssuer>;
  readonly operations: ReadonlyArray<ResolvedOperation>;
  readonly unmatched: 'authenticate' | 'allow';
  readonly clockToleranceSeconds: number;
  readonly realm: string;
  readonly resourceMetadata?: string;
}

export interface ResolvedOperation extends StepUpOperation {
  readonly acr: readonly string[];
  readonly scopes: readonly string[];
  /** The route's segments, for matching. */
  readonly segments?: readonly string[];
}

const WHERE = 'StepUpPolicy';

function bad(field: string, value: unknown, problem: string, fix: string): never {
  throw new AttestGateError({ where: WHERE, field, value, problem, fix });
}

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

function checkIssuer(entry: TrustedIssuer, i: number): ResolvedPolicy['issuers'][number] {
  const field = `issuers[${i}]`;
  if (typeof entry !== 'object' || entry === null) bad(field, entry, 'is not an object', 'give { issuer, jwksUri } or { issuer, jwks }');
  if (typeof entry.issuer !== 'string' || entry.issuer.length === 0) bad(`${field}.issuer`, entry.issuer, 'is not a non-empty string', "set the exact iss of the issuer's tokens");
  if ((entry.jwksUri === undefined) === (entry.jwks === undefined)) bad(`${field}`, entry.issuer, 'needs exactly one of jwksUri and jwks', "set jwksUri to the issuer's JWKS URL (its discovery document's jwks_uri), or jwks to its keys");
  if (entry.jwksUri !== undefined) {
    let url: URL;
    try {
      url = new URL(entry.jwksUri);
    } catch {
      bad(`${field}.jwksUri`, entry.jwksUri, 'is not a URL', 'give an absolute https URL');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) bad(`${field}.jwksUri`, entry.jwksUri, 'is not https', 'fetch signing keys over https (http is allowed on loopback only, for emulators)');
  }
  if (entry.jwks !== undefined && (!Array.isArray(entry.jwks.keys) || entry.jwks.keys.length === 0)) bad(`${field}.jwks`, entry.jwks, 'holds no keys', 'give the JWKS as the issuer publishes it: { keys: [...] }');
  const algorithms = entry.algorithms ?? DEFAULT_ALGORITHMS;
  if (!Array.isArray(algorithms) || algorithms.length === 0) bad(`${field}.algorithms`, algorithms, 'is empty', 'name the algorithms the issuer signs with, e.g. ["RS256"]');
  for (const alg of algorithms) {
    if (!ALGORITHMS.includes(alg)) bad(`${field}.algorithms`, alg, 'is not an asymmetric JWS algorithm', `use some of ${ALGORITHMS.join(', ')}: "none" and shared-secret HS* algorithms are never accepted`);
  }
  if (entry.impliedAcr !== undefined && !isProfileAcr(entry.impliedAcr)) bad(`${field}.impliedAcr`, entry.impliedAcr, 'is not a value of the attestgate ACR profile', 'use ACR.ATTESTED or ACR.ATTESTED_FRESH (see docs/step-up.md)');
  const attestationTime = entry.attestationTime ?? 'auth_time';
  if (attestationTime !== 'auth_time' && attestationTime !== 'iat') bad(`${field}.attestationTime`, attestationTime, "is neither 'auth_time' nor 'iat'", "use 'auth_time', or 'iat' for an issuer that mints a new token at each attestation");
  if (entry.authenticationContexts !== undefined) checkAuthenticationContexts(entry, field);
  return { ...entry, algorithms: [...algorithms], attestationTime };
}

/** Entra's authentication context IDs: c1 to c99 (Microsoft Graph, authenticationContextClassReference). */
const AUTH_CONTEXT_ID = /^c([1-9]|[1-9][0-9])$/;

function checkAuthenticationContexts(entry: TrustedIssuer, field: string): void {
  const contexts = entry.authenticationContexts;
  const f = `${field}.authenticationContexts`;
  if (typeof contexts !== 'object' || contexts === null || Array.isArray(contexts) || Object.keys(contexts).length === 0) {
    bad(f, contexts, 'is not a non-empty map of authentication context IDs to ACR values', 'map each ID your Conditional Access policies use to the ACR value its policy verifies, e.g. { c1: ACR.HUMAN_APPROVED }');
  }
  if (entry.impliedAcr !== undefined) bad(f, contexts, 'is set with impliedAcr, which overrides every ACR the token presents', 'use impliedAcr for an issuer that puts no ACR in its tokens (SPIRE), authenticationContexts for Entra ID; not both');
  for (const [id, value] of Object.entries(contexts)) {
    if (!AUTH_CONTEXT_ID.test(id)) bad(`${f}.${id}`, id, 'is not an Entra authentication context ID', 'use the IDs as Entra issues them in acrs: c1 to c99');
    if (typeof value !== 'string' || !isNqToken(value) || value.length > 512) bad(`${f}.${id}`, value, 'is not a usable ACR value', 'use a value of the profile (ACR.HUMAN_APPROVED, …) or the ID itself, printable ASCII without spaces or quotes');
  }
}

function checkTokens(values: unknown, field: string, what: string): string[] {
  if (values === undefined) return [];
  if (!Array.isArray(values)) bad(field, values, 'is not a list', `give a list of ${what}`);
  for (const v of values) {
    if (typeof v !== 'string' || !isNqToken(v) || v.length > 512) bad(field, v, `is not a usable ${what.replace(/s$/, '')}`, 'use printable ASCII without spaces, quotes or backslashes (RFC 6749 NQCHAR), at most 512 characters');
  }
  return [...values];
}

/** Splits a route pattern into segments; checks `*` is last and names are tokens. */
function routeSegments(route: string, field: string): string[] {
  if (!route.startsWith('/')) bad(field, route, 'does not start with "/"', 'write the path pattern from the root, e.g. "/stacks/:id"');
  const segments = route.split('/').filter((s) => s.length > 0);
  segments.forEach((s, i) => {
    if (s === '*' && i !== segments.length - 1) bad(field, route, 'has "*" before its last segment', 'use "*" only as the last segment');
    if (s.startsWith(':') && !/^:[A-Za-z_][A-Za-z0-9_]*$/.test(s)) bad(field, route, `has a malformed parameter segment "${s}"`, 'name parameters like ":id"');
  });
  return segments;
}

function checkOperation(op: StepUpOperation, i: number, names: Set<string>): ResolvedOperation {
  const field = `operations[${i}]`;
  if (typeof op !== 'object' || op === null) bad(field, op, 'is not an object', 'give { name, method, route, acr, maxAge } or { name, tool, acr, maxAge }');
  if (typeof op.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/.test(op.name)) bad(`${field}.name`, op.name, 'is not a name', 'use letters, digits and . _ : / - (at most 128 characters), e.g. "destroy-stack"');
  if (names.has(op.name)) bad(`${field}.name`, op.name, 'names two operations', 'give each operation its own name');
  names.add(op.name);
  const byRoute = op.route !== undefined || op.method !== undefined;
  if (byRoute === (op.tool !== undefined)) bad(field, op.name, 'needs either method and route, or tool', 'cover HTTP requests with { method, route } or an MCP tool with { tool }');
  let segments: string[] | undefined;
  if (byRoute) {
    if (typeof op.method !== 'string' || !(op.method === '*' || /^[A-Za-z]+$/.test(op.method))) bad(`${field}.method`, op.method, 'is not an HTTP method', 'use e.g. "DELETE", or "*" for any method');
    if (typeof op.route !== 'string') bad(`${field}.route`, op.route, 'is not a path pattern', 'use e.g. "/stacks/:id"');
    segments = routeSegments(op.route, `${field}.route`);
  } else if (typeof op.tool !== 'string' || op.tool.length === 0 || op.tool.length > 128) bad(`${field}.tool`, op.tool, 'is not a tool name', "use the MCP tool's name as the server registers it");
  const acr = checkTokens(op.acr, `${field}.acr`, 'ACR values');
  const scopes = checkTokens(op.scopes, `${field}.scopes`, 'scopes');
  if (op.maxAge !== undefined && (!Number.isSafeInteger(op.maxAge) || op.maxAge < 0)) bad(`${field}.maxAge`, op.maxAge, 'is not a non-negative whole number of seconds', 'give the seconds allowed since the attestation, e.g. 60');
  if (acr.includes(ACR.ATTESTED_FRESH) && op.maxAge === undefined) bad(`${field}.maxAge`, op.maxAge, `is unset while acr asks for ${ACR.ATTESTED_FRESH}`, 'say how fresh the attestation must be, e.g. maxAge: 60');
  return { ...op, acr, scopes, ...(op.method !== undefined ? { method: op.method.toUpperCase() } : {}), ...(segments ? { segments } : {}) };
}

/** Checks a policy and applies its defaults; throws AttestGateError on bad input. */
export function resolvePolicy(policy: StepUpPolicy): ResolvedPolicy {
  if (typeof policy !== 'object' || policy === null) bad('policy', policy, 'is not an object', 'give { audience, issuers, operations }');
  if (typeof policy.audience !== 'string' || policy.audience.length === 0) bad('audience', policy.audience, 'is not a non-empty string', "set this resource server's identifier, the aud its tokens are issued for");
  if (!Array.isArray(policy.issuers)) bad('issuers', policy.issuers, 'is not a list', 'list the trusted issuers (an empty list refuses every token)');
  if (!Array.isArray(policy.operations)) bad('operations', policy.operations, 'is not a list', 'list the operations and what each requires');
  const issuers = policy.issuers.map(checkIssuer);
  const seen = new Set<string>();
  for (const i of issuers) {
    if (seen.has(i.issuer)) bad('issuers', i.issuer, 'is listed twice', 'list each issuer once');
    seen.add(i.issuer);
  }
  const names = new Set<string>();
  const operations = policy.operations.map((op, i) => checkOperation(op, i, names));
  const unmatched = policy.unmatched ?? 'authenticate';
  if (unmatched !== 'authenticate' && unmatched !== 'allow') bad('unmatched', unmatched, "is neither 'authenticate' nor 'allow'", "use 'authenticate' (the default) or 'allow'");
  const tolerance = policy.clockToleranceSeconds ?? 15;
  if (!Number.isSafeInteger(tolerance) || tolerance < 0 || tolerance > MAX_CLOCK_TOLERANCE_SECONDS) bad('clockToleranceSeconds', tolerance, `is not a whole number from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}`, 'synchronize clocks (NTP) and keep the tolerance small');
  const realm = policy.realm ?? policy.audience;
  if (/[\x00-\x1f\x7f"\\]/.test(realm)) bad('realm', realm, 'holds quotes, backslashes or control characters', 'use a plain name');
  if (policy.resourceMetadata !== undefined && !/^https?:\/\/[\x21\x23-\x5b\x5d-\x7e]+$/.test(policy.resourceMetadata)) bad('resourceMetadata', policy.resourceMetadata, 'is not a URL', 'give the absolute URL of the resource metadata (RFC 9728)');
  return {
    audience: policy.audience,
    issuers,
    operations,
    unmatched,
    clockToleranceSeconds: tolerance,
    realm,
    ...(policy.resourceMetadata !== undefined ? { resourceMetadata: policy.resourceMetadata } : {}),
  };
}

/**
 * A request path as the route matcher sees it: resolved against the root (dot segments
 * removed, encoded ones too), percent-decoded per segment, empty segments dropped (`//a/` is `/a`) and lowercased.
 * Conservative on purpose: two spellings a server might route alike match alike, so a protected
 * route is not reached by a variant spelling. `undefined` for a path that cannot be decoded.
 */
export function pathSegments(path: string): string[] | undefined {
  let pathname: string;
  try {
    // Origin-form ("/a/b", and "//a/b" is a path, not a host) or absolute-form ("http://h/a/b").
    pathname = path.startsWith('/') ? new URL(`http://step-up.invalid${path}`).pathname : new URL(path).pathname;
  } catch {
    return undefined;
  }
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    if (raw.length === 0) continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    // A decoded slash or backslash splits the segment, and decoded dot segments move up, as on a
    // server that decodes before it routes.
    for (const part of segment.split(/[/\\]/)) {
      if (part.length === 0 || part === '.') continue;
      if (part === '..') segments.pop();
      else segments.push(part.toLowerCase());
    }
  }
  return segments;
}

/** Whether an operation's route covers a request path's segments. */
export function routeMatches(op: ResolvedOperation, segments: readonly string[]): boolean {
  const pattern = op.segments;
  if (!pattern) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p === '*') return true;
    if (i >= segments.length) return false;
    if (!p.startsWith(':') && p.toLowerCase() !== segments[i]) return false;
  }
  return pattern.length === segments.length;
}

/** The operation covering an HTTP request: the first whose method and route match. */
export function operationForRequest(policy: ResolvedPolicy, method: string, path: string): ResolvedOperation | undefined | 'bad-path' {
  const segments = pathSegments(path);
  if (!segments) return 'bad-path';
  const m = method.toUpperCase();
  return policy.operations.find((op) => op.segments && (op.method === '*' || op.method === m || (m === 'HEAD' && op.method === 'GET')) && routeMatches(op, segments));
}
