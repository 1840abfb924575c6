import type { EmulatorHttpRequest, EmulatorHttpResponse } from '../http/loopback-server';
import { oauthError, stsParameters } from './sts-token';
import { GcpWorld } from './world';

/**
 * Google STS token introspection (`POST /v1/introspect`, RFC 7662), which gcloud calls after a
 * federated login to name the account (`username`). Form or JSON body with `token` and an
 * optional `token_type_hint` (ignored, as the RFC allows); gcloud adds HTTP Basic client authentication, which is accepted and
 * not required. A token the STS issued and that is still valid is `active` with the fields of
 * Google's `IntrospectTokenResponse` (int64 times as strings, proto3 JSON); anything else — an
 * unknown, expired or service-account token — is `{"active": false}` with 200, as RFC 7662 §2.2
 * answers a token the server cannot vouch for.
 */

export const STS_ISSUER = 'https://sts.googleapis.com';

const ok = (body: unknown): EmulatorHttpResponse => ({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) });

const seconds = (date: Date) => String(Math.floor(date.getTime() / 1000));

export function stsIntrospect(world: GcpWorld, request: EmulatorHttpRequest, now: Date): EmulatorHttpResponse {
  const parameters = stsParameters(request);
  if ('malformed' in parameters) return oauthError(400, 'invalid_request', parameters.malformed);
  if (!parameters.token) return oauthError(400, 'invalid_request', 'The request is missing a required parameter: token.');
  // `token_type_hint` is only a hint (RFC 7662 §2.1): the STS looks the token up whatever it says.
  const token = world.tokenOf(parameters.token, now);
  if (!token || token.kind !== 'federated') return ok({ active: false });
  const poolId = token.poolName.split('/').pop();
  return ok({
    active: true,
    ...(token.scope ? { scope: token.scope } : {}),
    exp: seconds(token.expiresAt),
    ...(token.issuedAt ? { iat: seconds(token.issuedAt) } : {}),
    iss: STS_ISSUER,
    // "based on the identity pool ID and the value of the mapped google.subject": the format is
    // not documented; the emulator's is in docs/emulator.md.
    sub: `${poolId}:${token.subject}`,
    username: token.principal,
  });
}
