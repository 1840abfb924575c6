import * as crypto from 'node:crypto';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { RunningAwsEmulator, startAwsEmulator } from '../../../../conformance/emulator/aws-emulator';
import { sendHttp } from '../../../../conformance/engine/send-http';
import { signCreateSessionRequest } from '../../../../lib/credentials/roles-anywhere/sign-request';
import { ACCOUNT_ROOT, accountRole, personaOf, sdkError, signingKeyOf, templateSource } from '../../../fixtures/emulator';
import { TestPki, makeTestPki } from '../../../fixtures/pki';
import { gateTemplate } from '../../../fixtures/templates';

// The emulator's clock, fixed near the real time the SDK signs with, so expirations are exact.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);

let clock = NOW;
let pki: TestPki;
let emulator: RunningAwsEmulator;
let sts: STSClient;
beforeAll(async () => {
  pki = await makeTestPki();
  const template = gateTemplate({
    crl: null,
    anchor: { Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: pki.ca.pem } } },
    extra: {
      // The same role, through a profile that lets the caller name its session.
      NamedProfile: { Type: 'AWS::RolesAnywhere::Profile', Properties: { Name: 'named', RoleArns: [{ 'Fn::GetAtt': ['Role', 'Arn'] }], DurationSeconds: 900, AcceptRoleSessionName: true } },
      Shared: accountRole({ RoleName: 'shared', MaxSessionDuration: 3600 }),
      PersonaOnly: accountRole({ RoleName: 'persona-only' }, 'arn:aws:iam::111122223333:user/attestgate-unattested-probe'),
      OtherAccount: accountRole({ RoleName: 'other-account' }, 'arn:aws:iam::999988887777:root'),
    },
  });
  emulator = await startAwsEmulator({ sources: [templateSource(template)], now: () => clock });
  const { accessKeyId, secretAccessKey } = personaOf(emulator.world);
  sts = new STSClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
});

afterEach(() => {
  clock = NOW;
});

afterAll(async () => {
  sts.destroy();
  await emulator.close();
});

const roleArn = (name: string) => `arn:aws:iam::111122223333:role/${name}`;
const notAuthorized = (arn: string) => `User: arn:aws:iam::111122223333:user/attestgate-unattested-probe is not authorized to perform: sts:AssumeRole on resource: ${arn}`;

async function failure(command: AssumeRoleCommand): Promise<ReturnType<typeof sdkError>> {
  try {
    await sts.send(command);
  } catch (e) {
    return sdkError(e);
  }
  throw new Error('AssumeRole succeeded');
}

describe('STS AssumeRole for the unattested persona, with @aws-sdk/client-sts', () => {
  test(`a role whose trust policy admits the account (${ACCOUNT_ROOT}) issues credentials`, async () => {
    // WHEN the persona's long-term keys assume the role
    const answer = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn('shared'), RoleSessionName: 'probe-session', DurationSeconds: 900 }));

    // THEN the SDK parses temporary credentials for the assumed role
    expect(answer.Credentials).toEqual({
      AccessKeyId: expect.stringMatching(/^ASIA[0-9A-F]{16}$/),
      SecretAccessKey: expect.any(String),
      SessionToken: expect.any(String),
      Expiration: new Date(NOW.getTime() + 900_000),
    });
    expect(answer.AssumedRoleUser).toEqual({
      Arn: 'arn:aws:sts::111122223333:assumed-role/shared/probe-session',
      AssumedRoleId: expect.stringMatching(/^AROA[0-9A-F]{17}:probe-session$/),
    });
  });

  test('a role that names the persona itself admits it; without DurationSeconds the session lasts an hour', async () => {
    const answer = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn('persona-only'), RoleSessionName: 'probe-session' }));
    expect(answer.Credentials?.Expiration).toEqual(new Date(NOW.getTime() + 3_600_000));
  });

  test('a role trusting only Roles Anywhere, another account, or no role at all: 403 AccessDenied', async () => {
    const gated = emulator.stacks[0].resources.get('Role')!.attributes.Arn;
    for (const arn of [gated, roleArn('other-account'), roleArn('does-not-exist')]) {
      expect(await failure(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'probe-session' }))).toEqual({ status: 403, name: 'AccessDenied', message: notAuthorized(arn) });
    }
  });

  test("a duration above the role's MaxSessionDuration, or a malformed session name: 400 ValidationError", async () => {
    expect(await failure(new AssumeRoleCommand({ RoleArn: roleArn('shared'), RoleSessionName: 'probe-session', DurationSeconds: 7200 }))).toEqual({
      status: 400,
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    for (const name of ['x', 'has space', 'a'.repeat(65)]) {
      expect(await failure(new AssumeRoleCommand({ RoleArn: roleArn('shared'), RoleSessionName: name }))).toEqual({
        status: 400,
        name: 'ValidationError',
        message: 'RoleArn and a valid RoleSessionName are required.',
      });
    }
  });

  test('a duration below the 900 s STS minimum: 400 ValidationError, no credentials', async () => {
    expect(await failure(new AssumeRoleCommand({ RoleArn: roleArn('shared'), RoleSessionName: 'probe-session', DurationSeconds: 899 }))).toEqual({
      status: 400,
      name: 'ValidationError',
      message: "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
  });

  test('XML special characters in a message are escaped', async () => {
    const arn = roleArn('<script>&"');
    expect(await failure(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'probe-session' }))).toEqual({ status: 403, name: 'AccessDenied', message: notAuthorized(arn) });
  });
});

