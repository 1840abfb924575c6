import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AttestGateError } from '../../../lib/core/errors';
import {
  canonicalHeaders,
  canonicalRequest,
  parseAuthorizationHeader,
  payloadHash,
  stringToSign,
} from '../../../lib/credentials/roles-anywhere/canonical-request';
import {
  CreateSessionError,
  FromRolesAnywhereOptions,
  RolesAnywhereWarning,
  STALE_REFRESH_INTERVAL_MS,
  fromRolesAnywhere,
} from '../../../lib/credentials/roles-anywhere/credential-provider';
import { signCreateSessionRequest, signatureMatches } from '../../../lib/credentials/roles-anywhere/sign-request';
import { ARNS, TestIdentity, makeIdentity } from '../fixtures';

/** What the fake service saw of one CreateSession call that verified. */
interface SeenRequest {
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
  readonly serialNumber: string;
  readonly chain: Buffer[];
}

interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

const HOUR = 3_600_000;

/**
 * A small stand-in for the Roles Anywhere endpoint (and STS, for the SDK round trip) on
 * 127.0.0.1: it checks every CreateSession signature with the library's own parser and canonical
 * request builder against the certificate in X-Amz-X509, and answers as the service does.
 */
class FakeRolesAnywhere {
  public readonly seen: SeenRequest[] = [];
  public answer: (seen: SeenRequest) => Answer = () => this.issue(HOUR);
  public readonly stsCalls: http.IncomingHttpHeaders[] = [];
  /** Leave CreateSession calls unanswered. */
  public silent = false;
  private issued = 0;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = this.handle(req, Buffer.concat(chunks).toString('utf8'));
      if (reply) res.writeHead(reply.status, { 'Content-Type': 'application/json', 'x-amzn-RequestId': `req-${this.seen.length}`, ...reply.headers }).end(reply.body);
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** A realistic 201 with credentials valid for `lifetimeMs`. */
  issue(lifetimeMs: number): Answer {
    this.issued++;
    const credentials = {
      accessKeyId: `ASIATESTKEY${String(this.issued).padStart(8, '0')}`,
      secretAccessKey: crypto.randomBytes(30).toString('base64'),
      sessionToken: crypto.randomBytes(200).toString('base64'),
      expiration: new Date(Date.now() + lifetimeMs).toISOString(),
    };
    return {
      status: 201,
      body: JSON.stringify({
        credentialSet: [
          {
            assumedRoleUser: { arn: 'arn:aws:sts::123456789012:assumed-role/deploy+bot=1,a.b@c-d/4f2a', assumedRoleId: 'AROAEXAMPLEROLEID0001:4f2a' },
            credentials,
            packedPolicySize: 8,
            roleArn: ARNS.roleArn,
            sourceIdentity: 'CN=deployer',
          },
        ],
        subjectArn: 'arn:aws:rolesanywhere:eu-west-1:123456789012:subject/41cb4b5c-7f0a-4d3c-9d0b-2c1e4f5a6b7c',
      }),
    };
  }

  private handle(req: http.IncomingMessage, body: string): Answer | undefined {
    const url = new URL(req.url!, 'http://127.0.0.1');
    if (url.pathname === '/') {
      this.stsCalls.push(req.headers);
      return {
        status: 200,
        headers: { 'Content-Type': 'text/xml' },
        body: '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/deploy/4f2a</Arn><UserId>AROAEXAMPLEROLEID0001:4f2a</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
      };
    }
    if (req.method !== 'POST' || url.pathname !== '/sessions') return { status: 404, body: '{"message":"Not found"}' };
    if (this.silent) return undefined;
    const denied = (message: string): Answer => ({ status: 403, headers: { 'x-amzn-ErrorType': 'AccessDeniedException' }, body: JSON.stringify({ message }) });
    try {
      const auth = parseAuthorizationHeader(String(req.headers.authorization));
      const leaf = new crypto.X509Certificate(Buffer.from(String(req.headers['x-amz-x509']), 'base64'));
      if (BigInt(`0x${leaf.serialNumber}`).toString(10) !== auth.credential.serialNumber) return denied('Invalid signature');
      if (auth.credential.region !== 'eu-west-1' || !auth.signedHeaders.includes('x-amz-x509')) return denied('Invalid signature');
      const canonical = canonicalRequest({
        method: req.method,
        path: url.pathname,
        query: url.searchParams,
        headers: canonicalHeaders(req.headersDistinct, auth.signedHeaders),
        payloadHash: payloadHash(body),
      });
      const sts = stringToSign(auth.algorithm, String(req.headers['x-amz-date']), auth.scope, canonical);
      if (!signatureMatches(auth.algorithm, sts, auth.signature, leaf.publicKey)) return denied('Invalid signature');
      const chainHeader = req.headers['x-amz-x509-chain'];
      const seen: SeenRequest = {
        query: url.searchParams,
        body: JSON.parse(body),
        serialNumber: auth.credential.serialNumber,
        chain: typeof chainHeader === 'string' ? chainHeader.split(',').map((b64) => Buffer.from(b64, 'base64')) : [],
      };
      this.seen.push(seen);
      return this.answer(seen);
    } catch (error) {
      return denied(`Invalid signature (${(error as Error).message})`);
    }
  }
}

