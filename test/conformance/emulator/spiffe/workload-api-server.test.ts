import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { RunningWorkloadApiServer, startWorkloadApiServer, WorkloadApiServerOptions } from '../../../../conformance/emulator/spiffe/workload-api-server';
import { generateIssuerKey, IssuerKey } from '../../../../conformance/oidc/issuer-key';
import { TokenClaims, decodeJwt, signJwt, tamperedJwt } from '../../../../conformance/oidc/jwt';
import { createCa, IssuedCertificate } from '../../../../conformance/pki/throwaway-pki';
import { AttestGateError } from '../../../../lib/core/errors';
import { workloadApiModules } from '../../../../lib/spiffe/workload-api/proto';
import { WorkloadApiClient, WorkloadApiError, X509Context } from '../../../../lib/spiffe/workload-api';
import { AGENT_ID, DEPLOYER_SELECTORS, WORKLOADS, deployerEntry } from '../../../fixtures/workload-api';

/** The emulated agent, driven by attestgate's own client (the Python client has its own test). */

const READER = 'spiffe://prod.example/agent/reader';
let ca: IssuedCertificate;
let key: IssuerKey;
let clock: Date;
let server: RunningWorkloadApiServer;
const clients: WorkloadApiClient[] = [];
const client = (workload: string) => {
  const c = new WorkloadApiClient({ address: server.addresses.get(workload)! });
  clients.push(c);
  return c;
};

const options = (extra: Partial<WorkloadApiServerOptions> = {}): WorkloadApiServerOptions => ({
  trustDomain: 'prod.example',
  // The deployer pod is also issued the reader identity (a second entry on a subset of its selectors).
  entries: [deployerEntry(), deployerEntry({ spiffeId: READER, selectors: DEPLOYER_SELECTORS.slice(0, 2), x509SvidTtlSeconds: 0, jwtSvidTtlSeconds: 0, dnsNames: [], hint: 'internal' })],
  workloads: [...WORKLOADS, { name: 'other-node', agentId: 'spiffe://prod.example/spire/agent/k8s_psat/prod/node-2', selectors: DEPLOYER_SELECTORS }],
  x509Authority: ca,
  jwtAuthority: { key, issuer: 'https://oidc.prod.example' },
  now: () => clock,
  ...extra,
});

beforeAll(async () => {
  ca = await createCa({ subject: { CN: 'SPIRE test CA', O: 'attestgate tests' } });
  key = generateIssuerKey('RS256');
  clock = new Date();
  server = await startWorkloadApiServer(options());
});
afterAll(async () => {
  clients.forEach((c) => c.close());
  await server.close();
});

