import { MAX_CRL_DATA_LENGTH } from '../../../lib/aws/trust-anchor-crl';
import {
  CrlImportDependencyError,
  CrlImportMetric,
  CrlImportOptions,
  CrlImportOutcome,
  MAX_CRL_DATA_BYTES,
  importCrl,
} from '../../../lib/aws/crl-import/import-crl';
import { normalizeSerial, parseCrl } from '../../../lib/core/pki/crl';
import { pemBlocks } from '../../../lib/core/pki/pem';
import { IssuedCertificate, createCa, createCrl, generateKeys } from '../../../conformance/pki/throwaway-pki';
import { FakeRolesAnywhere, OpensslCa, pkijsCrl } from './crl-fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2026-11-23T09:00:00Z');

interface Run {
  readonly outcome: CrlImportOutcome;
  readonly metrics: CrlImportMetric[];
  readonly fetches: number;
}

/** One run of the import against a fake Roles Anywhere and a source serving `published`. */
async function run(ra: FakeRolesAnywhere, published: Uint8Array | string | Error, options: CrlImportOptions = {}): Promise<Run> {
  const metrics: CrlImportMetric[] = [];
  let fetches = 0;
  const outcome = await importCrl(
    {
      fetchCrl: async () => {
        fetches++;
        if (published instanceof Error) throw published;
        return typeof published === 'string' ? Buffer.from(published, 'utf8') : published;
      },
      trustAnchorCaCertificates: () => ra.getTrustAnchorCertificates(),
      currentCrl: () => ra.getCrl(),
      updateCrl: (pem) => ra.updateCrl(pem),
      now: () => NOW,
      emitMetric: (m) => metrics.push(m),
    },
    options,
  );
  return { outcome, metrics, fetches };
}

const metric = (metrics: CrlImportMetric[], name: string) => metrics.find((m) => m.name === name);
const derOf = (pem: string) => pemBlocks(pem, 'X509 CRL')[0];

/** What a refused run must leave behind: nothing imported, the old CRL held, the refusal counted. */
function expectNothingImported(ra: FakeRolesAnywhere, heldBefore: Uint8Array | undefined, result: Run): void {
  expect(ra.updates).toEqual([]);
  expect(ra.held).toBe(heldBefore);
  expect(metric(result.metrics, 'ImportSucceeded')).toEqual({ name: 'ImportSucceeded', value: 0, unit: 'Count' });
  expect(metric(result.metrics, 'CrlUpdated')).toBeUndefined();
}

describe('importCrl with an openssl-run CA', () => {
  let ca: OpensslCa;
  let first: string;
  let revokedSerial: string;
  let second: string;
  beforeAll(() => {
    ca = new OpensslCa();
    first = ca.generateCrl(new Date(NOW.getTime() - 2 * HOUR), new Date(NOW.getTime() + 7 * DAY));
    revokedSerial = ca.issueAndRevoke('stolen-agent');
    second = ca.generateCrl(new Date(NOW.getTime() - HOUR), new Date(NOW.getTime() + 7 * DAY));
  });
  afterAll(() => ca.remove());

  test('imports a newer CRL with UpdateCrl, as PEM, and reports its age', async () => {
    // GIVEN Roles Anywhere holds CRL 1000, the distribution point serves 1001 with the revocation
    const ra = new FakeRolesAnywhere(Buffer.from(first), [ca.certificateDer]);
    // WHEN
    const result = await run(ra, second);
    // THEN
    expect(result.outcome).toMatchObject({
      status: 'imported',
      baseline: 'verified',
      stale: false,
      crl: { issuer: 'O=attestgate tests, CN=Openssl Agents CA', crlNumber: '4097', revokedCount: 1 },
      replaced: { crlNumber: '4096', revokedCount: 0 },
    });
    expect(ra.updates).toHaveLength(1);
    expect(parseCrl(derOf(ra.updates[0])).revokedSerials).toEqual([normalizeSerial(revokedSerial)]);
    expect(result.metrics).toEqual([
      { name: 'ImportSucceeded', value: 1, unit: 'Count' },
      { name: 'CrlUpdated', value: 1, unit: 'Count' },
      { name: 'CrlAgeSeconds', value: 3600, unit: 'Seconds' },
      { name: 'SecondsToNextUpdate', value: 7 * 86400, unit: 'Seconds' },
    ]);
  });

  test('accepts the DER form and sends PEM', async () => {
    const ra = new FakeRolesAnywhere(Buffer.from(first), [ca.certificateDer]);
    const result = await run(ra, ca.der(second));
    expect(result.outcome.status).toBe('imported');
    expect(ra.updates[0]).toMatch(/^-----BEGIN X509 CRL-----\n/);
    expect(derOf(ra.updates[0]).equals(derOf(second))).toBe(true);
  });

  test('leaves an unchanged CRL alone: no UpdateCrl, still a success', async () => {
    const ra = new FakeRolesAnywhere(Buffer.from(second), [ca.certificateDer]);
    const result = await run(ra, ca.der(second));
    expect(result.outcome).toMatchObject({ status: 'unchanged', crl: { crlNumber: '4097' } });
    expect(ra.updates).toEqual([]);
    expect(metric(result.metrics, 'ImportSucceeded')!.value).toBe(1);
    expect(metric(result.metrics, 'CrlUpdated')!.value).toBe(0);
  });

  test('refuses a replayed older CRL: it would un-revoke the stolen certificate', async () => {
    const held = Buffer.from(second);
    const ra = new FakeRolesAnywhere(held, [ca.certificateDer]);
    const result = await run(ra, first);
    expect(result.outcome).toMatchObject({ status: 'rejected', reason: 'older-this-update', held: { crlNumber: '4097' } });
    expectNothingImported(ra, held, result);
    expect(metric(result.metrics, 'ImportRejected')).toEqual({ name: 'ImportRejected', value: 1, unit: 'Count', reason: 'older-this-update' });
    // The age metrics keep describing the CRL Roles Anywhere still holds.
    expect(metric(result.metrics, 'CrlAgeSeconds')!.value).toBe(3600);
  });

  test('refuses a CRL signed by a CA the trust anchor does not hold', async () => {
    const other = new OpensslCa('Openssl Agents CA');
    try {
      const held = Buffer.from(first);
      const ra = new FakeRolesAnywhere(held, [ca.certificateDer]);
      // Same issuer name, another key: only the signature tells them apart.
      const result = await run(ra, other.generateCrl(NOW, new Date(NOW.getTime() + DAY)));
      expect(result.outcome).toMatchObject({ status: 'rejected', reason: 'bad-signature' });
      expectNothingImported(ra, held, result);
    } finally {
      other.remove();
    }
  });
});

