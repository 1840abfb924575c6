import * as crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DEFAULT_MAX_ATTEMPTS, StandardRetryStrategy, getRetryAfterHint, isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, RetryErrorInfo, RetryErrorType, SdkError, StandardRetryToken } from '@smithy/types';
import { AttestGateError } from '../../core/errors';
import { HttpTransportError, sendRequest } from '../../http/send-request';
import { ParamsIn, SignedCreateSessionRequest, endpointOrigin, signCreateSessionRequest } from './sign-request';
import { CreateSessionError, type CreateSessionHttpAnswer, parseCreateSessionResponse } from './create-session-response';

// What every Roles Anywhere credential provider shares, whatever holds its certificate (files,
// memory, the SPIFFE Workload API): CreateSession's options and their checks, and the cached,
// retried, deadline-bound refresh over a source of signing material.

/** Credentials are fetched again this long before they expire, as the credential helper's `serve` does. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
/** CreateSession's bounds on durationSeconds. */
export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 43_200;

const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * After a failed refresh while the cached credentials are still valid, callers get the cached
 * ones without a new attempt for this long: otherwise every call in the last minutes before
 * expiry would wait out a whole failing refresh (up to totalTimeoutMs) before being served.
 */
export const STALE_REFRESH_INTERVAL_MS = 30_000;
/** A CreateSession answer is a few KB; anything far larger is not one. */
const MAX_RESPONSE_BYTES = 1 << 20;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The options of CreateSession and of its retries, for every Roles Anywhere provider. */
export interface RolesAnywhereSessionOptions {
  readonly trustAnchorArn: string;
  /** Must be in the trust anchor's region and partition. */
  readonly profileArn: string;
  readonly roleArn: string;
  /**
   * The signing region; must equal the trust anchor's.
   *
   * @default - the region of trustAnchorArn
   */
  readonly region?: string;
  /**
   * The CreateSession endpoint. `http://` is allowed only for 127.0.0.1, localhost and [::1]
   * (local emulators).
   *
   * @default - https://rolesanywhere.<region>.amazonaws.com (.amazonaws.com.cn in aws-cn)
   */
  readonly endpoint?: string;
  /** 900–43200. @default - the profile's duration */
  readonly durationSeconds?: number;
  /** Needs a profile with acceptRoleSessionName. @default - the certificate serial */
  readonly roleSessionName?: string;
  readonly instanceProperties?: Readonly<Record<string, string>>;
  /** @default 'query' (as the credential helper sends them) */
  readonly paramsIn?: ParamsIn;
  /**
   * The deadline of one CreateSession attempt, for the whole exchange: connecting, TLS, the
   * headers and the last byte of the body. An answer trickling in slower than this fails with
   * `TimeoutError` even if bytes keep arriving.
   *
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * How many CreateSession requests one refresh may send. Throttling (429, ThrottlingException),
   * 500, 502, 503, 504, timeouts and connection errors are retried with the AWS SDK's standard
   * retry strategy: exponential backoff with full jitter (base 50 ms, 1 s when throttled),
   * `Retry-After` honoured up to 5 s beyond the backoff as the SDK does, and a retry budget
   * shared by all refreshes of this provider. Other errors are not retried. 1 turns retries off.
   *
   * @default 3 (the AWS SDK's default)
   */
  readonly maxAttempts?: number;
  /**
   * The deadline of one refresh: every attempt and the waits between them. An attempt gets what
   * is left of it when that is less than timeoutMs; a wait that would overrun it (including a
   * `Retry-After`) is not started, and the last error is thrown instead.
   *
   * @default maxAttempts × timeoutMs (30000 with the defaults)
   */
  readonly totalTimeoutMs?: number;
  /**
   * Called when a refresh failed but the cached credentials are still valid and are served
   * anyway (they are refreshed from five minutes before they expire, so there is time to recover);
   * the next attempt comes STALE_REFRESH_INTERVAL_MS (30 s) later at the earliest. Once the
   * cached credentials have expired, a failed refresh throws.
   *
   * @default - process.emitWarning with code ATTESTGATE_STALE_CREDENTIALS
   */
  readonly onWarning?: (warning: RolesAnywhereWarning) => void;
  /**
   * The clock for deciding whether credentials are fresh or expired, and for X-Amz-Date. Timeouts,
   * deadlines and retry waits always run on real time.
   *
   * @default - the system clock
   */
  readonly now?: () => Date;
}