/** Temporary credentials from Roles Anywhere CreateSession, for the gate's role through `profile`. */
async function rolesAnywhereSession(profile: 'Profile' | 'NamedProfile', roleSessionName?: string) {
  const resources = emulator.stacks[0].resources;
  const signed = signCreateSessionRequest({
    certificate: pki.leaf.der,
    privateKey: signingKeyOf(pki.leaf),
    region: 'us-east-1',
    endpoint: emulator.endpoint,
    now: NOW,
    trustAnchorArn: resources.get('Anchor')!.attributes.TrustAnchorArn,
    profileArn: resources.get(profile)!.attributes.ProfileArn,
    roleArn: resources.get('Role')!.attributes.Arn,
    ...(roleSessionName ? { roleSessionName } : {}),
  });
  const outcome = await sendHttp(signed.url, signed.method, signed.headers, signed.body);
  if (outcome.kind !== 'response' || outcome.status !== 201) throw new Error(`CreateSession failed: ${JSON.stringify(outcome)}`);
  const { credentials, assumedRoleUser } = JSON.parse(outcome.body).credentialSet[0];
  return { credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken }, assumedRoleUser };
}

const stsWith = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, systemClockOffset = 0) =>
  new STSClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials, maxAttempts: 1, systemClockOffset });

async function callerIdentity(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, systemClockOffset = 0) {
  const client = stsWith(credentials, systemClockOffset);
  try {
    const { Arn, UserId, Account } = await client.send(new GetCallerIdentityCommand({}));
    return { Arn, UserId, Account };
  } catch (e) {
    return sdkError(e);
  } finally {
    client.destroy();
  }
}

