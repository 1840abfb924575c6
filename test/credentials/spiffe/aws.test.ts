import { RunningAwsEmulator, startAwsEmulator } from '../../../conformance/emulator/aws-emulator';
import { RunningWorkloadApiServer, WorkloadApiServerOptions, startWorkloadApiServer } from '../../../conformance/emulator/spiffe/workload-api-server';
import { generateIssuerKey } from '../../../conformance/oidc/issuer-key';
import { AttestGateError } from '../../../lib/core/errors';
import { FromSpiffeOptions, RolesAnywhereWarning, WorkloadApiClient, fromSpiffe } from '../../../lib/credentials';
import { SPIFFE_ENDPOINT_SOCKET } from '../../../lib/spiffe/workload-api/address';
import { PkiOnDisk, exampleTemplate, sourceOf, writeTestPki } from '../../fixtures/conformance';
import { WORKLOADS, deployerEntry } from '../../fixtures/workload-api';

/** fromSpiffe against the AWS emulator serving the example's gates, with SVIDs from the emulated agent. */

const READER = 'spiffe://prod.example/agent/reader';
let pki: PkiOnDisk;
let aws: RunningAwsEmulator;
let spire: RunningWorkloadApiServer;
const gate = (name: 'Deployer' | 'Reader') => {
  const role = [...aws.world.roles.values()].find((r) => r.origin.includes(name))!;
  const profile = [...aws.world.profiles.values()].find((p) => p.roleArns.includes(role.arn))!;
  return { trustAnchorArn: [...aws.world.trustAnchors.values()][0].arn, profileArn: profile.arn, roleArn: role.arn, endpoint: aws.endpoint };
};
const spireOptions = (extra: Partial<WorkloadApiServerOptions> = {}): WorkloadApiServerOptions => ({
  trustDomain: 'prod.example',
  // The deployer pod also runs as the reader (another entry): fromSpiffe picks by spiffeId.
  entries: [deployerEntry(), deployerEntry({ spiffeId: READER, dnsNames: ['reader'] })],
  workloads: WORKLOADS,
  x509Authority: pki.ca,
  x509SvidSubject: { O: 'attestgate examples' },
  jwtAuthority: { key: generateIssuerKey('ES256') },
  ...extra,
});
const createSessions = () => aws.server.log.filter((l) => l.path === '/sessions').length;
const providers: Array<{ close(): void }> = [];
const provider = (options: Partial<FromSpiffeOptions> & { workload?: string } = {}) => {
  const { workload = 'deployer', ...rest } = options;
  const p = fromSpiffe({ ...gate('Deployer'), workloadApi: { address: spire.addresses.get(workload)! }, ...rest });
  providers.push(p);
  return p;
};

beforeAll(async () => {
  pki = await writeTestPki();
  aws = await startAwsEmulator({ sources: sourceOf(exampleTemplate(pki)) });
  spire = await startWorkloadApiServer(spireOptions());
});
afterAll(async () => {
  providers.forEach((p) => p.close());
  await Promise.all([spire?.close(), aws?.close()]);
});