/** Something the provider recovered from but that needs attention. */
export interface RolesAnywhereWarning {
  /** `StaleCredentials`: a refresh failed and still-valid cached credentials were served. */
  readonly code: 'StaleCredentials';
  readonly message: string;
  /** Why the refresh failed. */
  readonly error: unknown;
  /** When the credentials being served expire. */
  readonly expiration: Date;
}

interface Arn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** Trust anchor and profile IDs are UUIDs (API reference: `[a-f0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}`). */
const RESOURCE_ID = '([a-f0-9]{8}-(?:[a-z0-9]{4}-){3}[a-z0-9]{12})';
const REGION = '([a-z0-9]+(?:-[a-z0-9]+)+)';

const ARN_PATTERNS = {
  trustAnchorArn: { pattern: new RegExp(String.raw`^arn:(aws[a-z-]*):rolesanywhere:${REGION}:(\d{12}):trust-anchor\/${RESOURCE_ID}$`), example: 'arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/<uuid>' },
  profileArn: { pattern: new RegExp(String.raw`^arn:(aws[a-z-]*):rolesanywhere:${REGION}:(\d{12}):profile\/${RESOURCE_ID}$`), example: 'arn:aws:rolesanywhere:us-east-1:123456789012:profile/<uuid>' },
  roleArn: { pattern: /^arn:(aws[a-z-]*):iam::(\d{12}):role\/((?:[\x21-\x7e]+\/)*)([\w+=,.@-]{1,64})$/, example: 'arn:aws:iam::123456789012:role/deployer' },
} as const;

function parseArn(where: string, field: keyof typeof ARN_PATTERNS, value: unknown): Arn {
  const { pattern, example } = ARN_PATTERNS[field];
  const match = typeof value === 'string' ? pattern.exec(value) : null;
  if (!match) {
    throw new AttestGateError({ where, field, value, problem: 'is not a valid ARN of its kind', fix: `pass the full ARN, e.g. ${example}` });
  }
  return field === 'roleArn' ? { partition: match[1], region: '', account: match[2] } : { partition: match[1], region: match[2], account: match[3] };
}

/** What one CreateSession call is signed with. */
export interface SigningMaterial {
  /** The leaf certificate, DER. */
  readonly certificate: Buffer;
  readonly privateKey: crypto.KeyObject;
  /** DER, leaf side first. */
  readonly intermediates: Buffer[];
}

/** Where a provider gets the certificate and key for each refresh. */
export interface SigningMaterialSource {
  /** The material to sign the next CreateSession with; an error fails the refresh. */
  load(): SigningMaterial | Promise<SigningMaterial>;
  /**
   * A value that changes when the material rotates: credentials obtained with older material are
   * then refreshed at the next call, before they near expiry.
   *
   * @default - the material never rotates on its own
   */
  readonly version?: () => unknown;
}

/** CreateSession's options, checked, for one provider. */
export interface RolesAnywhereSettings {
  /** Who the provider is, for messages: `fromRolesAnywhere`, `fromSpiffe`. */
  readonly where: string;
  readonly options: RolesAnywhereSessionOptions;
  readonly region: string;
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly totalTimeoutMs: number;
  readonly now: () => Date;
  readonly warn: (warning: RolesAnywhereWarning) => void;
}

/**
 * Checks the options every Roles Anywhere provider takes: ARNs, regions and partitions, the
 * endpoint (plain http only to loopback), duration, session name, timeouts and attempts.
 *
 * @throws AttestGateError naming the option, what is wrong and the fix
 */
