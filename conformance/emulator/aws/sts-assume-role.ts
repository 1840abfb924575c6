import * as crypto from 'node:crypto';
import { EmulatorHttpResponse } from '../http/loopback-server';
import { evaluateResourcePolicy } from '../../../lib/model/aws/iam';
import { AwsWorld, Persona } from './world';

/**
 * STS AssumeRole (Query API, XML) for the unattested personas: an IAM principal of the account
 * holding long-term keys and no certificate. The persona is taken to have every identity-based
 * permission (the worst case of a stolen administrator key), so only the role's trust policy
 * decides — exactly the control the probe tests.
 */
const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

const escape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function stsError(status: number, code: string, message: string): EmulatorHttpResponse {
  const body = `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>${crypto.randomUUID()}</RequestId></ErrorResponse>`;
  return { status, headers: { 'content-type': 'text/xml' }, body };
}

export function assumeRole(world: AwsWorld, persona: Persona, form: URLSearchParams, now: Date): EmulatorHttpResponse {
  const roleArn = form.get('RoleArn') ?? '';
  const sessionName = form.get('RoleSessionName') ?? '';
  if (!roleArn || !/^[\w+=,.@-]{2,64}$/.test(sessionName)) return stsError(400, 'ValidationError', 'RoleArn and a valid RoleSessionName are required.');
  const role = world.roles.get(roleArn);
  const notAuthorized = `User: ${persona.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
  if (!role) return stsError(403, 'AccessDenied', notAuthorized);
  const evaluation = evaluateResourcePolicy(role.trustPolicy, {
    principal: { type: 'AWS', id: persona.arn },
    action: 'sts:AssumeRole',
    resource: role.arn,
    context: { 'aws:PrincipalArn': persona.arn, 'aws:PrincipalAccount': world.env.account, 'aws:username': persona.arn.split('/').pop() },
  });
  if (evaluation.decision !== 'Allow') return stsError(403, 'AccessDenied', notAuthorized);
  const requested = form.get('DurationSeconds');
  const duration = Number(requested ?? 3600);
  if (!Number.isInteger(duration) || duration < 900) {
    return stsError(400, 'ValidationError', `1 validation error detected: Value '${requested}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`);
  }
  if (duration > role.maxSessionDuration) return stsError(400, 'ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  const expiration = new Date(now.getTime() + duration * 1000).toISOString();
  const body =
    `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult><Credentials>` +
    `<AccessKeyId>ASIA${crypto.randomBytes(8).toString('hex').toUpperCase()}</AccessKeyId><SecretAccessKey>${crypto.randomBytes(30).toString('base64')}</SecretAccessKey>` +
    `<SessionToken>${crypto.randomBytes(96).toString('base64')}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
    `<AssumedRoleUser><Arn>arn:${world.env.partition}:sts::${world.env.account}:assumed-role/${escape(role.name)}/${escape(sessionName)}</Arn><AssumedRoleId>${role.id}:${escape(sessionName)}</AssumedRoleId></AssumedRoleUser>` +
    `</AssumeRoleResult><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`;
  return { status: 200, headers: { 'content-type': 'text/xml' }, body };
}

/** STS GetCallerIdentity: who the signing persona is (the live target asks it for the account). */
export function getCallerIdentity(world: AwsWorld, persona: Persona): EmulatorHttpResponse {
  const body =
    `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult><Arn>${escape(persona.arn)}</Arn>` +
    `<UserId>AIDA${crypto.createHash('sha256').update(persona.arn).digest('hex').slice(0, 17).toUpperCase()}</UserId><Account>${world.env.account}</Account>` +
    `</GetCallerIdentityResult><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
  return { status: 200, headers: { 'content-type': 'text/xml' }, body };
}
