import { HttpOutcome } from '../../../../conformance/engine/http-outcome';
import { describeOutcome, errorCodeOf, errorMessageOf, isTransient } from '../../../../conformance/aws/http-outcome';
import { sendHttp } from '../../../../conformance/engine/send-http';
import { RunningAwsEmulator, startAwsEmulator } from '../../../../conformance/emulator/aws-emulator';
import { signCreateSessionRequest } from '../../../../lib/credentials/roles-anywhere/sign-request';
import { accountRole, personaOf, signHmac, signingKeyOf, templateSource } from '../../../fixtures/emulator';
import { TestPki, makeTestPki } from '../../../fixtures/pki';
import { gateTemplate } from '../../../fixtures/templates';

// The emulator's clock, which the throttling test moves; near real time, which the SDK signer uses.
const START = new Date(Math.floor(Date.now() / 1000) * 1000);
let clock = START;

let pki: TestPki;
let emulator: RunningAwsEmulator;
beforeAll(async () => {
  pki = await makeTestPki();
  const template = gateTemplate({
    anchor: { Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: pki.ca.pem } } },
    crl: { CrlData: pki.crlPem },
    extra: { Shared: accountRole({ RoleName: 'shared' }) },
  });
  emulator = await startAwsEmulator({ sources: [templateSource(template)], createSessionRatePerSecond: 3, now: () => clock });
});

afterEach(() => {
  clock = START;
});

afterAll(() => emulator.close());

const outcomeOf = (outcome: HttpOutcome) => ({ status: outcome.kind === 'response' ? outcome.status : 0, code: errorCodeOf(outcome), message: errorMessageOf(outcome) });

/** A call signed with the persona's key. */
async function signedCall(method: string, path: string, service: string, body = '', contentType?: string): Promise<HttpOutcome> {
  const signed = await signHmac({ endpoint: emulator.endpoint, method, path, body, service, contentType, signingDate: clock, credentials: personaOf(emulator.world) });
  return sendHttp(signed.url, method, signed.headers, body);
}

/** Loopback requests are fast, but sent one at a time so the throttle window sees a known order. */
async function sessionsInOrder(count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const outcome = await sendHttp(`${emulator.endpoint}/sessions`, 'POST', { 'content-type': 'application/json' }, '{}');
    statuses.push(outcome.kind === 'response' ? outcome.status : 0);
  }
  return statuses;
}