const service = new FakeRolesAnywhere();
let endpoint: string;
let alice: TestIdentity;
let bob: TestIdentity;
let tmp: string;

beforeAll(async () => {
  endpoint = await service.start();
  alice = await makeIdentity('EC-P256');
  bob = await makeIdentity('RSA-2048');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-ra-'));
});

afterAll(async () => {
  await service.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  service.seen.length = 0;
  service.silent = false;
  service.answer = () => service.issue(HOUR);
});

function options(overrides: Partial<FromRolesAnywhereOptions> = {}): FromRolesAnywhereOptions {
  return { certificate: alice.leaf.pem, privateKey: alice.keys.privateKey.export({ type: 'sec1', format: 'pem' }) as string, endpoint, ...ARNS, ...overrides };
}

function serialOf(identity: TestIdentity): string {
  return BigInt(`0x${new crypto.X509Certificate(identity.leaf.der).serialNumber}`).toString(10);
}

describe('fromRolesAnywhere: CreateSession', () => {
  test('returns the credentials of credentialSet[0], with expiration as a Date', async () => {
    // GIVEN a provider for an EC certificate and its SEC1 key
    const provider = fromRolesAnywhere(options({ durationSeconds: 900 }));

    // WHEN credentials are asked for
    const credentials = await provider();

    // THEN the service verified one signed request with the ARNs in the query, and its credentials come back
    expect(service.seen).toHaveLength(1);
    expect(Object.fromEntries(service.seen[0].query)).toEqual({ ...ARNS });
    expect(service.seen[0].body).toEqual({ durationSeconds: 900 });
    expect(service.seen[0].serialNumber).toBe(serialOf(alice));
    expect(Object.keys(credentials).sort()).toEqual(['accessKeyId', 'expiration', 'secretAccessKey', 'sessionToken']);
    expect(credentials.accessKeyId).toMatch(/^ASIATESTKEY\d{8}$/);
    expect(credentials.sessionToken).toHaveLength(268);
    expect(credentials.expiration).toBeInstanceOf(Date);
    expect(credentials.expiration!.getTime()).toBeGreaterThan(Date.now() + HOUR - 60_000);
  });

  test('sends the ARNs in the body with an RSA PKCS#1 key and a role session name', async () => {
    const provider = fromRolesAnywhere(
      options({ certificate: bob.leaf.der, privateKey: Buffer.from(bob.keys.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string), paramsIn: 'body', roleSessionName: 'deploy-7' }),
    );
    await provider();
    expect([...service.seen[0].query]).toEqual([]);
    expect(service.seen[0].body).toEqual({ ...ARNS, roleSessionName: 'deploy-7' });
    expect(service.seen[0].serialNumber).toBe(serialOf(bob));
  });

  test('sends intermediates, given separately or after the leaf in the certificate file', async () => {
    await fromRolesAnywhere(options({ intermediates: alice.intermediate.pem }))();
    expect(service.seen[0].chain).toEqual([alice.intermediate.der]);

    const fullChain = path.join(tmp, 'fullchain.pem');
    fs.writeFileSync(fullChain, alice.leaf.pem + alice.intermediate.pem);
    await fromRolesAnywhere(options({ certificate: undefined, certificateFile: fullChain }))();
    expect(service.seen[1].chain).toEqual([alice.intermediate.der]);
    expect(service.seen[1].serialNumber).toBe(serialOf(alice));
  });

  test('serves an AWS SDK v3 client: STS receives requests signed with the issued credentials', async () => {
    // GIVEN an STS client whose credentials come from Roles Anywhere
    const provider = fromRolesAnywhere(options());
    const sts = new STSClient({ region: 'eu-west-1', endpoint, credentials: provider, maxAttempts: 1 });

    // WHEN it calls GetCallerIdentity
    const identity = await sts.send(new GetCallerIdentityCommand({}));

    // THEN the call is signed with the session credentials the fake service issued
    const issued = await provider();
    expect(identity.Account).toBe('123456789012');
    const headers = service.stsCalls[service.stsCalls.length - 1];
    expect(headers.authorization).toContain(`AWS4-HMAC-SHA256 Credential=${issued.accessKeyId}/`);
    expect(headers['x-amz-security-token']).toBe(issued.sessionToken);
    expect(service.seen).toHaveLength(1);
    sts.destroy();
  });
});

