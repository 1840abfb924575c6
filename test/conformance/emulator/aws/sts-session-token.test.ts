import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { RunningAwsEmulator, startAwsEmulator } from '../../../../conformance/emulator/aws-emulator';
import { accountRole, personaOf, sdkError, templateSource } from '../../../fixtures/emulator';
import { gateTemplate } from '../../../fixtures/templates';

// The emulator's clock, fixed near the real time the SDK signs with, so expirations are exact.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
let clock = NOW;
let emulator: RunningAwsEmulator;
const clients: STSClient[] = [];

beforeAll(async () => {
  emulator = await startAwsEmulator({ sources: [templateSource(gateTemplate({ extra: { Shared: accountRole({ RoleName: 'shared' }) } }))], now: () => clock });
});

afterEach(() => {
  clock = NOW;
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await emulator.close();
});

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** An SDK client; `systemClockOffset` keeps its signing time with the emulator's moved clock. */
function stsWith(credentials: Keys, systemClockOffset = 0): STSClient {
  const client = new STSClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials, maxAttempts: 1, systemClockOffset });
  clients.push(client);
  return client;
}

const persona = () => stsWith(personaOf(emulator.world));

async function refusal(client: STSClient, command: GetSessionTokenCommand | GetFederationTokenCommand | GetCallerIdentityCommand): Promise<ReturnType<typeof sdkError>> {
  try {
    await client.send(command as GetSessionTokenCommand);
  } catch (e) {
    return sdkError(e);
  }
  throw new Error(`${command.constructor.name} succeeded`);
}

async function sessionTokenKeys(durationSeconds?: number): Promise<Keys> {
  const { Credentials } = await persona().send(new GetSessionTokenCommand({ DurationSeconds: durationSeconds }));
  return { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
}

describe('STS GetSessionToken, with @aws-sdk/client-sts', () => {
  test('with the persona’s long-term key: temporary keys of the same user, for 12 hours unless asked otherwise', async () => {
    const { Credentials } = await persona().send(new GetSessionTokenCommand({}));
    expect(Credentials).toEqual({
      AccessKeyId: expect.stringMatching(/^ASIA[0-9A-F]{16}$/),
      SecretAccessKey: expect.any(String),
      SessionToken: expect.any(String),
      Expiration: new Date(NOW.getTime() + 43_200_000),
    });
    const shorter = await persona().send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    expect(shorter.Credentials?.Expiration).toEqual(new Date(NOW.getTime() + 900_000));
  });

  test('its keys are the user: GetCallerIdentity names the user, and AssumeRole is the user’s (not role chaining)', async () => {
    const keys = await sessionTokenKeys();
    const identity = await stsWith(keys).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Arn: 'arn:aws:iam::111122223333:user/attestgate-unattested-probe', Account: '111122223333', UserId: expect.stringMatching(/^AIDA/) });
    const assumed = await stsWith(keys).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/shared', RoleSessionName: 'from-user-session' }));
    expect(assumed.AssumedRoleUser?.Arn).toBe('arn:aws:sts::111122223333:assumed-role/shared/from-user-session');
    expect(emulator.world.sessions.get(assumed.Credentials!.AccessKeyId!)?.chained).toBe(false);
  });

  test('with temporary keys — its own, or a role session’s — 403 AccessDenied "Cannot call GetSessionToken with session credentials", as AWS refuses them', async () => {
    const userSession = await sessionTokenKeys();
    expect(await refusal(stsWith(userSession), new GetSessionTokenCommand({}))).toEqual({ status: 403, name: 'AccessDenied', message: 'Cannot call GetSessionToken with session credentials' });
    const { Credentials } = await persona().send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/shared', RoleSessionName: 'probe' }));
    const roleSession = stsWith({ accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! });
    expect(await refusal(roleSession, new GetSessionTokenCommand({}))).toEqual({ status: 403, name: 'AccessDenied', message: 'Cannot call GetSessionToken with session credentials' });
    // GetFederationToken refuses session credentials the same way.
    expect(await refusal(roleSession, new GetFederationTokenCommand({ Name: 'fed' }))).toEqual({ status: 403, name: 'AccessDenied', message: 'Cannot call GetFederationToken with session credentials' });
  });

  test('with a key STS never issued: 403 InvalidClientTokenId', async () => {
    const stranger = stsWith({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
    expect(await refusal(stranger, new GetSessionTokenCommand({}))).toEqual({ status: 403, name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' });
  });

  test('a DurationSeconds outside 900–129600 s: 400 ValidationError naming the bound', async () => {
    expect(await refusal(persona(), new GetSessionTokenCommand({ DurationSeconds: 899 }))).toMatchObject({ status: 400, name: 'ValidationError', message: expect.stringContaining('greater than or equal to 900') });
    expect(await refusal(persona(), new GetSessionTokenCommand({ DurationSeconds: 129_601 }))).toMatchObject({ status: 400, name: 'ValidationError', message: expect.stringContaining('less than or equal to 129600') });
  });

  test('an MFA serial number: the persona has no device, so 403 AccessDenied — never a session issued as if MFA had passed', async () => {
    const answer = await refusal(persona(), new GetSessionTokenCommand({ SerialNumber: 'arn:aws:iam::111122223333:mfa/probe', TokenCode: '123456' }));
    expect(answer).toEqual({ status: 403, name: 'AccessDenied', message: expect.stringMatching(/^MultiFactorAuthentication failed, unable to validate MFA code\./) });
  });

  test('its keys expire: after DurationSeconds, 403 ExpiredToken', async () => {
    const keys = await sessionTokenKeys(900);
    clock = new Date(NOW.getTime() + 900_000);
    expect(await refusal(stsWith(keys, 900_000), new GetCallerIdentityCommand({}))).toEqual({ status: 403, name: 'ExpiredToken', message: 'The security token included in the request is expired' });
  });
});
