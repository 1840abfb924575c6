import * as crypto from 'node:crypto';
import { CreateSessionError, FromRolesAnywhereOptions, fromRolesAnywhere } from '../../../lib/credentials/roles-anywhere/credential-provider';
import { RunningAwsEmulator, startAwsEmulator } from '../../../conformance/emulator/aws-emulator';
import { IssuedCertificate, createCa, issueLeaf } from '../../../conformance/pki/throwaway-pki';
import { PkiOnDisk, exampleTemplate, sourceOf, writeTestPki } from '../../fixtures/conformance';
import { FaultMode, FaultProxy, ProxiedRequest, startFaultProxy } from '../../fixtures/fault-proxy';

/**
 * fromRolesAnywhere against the AWS emulator behind a fault-injecting proxy: what a user saw
 * with a flaky network, a throttling service and a WAF in between.
 */
let pki: PkiOnDisk;
let emulator: RunningAwsEmulator;
let proxy: FaultProxy;
let deployer: IssuedCertificate;
let arns: Pick<FromRolesAnywhereOptions, 'trustAnchorArn' | 'profileArn' | 'roleArn'>;

beforeAll(async () => {
  pki = await writeTestPki();
  // No CreateSession rate limit: the only throttling in these tests is the proxy's.
  emulator = await startAwsEmulator({ sources: sourceOf(exampleTemplate(pki)), createSessionRatePerSecond: Infinity });
  proxy = await startFaultProxy({ upstream: emulator.endpoint });
  const role = [...emulator.world.roles.values()].find((r) => r.origin.includes('Deployer'))!;
  const profile = [...emulator.world.profiles.values()].find((p) => p.roleArns.includes(role.arn))!;
  arns = { trustAnchorArn: [...emulator.world.trustAnchors.values()][0].arn, profileArn: profile.arn, roleArn: role.arn };
  deployer = await issueLeaf({ issuer: pki.ca, subject: { CN: 'deployer', O: 'attestgate examples' }, sanUris: ['spiffe://prod.example/agent/deployer'] });
});

afterAll(async () => {
  await proxy?.close();
  await emulator?.close();
});

beforeEach(() => {
  proxy.setRules([]);
  proxy.requests.length = 0;
});

const createSession = (request: ProxiedRequest) => request.method === 'POST' && request.url.startsWith('/sessions');

/** CreateSession calls answer `modes` in turn (the last repeats). */
function faults(...modes: FaultMode[]): void {
  proxy.setRules([{ match: createSession, mode: { kind: 'sequence', modes } }]);
}

