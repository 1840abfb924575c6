import { JWTPayload, createLocalJWKSet, createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { FetchImplementation, JWTVerifyGetKey } from 'jose';
import { sendRequest } from '../http/send-request';
import { AuthenticationFacts } from './acr';
import { ResolvedPolicy } from './policy';

type ResolvedIssuer = ResolvedPolicy['issuers'][number];

/** A token longer than this is refused unread. */
export const MAX_TOKEN_LENGTH = 16_384;
const MAX_JTI_LENGTH = 256;
const MAX_CLAIM_ECHO = 256;

/** The token was verified: its issuer, claims, and what they say about the authentication. */
export interface ValidToken {
  readonly kind: 'valid';
  readonly issuer: string;
  readonly subject: string;
  readonly claims: JWTPayload;
  readonly facts: AuthenticationFacts;
  /** Seconds since the attestation, when the token says when it was. */
  readonly attestationAgeSeconds?: number;
  /** When the token expires, in seconds since the epoch. */
  readonly expiresAt: number;
}

/** The token is not one the policy accepts; `claimed*` are its unverified claims, for the event only. */
export interface InvalidToken {
  readonly kind: 'invalid';
  readonly reason: string;
  /** Whether it is only expired (its description says so: the agent gets a new one). */
  readonly expired?: boolean;
  readonly claimedIssuer?: string;
  readonly claimedSubject?: string;
}

/** The token could not be judged: the issuer's keys could not be had. */
export interface KeysUnavailable {
  readonly kind: 'unavailable';
  readonly reason: string;
}

export type Verification = ValidToken | InvalidToken | KeysUnavailable;

/** The issuer's JWKS could not be fetched or read. */
class KeysUnavailableError extends Error {}

function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}

/**
 * jose's remote JWKS fetches through attestgate's one HTTP client: a whole-exchange deadline, a
 * size limit, proxies from the environment, an extra CA; a failure is told apart from a bad token.
 */
function jwksFetch(extraCa: string | undefined): FetchImplementation {
  return async (url, options) => {
    let answer;
    try {
      answer = await sendRequest(url, {
        method: 'GET',
        headers: headerRecord(options.headers),
        deadlineMs: 5000,
        signal: options.signal,
        maxResponseBytes: 512 * 1024,
        ...(extraCa ? { extraCa } : {}),
      });
    } catch (e) {
      throw new KeysUnavailableError(`the JWKS at ${url} could not be fetched: ${(e as Error).message}`);
    }
    if (answer.status !== 200) throw new KeysUnavailableError(`the JWKS at ${url} answered HTTP ${answer.status}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body.toString('utf8'));
    } catch {
      throw new KeysUnavailableError(`the JWKS at ${url} is not JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { keys?: unknown }).keys)) throw new KeysUnavailableError(`the JWKS at ${url} has no keys list`);
    return new Response(JSON.stringify(parsed), { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, MAX_CLAIM_ECHO) : undefined);

