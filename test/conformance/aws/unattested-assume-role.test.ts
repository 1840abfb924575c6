import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsHttpProbeTarget, publicAwsEndpoints } from '../../../conformance/aws/aws-probe-target';
import { UNATTESTED_DURATION_SECONDS, UNATTESTED_SESSION_NAME, UnattestedAssumeRoleSigner } from '../../../conformance/aws/unattested-assume-role';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A server that records each request and answers with `answer`. */
async function recordingServer(answer: { status: number; body: string }): Promise<{ endpoint: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      response.writeHead(answer.status, { 'content-type': 'text/xml' });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const DENIED = '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: x is not authorized to perform: sts:AssumeRole on resource: y</Message></Error><RequestId>1</RequestId></ErrorResponse>';
const ROLE = 'arn:aws:iam::111122223333:role/gated/Agent+Role=1';
const CREDENTIALS = { accessKeyId: 'AKIAUNATTESTED00001', secretAccessKey: 'secret' };
/** The SDK's own telemetry: not part of what STS authorizes by. */
const SDK_TELEMETRY = ['user-agent', 'x-amz-user-agent', 'amz-sdk-invocation-id', 'amz-sdk-request'];

describe('UnattestedAssumeRoleSigner', () => {
  test('sends what @aws-sdk/client-sts sends for AssumeRole: the same body, method, path and signed headers, less the SDK’s telemetry', async () => {
    const server = await recordingServer({ status: 403, body: DENIED });
    try {
      const sdk = new STSClient({ region: 'eu-west-1', endpoint: server.endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
      await expect(sdk.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: UNATTESTED_SESSION_NAME, DurationSeconds: UNATTESTED_DURATION_SECONDS }))).rejects.toMatchObject({ name: 'AccessDenied' });
      sdk.destroy();
      const target = new AwsHttpProbeTarget({ name: 't', region: 'eu-west-1', endpoints: { ...publicAwsEndpoints('eu-west-1'), sts: server.endpoint }, unattestedCredentials: CREDENTIALS });
      const outcome = await target.assumeRoleUnattested(ROLE);
      expect(outcome).toMatchObject({ kind: 'response', status: 403 });
      const [fromSdk, ours] = server.received;
      expect(ours.body).toBe(fromSdk.body);
      expect([ours.method, ours.url]).toEqual([fromSdk.method, fromSdk.url]);
      const signedHeaders = (r: Received) => /SignedHeaders=([^,]+)/.exec(String(r.headers.authorization))![1].split(';');
      expect(signedHeaders(ours)).toEqual(signedHeaders(fromSdk).filter((h) => !SDK_TELEMETRY.includes(h)));
      // Access key and scope (region, service), the date aside.
      const credentialScope = (r: Received) => /Credential=([^/]+)\/\d{8}\/([^,]+)/.exec(String(r.headers.authorization))!.slice(1);
      expect(credentialScope(ours)).toEqual(credentialScope(fromSdk));
      for (const name of ['content-type', 'content-length', 'host', 'x-amz-content-sha256']) expect([name, ours.headers[name]]).toEqual([name, fromSdk.headers[name]]);
      expect(String(ours.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAUNATTESTED00001\/\d{8}\/eu-west-1\/sts\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/);
    } finally {
      await server.close();
    }
  });

  test('the request is signed over its body: another role, another signature and payload hash', async () => {
    const signer = new UnattestedAssumeRoleSigner({ endpoint: 'https://sts.eu-west-1.amazonaws.com', region: 'eu-west-1', credentials: CREDENTIALS });
    const [one, other] = await Promise.all([signer.sign(ROLE), signer.sign(`${ROLE}-other`)]);
    expect(one.url).toBe('https://sts.eu-west-1.amazonaws.com/');
    expect(other.headers['x-amz-content-sha256']).not.toBe(one.headers['x-amz-content-sha256']);
    expect(/Signature=(\w+)/.exec(other.headers.authorization)![1]).not.toBe(/Signature=(\w+)/.exec(one.headers.authorization)![1]);
  });
});

describe('AwsHttpProbeTarget.assumeRoleUnattested', () => {
  const targetOn = (endpoint: string, credentials: ConstructorParameters<typeof AwsHttpProbeTarget>[0]['unattestedCredentials'] = CREDENTIALS) =>
    new AwsHttpProbeTarget({ name: 't', region: 'eu-west-1', endpoints: { ...publicAwsEndpoints('eu-west-1'), sts: endpoint }, unattestedCredentials: credentials });

  test('a denial keeps STS’s own error code and message, for the judgement to read', async () => {
    const server = await recordingServer({ status: 403, body: DENIED });
    try {
      const outcome = await targetOn(server.endpoint).assumeRoleUnattested(ROLE);
      expect(outcome).toMatchObject({ kind: 'response', status: 403 });
      expect('body' in outcome && outcome.body).toContain('<Code>AccessDenied</Code>');
    } finally {
      await server.close();
    }
  });

  test('issued credentials are reported as issued, without keeping the secret', async () => {
    const issued = '<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAISSUED</AccessKeyId><SecretAccessKey>very-secret</SecretAccessKey><SessionToken>t</SessionToken></Credentials></AssumeRoleResult></AssumeRoleResponse>';
    const server = await recordingServer({ status: 200, body: issued });
    try {
      const outcome = await targetOn(server.endpoint).assumeRoleUnattested(ROLE);
      expect(outcome).toEqual({ kind: 'response', status: 200, headers: expect.any(Object), body: '<Credentials>issued</Credentials>' });
    } finally {
      await server.close();
    }
  });

  test('credentials that cannot be resolved send nothing and give no verdict', async () => {
    const server = await recordingServer({ status: 403, body: DENIED });
    try {
      const outcome = await targetOn(server.endpoint, async () => {
        throw new Error('no credentials in the chain');
      }).assumeRoleUnattested(ROLE);
      expect(outcome).toEqual({ kind: 'network-error', error: expect.stringContaining('no credentials in the chain') });
      expect(server.received).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