export function rolesAnywhereSettings(options: RolesAnywhereSessionOptions, where: string): RolesAnywhereSettings {
  const anchor = parseArn(where, 'trustAnchorArn', options.trustAnchorArn);
  const profile = parseArn(where, 'profileArn', options.profileArn);
  const role = parseArn(where, 'roleArn', options.roleArn);
  if (profile.region !== anchor.region) {
    throw new AttestGateError({
      where,
      field: 'profileArn',
      value: options.profileArn,
      problem: `is in region ${profile.region} but the trust anchor is in ${anchor.region}; CreateSession is signed for the trust anchor's region`,
      fix: "use a profile in the trust anchor's region",
    });
  }
  for (const [field, arn] of [['profileArn', profile], ['roleArn', role]] as const) {
    if (arn.partition !== anchor.partition) {
      throw new AttestGateError({ where, field, value: options[field], problem: `is in partition ${arn.partition} but the trust anchor is in ${anchor.partition}`, fix: "use ARNs of the trust anchor's partition" });
    }
  }
  const region = anchor.region;
  if (options.region !== undefined && options.region !== region) {
    throw new AttestGateError({
      where,
      field: 'region',
      value: options.region,
      problem: `differs from the trust anchor's region ${anchor.region}`,
      fix: 'leave region unset or set it to the region of trustAnchorArn',
    });
  }
  const endpoint = endpointOrigin(options.endpoint ?? `https://rolesanywhere.${region}.${anchor.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'}`, where);
  const endpointUrl = new URL(endpoint);
  if (endpointUrl.protocol === 'http:' && !LOOPBACK_HOSTS.has(endpointUrl.hostname)) {
    throw new AttestGateError({
      where,
      field: 'endpoint',
      value: options.endpoint,
      problem: 'uses plain http to a host other than 127.0.0.1, localhost or [::1]; the certificate and the credentials would cross the network unencrypted',
      fix: 'use https, or http only for a local emulator on the loopback interface',
    });
  }
  const duration = options.durationSeconds;
  if (duration !== undefined && (!Number.isInteger(duration) || duration < MIN_DURATION_SECONDS || duration > MAX_DURATION_SECONDS)) {
    throw new AttestGateError({ where, field: 'durationSeconds', value: duration, problem: `is not a whole number from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}`, fix: 'pass a duration CreateSession accepts, or leave it unset to use the profile duration' });
  }
  if (options.roleSessionName !== undefined && !/^[\w+=,.@-]{2,64}$/.test(options.roleSessionName)) {
    throw new AttestGateError({ where, field: 'roleSessionName', value: options.roleSessionName, problem: 'is not 2–64 characters of letters, digits and + = , . @ _ -', fix: 'pass a valid session name, or leave it unset to use the certificate serial' });
  }
  const timeoutMs = positiveInteger(options, where, 'timeoutMs', DEFAULT_TIMEOUT_MS, 'pass e.g. 10000');
  const maxAttempts = positiveInteger(options, where, 'maxAttempts', DEFAULT_MAX_ATTEMPTS, 'pass e.g. 3, or 1 for no retries');
  const totalTimeoutMs = positiveInteger(options, where, 'totalTimeoutMs', maxAttempts * timeoutMs, 'pass e.g. 30000');
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') {
    throw new AttestGateError({ where, field: 'onWarning', value: typeof options.onWarning, problem: 'is not a function', fix: 'pass a function that takes a RolesAnywhereWarning, or leave it unset' });
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new AttestGateError({ where, field: 'now', value: typeof options.now, problem: 'is not a function', fix: 'pass a function returning the current Date, or leave it unset' });
  }
  const now = options.now ?? (() => new Date());
  const warn = options.onWarning ?? ((warning: RolesAnywhereWarning) => process.emitWarning(warning.message, { type: 'AttestGateWarning', code: 'ATTESTGATE_STALE_CREDENTIALS' }));
  return { where, options, region, endpoint, timeoutMs, maxAttempts, totalTimeoutMs, now, warn };
}

/**
 * An AWS SDK v3 credential provider over CreateSession: credentials are cached until five
 * minutes before they expire — or until the source's material rotates —, concurrent callers share
 * one request, throttling, 5xx and network errors are retried as the SDK retries them, and a
 * failed refresh with still-valid cached credentials serves them and warns. See fromRolesAnywhere.
 */
