import * as crypto from 'node:crypto';
import { canonicalHeaders, canonicalRequest, parseAmzDate, payloadHash } from '../../../lib/credentials/roles-anywhere/canonical-request';
import { STS_ERRORS, STS_MESSAGES, StsErrorSpec } from '../../../lib/model/aws/sts';
import { EmulatorHttpRequest } from '../http/loopback-server';
import { AwsWorld, Caller } from './world';

/**
 * Verifies an AWS Signature Version 4 (HMAC) request from one of the emulator's personas, or from
 * a role session it issued (temporary keys with `X-Amz-Security-Token`), as STS and the Roles
 * Anywhere control plane do. The canonical request is the same as for
 * CreateSession (shared, and tested byte for byte against @smithy/signature-v4); only the key
 * derivation and the algorithm name differ.
 */
export type HmacVerification = { readonly caller: Caller; readonly service: string } | { readonly error: StsErrorSpec; readonly message: string };

const INVALID_TOKEN: HmacVerification = { error: STS_ERRORS.invalidClientTokenId, message: STS_MESSAGES.invalidClientTokenId };

/**
 * The caller an access key ID names. A session key is only the session with its token: AWS
 * answers a missing or wrong `X-Amz-Security-Token` as it answers an unknown key.
 */
function callerOf(world: AwsWorld, accessKeyId: string, sessionToken: string | undefined): Caller | undefined {
  const persona = world.personaByAccessKey(accessKeyId);
  if (persona) return { kind: 'persona', persona };
  if (sessionToken === undefined) return undefined;
  const tokenMatches = (expected: string) => {
    const given = Buffer.from(sessionToken);
    return given.length === Buffer.byteLength(expected) && crypto.timingSafeEqual(given, Buffer.from(expected));
  };
  const session = world.sessions.get(accessKeyId);
  if (session) return tokenMatches(session.sessionToken) ? { kind: 'session', session } : undefined;
  const userSession = world.userSessions.get(accessKeyId);
  const owner = userSession && world.personas.get(userSession.userArn);
  if (!userSession || !owner) return undefined;
  return tokenMatches(userSession.sessionToken) ? { kind: 'user-session', persona: owner, session: userSession } : undefined;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

const hmac = (key: crypto.BinaryLike, data: string) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();

export function verifyHmacRequest(world: AwsWorld, request: EmulatorHttpRequest, now: Date, skewSeconds: number): HmacVerification {
  const match = AUTHORIZATION.exec(request.headers.authorization ?? '');
  if (!match) return { error: STS_ERRORS.incompleteSignature, message: 'Request must contain a valid AWS4-HMAC-SHA256 Authorization header.' };
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  const caller = callerOf(world, accessKeyId, request.headers['x-amz-security-token']);
  if (!caller) return INVALID_TOKEN;
  const secretAccessKey = caller.kind === 'persona' ? caller.persona.secretAccessKey : caller.session.secretAccessKey;
  const amzDate = request.headers['x-amz-date'] ?? '';
  let signedAt: Date;
  try {
    signedAt = parseAmzDate(amzDate);
  } catch {
    return { error: STS_ERRORS.incompleteSignature, message: 'X-Amz-Date is missing or malformed.' };
  }
  if (Math.abs(now.getTime() - signedAt.getTime()) > skewSeconds * 1000) return { error: STS_ERRORS.signatureDoesNotMatch, message: 'Signature expired.' };
  if (region !== world.env.region || date !== amzDate.slice(0, 8)) return { error: STS_ERRORS.signatureDoesNotMatch, message: 'Credential should be scoped to a valid region and date.' };
  // The signature covers the body through its hash: a client's X-Amz-Content-Sha256 (the SDK
  // signer sends one) is only a claim, checked against the body that arrived.
  const bodyHash = payloadHash(request.body);
  const claimedHash = request.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== bodyHash) {
    return { error: STS_ERRORS.signatureDoesNotMatch, message: "The provided 'x-amz-content-sha256' header does not match what was computed." };
  }
  const unsent = signedHeaders.split(';').find((name) => request.headers[name] === undefined);
  if (unsent !== undefined) return { error: STS_ERRORS.signatureDoesNotMatch, message: `SignedHeaders names ${unsent}, which the request does not carry.` };
  const canonical = canonicalRequest({
    method: request.method,
    path: request.path,
    query: request.query,
    headers: canonicalHeaders(request.headers, signedHeaders.split(';')),
    payloadHash: bodyHash,
  });
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${payloadHash(canonical)}`;
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  const expected = crypto.createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    return { error: STS_ERRORS.signatureDoesNotMatch, message: 'The request signature we calculated does not match the signature you provided.' };
  }
  // Checked after the signature, so only the key's holder learns that the session has ended.
  if (caller.kind !== 'persona' && caller.session.expiration.getTime() <= now.getTime()) {
    return { error: STS_ERRORS.expiredToken, message: STS_MESSAGES.expiredToken };
  }
  return { caller, service };
}
