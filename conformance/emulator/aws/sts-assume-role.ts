import * as crypto from 'node:crypto';
import { EmulatorHttpResponse } from '../http/loopback-server';
import { evaluatePolicyDocument } from '../../../lib/model/aws/iam';
import { STS_ERRORS, STS_XML_NAMESPACE, StsErrorSpec } from '../../../lib/model/aws/sts';
import { AwsWorld, Caller } from './world';

/**
 * STS AssumeRole and GetCallerIdentity (Query API, XML) for the unattested personas — IAM
 * principals of the account holding long-term keys and no certificate — and for the role
 * sessions the emulator issued (role chaining). A caller is taken to have every identity-based
 * permission (the worst case of a stolen administrator key), so only the role's trust policy
 * decides — exactly the control the probe tests.
 */
const NS = STS_XML_NAMESPACE;

const escape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** STS's `<ErrorResponse>`: the model's status and code, the message given. */
export function stsError({ status, code }: StsErrorSpec, message: string): EmulatorHttpResponse {
  const body = `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>${crypto.randomUUID()}</RequestId></ErrorResponse>`;
  return { status, headers: { 'content-type': 'text/xml' }, body };
}

/** The caller's ARN: the persona's, or the session's assumed-role ARN. */
export const callerArn = (caller: Caller): string => (caller.kind === 'session' ? caller.session.arn : caller.persona.arn);

/** AWS caps a session assumed by role chaining at one hour, whatever the role's maximum. */
const CHAINED_SESSION_MAX_SECONDS = 3600;

export function assumeRole(world: AwsWorld, caller: Caller, form: URLSearchParams, now: Date): EmulatorHttpResponse {
  const arn = callerArn(caller);
  const roleArn = form.get('RoleArn') ?? '';
  const sessionName = form.get('RoleSessionName') ?? '';
  if (!roleArn || !/^[\w+=,.@-]{2,64}$/.test(sessionName)) return stsError(STS_ERRORS.validationError, 'RoleArn and a valid RoleSessionName are required.');
  const role = world.roles.get(roleArn);
  const notAuthorized = `User: ${arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
  if (!role) return stsError(STS_ERRORS.accessDenied, notAuthorized);
  const evaluation = evaluatePolicyDocument(role.trustPolicyDocument, {
    principal: { type: 'AWS', id: arn },
    action: 'sts:AssumeRole',
    resource: role.arn,
    // aws:PrincipalArn of a role session is its role's ARN; aws:username exists for IAM users only
    // (a user's GetSessionToken keys included: they act as the user).
    context:
      caller.kind !== 'session'
        ? { 'aws:PrincipalArn': arn, 'aws:PrincipalAccount': world.env.account, 'aws:username': arn.split('/').pop() }
        : { 'aws:PrincipalArn': caller.session.roleArn, 'aws:PrincipalAccount': world.env.account },
  });
  if (evaluation.decision !== 'Allow') return stsError(STS_ERRORS.accessDenied, notAuthorized);
  const requested = form.get('DurationSeconds');
  const duration = Number(requested ?? 3600);
  if (!Number.isInteger(duration) || duration < 900) {
    return stsError(STS_ERRORS.validationError, `1 validation error detected: Value '${requested}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`);
  }
  const chained = caller.kind === 'session';
  if (chained && duration > CHAINED_SESSION_MAX_SECONDS) {
    return stsError(STS_ERRORS.validationError, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (duration > role.maxSessionDuration) return stsError(STS_ERRORS.validationError, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  const session = world.issueRoleSession(role, sessionName, new Date(now.getTime() + duration * 1000), { chained });
  const body =
    `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult><Credentials>` +
    `<AccessKeyId>${session.accessKeyId}</AccessKeyId><SecretAccessKey>${session.secretAccessKey}</SecretAccessKey>` +
    `<SessionToken>${session.sessionToken}</SessionToken><Expiration>${session.expiration.toISOString()}</Expiration></Credentials>` +
    `<AssumedRoleUser><Arn>${escape(session.arn)}</Arn><AssumedRoleId>${escape(session.assumedRoleId)}</AssumedRoleId></AssumedRoleUser>` +
    `</AssumeRoleResult><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`;
  return { status: 200, headers: { 'content-type': 'text/xml' }, body };
}

/**
 * STS GetCallerIdentity: who signed — a persona (user ARN, `AIDA…` user ID) or a session the
 * emulator issued (assumed-role ARN, `<role ID>:<session name>`), as AWS answers for each.
 */
export function getCallerIdentity(world: AwsWorld, caller: Caller): EmulatorHttpResponse {
  const arn = callerArn(caller);
  const userId = caller.kind === 'session' ? caller.session.assumedRoleId : `AIDA${crypto.createHash('sha256').update(arn).digest('hex').slice(0, 17).toUpperCase()}`;
  const body =
    `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult><Arn>${escape(arn)}</Arn>` +
    `<UserId>${escape(userId)}</UserId><Account>${world.env.account}</Account>` +
    `</GetCallerIdentityResult><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
  return { status: 200, headers: { 'content-type': 'text/xml' }, body };
}