export function rolesAnywhereProvider(settings: RolesAnywhereSettings, source: SigningMaterialSource): AwsCredentialIdentityProvider {
  const { where, options, region, endpoint, timeoutMs, maxAttempts, totalTimeoutMs, now, warn } = settings;
  // One strategy per provider, as one per SDK client: its retry budget drains while the endpoint
  // keeps failing (so refreshes stop hammering it) and refills with successes.
  const retryStrategy = new StandardRetryStrategy({ maxAttempts });

  /** The source's version the cached credentials were obtained with. */
  let cachedVersion: unknown;
  const refresh = async (): Promise<{ credentials: AwsCredentialIdentity; version: unknown }> => {
    // Read before loading: a rotation in between then costs one extra refresh, never a missed one.
    const version = source.version?.();
    const material = await source.load();
    const deadline = performance.now() + totalTimeoutMs;
    let token = await retryStrategy.acquireInitialRetryToken(endpoint);
    let lastError: CreateSessionError | undefined;
    for (let attempt = 1; ; attempt++) {
      const remaining = Math.floor(deadline - performance.now());
      if (remaining <= 0) throw refreshDeadlineError(totalTimeoutMs, attempt - 1, lastError);
      // Signed anew for every attempt, as the SDK does, so X-Amz-Date stays current.
      const request = signCreateSessionRequest({
        ...material,
        region,
        endpoint,
        trustAnchorArn: options.trustAnchorArn,
        profileArn: options.profileArn,
        roleArn: options.roleArn,
        durationSeconds: options.durationSeconds,
        roleSessionName: options.roleSessionName,
        instanceProperties: options.instanceProperties,
        paramsIn: options.paramsIn,
        now: now(),
      });
      // The first attempt starts with the whole refresh deadline (the ms spent signing are not worth naming).
      const refreshDeadlineBinds = attempt === 1 ? totalTimeoutMs < timeoutMs : remaining < timeoutMs;
      const attemptMs = refreshDeadlineBinds ? Math.min(remaining, totalTimeoutMs) : timeoutMs;
      const deadlineName = refreshDeadlineBinds
        ? `${attempt === 1 ? 'the' : `what was left (${remaining} ms) of the`} ${totalTimeoutMs} ms refresh deadline (totalTimeoutMs)`
        : `the ${timeoutMs} ms deadline of one attempt (timeoutMs)`;
      try {
        const credentials = parseCreateSessionResponse(await send(request, attemptMs, deadlineName), now());
        retryStrategy.recordSuccess(token);
        return { credentials, version };
      } catch (error) {
        if (!(error instanceof CreateSessionError)) throw error;
        lastError = withAttempts(error, attempt);
      }
      const errorInfo = retryErrorInfo(lastError);
      const left = deadline - performance.now();
      // Waiting as the server asked would overrun the deadline: the server's answer is the truth to report.
      if (errorInfo.retryAfterHint && errorInfo.retryAfterHint.getTime() - Date.now() >= left) throw lastError;
      const next = await withinDeadline(retryStrategy.refreshRetryTokenForRetry(token, errorInfo), left);
      if (next === 'deadline') throw refreshDeadlineError(totalTimeoutMs, attempt, lastError);
      // Not retryable, attempts used up, or the provider's retry budget spent.
      if (next instanceof Error) throw lastError;
      token = next;
    }
  };

  let cached: AwsCredentialIdentity | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;
  /** After a refresh failed with cached credentials still valid: no new attempt before this (ms). */
  let nextRefreshAfterFailure = 0;
  let warnedAbout: unknown;
  return async (identityProperties?: Record<string, unknown>) => {
    const forced = identityProperties?.forceRefresh === true;
    const expiresAt = cached?.expiration?.getTime();
    const at = now().getTime();
    const rotated = source.version !== undefined && source.version() !== cachedVersion;
    if (!forced && expiresAt !== undefined) {
      if (!rotated && expiresAt - REFRESH_BEFORE_EXPIRY_MS > at) return cached!;
      if (expiresAt > at && at < nextRefreshAfterFailure) return cached!;
    }
    inFlight ??= refresh()
      .then(({ credentials, version }) => {
        nextRefreshAfterFailure = 0;
        cachedVersion = version;
        return (cached = credentials);
      })
      .finally(() => {
        inFlight = undefined;
      });
    try {
      return await inFlight;
    } catch (error) {
      // A forced refresh asked for new credentials, not for the ones it already had.
      const stale = cached;
      const failedAt = now();
      if (forced || stale?.expiration === undefined || stale.expiration.getTime() <= failedAt.getTime()) throw error;
      nextRefreshAfterFailure = failedAt.getTime() + STALE_REFRESH_INTERVAL_MS;
      // Callers sharing one failed refresh get one warning.
      if (warnedAbout !== error) {
        warnedAbout = error;
        const minutesLeft = ((stale.expiration.getTime() - failedAt.getTime()) / 60_000).toFixed(1);
        warn({
          code: 'StaleCredentials',
          message: `${where}: refreshing credentials failed (${(error as Error).message}); serving the cached credentials, which expire at ${stale.expiration.toISOString()} (in ${minutesLeft} min), and trying again from ${new Date(nextRefreshAfterFailure).toISOString()}`,
          error,
          expiration: stale.expiration,
        });
      }
      return stale;
    }
  };
}