describe('X.509-SVIDs', () => {
  let context: X509Context;
  beforeAll(async () => {
    context = await client('deployer').fetchX509Context();
  });

  test('a workload gets one SVID per matching entry, in entry order, with the trust domain bundle', () => {
    expect(context.svids.map((s) => [s.spiffeId, s.hint])).toEqual([
      ['spiffe://prod.example/agent/deployer', ''],
      [READER, 'internal'],
    ]);
    expect(context.svids[0].bundle).toEqual([ca.der]);
    expect(context.federatedBundles.size).toBe(0);
  });

  test('an SVID is built as SPIRE builds one: subject C=US, O=SPIRE with the first DNS name as CN, URI and DNS SANs, signed by the CA', () => {
    const leaf = new crypto.X509Certificate(context.svids[0].certificates[0]);
    expect(leaf.subject.split('\n')).toEqual(['C=US', 'O=SPIRE', 'CN=deployer']);
    expect(leaf.subjectAltName).toBe('URI:spiffe://prod.example/agent/deployer, DNS:deployer');
    expect(leaf.ca).toBe(false);
    expect(leaf.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    expect(context.svids[0].leaf.keyUsage).toEqual(new Set(['digitalSignature', 'keyEncipherment', 'keyAgreement']));
    expect(leaf.verify(crypto.createPublicKey(ca.certificate.toString('pem')))).toBe(true);
    expect(leaf.checkPrivateKey(context.svids[0].privateKey)).toBe(true);
    expect(context.svids[0].privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // Without DNS names the subject is SPIRE's default alone.
    expect(context.svids[1].leaf.subject.text).toBe('C=US, O=SPIRE');
  });

  test("lifetimes come from the entry (0: the server's default of 1 h), notBefore 10 s back", () => {
    const [deployer, reader] = context.svids.map((s) => s.leaf);
    expect(deployer.notBefore.getTime()).toBe(Math.floor((clock.getTime() - 10_000) / 1000) * 1000);
    expect(deployer.notAfter.getTime()).toBe(Math.floor((clock.getTime() + 3600_000) / 1000) * 1000);
    expect(reader.notAfter.getTime()).toBe(Math.floor((clock.getTime() + 3600_000) / 1000) * 1000);
  });

  test('a later fetch gets the same SVIDs (the agent caches them until half their lifetime); rotate() issues and streams new ones', async () => {
    const again = await client('deployer').fetchX509Svid();
    expect(again.leaf.serialNumber).toBe(context.svids[0].leaf.serialNumber);

    const updates: X509Context[] = [];
    const watch = client('deployer').watchX509Context({ onUpdate: (c) => updates.push(c), onError: (e) => updates.push(e as never) });
    try {
      await until(() => updates.length === 1);
      await server.rotate('deployer');
      await until(() => updates.length === 2);
      expect(updates[1].svids[0].leaf.serialNumber).not.toBe(updates[0].svids[0].leaf.serialNumber);
      expect(updates[0].svids[0].leaf.serialNumber).toBe(context.svids[0].leaf.serialNumber);
    } finally {
      watch.close();
    }
  });

  test('on its own, the agent rotates an SVID at half its lifetime and streams the new one', async () => {
    const own = await startWorkloadApiServer(options({ entries: [deployerEntry({ x509SvidTtlSeconds: 1 })], now: undefined }));
    const c = new WorkloadApiClient({ address: own.addresses.get('deployer')! });
    const serials: string[] = [];
    const watch = c.watchX509Context({ onUpdate: (u) => serials.push(u.svids[0].leaf.serialNumber), onError: () => undefined });
    try {
      await until(() => serials.length === 2);
      expect(new Set(serials).size).toBe(2);
    } finally {
      watch.close();
      c.close();
      await own.close();
    }
  });

  test('an SVID never outlives the CA that signs it', async () => {
    const shortCa = await createCa({ subject: { CN: 'short-lived CA' }, notAfter: new Date(clock.getTime() + 600_000) });
    const capped = await startWorkloadApiServer(options({ x509Authority: shortCa }));
    const c = new WorkloadApiClient({ address: capped.addresses.get('deployer')! });
    try {
      expect((await c.fetchX509Svid()).leaf.notAfter).toEqual(shortCa.certificate.notAfter);
    } finally {
      c.close();
      await capped.close();
    }
  });
});

describe('JWT-SVIDs', () => {
  test("claims and header as SPIRE signs them: aud a list, sub, iat, exp from the entry's TTL, iss the configured issuer", async () => {
    const svid = await client('deployer').fetchJwtSvid({ audience: 'gcp' });
    const { header, claims } = decodeJwt(svid.token);
    expect(header).toEqual({ alg: 'RS256', kid: key.kid, typ: 'JWT' });
    const iat = Math.floor(clock.getTime() / 1000);
    expect(claims).toEqual({ aud: ['gcp'], sub: 'spiffe://prod.example/agent/deployer', iat, exp: iat + 300, iss: 'https://oidc.prod.example' });
    const [head, payload, signature] = svid.token.split('.');
    expect(crypto.verify('sha256', Buffer.from(`${head}.${payload}`), crypto.createPublicKey(key.privateKey), Buffer.from(signature, 'base64url'))).toBe(true);
  });

  test('the first entry answers unless a SPIFFE ID is asked for; one the workload is not issued is PermissionDenied', async () => {
    const c = client('deployer');
    expect((await c.fetchJwtSvid({ audience: 'x' })).spiffeId).toBe('spiffe://prod.example/agent/deployer');
    const reader = await c.fetchJwtSvid({ audience: 'x', spiffeId: READER });
    expect([reader.spiffeId, reader.hint, reader.expiresAt.getTime() / 1000 - (decodeJwt(reader.token).claims.iat as number)]).toEqual([READER, 'internal', 300]);
    await expect(c.fetchJwtSvid({ audience: 'x', spiffeId: 'spiffe://prod.example/agent/admin' })).rejects.toMatchObject({ code: 'PermissionDenied', details: 'no identity issued' });
  });

  test('a token is reused until half its lifetime, then signed anew (the agent cache)', async () => {
    const c = client('deployer');
    const first = await c.fetchJwtSvid({ audience: ['a', 'b'] });
    expect((await c.fetchJwtSvid({ audience: ['b', 'a'] })).token).toBe(first.token);
    const saved = clock;
    clock = new Date(saved.getTime() + 151_000);
    try {
      expect((await c.fetchJwtSvid({ audience: ['a', 'b'] })).token).not.toBe(first.token);
    } finally {
      clock = saved;
    }
  });

  test("an entry with jwt_svid_include_jti: every fetch is a new token with a new UUID jti, the cache bypassed; without it (SPIRE's default) no jti", async () => {
    const own = await startWorkloadApiServer(options({ entries: [deployerEntry({ jwtSvidIncludeJti: true }), deployerEntry({ spiffeId: READER, selectors: DEPLOYER_SELECTORS.slice(0, 2) })] }));
    const c = new WorkloadApiClient({ address: own.addresses.get('deployer')! });
    try {
      const [first, second] = [await c.fetchJwtSvid({ audience: 'gcp' }), await c.fetchJwtSvid({ audience: 'gcp' })];
      const jtis = [first, second].map((svid) => decodeJwt(svid.token).claims.jti);
      expect(first.token).not.toBe(second.token);
      jtis.forEach((jti) => expect(jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/));
      expect(jtis[0]).not.toBe(jtis[1]);
      // The reader entry, without the attribute, is cached and carries no jti.
      const [cachedA, cachedB] = [await c.fetchJwtSvid({ audience: 'gcp', spiffeId: READER }), await c.fetchJwtSvid({ audience: 'gcp', spiffeId: READER })];
      expect(cachedA.token).toBe(cachedB.token);
      expect(decodeJwt(cachedA.token).claims).not.toHaveProperty('jti');
    } finally {
      c.close();
      await own.close();
    }
  });

  test('bundles and ValidateJWTSVID: the JWKS without SPIFFE extras, and validation in go-spiffe’s words', async () => {
    const c = client('deployer');
    expect(await c.fetchJwtBundles()).toEqual(new Map([['spiffe://prod.example', { keys: [{ kty: 'RSA', kid: key.kid, n: key.publicJwk.n, e: key.publicJwk.e }] }]]));
    expect(await c.fetchX509Bundles()).toEqual(new Map([['spiffe://prod.example', [ca.der]]]));
    const { token } = await c.fetchJwtSvid({ audience: 'gcp' });
    expect(await c.validateJwtSvid(token, 'gcp')).toEqual({ spiffeId: 'spiffe://prod.example/agent/deployer', claims: expect.objectContaining({ aud: ['gcp'], sub: 'spiffe://prod.example/agent/deployer' }) });
    await expect(c.validateJwtSvid(token, 'azure')).rejects.toMatchObject({ code: 'InvalidArgument', details: 'jwtsvid: expected audience in ["azure"] (audience=["gcp"])' });
    await expect(c.validateJwtSvid(tamperedJwt(token), 'gcp')).rejects.toMatchObject({ code: 'InvalidArgument', details: expect.stringMatching(/^jwtsvid: unable to get claims from token/) });
    const foreign = generateIssuerKey('RS256');
    const forged = signJwt(foreign, decodeJwt(token).claims as unknown as TokenClaims);
    await expect(c.validateJwtSvid(forged, 'gcp')).rejects.toMatchObject({ details: `jwtsvid: no JWT authority "${foreign.kid}" found for trust domain "prod.example"` });
  });
});

describe('what SPIRE refuses, with its statuses', () => {
  test('a workload no entry matches (here: the right pod under another agent) is refused every identity: PermissionDenied "no identity issued"', async () => {
    const c = client('other-node');
    for (const call of [() => c.fetchX509Context(), () => c.fetchJwtSvid({ audience: 'gcp' }), () => c.fetchJwtBundles(), () => c.fetchX509Bundles()]) {
      await expect(call()).rejects.toMatchObject({ name: 'WorkloadApiError', code: 'PermissionDenied', details: 'no identity issued' });
    }
    expect(server.log.filter((l) => l.workload === 'other-node').map((l) => l.outcome)).toEqual(Array(4).fill('PermissionDenied: no identity issued'));
  });

  test('entries match by subset, as in SPIRE: another image digest loses the deployer identity but keeps the reader entry, which names no image', async () => {
    const c = client('tampered-image');
    expect((await c.fetchX509Context()).svids.map((s) => s.spiffeId)).toEqual([READER]);
    await expect(c.fetchJwtSvid({ audience: 'gcp', spiffeId: 'spiffe://prod.example/agent/deployer' })).rejects.toMatchObject({ code: 'PermissionDenied' });
  });

  test('a call without the workload.spiffe.io header is InvalidArgument "security header missing from request"; WIT-SVIDs are Unimplemented', async () => {
    const { grpc, Client } = workloadApiModules();
    const raw = new Client(server.addresses.get('deployer')!, grpc.credentials.createInsecure()) as any;
    try {
      const error = await new Promise<any>((resolve) => raw.FetchJWTSVID({ audience: ['gcp'] }, (e: unknown) => resolve(e)));
      expect([error.code, error.details]).toEqual([grpc.status.INVALID_ARGUMENT, 'security header missing from request']);
      const withHeader = new grpc.Metadata();
      withHeader.set('workload.spiffe.io', 'true');
      const wit = await new Promise<any>((resolve) => raw.FetchWITSVID({}, withHeader).on('error', resolve));
      expect([wit.code, wit.details]).toEqual([grpc.status.UNIMPLEMENTED, 'fetching WIT-SVIDs is not implemented']);
      const noAudience = await new Promise<any>((resolve) => raw.FetchJWTSVID({ audience: [] }, withHeader, (e: unknown) => resolve(e)));
      expect([noAudience.code, noAudience.details]).toEqual([grpc.status.INVALID_ARGUMENT, 'audience must be specified']);
    } finally {
      raw.close();
    }
  });

  test('an entry change reaches open streams: new SVIDs, or PermissionDenied once nothing matches', async () => {
    const own = await startWorkloadApiServer(options());
    const c = new WorkloadApiClient({ address: own.addresses.get('deployer')! });
    const seen: string[] = [];
    const watch = c.watchX509Context({ onUpdate: (u) => seen.push(u.svids.map((s) => s.spiffeId).join(',')), onError: (e) => seen.push(e instanceof WorkloadApiError ? `${e.code}: ${e.details}` : e.message) });
    try {
      await until(() => seen.length === 1);
      await own.updateEntries([deployerEntry()]);
      await until(() => seen.length === 2);
      await own.updateEntries([]);
      await until(() => seen.length === 3);
      expect(seen).toEqual([`spiffe://prod.example/agent/deployer,${READER}`, 'spiffe://prod.example/agent/deployer', 'PermissionDenied: no identity issued']);
    } finally {
      watch.close();
      c.close();
      await own.close();
    }
  });

  test('bad setups are refused as SPIRE refuses them, and the sockets go when the server closes', async () => {
    await expect(startWorkloadApiServer(options({ entries: [deployerEntry({ spiffeId: 'spiffe://other.example/agent/deployer' })] }))).rejects.toThrow(AttestGateError);
    await expect(startWorkloadApiServer(options({ entries: [deployerEntry({ selectors: [] })] }))).rejects.toThrow(/selectors \[\] is empty/);
    await expect(startWorkloadApiServer(options({ workloads: [{ name: '../x', agentId: AGENT_ID, selectors: [] }] }))).rejects.toThrow(/workloads\[0\]\.name/);
    const own = await startWorkloadApiServer(options());
    const socketPath = new URL(own.addresses.get('deployer')!).pathname;
    expect(fs.statSync(socketPath).isSocket()).toBe(true);
    expect(fs.statSync(own.socketDirectory).mode & 0o777).toBe(0o700);
    await own.close();
    expect(fs.existsSync(own.socketDirectory)).toBe(false);
  });
});

/** Waits for a condition the server's pushes make true (no timing is asserted). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!condition()) throw new Error('the condition did not become true within 5 s');
}
