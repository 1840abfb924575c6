import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { RunningAwsEmulator, startAwsEmulator } from '../../../../conformance/emulator/aws-emulator';
import { ACCOUNT_ROOT, accountRole, personaOf, sdkError, templateSource } from '../../../fixtures/emulator';
import { gateTemplate } from '../../../fixtures/templates';

// The emulator's clock, fixed near the real time the SDK signs with, so expirations are exact.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);

let emulator: RunningAwsEmulator;
let sts: STSClient;
beforeAll(async () => {
  const template = gateTemplate({
    crl: null,
    extra: {
      Shared: accountRole({ RoleName: 'shared', MaxSessionDuration: 3600 }),
      PersonaOnly: accountRole({ RoleName: 'persona-only' }, 'arn:aws:iam::111122223333:user/attestgate-unattested-probe'),
      OtherAccount: accountRole({ RoleName: 'other-account' }, 'arn:aws:iam::999988887777:root'),
    },
  });
  emulator = await startAwsEmulator({ sources: [templateSource(template)], now: () => NOW });
  const { accessKeyId, secretAccessKey } = personaOf(emulator.world);
  sts = new STSClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
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