function provider(overrides: Partial<FromRolesAnywhereOptions> = {}) {
  return fromRolesAnywhere({
    certificate: deployer.pem,
    privateKey: crypto.KeyObject.from(deployer.keys.privateKey),
    ...arns,
    endpoint: proxy.url,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<CreateSessionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CreateSessionError);
  return error as CreateSessionError;
}

const awsError = (status: number, type: string, message: string, headers: Record<string, string> = {}): FaultMode => ({
  kind: 'status',
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': type, ...headers },
  body: JSON.stringify({ message }),
});

describe('fromRolesAnywhere retries what the AWS SDK retries', () => {
  test('429 with Retry-After, then 201: waits at least Retry-After, then returns the credentials', async () => {
    faults(awsError(429, 'ThrottlingException', 'Rate exceeded', { 'Retry-After': '1' }), { kind: 'pass' });
    const credentials = await provider()();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(proxy.requests.map((r) => r.status)).toEqual([429, 201]);
    expect(proxy.requests[1].at - proxy.requests[0].at).toBeGreaterThanOrEqual(1000);
  });

  test('500 with an empty body, then 201', async () => {
    faults({ kind: 'status', status: 500 }, { kind: 'pass' });
    await expect(provider()()).resolves.toHaveProperty('accessKeyId', expect.stringMatching(/^ASIA/));
    expect(proxy.requests.map((r) => r.status)).toEqual([500, 201]);
  });

  test('a connection reset, then 201', async () => {
    faults({ kind: 'reset' }, { kind: 'pass' });
    await expect(provider()()).resolves.toHaveProperty('accessKeyId', expect.stringMatching(/^ASIA/));
    expect(proxy.requests.map((r) => r.mode.kind)).toEqual(['reset', 'pass']);
  });

  test('a persistent 503 fails after maxAttempts, well within the deadline, with the status and code', async () => {
    faults(awsError(503, 'ServiceUnavailableException', 'Service is unavailable'));
    const started = Date.now();
    const error = await failure(provider({ totalTimeoutMs: 20_000 })());
    expect(Date.now() - started).toBeLessThan(20_000);
    expect([error.status, error.code, error.message, error.attempts]).toEqual([503, 'ServiceUnavailableException', 'Service is unavailable', 3]);
    expect(proxy.requests).toHaveLength(3);

    proxy.requests.length = 0;
    const once = await failure(provider({ maxAttempts: 1 })());
    expect([once.status, once.attempts]).toEqual([503, 1]);
    expect(proxy.requests).toHaveLength(1);
  });

  test('a Retry-After beyond the deadline is not waited for: the throttling error comes back at once', async () => {
    faults(awsError(429, 'ThrottlingException', 'Rate exceeded', { 'Retry-After': '60' }));
    const started = Date.now();
    const error = await failure(provider({ totalTimeoutMs: 5_000 })());
    expect(Date.now() - started).toBeLessThan(4_000);
    expect([error.status, error.code, error.attempts]).toEqual([429, 'ThrottlingException', 1]);
    expect(proxy.requests).toHaveLength(1);
  });
});

describe('fromRolesAnywhere reports what answered', () => {
  test("a WAF's HTML 403 says it is not an AWS answer, with an excerpt, and is not retried", async () => {
    faults({ kind: 'html', status: 403 });
    const error = await failure(provider()());
    expect([error.status, error.code]).toEqual([403, 'NonAwsResponse']);
    expect(error.message).toMatch(/^CreateSession answered HTTP 403 with an HTML page \(content-type text\/html; charset=utf-8\) starting "<!DOCTYPE html> <html>.*", which is not an AWS error response: something between this host and the endpoint \(a proxy, firewall, WAF or load balancer\)/);
    expect(error.bodyExcerpt).toMatch(/^<!DOCTYPE html> <html><head><title>Request blocked<\/title>/);
    expect(error.bodyExcerpt!.length).toBeLessThanOrEqual(200);
    expect(proxy.requests).toHaveLength(1);
  });

  test('the emulator denying an untrusted certificate: AccessDeniedException with the service message, not retried', async () => {
    const otherCa = await createCa({ subject: { CN: 'Some Other CA', O: 'elsewhere' } });
    const stranger = await issueLeaf({ issuer: otherCa, subject: { CN: 'deployer', O: 'elsewhere' }, sanUris: ['spiffe://prod.example/agent/deployer'] });
    const error = await failure(provider({ certificate: stranger.pem, privateKey: crypto.KeyObject.from(stranger.keys.privateKey) })());
    expect([error.status, error.code, error.bodyExcerpt]).toEqual([403, 'AccessDeniedException', undefined]);
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.message).not.toMatch(/HTTP 403|not an AWS error/);
    expect(proxy.requests).toHaveLength(1);
  });

  test('an error body carrying credentials is never echoed, and the excerpt is capped', async () => {
    const secret = crypto.randomBytes(30).toString('base64');
    const token = crypto.randomBytes(120).toString('base64');
    const leaked = `upstream said: {"credentials":{"accessKeyId":"ASIAEXAMPLE123456789","secretAccessKey":"${secret}","sessionToken":"${token}"}} ${'padding '.repeat(100)}`;
    faults({ kind: 'status', status: 502, headers: { 'content-type': 'text/plain' }, body: leaked });
    const error = await failure(provider({ maxAttempts: 1 })());
    expect(error.code).toBe('NonAwsResponse');
    for (const text of [error.message, error.bodyExcerpt!]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(token.slice(0, 20));
      expect(text).not.toContain('ASIAEXAMPLE123456789');
    }
    expect(error.bodyExcerpt).toMatch(/^upstream said: \{"credentials":\{"accessKeyId":"\[redacted\]","secretAccessKey":"\[redacted\]"/);
    expect(error.bodyExcerpt!.length).toBeLessThanOrEqual(200);
  });

  test('a 201 whose credentials have already expired is refused, not returned', async () => {
    const expired = { accessKeyId: 'ASIAEXPIRED000000001', secretAccessKey: 'c2VjcmV0', sessionToken: 'dG9rZW4=', expiration: new Date(Date.now() - 60_000).toISOString() };
    faults({ kind: 'status', status: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ credentialSet: [{ credentials: expired }] }) });
    const error = await failure(provider()());
    expect([error.status, error.code]).toEqual([201, 'InvalidResponse']);
    expect(error.message).toMatch(/^CreateSession answered HTTP 201 but credentials\.expiration .* is already past/);
    expect(proxy.requests).toHaveLength(1);
  });

  test('a 200 that is not JSON is an InvalidResponse with an excerpt', async () => {
    faults({ kind: 'unparseable', status: 200 });
    const error = await failure(provider()());
    expect([error.status, error.code]).toEqual([200, 'InvalidResponse']);
    expect(error.message).toMatch(/^CreateSession answered HTTP 200 but with a body that is not JSON \(content-type text\/plain\), starting: "upstream connect error/);
    expect(proxy.requests).toHaveLength(1);
  });
});

describe('fromRolesAnywhere deadlines cover the whole exchange', () => {
  test('an answer dripped a byte every 400 ms fails at the 1500 ms attempt deadline, though bytes keep coming', async () => {
    // The emulator's 201 is over a kilobyte: a byte every 400 ms would take minutes to finish.
    faults({ kind: 'drip', intervalMs: 400 });
    const started = Date.now();
    const error = await failure(provider({ timeoutMs: 1500, maxAttempts: 1 })());
    expect(Date.now() - started).toBeLessThan(10_000);
    expect([error.status, error.code]).toEqual([undefined, 'TimeoutError']);
    expect(error.message).toMatch(/did not complete within the 1500 ms deadline of one attempt \(timeoutMs\)/);
  });

  test('retries share totalTimeoutMs: hanging attempts stop at the refresh deadline', async () => {
    faults({ kind: 'hang' });
    const started = Date.now();
    const error = await failure(provider({ timeoutMs: 1000, maxAttempts: 10, totalTimeoutMs: 2500 })());
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error.code).toBe('TimeoutError');
    expect(error.message).toMatch(/2500 ms refresh deadline \(totalTimeoutMs\)/);
    // Three attempts fit (1000 + 1000 + what is left); ten would take ten seconds.
    expect(proxy.requests.length).toBeGreaterThanOrEqual(2);
    expect(proxy.requests.length).toBeLessThanOrEqual(3);
  });
});