describe('STS knows every session the emulator issued (GetCallerIdentity, with @aws-sdk/client-sts)', () => {
  const roleId = () => emulator.world.roles.get(emulator.stacks[0].resources.get('Role')!.attributes.Arn)!.id;
  const roleName = () => emulator.stacks[0].resources.get('Role')!.attributes.Arn.split('/').pop();
  // Read by node:crypto, not the emulator's parser: hex, even length.
  const serialHex = () => {
    const hex = new crypto.X509Certificate(pki.leaf.der).serialNumber.toLowerCase();
    return hex.length % 2 ? `0${hex}` : hex;
  };

  test('the persona: its user ARN and an AIDA user ID', async () => {
    expect(await callerIdentity(personaOf(emulator.world))).toEqual({
      Arn: 'arn:aws:iam::111122223333:user/attestgate-unattested-probe',
      UserId: expect.stringMatching(/^AIDA[0-9A-F]{17}$/),
      Account: '111122223333',
    });
  });

  test('a Roles Anywhere session: the assumed-role ARN named by the certificate serial in hex, as CreateSession reported it', async () => {
    const { credentials, assumedRoleUser } = await rolesAnywhereSession('Profile');
    const identity = await callerIdentity(credentials);
    expect(identity).toEqual({ Arn: `arn:aws:sts::111122223333:assumed-role/${roleName()}/${serialHex()}`, UserId: `${roleId()}:${serialHex()}`, Account: '111122223333' });
    expect(identity).toMatchObject({ Arn: assumedRoleUser.arn, UserId: assumedRoleUser.assumedRoleId });
  });

  test('a Roles Anywhere session through a profile that accepts a role session name: that name', async () => {
    const { credentials } = await rolesAnywhereSession('NamedProfile', 'deployer-run-42');
    expect(await callerIdentity(credentials)).toMatchObject({ Arn: `arn:aws:sts::111122223333:assumed-role/${roleName()}/deployer-run-42`, UserId: `${roleId()}:deployer-run-42` });
    // Omitted, the serial names it even there (reference/aws-rolesanywhere.md §1.6).
    expect(await callerIdentity((await rolesAnywhereSession('NamedProfile')).credentials)).toMatchObject({ UserId: `${roleId()}:${serialHex()}` });
  });

  test('an AssumeRole session: the assumed-role ARN with the session name asked for', async () => {
    const answer = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn('shared'), RoleSessionName: 'who-am-i' }));
    const credentials = { accessKeyId: answer.Credentials!.AccessKeyId!, secretAccessKey: answer.Credentials!.SecretAccessKey!, sessionToken: answer.Credentials!.SessionToken! };
    expect(await callerIdentity(credentials)).toEqual({ Arn: answer.AssumedRoleUser!.Arn, UserId: answer.AssumedRoleUser!.AssumedRoleId, Account: '111122223333' });
  });

  test('a session key without its session token, or with another one: 403 InvalidClientTokenId, as for an unknown key', async () => {
    const { credentials } = await rolesAnywhereSession('Profile');
    const other = await rolesAnywhereSession('Profile');
    const invalid = { status: 403, name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' };
    expect(await callerIdentity({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey })).toEqual(invalid);
    expect(await callerIdentity({ ...credentials, sessionToken: other.credentials.sessionToken })).toEqual(invalid);
  });

  test('a session past its expiration: 403 ExpiredToken', async () => {
    const { credentials } = await rolesAnywhereSession('Profile');
    // GIVEN the emulator's clock past the profile's 3600 s, and the SDK signing at that time
    clock = new Date(NOW.getTime() + 3600_000);
    const identity = await callerIdentity(credentials, clock.getTime() - Date.now());
    expect(identity).toEqual({ status: 403, name: 'ExpiredToken', message: 'The security token included in the request is expired' });
  });

  test('role chaining: a session may assume a role that trusts it, for at most one hour', async () => {
    const answer = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn('shared'), RoleSessionName: 'first-hop' }));
    const chained = stsWith({ accessKeyId: answer.Credentials!.AccessKeyId!, secretAccessKey: answer.Credentials!.SecretAccessKey!, sessionToken: answer.Credentials!.SessionToken! });
    try {
      // The shared role trusts the account root, which covers its own sessions.
      const second = await chained.send(new AssumeRoleCommand({ RoleArn: roleArn('shared'), RoleSessionName: 'second-hop', DurationSeconds: 3600 }));
      expect(second.AssumedRoleUser?.Arn).toBe('arn:aws:sts::111122223333:assumed-role/shared/second-hop');
      expect(await chained.send(new AssumeRoleCommand({ RoleArn: roleArn('shared'), RoleSessionName: 'long-hop', DurationSeconds: 3601 })).catch(sdkError)).toEqual({
        status: 400,
        name: 'ValidationError',
        message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      });
      // The persona-only role names the persona, not sessions.
      const denied = await chained.send(new AssumeRoleCommand({ RoleArn: roleArn('persona-only'), RoleSessionName: 'x-hop' })).catch(sdkError);
      expect(denied).toMatchObject({
        status: 403,
        name: 'AccessDenied',
        message: `User: arn:aws:sts::111122223333:assumed-role/shared/first-hop is not authorized to perform: sts:AssumeRole on resource: ${roleArn('persona-only')}`,
      });
    } finally {
      chained.destroy();
    }
  });
});
