import { CRL_IMPORT_NAMESPACE, ENV, embeddedMetricRecord, handler, readConfig } from '../../../lib/aws/crl-import/index';
import { pemBlocks } from '../../../lib/core/pki/pem';
import { IssuedCertificate, createCa, createCrl } from '../../../conformance/pki/throwaway-pki';
import { CREDENTIALS, FakeAwsServer, REGION } from './fake-aws-server';

const CRL_ID = '5f0e8a4e-9c1d-4c1a-8d52-6a2b7c3d4e5f';
const ANCHOR_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe('readConfig', () => {
  const valid = {
    AWS_REGION: REGION,
    [ENV.trustAnchorId]: ANCHOR_ID,
    [ENV.crlId]: CRL_ID,
    [ENV.source]: JSON.stringify({ type: 'https', url: 'https://pki.prod.example/agents-ca.crl' }),
  };

  test('reads what the construct sets', () => {
    expect(readConfig(valid)).toEqual({ region: REGION, trustAnchorId: ANCHOR_ID, crlId: CRL_ID, source: { type: 'https', url: 'https://pki.prod.example/agents-ca.crl' } });
  });

  test.each([
    ['a missing CRL ID', { ...valid, [ENV.crlId]: undefined }, /ATTESTGATE_CRL_ID is not set/],
    ['a plain-HTTP source', { ...valid, [ENV.source]: JSON.stringify({ type: 'https', url: 'http://pki.example/a.crl' }) }, /is not https:\/\//],
    ['an incomplete S3 source', { ...valid, [ENV.source]: JSON.stringify({ type: 's3', bucket: 'b' }) }, /neither an https nor an s3 source/],
    ['a source that is not JSON', { ...valid, [ENV.source]: 'https://pki.example/a.crl' }, /is not JSON/],
  ])('refuses %s', (_, env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });
});

describe('embeddedMetricRecord', () => {
  const dims = { trustAnchorId: ANCHOR_ID, crlId: CRL_ID };
  const at = new Date('2026-11-23T09:00:00Z');

  test('a metric under the TrustAnchor and Crl dimensions', () => {
    expect(embeddedMetricRecord({ name: 'CrlAgeSeconds', value: 3600, unit: 'Seconds' }, dims, at)).toEqual({
      _aws: { Timestamp: at.getTime(), CloudWatchMetrics: [{ Namespace: 'attestgate/CrlImport', Dimensions: [['TrustAnchor', 'Crl']], Metrics: [{ Name: 'CrlAgeSeconds', Unit: 'Seconds' }] }] },
      TrustAnchor: ANCHOR_ID,
      Crl: CRL_ID,
      CrlAgeSeconds: 3600,
    });
  });

  test('a metric with a reason is published with and without the Reason dimension', () => {
    const record = embeddedMetricRecord({ name: 'ImportRejected', value: 1, unit: 'Count', reason: 'bad-signature' }, dims, at) as Record<string, any>;
    expect(record._aws.CloudWatchMetrics[0].Dimensions).toEqual([
      ['TrustAnchor', 'Crl'],
      ['TrustAnchor', 'Crl', 'Reason'],
    ]);
    expect(record.Reason).toBe('bad-signature');
    expect(record.ImportRejected).toBe(1);
  });
});

describe('handler, end to end against signed fake AWS endpoints', () => {
  let server: FakeAwsServer;
  let ca: IssuedCertificate;
  let saved: NodeJS.ProcessEnv;
  let logged: string[];

  beforeAll(async () => {
    ca = await createCa({ subject: { CN: 'Agents CA', O: 'attestgate tests' } });
  });

  beforeEach(async () => {
    server = new FakeAwsServer();
    const endpoint = await server.listen();
    saved = { ...process.env };
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: CREDENTIALS.sessionToken,
      AWS_ENDPOINT_URL: endpoint,
      [ENV.trustAnchorId]: ANCHOR_ID,
      [ENV.crlId]: CRL_ID,
      [ENV.source]: JSON.stringify({ type: 's3', bucket: 'pca-crls', key: 'crl/agents.crl', region: REGION }),
    });
    logged = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void logged.push(line));
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    process.env = saved;
    await server.close();
  });

  test('an S3 object-created event imports the new CRL and logs EMF metrics', async () => {
    // GIVEN Roles Anywhere holds CRL 1; the PCA bucket has CRL 2 (DER, as ACM PCA writes it)
    server.trustAnchorSource = { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: ca.pem } };
    server.heldCrl = Buffer.from((await createCrl({ issuer: ca, crlNumber: 1n, thisUpdate: new Date(Date.now() - 7200_000) })).pem);
    const published = await createCrl({ issuer: ca, crlNumber: 2n, revokedSerials: ['0abc'] });
    server.objects.set('/pca-crls/crl/agents.crl', published.der);
    // WHEN
    const outcome = await handler({ source: 'aws.s3', 'detail-type': 'Object Created' });
    // THEN
    expect(outcome).toMatchObject({ status: 'imported', crl: { crlNumber: '2', revokedCount: 1 } });
    expect(pemBlocks(server.heldCrl!.toString(), 'X509 CRL')[0].equals(published.der)).toBe(true);
    expect(server.received.map((r) => `${r.method} ${r.path} (${r.signedFor})`)).toEqual([
      `GET /crl/${CRL_ID} (rolesanywhere)`,
      'GET /pca-crls/crl/agents.crl (s3)',
      `GET /trustanchor/${ANCHOR_ID} (rolesanywhere)`,
      `PATCH /crl/${CRL_ID} (rolesanywhere)`,
    ]);
    const records = logged.map((line) => JSON.parse(line) as Record<string, any>);
    const metrics = records.filter((r) => r._aws).map((r) => r._aws.CloudWatchMetrics[0]);
    expect(new Set(metrics.map((m) => m.Namespace))).toEqual(new Set([CRL_IMPORT_NAMESPACE]));
    expect(metrics.map((m) => m.Metrics[0].Name)).toEqual(['ImportSucceeded', 'CrlUpdated', 'CrlAgeSeconds', 'SecondsToNextUpdate']);
    expect(records.at(-1)).toMatchObject({ message: 'attestgate CRL import', trigger: 'aws.s3', status: 'imported', crlId: CRL_ID });
  });

  test('an ACM PCA trust anchor: the CA certificate comes from GetCertificateAuthorityCertificate', async () => {
    const pcaArn = `arn:aws:acm-pca:${REGION}:111122223333:certificate-authority/0a1b2c3d-0000-4000-8000-000000000000`;
    server.trustAnchorSource = { sourceType: 'AWS_ACM_PCA', sourceData: { acmPcaArn: pcaArn } };
    server.pcaCertificatePem = ca.pem;
    server.objects.set('/pca-crls/crl/agents.crl', (await createCrl({ issuer: ca, crlNumber: 5n })).der);
    const outcome = await handler({ source: 'aws.scheduler' });
    expect(outcome).toMatchObject({ status: 'imported', baseline: 'none' });
    expect(server.received.find((r) => r.signedFor === 'acm-pca')).toBeDefined();
  });

  test('a CRL the anchor’s CA did not sign is refused and counted', async () => {
    const other = await createCa({ subject: { CN: 'Agents CA', O: 'attestgate tests' } });
    server.trustAnchorSource = { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: ca.pem } };
    server.objects.set('/pca-crls/crl/agents.crl', (await createCrl({ issuer: other, crlNumber: 9n })).der);
    const outcome = await handler({});
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'bad-signature' });
    expect(server.received.filter((r) => r.method === 'PATCH')).toEqual([]);
    const rejected = logged.map((l) => JSON.parse(l)).find((r) => r.ImportRejected === 1);
    expect(rejected).toMatchObject({ Reason: 'bad-signature', TrustAnchor: ANCHOR_ID, Crl: CRL_ID });
  });
});