describe('fromSpiffe', () => {
  test('signs CreateSession with the current X.509-SVID, caches the credentials, and refreshes them after the agent rotates the SVID', async () => {
    const credentials = provider();
    const before = createSessions();
    const first = await credentials();
    expect(first.accessKeyId).toMatch(/^ASIA/);
    expect(await credentials()).toBe(first);
    expect(createSessions()).toBe(before + 1);

    await spire.rotate('deployer');
    let next = await credentials();
    // The rotated SVID reaches the provider's stream asynchronously; until then the cache holds.
    for (let i = 0; i < 200 && next === first; i++) {
      await new Promise((r) => setTimeout(r, 25));
      next = await credentials();
    }
    expect(next.accessKeyId).not.toBe(first.accessKeyId);
    expect(createSessions()).toBe(before + 2);
  });

  test('presents the SVID of the SPIFFE ID asked for; one the workload is not issued is refused before AWS is asked', async () => {
    const reader = provider({ ...gate('Reader'), spiffeId: READER });
    expect((await reader()).accessKeyId).toMatch(/^ASIA/);
    const before = createSessions();
    await expect(provider({ spiffeId: 'spiffe://prod.example/agent/admin' })()).rejects.toMatchObject({
      name: 'WorkloadApiError',
      code: 'InvalidResponse',
      details: `the agent issued this workload spiffe://prod.example/agent/deployer, ${READER}, not spiffe://prod.example/agent/admin`,
    });
    // The deployer's SVID on the reader's gate: Roles Anywhere refuses (the trust policy pins CN and SAN).
    await expect(provider({ ...gate('Reader') })()).rejects.toMatchObject({ name: 'CreateSessionError', status: 403 });
    expect(createSessions()).toBe(before + 1);
  });

  test('an identity withdrawn at the agent is not renewed: the cached credentials are served with a warning until a forced refresh fails with PermissionDenied', async () => {
    const own = await startWorkloadApiServer(spireOptions());
    const warnings: RolesAnywhereWarning[] = [];
    const credentials = fromSpiffe({ ...gate('Deployer'), workloadApi: { address: own.addresses.get('deployer')! }, onWarning: (w) => warnings.push(w) });
    try {
      const first = await credentials();
      await own.updateEntries([]);
      for (let i = 0; i < 200 && warnings.length === 0; i++) {
        expect(await credentials()).toBe(first);
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(warnings[0]).toMatchObject({ code: 'StaleCredentials', error: { code: 'PermissionDenied', details: 'no identity issued' } });
      expect(warnings[0].message).toMatch(/^fromSpiffe: refreshing credentials failed \(SPIFFE Workload API FetchX509SVID .* PermissionDenied: no identity issued/);
      await expect(credentials({ forceRefresh: true })).rejects.toMatchObject({ code: 'PermissionDenied' });
    } finally {
      credentials.close();
      await own.close();
    }
  });

  test('an SVID past its TTL is not presented', async () => {
    // An agent whose clock is two hours behind issues SVIDs that expired an hour ago.
    const own = await startWorkloadApiServer(spireOptions({ now: () => new Date(Date.now() - 7200_000) }));
    const credentials = fromSpiffe({ ...gate('Deployer'), workloadApi: { address: own.addresses.get('deployer')! } });
    const before = createSessions();
    try {
      await expect(credentials()).rejects.toMatchObject({ code: 'InvalidResponse', details: expect.stringMatching(/^the X\.509-SVID for spiffe:\/\/prod\.example\/agent\/deployer expired at .* and the agent has sent no new one$/) });
      expect(createSessions()).toBe(before);
    } finally {
      credentials.close();
      await own.close();
    }
  });

  test('an unregistered workload gets PermissionDenied and AWS is never asked', async () => {
    const before = createSessions();
    await expect(provider({ workload: 'tampered-image' })()).rejects.toMatchObject({ name: 'WorkloadApiError', code: 'PermissionDenied' });
    expect(createSessions()).toBe(before);
  });

  test('a client passed in is shared and left open; close() ends the provider', async () => {
    const client = new WorkloadApiClient({ address: spire.addresses.get('deployer')! });
    try {
      const credentials = fromSpiffe({ ...gate('Deployer'), workloadApi: client });
      await credentials();
      credentials.close();
      await expect(credentials({ forceRefresh: true })).rejects.toThrow('fromSpiffe: the provider has been closed');
      expect((await client.fetchX509Svid()).spiffeId).toBe('spiffe://prod.example/agent/deployer');
    } finally {
      client.close();
    }
  });

  test('bad options fail at construction, naming fromSpiffe', () => {
    const saved = process.env[SPIFFE_ENDPOINT_SOCKET];
    delete process.env[SPIFFE_ENDPOINT_SOCKET];
    try {
      expect(() => fromSpiffe({ ...gate('Deployer') })).toThrow(/^WorkloadApiClient: SPIFFE_ENDPOINT_SOCKET \(unset\) is not set/);
    } finally {
      if (saved !== undefined) process.env[SPIFFE_ENDPOINT_SOCKET] = saved;
    }
    expect(() => fromSpiffe({ ...gate('Deployer'), roleArn: 'deployer', workloadApi: { address: 'unix:///x.sock' } })).toThrow(/^fromSpiffe: roleArn "deployer" is not a valid ARN/);
    expect(() => fromSpiffe({ ...gate('Deployer'), spiffeId: 'deployer', workloadApi: { address: 'unix:///x.sock' } })).toThrow(AttestGateError);
    expect(() => fromSpiffe({ ...gate('Deployer'), workloadApi: 'unix:///x.sock' as never })).toThrow(/workloadApi "unix:\/\/\/x\.sock" is neither a WorkloadApiClient nor its options/);
  });
});