describe('fromRolesAnywhere: caching', () => {
  test('reuses credentials until five minutes before they expire', async () => {
    const provider = fromRolesAnywhere(options());
    const first = await provider();
    expect(await provider()).toBe(first);
    expect(service.seen).toHaveLength(1);

    service.answer = () => service.issue(4 * 60_000);
    const forced = await provider({ forceRefresh: true });
    expect(forced.accessKeyId).not.toBe(first.accessKeyId);
    // These expire within the five-minute margin, so the next call fetches again.
    const next = await provider();
    expect(next.accessKeyId).not.toBe(forced.accessKeyId);
    expect(service.seen).toHaveLength(3);
  });

  test('concurrent callers share one request', async () => {
    const provider = fromRolesAnywhere(options());
    const results = await Promise.all([provider(), provider(), provider()]);
    expect(new Set(results.map((c) => c.accessKeyId)).size).toBe(1);
    expect(service.seen).toHaveLength(1);
  });

  test('a failure is not cached', async () => {
    const provider = fromRolesAnywhere(options());
    service.answer = () => ({ status: 403, headers: { 'x-amzn-ErrorType': 'AccessDeniedException' }, body: '{"message":"Certificate revoked"}' });
    await expect(provider()).rejects.toThrow('Certificate revoked');
    service.answer = () => service.issue(HOUR);
    await expect(provider()).resolves.toHaveProperty('accessKeyId');
    expect(service.seen).toHaveLength(2);
  });

  test('reads certificate and key files again on refresh, so a rotated certificate is used', async () => {
    const certificateFile = path.join(tmp, 'leaf.pem');
    const privateKeyFile = path.join(tmp, 'leaf.key');
    fs.writeFileSync(certificateFile, alice.leaf.pem);
    fs.writeFileSync(privateKeyFile, alice.keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const provider = fromRolesAnywhere(options({ certificate: undefined, privateKey: undefined, certificateFile, privateKeyFile }));
    await provider();

    fs.writeFileSync(certificateFile, bob.leaf.pem);
    fs.writeFileSync(privateKeyFile, bob.keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await provider({ forceRefresh: true });

    expect(service.seen.map((s) => s.serialNumber)).toEqual([serialOf(alice), serialOf(bob)]);
  });
});

describe('fromRolesAnywhere: a failed refresh while the cached credentials are still valid', () => {
  /** A clock the test moves; the fake service issues credentials on real time, so it starts there. */
  function fakeClock() {
    let offsetMs = 0;
    return { now: () => new Date(Date.now() + offsetMs), advance: (ms: number) => (offsetMs += ms) };
  }
  const unavailable: Answer = { status: 503, headers: { 'x-amzn-ErrorType': 'ServiceUnavailableException' }, body: '{"message":"Service is unavailable"}' };

  test('serves them with a warning until they expire, without retrying on every call, then throws', async () => {
    // GIVEN credentials valid for an hour, and a service that then fails
    const clock = fakeClock();
    const warnings: RolesAnywhereWarning[] = [];
    const provider = fromRolesAnywhere(options({ now: clock.now, onWarning: (w) => warnings.push(w), maxAttempts: 1 }));
    const first = await provider();
    service.answer = () => unavailable;

    // WHEN a call comes inside the five-minute refresh window
    clock.advance(HOUR - 4 * 60_000);
    // THEN the refresh is tried, fails, and the cached credentials are served with a warning
    expect(await provider()).toBe(first);
    expect(service.seen).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'StaleCredentials', expiration: first.expiration, error: expect.objectContaining({ status: 503, code: 'ServiceUnavailableException' }) });
    expect(warnings[0].message).toMatch(/^fromRolesAnywhere: refreshing credentials failed \(Service is unavailable\); serving the cached credentials, which expire at .* \(in 4\.0 min\), and trying again from /);

    // AND calls within the next 30 s do not try again
    clock.advance(STALE_REFRESH_INTERVAL_MS - 1000);
    expect(await provider()).toBe(first);
    expect(service.seen).toHaveLength(2);
    // AND after that they do, and warn again
    clock.advance(2000);
    expect(await provider()).toBe(first);
    expect(service.seen).toHaveLength(3);
    expect(warnings).toHaveLength(2);

    // AND once they have expired, the failure is thrown
    clock.advance(4 * 60_000);
    await expect(provider()).rejects.toMatchObject({ status: 503, code: 'ServiceUnavailableException' });
    expect(warnings).toHaveLength(2);

    // AND a later success replaces them
    service.answer = () => service.issue(10 * HOUR);
    expect((await provider()).accessKeyId).not.toBe(first.accessKeyId);
  });

  test('concurrent callers sharing one failed refresh cause one warning; a forced refresh throws', async () => {
    const clock = fakeClock();
    const warnings: RolesAnywhereWarning[] = [];
    const provider = fromRolesAnywhere(options({ now: clock.now, onWarning: (w) => warnings.push(w), maxAttempts: 1 }));
    const first = await provider();
    service.answer = () => unavailable;
    clock.advance(HOUR - 60_000);
    expect(await Promise.all([provider(), provider(), provider()])).toEqual([first, first, first]);
    expect(warnings).toHaveLength(1);
    await expect(provider({ forceRefresh: true })).rejects.toMatchObject({ code: 'ServiceUnavailableException' });
  });

  test('without onWarning, the warning goes to process.emitWarning', async () => {
    const clock = fakeClock();
    const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const provider = fromRolesAnywhere(options({ now: clock.now, maxAttempts: 1 }));
      await provider();
      service.answer = () => unavailable;
      clock.advance(HOUR - 60_000);
      await provider();
      expect(emitted).toHaveBeenCalledTimes(1);
      expect(emitted.mock.calls[0][0]).toMatch(/^fromRolesAnywhere: refreshing credentials failed/);
      expect(emitted.mock.calls[0][1]).toEqual({ type: 'AttestGateWarning', code: 'ATTESTGATE_STALE_CREDENTIALS' });
    } finally {
      emitted.mockRestore();
    }
  });
});

