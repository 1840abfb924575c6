import type { EmulatorHttpRequest, EmulatorHttpResponse } from '../http/loopback-server';
import { GcpWorld } from './world';

/**
 * IAM Service Account Credentials `generateAccessToken`
 * (`POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken`, reference/gcp-azure.md §2.3):
 * the bearer — a federated token from the STS, or a service account's token — must hold
 * `roles/iam.workloadIdentityUser` or `roles/iam.serviceAccountTokenCreator` on the account (or
 * its project), directly or through a principal set it belongs to; each delegate in a chain must
 * be reachable the same way from the one before.
 */

export const GENERATE_ACCESS_TOKEN_PATH = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+):generateAccessToken$/;

export interface IamCredentialsBehaviour {
  /** Longest access token; 12 h needs an org policy exception. @default 3600 */
  readonly maxLifetimeSeconds: number;
}

export const DEFAULT_IAM_CREDENTIALS_BEHAVIOUR: IamCredentialsBehaviour = { maxLifetimeSeconds: 3600 };

/** A Google API error body: `{error: {code, message, status, details?}}`. */
export function googleError(code: number, status: string, message: string, details?: unknown[]): EmulatorHttpResponse {
  return {
    status: code,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } }),
  };
}

export const PERMISSION_DENIED_MESSAGE = "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).";

/** The 403 GCP answers for a missing grant, a missing account and a disabled one alike. */
export function permissionDenied(): EmulatorHttpResponse {
  return googleError(403, 'PERMISSION_DENIED', PERMISSION_DENIED_MESSAGE, [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'IAM_PERMISSION_DENIED',
      domain: 'iam.googleapis.com',
      metadata: { permission: 'iam.serviceAccounts.getAccessToken' },
    },
  ]);
}

const unauthenticated = () =>
  googleError(
    401,
    'UNAUTHENTICATED',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  );

/** `3600s`, `3600.5s` → seconds; undefined when malformed. */
function durationSeconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d{1,9})?)s$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

export function generateAccessToken(world: GcpWorld, request: EmulatorHttpRequest, now: Date, behaviour: IamCredentialsBehaviour = DEFAULT_IAM_CREDENTIALS_BEHAVIOUR): EmulatorHttpResponse {
  const path = GENERATE_ACCESS_TOKEN_PATH.exec(request.path);
  if (!path) return googleError(404, 'NOT_FOUND', `The emulator does not serve ${request.method} ${request.path}.`);
  const email = decodeURIComponent(path[2]);
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const caller = bearer ? world.tokenOf(bearer, now) : undefined;
  if (!caller) return unauthenticated();

  let parsed: unknown;
  try {
    parsed = request.body.trim() === '' ? {} : JSON.parse(request.body);
  } catch (e) {
    return googleError(400, 'INVALID_ARGUMENT', `Invalid JSON payload received. ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. The body is not a JSON object.');
  // Proto3 JSON: a field set to null is a field left unset. Python google-auth and gcloud send
  // `"delegates": null`; the API takes it, an omitted field and `[]` alike.
  const body = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== null)) as { scope?: unknown; lifetime?: unknown; delegates?: unknown };
  if (!Array.isArray(body.scope) || body.scope.length === 0 || !body.scope.every((s) => typeof s === 'string' && s !== '')) {
    return googleError(400, 'INVALID_ARGUMENT', 'Scope required.');
  }
  const lifetime = body.lifetime === undefined ? 3600 : durationSeconds(body.lifetime);
  if (lifetime === undefined) return googleError(400, 'INVALID_ARGUMENT', `Invalid value at 'lifetime' (type.googleapis.com/google.protobuf.Duration), ${JSON.stringify(body.lifetime)}`);
  if (lifetime <= 0 || lifetime > behaviour.maxLifetimeSeconds) {
    return googleError(400, 'INVALID_ARGUMENT', `The lifetime must be more than 0 seconds and at most ${behaviour.maxLifetimeSeconds} seconds; it was ${body.lifetime as string}.`);
  }
  const delegates = body.delegates === undefined ? [] : body.delegates;
  if (!Array.isArray(delegates) || !delegates.every((d) => typeof d === 'string')) {
    return googleError(400, 'INVALID_ARGUMENT', `Invalid value at 'delegates' (TYPE_STRING), ${JSON.stringify(body.delegates)}`);
  }

  // Each hop of the chain must be allowed from the one before: caller → delegates… → target.
  const chain = [...delegates.map((d) => d.replace(/^projects\/[^/]+\/serviceAccounts\//, '')), email];
  let members = world.membersOf(caller);
  for (const hop of chain) {
    const account = world.serviceAccounts.get(hop);
    if (!account || account.disabled || !world.impersonationGrant(members, hop)) return permissionDenied();
    members = [`serviceAccount:${hop}`];
  }
  const expiresAt = new Date(now.getTime() + Math.floor(lifetime) * 1000);
  const accessToken = world.issueToken({ kind: 'service-account', email, expiresAt });
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify({ accessToken, expireTime: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z') }),
  };
}