describe('importCrl fault matrix', () => {
  let ca: IssuedCertificate;
  let secondCa: IssuedCertificate;
  let heldDer: Buffer;
  beforeAll(async () => {
    ca = await createCa({ subject: { CN: 'Agents CA', O: 'attestgate tests' } });
    secondCa = await createCa({ subject: { CN: 'Agents CA 2', O: 'attestgate tests' } });
    heldDer = await pkijsCrl({ issuer: ca, thisUpdate: new Date(NOW.getTime() - 2 * HOUR), nextUpdate: new Date(NOW.getTime() + DAY), crlNumber: 10 });
  });
  const anchor = () => new FakeRolesAnywhere(heldDer, [ca.der]);
  const newer = (extra: { revokedSerials?: string[]; crlNumber?: number } = {}) =>
    pkijsCrl({ issuer: ca, thisUpdate: new Date(NOW.getTime() - HOUR), nextUpdate: new Date(NOW.getTime() + DAY), crlNumber: 11, ...extra });

  test('a forged CRL: the right issuer name, signed by another key', async () => {
    const rogue = { keys: await generateKeys(), keyAlgorithm: 'EC-P256' as const };
    const { der } = await createCrl({ issuer: ca, signingKeys: rogue, crlNumber: 99n });
    const ra = anchor();
    const result = await run(ra, der);
    expect(result.outcome).toMatchObject({ status: 'rejected', reason: 'bad-signature' });
    expect((result.outcome as { detail: string }).detail).toContain('not signed by any CA of the trust anchor (O=attestgate tests, CN=Agents CA)');
    expectNothingImported(ra, heldDer, result);
  });

  test('a CRL naming another issuer than the CA key that signed it', async () => {
    const der = await pkijsCrl({ issuer: secondCa, signedBy: ca, thisUpdate: NOW, crlNumber: 11 });
    const ra = anchor();
    const result = await run(ra, der);
    expect(result.outcome).toMatchObject({ status: 'rejected', reason: 'issuer-mismatch' });
    expectNothingImported(ra, heldDer, result);
  });

  test('the same thisUpdate with a CRL number that does not grow', async () => {
    const der = await pkijsCrl({ issuer: ca, thisUpdate: new Date(NOW.getTime() - 2 * HOUR), crlNumber: 10, revokedSerials: ['01'] });
    const ra = anchor();
    const result = await run(ra, der);
    expect(result.outcome).toMatchObject({ status: 'rejected', reason: 'crl-number-not-increasing' });
    expectNothingImported(ra, heldDer, result);
  });

  test('a newer CRL that dropped the CRL number the held one has', async () => {
    const der = await pkijsCrl({ issuer: ca, thisUpdate: NOW });
    const ra = anchor();
    const result = await run(ra, der);
    expect(result.outcome).toMatchObject({ status: 'rejected', reason: 'crl-number-missing' });
    expectNothingImported(ra, heldDer, result);
  });

  test('two different CRLs of the same instant without numbers cannot be ordered', async () => {
    const at = new Date(NOW.getTime() - HOUR);
    const held = await pkijsCrl({ issuer: ca, thisUpdate: at });
    const ra = new FakeRolesAnywhere(held, [ca.der]);
    const result = await run(ra, await pkijsCrl({ issuer: ca, thisUpdate: at, revokedSerials: ['0abc'] }));
    expect(result.outcome).toMatchObject({ status: 'rejected', reason: 'not-newer' });
    expectNothingImported(ra, held, result);
  });

  test.each([
    ['random bytes', () => Buffer.from('8f2c1e77a0b1c2d3e4f5', 'hex')],
    ['HTML from a captive portal', () => Buffer.from('<html><body>Please log in</body></html>')],
    ['a truncated DER CRL', async () => (await newer()).subarray(0, 40)],
    ['a PEM certificate instead of a CRL', () => Buffer.from(ca.pem)],
    ['a PEM with two CRLs', async () => Buffer.from(`${(await createCrl({ issuer: ca })).pem}${(await createCrl({ issuer: ca })).pem}`)],
  ])('garbage: %s', async (_, make) => {
    const ra = anchor();
    const result = await run(ra, await make());
    expect(result.outcome).toMatchObject({ status: 'rejected', reason: 'unparseable' });
    expectNothingImported(ra, heldDer, result);
    expect(metric(result.metrics, 'ImportRejected')!.reason).toBe('unparseable');
  });

  test('oversize: a genuine CRL whose PEM exceeds the 300 000 bytes UpdateCrl accepts', async () => {
    expect(MAX_CRL_DATA_BYTES).toBe(MAX_CRL_DATA_LENGTH);
    // Its DER would fit; its PEM, the form UpdateCrl is given, does not.
    const serials = Array.from({ length: 10_000 }, (_, i) => (0x10000000 + i).toString(16));
    const der = await pkijsCrl({ issuer: ca, thisUpdate: NOW, revokedSerials: serials, crlNumber: 11 });
    expect(der.length).toBeLessThan(MAX_CRL_DATA_BYTES);
    const ra = anchor();
    const result = await run(ra, der);
    expect(result.outcome).toMatchObject({ status: 'rejected', reason: 'oversize' });
    expect((result.outcome as { detail: string }).detail).toMatch(/bytes of PEM exceed the 300000/);
    expectNothingImported(ra, heldDer, result);
  });

  test('oversize: a download cut off at the cap', async () => {
    const ra = anchor();
    const result = await run(ra, new CrlImportDependencyError('too-large', 'the response exceeded 300000 bytes'));
    expect(result.outcome).toMatchObject({ status: 'rejected', reason: 'oversize' });
    expectNothingImported(ra, heldDer, result);
  });

  test('a SHA-1 signed CRL', async () => {
    const rsaCa = await createCa({ subject: { CN: 'RSA CA' }, keyAlgorithm: 'RSA-2048' });
    const { der } = await createCrl({ issuer: rsaCa, signingHash: 'SHA-1', crlNumber: 11n });
    const ra = new FakeRolesAnywhere(undefined, [rsaCa.der]);
    const result = await run(ra, der);
    expect(result.outcome).toMatchObject({ status: 'rejected', reason: 'weak-signature' });
    expectNothingImported(ra, undefined, result);
  });

  test('a thisUpdate in the future would block every later CRL', async () => {
    const der = await pkijsCrl({ issuer: ca, thisUpdate: new Date(NOW.getTime() + DAY), crlNumber: 11 });
    const ra = anchor();
    const result = await run(ra, der);
    expect(result.outcome).toMatchObject({ status: 'rejected', reason: 'this-update-in-future' });
    expectNothingImported(ra, heldDer, result);
  });

  test('a CRL of the other CA of the anchor, while the held CRL’s CA is still trusted', async () => {
    const ra = new FakeRolesAnywhere(heldDer, [ca.der, secondCa.der]);
    const result = await run(ra, await pkijsCrl({ issuer: secondCa, thisUpdate: NOW, crlNumber: 500 }));
    expect(result.outcome).toMatchObject({ status: 'rejected', reason: 'issuer-changed' });
    expectNothingImported(ra, heldDer, result);
  });

  test('the source is unreachable', async () => {
    const ra = anchor();
    const result = await run(ra, new CrlImportDependencyError('unreachable', 'connect ECONNREFUSED 203.0.113.7:443'));
    expect(result.outcome).toMatchObject({ status: 'failed', reason: 'source-unreachable', detail: 'connect ECONNREFUSED 203.0.113.7:443' });
    expectNothingImported(ra, heldDer, result);
    expect(metric(result.metrics, 'ImportFailed')).toEqual({ name: 'ImportFailed', value: 1, unit: 'Count', reason: 'source-unreachable' });
    expect(metric(result.metrics, 'SecondsToNextUpdate')!.value).toBe(86400);
  });

  test('UpdateCrl is throttled', async () => {
    const ra = anchor();
    ra.failures.updateCrl = new CrlImportDependencyError('throttled', 'ThrottlingException: Rate exceeded');
    const result = await run(ra, await newer());
    expect(result.outcome).toMatchObject({ status: 'failed', reason: 'update-throttled' });
    expectNothingImported(ra, heldDer, result);
    // The age metrics describe the CRL still held, not the one that failed to go in.
    expect(metric(result.metrics, 'CrlAgeSeconds')!.value).toBe(7200);
  });

  test('GetCrl is throttled: without the held CRL nothing can be compared, so nothing is fetched or imported', async () => {
    const ra = anchor();
    ra.failures.getCrl = new CrlImportDependencyError('throttled', 'ThrottlingException');
    const result = await run(ra, await newer());
    expect(result.outcome).toMatchObject({ status: 'failed', reason: 'current-crl-throttled' });
    expect(result.fetches).toBe(0);
    expectNothingImported(ra, heldDer, result);
  });

  test.each([
    ['denied', new CrlImportDependencyError('denied', 'AccessDeniedException'), 'trust-anchor-denied'],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'source')"), 'trust-anchor-error'],
  ])('GetTrustAnchor fails (%s)', async (_, error, reason) => {
    const ra = anchor();
    ra.failures.getTrustAnchor = error;
    const result = await run(ra, await newer());
    expect(result.outcome).toMatchObject({ status: 'failed', reason });
    expectNothingImported(ra, heldDer, result);
  });

  test('a trust anchor with no readable CA certificate', async () => {
    for (const cas of [[], [Buffer.from('not a certificate')]]) {
      const ra = new FakeRolesAnywhere(heldDer, cas);
      const result = await run(ra, await newer());
      expect(result.outcome).toMatchObject({ status: 'failed', reason: 'trust-anchor-invalid' });
      expectNothingImported(ra, heldDer, result);
    }
  });

  test('a newer CRL already past its nextUpdate is imported (it revokes more) and the staleness shows', async () => {
    const ra = anchor();
    const stale = await pkijsCrl({ issuer: ca, thisUpdate: new Date(NOW.getTime() - HOUR), nextUpdate: new Date(NOW.getTime() - 60_000), crlNumber: 11 });
    const result = await run(ra, stale);
    expect(result.outcome).toMatchObject({ status: 'imported', stale: true });
    expect(metric(result.metrics, 'SecondsToNextUpdate')!.value).toBe(-60);
  });

  test('a forged CRL held by Roles Anywhere is no baseline: its far-future thisUpdate cannot freeze revocation', async () => {
    const rogue = { keys: await generateKeys(), keyAlgorithm: 'EC-P256' as const };
    const forged = (await createCrl({ issuer: ca, signingKeys: rogue, thisUpdate: new Date('2030-01-01T00:00:00Z'), crlNumber: 1_000_000n })).der;
    const ra = new FakeRolesAnywhere(forged, [ca.der]);
    const result = await run(ra, await newer({ revokedSerials: ['0bad'] }));
    expect(result.outcome).toMatchObject({ status: 'imported', baseline: 'untrusted' });
    expect(ra.updates).toHaveLength(1);
  });

  test('after CA rotation, the held CRL of the retired CA does not block the new CA’s', async () => {
    const ra = new FakeRolesAnywhere(heldDer, [secondCa.der]);
    const result = await run(ra, await pkijsCrl({ issuer: secondCa, thisUpdate: new Date(NOW.getTime() - 3 * HOUR), crlNumber: 1 }));
    expect(result.outcome).toMatchObject({ status: 'imported', baseline: 'other-issuer' });
  });

  test.each([
    ['nothing', undefined, 'none'],
    ['unparseable data', Buffer.from('-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n'), 'unreadable'],
  ])('Roles Anywhere holds %s: the verified CRL goes in', async (_, held, baseline) => {
    const ra = new FakeRolesAnywhere(held, [ca.der]);
    const result = await run(ra, await newer());
    expect(result.outcome).toMatchObject({ status: 'imported', baseline });
    expect(ra.updates).toHaveLength(1);
  });
});
