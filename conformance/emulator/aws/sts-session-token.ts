import * as crypto from 'node:crypto';
import { SESSION_TOKEN_DURATION, STS_ERRORS, STS_MESSAGES, STS_XML_NAMESPACE } from '../../../lib/model/aws/sts';
import { EmulatorHttpResponse } from '../http/loopback-server';
import { stsError } from './sts-assume-role';
import { AwsWorld, Caller } from './world';

/**
 * STS GetSessionToken (Query API). Every key the emulator issues is temporary — CreateSession's,
 * AssumeRole's, GetSessionToken's own — and STS refuses those, as it does on AWS; only a
 * persona's long-term key gets a session: the same user, for `DurationSeconds`. A key STS never
 * issued is already InvalidClientTokenId at the signature check. The personas have no MFA device,
 * so any `SerialNumber` fails as an unknown device does (never ignored: that would issue a session
 * "with MFA" that had none).
 */
export function getSessionToken(world: AwsWorld, caller: Caller, form: URLSearchParams, now: Date): EmulatorHttpResponse {
  if (caller.kind !== 'persona') return stsError(STS_ERRORS.accessDenied, STS_MESSAGES.sessionCredentialsRefused('GetSessionToken'));
  const requested = form.get('DurationSeconds');
  const duration = requested === null ? SESSION_TOKEN_DURATION.defaultSeconds : Number(requested);
  if (!Number.isInteger(duration) || duration < SESSION_TOKEN_DURATION.minSeconds) {
    return stsError(STS_ERRORS.validationError, STS_MESSAGES.durationTooShort(String(requested), 'durationSeconds', SESSION_TOKEN_DURATION.minSeconds));
  }
  if (duration > SESSION_TOKEN_DURATION.maxSeconds) {
    return stsError(STS_ERRORS.validationError, STS_MESSAGES.durationTooLong(String(requested), 'durationSeconds', SESSION_TOKEN_DURATION.maxSeconds));
  }
  if (form.get('SerialNumber') !== null || form.get('TokenCode') !== null) return stsError(STS_ERRORS.accessDenied, STS_MESSAGES.mfaNotValidated);
  const session = world.issueUserSession(caller.persona, new Date(now.getTime() + duration * 1000));
  const body =
    `<GetSessionTokenResponse xmlns="${STS_XML_NAMESPACE}"><GetSessionTokenResult><Credentials>` +
    `<AccessKeyId>${session.accessKeyId}</AccessKeyId><SecretAccessKey>${session.secretAccessKey}</SecretAccessKey>` +
    `<SessionToken>${session.sessionToken}</SessionToken><Expiration>${session.expiration.toISOString()}</Expiration></Credentials>` +
    `</GetSessionTokenResult><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata></GetSessionTokenResponse>`;
  return { status: 200, headers: { 'content-type': 'text/xml' }, body };
}

/** GetFederationToken: not emulated for long-term keys, but refused for temporary ones as STS refuses them. */
export function refuseFederationTokenForSession(caller: Caller): EmulatorHttpResponse | undefined {
  return caller.kind === 'persona' ? undefined : stsError(STS_ERRORS.accessDenied, STS_MESSAGES.sessionCredentialsRefused('GetFederationToken'));
}