describe('fromRolesAnywhere: errors from the service', () => {
  async function failure(answer: Answer, extra: Partial<FromRolesAnywhereOptions> = {}): Promise<CreateSessionError> {
    service.answer = () => answer;
    const error = await fromRolesAnywhere(options(extra))().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CreateSessionError);
    return error as CreateSessionError;
  }

  test('403 AccessDeniedException keeps status, code and the service message', async () => {
    const error = await failure({ status: 403, headers: { 'x-amzn-ErrorType': 'AccessDeniedException' }, body: '{"message":"Untrusted signing certificate"}' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CreateSessionError');
    expect(error.status).toBe(403);
    expect(error.code).toBe('AccessDeniedException');
    expect(error.message).toBe('Untrusted signing certificate');
    expect(error.requestId).toBe('req-1');
  });

  test('the code comes from x-amzn-ErrorType without its suffix, else from the body; an answer in no AWS shape is NonAwsResponse', async () => {
    const validation = await failure({ status: 400, headers: { 'x-amzn-ErrorType': 'ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/' }, body: '{"message":"1 validation error detected"}' });
    expect([validation.status, validation.code, validation.message]).toEqual([400, 'ValidationException', '1 validation error detected']);
    const fromBody = await failure({ status: 404, body: '{"__type":"com.amazonaws.rolesanywhere#ResourceNotFoundException","Message":"Profile not found"}' });
    expect([fromBody.status, fromBody.code, fromBody.message]).toEqual([404, 'ResourceNotFoundException', 'Profile not found']);
    const bare = await failure({ status: 500, body: '' }, { maxAttempts: 1 });
    expect([bare.status, bare.code, bare.bodyExcerpt]).toEqual([500, 'NonAwsResponse', undefined]);
    expect(bare.message).toBe(
      'CreateSession answered HTTP 500 with an empty body, which is not an AWS error response: something between this host and the endpoint (a proxy, firewall, WAF or load balancer) probably answered instead of IAM Roles Anywhere',
    );
    const untyped = await failure({ status: 400, body: '{"message":"Bad thing"}' });
    expect([untyped.status, untyped.code, untyped.message]).toEqual([400, 'UnknownError', 'Bad thing']);
  });

  test('the fake service really verifies: a body changed after signing is denied as Invalid signature', async () => {
    const forged = await fetchWithTamperedBody();
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.body).message).toBe('Invalid signature');
  });

  test('a 201 without credentials is an InvalidResponse', async () => {
    const empty = await failure({ status: 201, body: '{"credentialSet":[]}' });
    expect([empty.status, empty.code]).toEqual([201, 'InvalidResponse']);
    expect(empty.message).toBe('CreateSession answered HTTP 201 but with no credentialSet');
    const badDate = await failure({ status: 201, body: JSON.stringify({ credentialSet: [{ credentials: { accessKeyId: 'A', secretAccessKey: 'B', sessionToken: 'C', expiration: 'soon' } }] }) });
    expect(badDate.message).toBe('CreateSession answered HTTP 201 but credentials.expiration "soon" is not a timestamp');
  });

  test('no answer: NetworkError for a closed port, TimeoutError for a silent server', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await fromRolesAnywhere(options({ endpoint: `http://127.0.0.1:${port}` }))().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CreateSessionError);
    expect([(refused as CreateSessionError).status, (refused as CreateSessionError).code]).toEqual([undefined, 'NetworkError']);
    expect((refused as Error).message).toMatch(/ECONNREFUSED/);

    service.silent = true;
    const silent = await fromRolesAnywhere(options({ timeoutMs: 200 }))().catch((e: unknown) => e);
    service.silent = false;
    expect(silent).toBeInstanceOf(CreateSessionError);
    expect([(silent as CreateSessionError).status, (silent as CreateSessionError).code]).toEqual([undefined, 'TimeoutError']);
  });
});