describe('AwsEmulatorServer', () => {
  test('listens on 127.0.0.1 only', async () => {
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Another loopback address reaches the host, but not a socket bound to 127.0.0.1 alone.
    const port = new URL(emulator.endpoint).port;
    expect(await sendHttp(`http://127.0.0.2:${port}/sessions`, 'POST', {}, '')).toEqual({ kind: 'network-error', error: expect.stringContaining('ECONNREFUSED') });
  });

  test('serves CreateSession on POST /sessions exactly as signed by the credential library', async () => {
    const stack = emulator.stacks[0];
    const signed = signCreateSessionRequest({
      certificate: pki.leaf.der,
      privateKey: signingKeyOf(pki.leaf),
      region: 'us-east-1',
      endpoint: emulator.endpoint,
      now: clock,
      trustAnchorArn: stack.resources.get('Anchor')!.attributes.TrustAnchorArn,
      profileArn: stack.resources.get('Profile')!.attributes.ProfileArn,
      roleArn: stack.resources.get('Role')!.attributes.Arn,
    });
    const outcome = await sendHttp(signed.url, signed.method, signed.headers, signed.body);
    expect(outcome).toMatchObject({ kind: 'response', status: 201, headers: { 'content-type': 'application/json' } });
    expect(emulator.server.log[emulator.server.log.length - 1]).toEqual({ method: 'POST', path: '/sessions', status: 201 });
  });

  test('throttles CreateSession after N requests within one second of its clock: 429 ThrottlingException', async () => {
    // GIVEN a quota of 3 per second and a clock that stands still, past what other tests sent
    const t0 = START.getTime() + 10_000;
    clock = new Date(t0);

    // WHEN four requests arrive in the same second
    expect(await sessionsInOrder(4)).toEqual([403, 403, 403, 429]);

    // THEN the fourth is throttled, until a full second has passed since the first three
    const throttled = await sendHttp(`${emulator.endpoint}/sessions`, 'POST', {}, '');
    expect(outcomeOf(throttled)).toEqual({ status: 429, code: 'ThrottlingException', message: 'Rate exceeded' });
    clock = new Date(t0 + 999);
    expect(await sessionsInOrder(1)).toEqual([429]);
    clock = new Date(t0 + 1000);
    expect(await sessionsInOrder(4)).toEqual([403, 403, 403, 429]);

    // AND the quota is CreateSession's alone: STS still answers
    const sts = await signedCall('POST', '/', 'sts', 'Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fshared&RoleSessionName=probe', 'application/x-www-form-urlencoded');
    expect(outcomeOf(sts).status).toBe(200);
  });

  test('throttles STS after N requests within one second, every action counted: 400 Throttling in STS’s XML, no Retry-After; CreateSession keeps its own quota', async () => {
    // GIVEN an STS quota of 2 per second and a clock that stands still
    const t0 = START.getTime() + 20_000;
    let now = new Date(t0);
    const throttled = await startAwsEmulator({ sources: [templateSource(gateTemplate({}))], stsRatePerSecond: 2, now: () => now });
    const call = async (body: string) => {
      const signed = await signHmac({ endpoint: throttled.endpoint, method: 'POST', path: '/', body, service: 'sts', contentType: 'application/x-www-form-urlencoded', signingDate: now, credentials: personaOf(throttled.world) });
      return sendHttp(signed.url, 'POST', signed.headers, body);
    };
    try {
      // WHEN three STS requests arrive in the same second, of two actions
      const first = await call('Action=GetCallerIdentity&Version=2011-06-15');
      const second = await call('Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fnone&RoleSessionName=probe');
      const third = await call('Action=GetCallerIdentity&Version=2011-06-15');

      // THEN the third is STS's throttling answer, whatever the action
      expect([first, second].map((o) => outcomeOf(o).status)).toEqual([200, 403]);
      expect(outcomeOf(third)).toEqual({ status: 400, code: 'Throttling', message: 'Rate exceeded' });
      expect(third).toMatchObject({ headers: { 'content-type': 'text/xml' }, body: expect.stringMatching(/^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type>/) });
      expect(third.kind === 'response' ? Object.keys(third.headers) : []).not.toContain('retry-after');
      // AND the probes read it as throttling: transient, named in the reason
      expect(isTransient(third)).toBe(true);
      expect(describeOutcome(third)).toBe('400 Throttling: Rate exceeded — throttled');
      // AND CreateSession is not counted against STS
      expect(outcomeOf(await sendHttp(`${throttled.endpoint}/sessions`, 'POST', {}, '')).status).toBe(403);
      // AND a full second after the first two, STS answers again
      now = new Date(t0 + 1000);
      expect(outcomeOf(await call('Action=GetCallerIdentity&Version=2011-06-15')).status).toBe(200);
    } finally {
      await throttled.close();
    }
  });

  test('an unknown route, method or service, correctly signed, is 404 UnknownOperationException', async () => {
    expect(outcomeOf(await signedCall('GET', '/nothing', 'rolesanywhere'))).toEqual({
      status: 404,
      code: 'UnknownOperationException',
      message: 'The emulator does not serve GET /nothing.',
    });
    // An action STS has but the emulator does not serve is the emulator's own 404, naming it.
    expect(outcomeOf(await signedCall('POST', '/', 'sts', 'Action=DecodeAuthorizationMessage&Version=2011-06-15&EncodedMessage=x', 'application/x-www-form-urlencoded'))).toEqual({
      status: 404,
      code: 'UnknownOperationException',
      message: 'The emulator does not serve STS DecodeAuthorizationMessage.',
    });
    // GetCallerIdentity is served: the live target asks it for the account.
    const identity = await signedCall('POST', '/', 'sts', 'Action=GetCallerIdentity&Version=2011-06-15', 'application/x-www-form-urlencoded');
    expect(outcomeOf(identity).status).toBe(200);
    // An action STS does not have is STS's own 400 InvalidAction, in its XML.
    expect(outcomeOf(await signedCall('POST', '/', 'sts', 'Action=WhoAmI&Version=2011-06-15', 'application/x-www-form-urlencoded'))).toEqual({
      status: 400,
      code: 'InvalidAction',
      message: 'Could not find operation WhoAmI for version 2011-06-15',
    });
    // CreateTrustAnchor signed for STS is not CreateTrustAnchor.
    expect(outcomeOf(await signedCall('POST', '/trustanchors', 'sts', '{}'))).toMatchObject({ status: 404, code: 'UnknownOperationException' });
    expect(outcomeOf(await signedCall('GET', '/sessions', 'rolesanywhere'))).toMatchObject({ status: 404, code: 'UnknownOperationException' });
  });

  test('the Query protocol takes its parameters from the query string too (GET, as a presigned URL carries them)', async () => {
    const identity = await signedCall('GET', '/?Action=GetCallerIdentity&Version=2011-06-15', 'sts');
    expect(outcomeOf(identity).status).toBe(200);
  });

  test('a role session the emulator issued is refused outside STS: its role’s permissions are not evaluated (fail closed)', async () => {
    const answer = await signedCall('POST', '/', 'sts', 'Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fshared&RoleSessionName=probe', 'application/x-www-form-urlencoded');
    const xml = answer.kind === 'response' ? answer.body : '';
    const field = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)![1];
    const credentials = { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey') };
    const signed = await signHmac({ endpoint: emulator.endpoint, method: 'POST', path: '/trustanchors', body: '{}', service: 'rolesanywhere', signingDate: clock, credentials });
    const outcome = await sendHttp(signed.url, 'POST', { ...signed.headers, 'x-amz-security-token': field('SessionToken') }, '{}');
    expect(outcomeOf(outcome)).toMatchObject({ status: 403, code: 'AccessDeniedException', message: expect.stringContaining('assumed-role/shared/probe is not authorized') });
  });

  test('an unsigned call outside /sessions is refused before routing: JSON for REST paths, STS XML for the Query API', async () => {
    const rest = await sendHttp(`${emulator.endpoint}/nothing`, 'GET', {}, '');
    expect(outcomeOf(rest)).toEqual({ status: 403, code: 'AccessDeniedException', message: 'Request must contain a valid AWS4-HMAC-SHA256 Authorization header.' });
    const query = await sendHttp(`${emulator.endpoint}/`, 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=AssumeRole');
    expect(query).toMatchObject({ kind: 'response', status: 403, headers: { 'content-type': 'text/xml' }, body: expect.stringMatching(/^<ErrorResponse /) });
    expect(errorCodeOf(query)).toBe('IncompleteSignature');
  });

  test('logs every request, with the start of the error body for failures', async () => {
    const before = emulator.server.log.length;
    await sendHttp(`${emulator.endpoint}/nothing?x=1`, 'GET', {}, '');
    expect(emulator.server.log.slice(before)).toEqual([{ method: 'GET', path: '/nothing', status: 403, error: expect.stringContaining('AWS4-HMAC-SHA256 Authorization header') }]);
  });

  test('after close() nothing listens', async () => {
    const other = await startAwsEmulator({ sources: [] });
    await other.close();
    expect(await sendHttp(`${other.endpoint}/sessions`, 'POST', {}, '')).toEqual({ kind: 'network-error', error: expect.stringContaining('ECONNREFUSED') });
  });
});