/** Why jose refused a token, in words for the event (never for the challenge's description). */
function refusalReason(e: unknown): string {
  if (e instanceof errors.JWTExpired) return 'the token has expired';
  if (e instanceof errors.JWTClaimValidationFailed) return `the token's ${e.claim} claim is not acceptable (${e.reason})`;
  if (e instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (e instanceof errors.JWKSNoMatchingKey) return "the token is signed with a key its issuer does not publish";
  if (e instanceof errors.JWKSMultipleMatchingKeys) return "the token's key is ambiguous in its issuer's JWKS";
  if (e instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not allowed for its issuer";
  if (e instanceof errors.JOSENotSupported) return "the token's algorithm or key is not supported";
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return 'the token is malformed';
  return `the token was refused (${(e as Error)?.message ?? String(e)})`;
}

/**
 * Verifies bearer tokens against a policy's trusted issuers with jose: the signature by a key
 * the issuer publishes, the allowed algorithms, `iss`, `aud`, `exp`, `nbf`, `sub`, `typ` — and
 * reads what the token says about the workload's attestation.
 */
export class TokenVerifier {
  private readonly keys = new Map<string, JWTVerifyGetKey>();

  constructor(
    private readonly policy: ResolvedPolicy,
    private readonly nowMs: () => number = Date.now,
  ) {
    for (const issuer of policy.issuers) {
      this.keys.set(
        issuer.issuer,
        issuer.jwks
          ? (createLocalJWKSet(issuer.jwks as Parameters<typeof createLocalJWKSet>[0]) as JWTVerifyGetKey)
          : (createRemoteJWKSet(new URL(issuer.jwksUri!), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000, [customFetch]: jwksFetch(issuer.extraCa) }) as JWTVerifyGetKey),
      );
    }
  }

  async verify(token: string): Promise<Verification> {
    if (token.length > MAX_TOKEN_LENGTH) return { kind: 'invalid', reason: `the token is longer than ${MAX_TOKEN_LENGTH} characters` };
    let claimed: JWTPayload;
    try {
      decodeProtectedHeader(token);
      claimed = decodeJwt(token);
    } catch {
      return { kind: 'invalid', reason: 'the token is not a JWT' };
    }
    const unverified = { ...(str(claimed.iss) ? { claimedIssuer: str(claimed.iss) } : {}), ...(str(claimed.sub) ? { claimedSubject: str(claimed.sub) } : {}) };
    const issuer = this.policy.issuers.find((i) => i.issuer === claimed.iss);
    if (!issuer) return { kind: 'invalid', reason: 'the token is not from a trusted issuer', ...unverified };
    const now = this.nowMs();
    let verified: JWTPayload;
    try {
      ({ payload: verified } = await jwtVerify(token, this.keys.get(issuer.issuer)!, {
        issuer: issuer.issuer,
        audience: this.policy.audience,
        algorithms: [...issuer.algorithms],
        clockTolerance: this.policy.clockToleranceSeconds,
        currentDate: new Date(now),
        requiredClaims: ['exp', 'sub'],
        ...(issuer.typ ? { typ: issuer.typ } : {}),
      }));
    } catch (e) {
      if (e instanceof KeysUnavailableError || e instanceof errors.JWKSTimeout) return { kind: 'unavailable', reason: e instanceof KeysUnavailableError ? e.message : `the JWKS of ${issuer.issuer} did not answer in time` };
      return { kind: 'invalid', reason: refusalReason(e), ...(e instanceof errors.JWTExpired ? { expired: true } : {}), ...unverified };
    }
    return this.read(issuer, verified, now);
  }

  /** What a verified token says about the attestation. */
  private read(issuer: ResolvedIssuer, claims: JWTPayload, nowMs: number): Verification {
    const nowSeconds = Math.floor(nowMs / 1000);
    const subject = claims.sub!;
    if (typeof subject !== 'string' || subject.length === 0) return { kind: 'invalid', reason: 'the token has no subject', claimedIssuer: issuer.issuer };
    const time = claims[issuer.attestationTime];
    let attestedAt: number | undefined;
    if (time !== undefined) {
      if (typeof time !== 'number' || !Number.isFinite(time)) return { kind: 'invalid', reason: `the token's ${issuer.attestationTime} is not a number`, claimedIssuer: issuer.issuer, claimedSubject: subject.slice(0, MAX_CLAIM_ECHO) };
      if (time > nowSeconds + this.policy.clockToleranceSeconds) return { kind: 'invalid', reason: `the token's ${issuer.attestationTime} is in the future`, claimedIssuer: issuer.issuer, claimedSubject: subject.slice(0, MAX_CLAIM_ECHO) };
      attestedAt = Math.floor(time);
    }
    const acr = issuer.impliedAcr ?? (typeof claims.acr === 'string' && claims.acr.length > 0 ? claims.acr : undefined);
    const amr = Array.isArray(claims.amr) ? claims.amr.filter((m): m is string => typeof m === 'string') : [];
    const jti = typeof claims.jti === 'string' && claims.jti.length > 0 && claims.jti.length <= MAX_JTI_LENGTH ? claims.jti : undefined;
    // Entra's acrs (a JSON array of context IDs): only the IDs the policy maps mean anything.
    const contexts = issuer.authenticationContexts;
    const contextAcrs = contexts && Array.isArray(claims.acrs) ? [...new Set(claims.acrs.filter((id): id is string => typeof id === 'string' && Object.hasOwn(contexts, id)).map((id) => contexts[id]))] : [];
    const facts: AuthenticationFacts = { ...(acr !== undefined ? { acr } : {}), ...(contextAcrs.length > 0 ? { contextAcrs } : {}), amr, ...(attestedAt !== undefined ? { attestedAt } : {}), ...(jti !== undefined ? { jti } : {}) };
    return {
      kind: 'valid',
      issuer: issuer.issuer,
      subject,
      claims,
      facts,
      ...(attestedAt !== undefined ? { attestationAgeSeconds: Math.max(0, nowSeconds - attestedAt) } : {}),
      expiresAt: claims.exp!,
    };
  }
}

/** The scopes a verified token carries: `scope` (RFC 9068, space-separated) or `scp` (a list or a string). */
export function tokenScopes(claims: JWTPayload): Set<string> {
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string') v.split(' ').filter(Boolean).forEach((s) => out.add(s));
    else if (Array.isArray(v)) v.filter((s): s is string => typeof s === 'string').forEach((s) => out.add(s));
  };
  add(claims.scope);
  add(claims.scp);
  return out;
}