/** Signs a request with the real signer, then changes the body: the fake service must refuse it. */
async function fetchWithTamperedBody(): Promise<{ status: number; body: string }> {
  const signed = signCreateSessionRequest({ certificate: alice.leaf.der, privateKey: alice.keys.privateKey, region: 'eu-west-1', endpoint, durationSeconds: 900, ...ARNS });
  return new Promise((resolve, reject) => {
    const req = http.request(signed.url, { method: 'POST', headers: signed.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(signed.body.replace('900', '43200'));
  });
}

describe('fromRolesAnywhere: options are checked up front', () => {
  const rejects = (overrides: Partial<FromRolesAnywhereOptions>, message: string | RegExp) => {
    expect(() => fromRolesAnywhere(options(overrides))).toThrow(AttestGateError);
    expect(() => fromRolesAnywhere(options(overrides))).toThrow(message);
  };

  test('a bad ARN names the field, the value and an example', () => {
    rejects(
      { trustAnchorArn: 'arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/my-anchor' },
      'fromRolesAnywhere: trustAnchorArn "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/my-anchor" is not a valid ARN of its kind. Fix: pass the full ARN, e.g. arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/<uuid>',
    );
    rejects({ profileArn: ARNS.trustAnchorArn }, /profileArn ".*trust-anchor.*" is not a valid ARN of its kind/);
    rejects({ roleArn: 'deployer' }, 'fromRolesAnywhere: roleArn "deployer" is not a valid ARN of its kind. Fix: pass the full ARN, e.g. arn:aws:iam::123456789012:role/deployer');
  });

  test('a profile in another region than the trust anchor, as the credential helper refuses', () => {
    rejects(
      { profileArn: ARNS.profileArn.replace('eu-west-1', 'us-east-1') },
      `fromRolesAnywhere: profileArn "${ARNS.profileArn.replace('eu-west-1', 'us-east-1')}" is in region us-east-1 but the trust anchor is in eu-west-1; CreateSession is signed for the trust anchor's region. Fix: use a profile in the trust anchor's region`,
    );
    rejects({ region: 'us-east-1' }, `fromRolesAnywhere: region "us-east-1" differs from the trust anchor's region eu-west-1. Fix: leave region unset or set it to the region of trustAnchorArn`);
    rejects({ roleArn: 'arn:aws-cn:iam::123456789012:role/deployer' }, /roleArn ".*" is in partition aws-cn but the trust anchor is in aws/);
  });

  test('a missing or unreadable key or certificate, or both forms of one', () => {
    rejects({ privateKey: undefined }, 'fromRolesAnywhere: privateKey (unset) is missing. Fix: give privateKey (PEM) or privateKeyFile (a path)');
    rejects({ certificate: undefined }, 'fromRolesAnywhere: certificate (unset) is missing. Fix: give certificate (PEM) or certificateFile (a path)');
    rejects({ privateKeyFile: path.join(tmp, 'absent.key') }, /privateKeyFile ".*absent\.key" is given together with privateKey/);
    rejects({ privateKey: undefined, privateKeyFile: path.join(tmp, 'absent.key') }, /privateKeyFile ".*absent\.key" cannot be read \(ENOENT\)\. Fix: pass the path of a readable file/);
    rejects({ certificate: 'hello' }, /certificate "hello" holds no PEM CERTIFICATE block/);
  });

  test('a key that does not belong to the certificate', () => {
    rejects({ privateKey: bob.keys.privateKey }, 'fromRolesAnywhere: privateKey "rsa private key" does not belong to the certificate (its public key is a different ec key). Fix: pass the private key the certificate was issued for');
    rejects({ privateKey: alice.keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, certificate: bob.leaf.pem }, /does not belong to the certificate \(its public key is a different rsa key\)/);
  });

  test('plain http to anything but the loopback interface', () => {
    rejects(
      { endpoint: 'http://rolesanywhere.eu-west-1.amazonaws.com' },
      'fromRolesAnywhere: endpoint "http://rolesanywhere.eu-west-1.amazonaws.com" uses plain http to a host other than 127.0.0.1, localhost or [::1]; the certificate and the credentials would cross the network unencrypted. Fix: use https, or http only for a local emulator on the loopback interface',
    );
    rejects({ endpoint: 'http://10.0.0.8:8080' }, /uses plain http/);
    expect(() => fromRolesAnywhere(options({ endpoint: 'http://localhost:9911' }))).not.toThrow();
    expect(() => fromRolesAnywhere(options({ endpoint: 'https://rolesanywhere-fips.eu-west-1.amazonaws.com' }))).not.toThrow();
  });

  test('session options CreateSession would refuse', () => {
    rejects({ durationSeconds: 899 }, 'fromRolesAnywhere: durationSeconds 899 is not a whole number from 900 to 43200. Fix: pass a duration CreateSession accepts, or leave it unset to use the profile duration');
    rejects({ durationSeconds: 43_201 }, /durationSeconds 43201 is not a whole number/);
    rejects({ roleSessionName: 'a b' }, /roleSessionName "a b" is not 2–64 characters/);
    rejects({ intermediates: alice.intermediate.pem, certificate: alice.leaf.pem + alice.intermediate.pem }, /intermediates .* gives the chain twice/);
    rejects({ intermediates: Array.from({ length: 6 }, () => alice.intermediate.der) }, /intermediates "6 certificates" is more than the 5 Roles Anywhere accepts/);
  });

  test('timeouts, attempts and callbacks that are not what they should be', () => {
    rejects({ timeoutMs: 0 }, 'fromRolesAnywhere: timeoutMs 0 is not a positive whole number of milliseconds. Fix: pass e.g. 10000');
    rejects({ maxAttempts: 1.5 }, 'fromRolesAnywhere: maxAttempts 1.5 is not a positive whole number. Fix: pass e.g. 3, or 1 for no retries');
    rejects({ totalTimeoutMs: -1 }, /totalTimeoutMs -1 is not a positive whole number of milliseconds/);
    rejects({ onWarning: 'log' as never }, /onWarning "string" is not a function/);
    rejects({ now: new Date() as never }, /now "object" is not a function/);
  });
});
