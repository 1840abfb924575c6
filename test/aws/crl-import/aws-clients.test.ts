import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  AwsClientOptions,
  RolesAnywhereClient,
  fetchDistributionPoint,
  getCertificateAuthorityCertificate,
  getS3Object,
  redirectTarget,
  withRetries,
} from '../../../lib/aws/crl-import/aws-clients';
import { CrlImportDependencyError } from '../../../lib/aws/crl-import/import-crl';
import { CREDENTIALS, FakeAwsServer, REGION, json } from './fake-aws-server';

const CRL_ID = '5f0e8a4e-9c1d-4c1a-8d52-6a2b7c3d4e5f';
const ANCHOR_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

let server: FakeAwsServer;
let endpoint: string;
let sleeps: number[];
let options: AwsClientOptions;

beforeEach(async () => {
  server = new FakeAwsServer();
  endpoint = await server.listen();
  sleeps = [];
  options = {
    region: REGION,
    credentials: CREDENTIALS,
    endpoints: { rolesAnywhere: endpoint, s3: endpoint, acmPca: endpoint },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
});
afterEach(() => server.close());

describe('RolesAnywhereClient', () => {
  test('GetCrl: a SigV4-signed GET of /crl/{id}, with the session token; the blob is base64-decoded', async () => {
    server.heldCrl = Buffer.from('-----BEGIN X509 CRL-----\nMAo=\n-----END X509 CRL-----\n');
    const data = await new RolesAnywhereClient(options).getCrl(CRL_ID);
    expect(Buffer.from(data!).toString()).toBe(server.heldCrl.toString());
    expect(server.received).toEqual([expect.objectContaining({ method: 'GET', path: `/crl/${CRL_ID}`, signedFor: 'rolesanywhere' })]);
    expect(server.received[0].headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
    expect(server.received[0].headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/\\d{8}/${REGION}/rolesanywhere/aws4_request`));
  });

  test('GetCrl of a CRL without data is undefined', async () => {
    expect(await new RolesAnywhereClient(options).getCrl(CRL_ID)).toBeUndefined();
  });

  test('UpdateCrl: a signed PATCH with the PEM as a base64 blob, never ImportCrl', async () => {
    const pem = '-----BEGIN X509 CRL-----\nMAo=\n-----END X509 CRL-----\n';
    await new RolesAnywhereClient(options).updateCrl(CRL_ID, pem);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]).toMatchObject({ method: 'PATCH', path: `/crl/${CRL_ID}`, signedFor: 'rolesanywhere' });
    expect(server.received[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(server.received[0].body)).toEqual({ crlData: Buffer.from(pem).toString('base64') });
    expect(server.heldCrl!.toString()).toBe(pem);
  });

  test('GetTrustAnchor: the source type and data', async () => {
    server.trustAnchorSource = { sourceType: 'AWS_ACM_PCA', sourceData: { acmPcaArn: 'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/abc' } };
    expect(await new RolesAnywhereClient(options).getTrustAnchorSource(ANCHOR_ID)).toEqual({
      sourceType: 'AWS_ACM_PCA',
      acmPcaArn: 'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/abc',
      x509CertificateData: undefined,
    });
  });

  test('a throttled call is retried with backoff and then succeeds', async () => {
    server.script.set(`PATCH /crl/${CRL_ID}`, [json(429, { message: 'Rate exceeded' }, 'ThrottlingException'), json(400, { __type: 'ThrottlingException' })]);
    await new RolesAnywhereClient(options).updateCrl(CRL_ID, 'pem');
    expect(server.received).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeLessThan(500);
    expect(sleeps[1]).toBeLessThan(1000);
  });

  test('throttling that outlasts the attempts is reported as throttled', async () => {
    server.script.set(`GET /crl/${CRL_ID}`, Array.from({ length: 3 }, () => json(429, { message: 'Rate exceeded' }, 'ThrottlingException')));
    await expect(new RolesAnywhereClient(options).getCrl(CRL_ID)).rejects.toMatchObject({ name: 'CrlImportDependencyError', kind: 'throttled' });
    expect(server.received).toHaveLength(3);
  });

  test.each([
    [403, 'AccessDeniedException', 'denied'],
    [404, 'ResourceNotFoundException', 'not-found'],
    [400, 'ValidationException', 'error'],
  ])('%i %s is %s, not retried', async (status, code, kind) => {
    server.script.set(`PATCH /crl/${CRL_ID}`, [json(status, { message: code }, code)]);
    await expect(new RolesAnywhereClient(options).updateCrl(CRL_ID, 'pem')).rejects.toMatchObject({ kind, message: expect.stringContaining(code) });
    expect(server.received).toHaveLength(1);
  });

  test('a 503 is transient and retried', async () => {
    server.script.set(`GET /trustanchor/${ANCHOR_ID}`, [{ status: 503, body: 'Service Unavailable' }]);
    server.trustAnchorSource = { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: 'pem' } };
    await expect(new RolesAnywhereClient(options).getTrustAnchorSource(ANCHOR_ID)).resolves.toMatchObject({ sourceType: 'CERTIFICATE_BUNDLE' });
    expect(server.received).toHaveLength(2);
  });

  test('a refused connection is unreachable', async () => {
    await server.close();
    const client = new RolesAnywhereClient({ ...options, maxAttempts: 1 });
    await expect(client.getCrl(CRL_ID)).rejects.toMatchObject({ kind: 'unreachable' });
    server = new FakeAwsServer();
    await server.listen();
  });
});

describe('ACM PCA and S3', () => {
  test('GetCertificateAuthorityCertificate: JSON 1.1, signed for acm-pca in the CA’s Region', async () => {
    server.pcaCertificatePem = '-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n';
    const der = await getCertificateAuthorityCertificate(options, `arn:aws:acm-pca:${REGION}:111122223333:certificate-authority/abc`);
    expect(der.toString('base64')).toBe('MAMCAQE=');
    expect(server.received[0]).toMatchObject({ method: 'POST', path: '/', signedFor: 'acm-pca' });
    expect(server.received[0].headers['x-amz-target']).toBe('ACMPrivateCA.GetCertificateAuthorityCertificate');
    expect(JSON.parse(server.received[0].body)).toEqual({ CertificateAuthorityArn: `arn:aws:acm-pca:${REGION}:111122223333:certificate-authority/abc` });
  });

  test('GetObject: signed for s3 with the payload hash header', async () => {
    server.objects.set('/pca-crls/crl/0a1b.crl', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]));
    const body = await getS3Object(options, { bucket: 'pca-crls', key: 'crl/0a1b.crl', region: REGION }, 1000);
    expect([...body]).toEqual([0x30, 0x03, 0x02, 0x01, 0x01]);
    expect(server.received[0]).toMatchObject({ method: 'GET', path: '/pca-crls/crl/0a1b.crl', signedFor: 's3' });
    expect(server.received[0].headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
  });

  test('GetObject of a missing key is not-found', async () => {
    await expect(getS3Object(options, { bucket: 'pca-crls', key: 'crl/missing.crl', region: REGION }, 1000)).rejects.toMatchObject({ kind: 'not-found' });
  });

  test('GetObject past the size cap is too-large', async () => {
    server.objects.set('/pca-crls/big.crl', Buffer.alloc(5000, 0x41));
    await expect(getS3Object(options, { bucket: 'pca-crls', key: 'big.crl', region: REGION }, 1000)).rejects.toMatchObject({ kind: 'too-large' });
  });
});

describe('fetchDistributionPoint', () => {
  let origin: http.Server;
  let base: string;
  const routes = new Map<string, (res: http.ServerResponse) => void>();
  beforeAll(async () => {
    origin = http.createServer((req, res) => (routes.get(req.url ?? '') ?? ((r: http.ServerResponse) => r.writeHead(404).end()))(res));
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => origin.close(() => resolve())));
  const fetchOptions = { maxBytes: 1000, sleep: async () => undefined };

  test('follows a redirect to the CRL', async () => {
    routes.set('/old.crl', (res) => res.writeHead(301, { location: '/agents-ca.crl' }).end());
    routes.set('/agents-ca.crl', (res) => res.writeHead(200).end('crl-bytes'));
    expect((await fetchDistributionPoint(`${base}/old.crl`, fetchOptions)).toString()).toBe('crl-bytes');
  });

  test('stops after three redirects', async () => {
    routes.set('/loop', (res) => res.writeHead(302, { location: '/loop' }).end());
    await expect(fetchDistributionPoint(`${base}/loop`, fetchOptions)).rejects.toMatchObject({ kind: 'invalid-response', message: expect.stringContaining('more than 3 redirects') });
  });

  test('never follows a redirect from HTTPS down to HTTP', () => {
    expect(() => redirectTarget(new URL('https://pki.example/a.crl'), 'http://pki.example/a.crl')).toThrow(/downgrading from HTTPS/);
    expect(redirectTarget(new URL('https://pki.example/a.crl'), '/b.crl').toString()).toBe('https://pki.example/b.crl');
    expect(redirectTarget(new URL('http://pki.example/a.crl'), 'https://pki.example/a.crl').protocol).toBe('https:');
  });

  test.each([
    [404, 'not-found'],
    [403, 'denied'],
    [503, 'unreachable'],
  ])('%i is %s', async (status, kind) => {
    routes.set(`/status-${status}`, (res) => res.writeHead(status).end());
    await expect(fetchDistributionPoint(`${base}/status-${status}`, fetchOptions)).rejects.toMatchObject({ kind });
  });

  test('a body past the cap is too-large', async () => {
    routes.set('/huge.crl', (res) => res.writeHead(200).end(Buffer.alloc(4000, 0x30)));
    await expect(fetchDistributionPoint(`${base}/huge.crl`, fetchOptions)).rejects.toMatchObject({ kind: 'too-large' });
  });
});

describe('withRetries', () => {
  test('does not retry what retrying cannot fix', async () => {
    let calls = 0;
    await expect(
      withRetries(async () => {
        calls++;
        throw new CrlImportDependencyError('denied', 'AccessDenied');
      }),
    ).rejects.toMatchObject({ kind: 'denied' });
    expect(calls).toBe(1);
  });
});