function positiveInteger(options: RolesAnywhereSessionOptions, where: string, field: 'timeoutMs' | 'maxAttempts' | 'totalTimeoutMs', fallback: number, fix: string): number {
  const value = options[field] ?? fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new AttestGateError({ where, field, value: options[field], problem: `is not a positive whole number${field === 'maxAttempts' ? '' : ' of milliseconds'}`, fix });
  }
  return value;
}

/**
 * What the SDK's retry strategy needs to decide: the error type, classified by the SDK's own
 * classifiers (they read an SDK error's name, HTTP status and, through `cause`, Node's socket
 * error codes), and the Retry-After hint. The SDK's getRetryErrorType is not exported, so its
 * order (throttling, transient, server error, client error) is repeated here.
 */
function retryErrorInfo(error: CreateSessionError): RetryErrorInfo {
  const sdkView = Object.assign(new Error(error.message), { name: error.code, $metadata: { httpStatusCode: error.status }, cause: error.cause }) as SdkError;
  const errorType: RetryErrorType = isThrottlingError(sdkView) ? 'THROTTLING' : isTransientError(sdkView) ? 'TRANSIENT' : isServerError(sdkView) ? 'SERVER_ERROR' : 'CLIENT_ERROR';
  const retryAfterHint = error.retryAfter === undefined ? undefined : getRetryAfterHint({ statusCode: error.status ?? 0, headers: { 'retry-after': error.retryAfter } });
  return { errorType, error: sdkView, ...(retryAfterHint ? { retryAfterHint } : {}) };
}

/**
 * The strategy's token, or 'deadline' if `ms` pass first, or the strategy's refusal. The SDK
 * strategy sleeps inside refreshRetryTokenForRetry and cannot be cancelled, so a wait cut short
 * by the deadline leaves its timer running (at most a few seconds with the default attempts).
 */
async function withinDeadline(refreshing: Promise<StandardRetryToken>, ms: number): Promise<StandardRetryToken | 'deadline' | Error> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), Math.max(0, ms));
  });
  try {
    return await Promise.race([refreshing.catch((refusal: unknown) => (refusal instanceof Error ? refusal : new Error(String(refusal)))), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function withAttempts(error: CreateSessionError, attempts: number): CreateSessionError {
  return new CreateSessionError({ ...errorDetails(error), attempts, cause: error.cause });
}

function errorDetails(error: CreateSessionError) {
  return { status: error.status, code: error.code, message: error.message, requestId: error.requestId, bodyExcerpt: error.bodyExcerpt, retryAfter: error.retryAfter };
}

function refreshDeadlineError(totalTimeoutMs: number, attempts: number, lastError: CreateSessionError | undefined): CreateSessionError {
  return new CreateSessionError({
    status: undefined,
    code: 'TimeoutError',
    message: `CreateSession did not succeed within the ${totalTimeoutMs} ms refresh deadline (totalTimeoutMs) after ${attempts} attempt${attempts === 1 ? '' : 's'}${lastError ? `; the last failed with ${lastError.code}${lastError.status === undefined ? '' : ` (HTTP ${lastError.status})`}: ${lastError.message}` : ''}`,
    attempts,
    cause: lastError,
  });
}

/**
 * One CreateSession exchange over the one HTTP client: TimeoutError when it is not complete within
 * timeoutMs (connect, TLS, headers and body together), NetworkError when no answer came, with
 * Node's error as the cause (its code is what the SDK's retry classifiers read).
 */
async function send(request: SignedCreateSessionRequest, timeoutMs: number, deadlineName: string): Promise<CreateSessionHttpAnswer> {
  const url = new URL(request.url);
  try {
    const answer = await sendRequest(url, { method: request.method, headers: request.headers, body: request.body, deadlineMs: timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES });
    return { status: answer.status, headers: answer.headers, body: answer.body.toString('utf8') };
  } catch (error) {
    if (!(error instanceof HttpTransportError)) throw error;
    if (error.kind === 'timeout') throw new CreateSessionError({ status: undefined, code: 'TimeoutError', message: `CreateSession to ${url.origin} did not complete within ${deadlineName}` });
    if (error.kind === 'too-large') throw new CreateSessionError({ status: undefined, code: 'InvalidResponse', message: `CreateSession answered with more than ${MAX_RESPONSE_BYTES} bytes` });
    const cause = error.cause instanceof Error ? error.cause : error;
    throw new CreateSessionError({ status: undefined, code: 'NetworkError', message: `CreateSession to ${url.origin} failed: ${cause.message}`, cause });
  }
}
