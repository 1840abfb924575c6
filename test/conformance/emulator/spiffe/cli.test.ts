import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeJwt } from '../../../../conformance/oidc/jwt';
import { WorkloadApiClient, WorkloadApiError } from '../../../../lib/spiffe/workload-api';
import { WORKLOAD_PROTO_PATH } from '../../../../lib/spiffe/workload-api/proto';
import { toBatchEntry } from '../../../../lib/spiffe/entry-batch';
import { writeTestPki } from '../../../fixtures/conformance';
import { writeIssuerKey } from '../../../fixtures/gcp-conformance';
import { AGENT_ID, DEPLOYER_SELECTORS, deployerEntry, runPythonClient } from '../../../fixtures/workload-api';
import { runCli, spawnEmulator } from '../../../fixtures/cli';

/**
 * `attestgate emulator --spiffe-registrations …`: the Workload API served by the CLI to clients it
 * knows nothing of — ours and Python grpcio — from the registrations a user already has, with the
 * --pki CA as X.509 authority and the --pki issuer key as JWT authority.
 */

const ISSUER = 'https://oidc.prod.example';
let dir: string;
let pkiDir: string;
let caPem: string;
let issuerJwk: crypto.JsonWebKey;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-emu-spiffe-'));
  const pki = await writeTestPki();
  const issuer = writeIssuerKey('RS256');
  pkiDir = path.join(dir, 'pki');
  fs.mkdirSync(pkiDir);
  for (const file of ['ca.crt', 'ca.key']) fs.copyFileSync(path.join(pki.dir, file), path.join(pkiDir, file));
  fs.copyFileSync(path.join(issuer.pkiDir, 'issuer.key'), path.join(pkiDir, 'issuer.key'));
  caPem = pki.ca.pem;
  issuerJwk = issuer.key.publicJwk as unknown as crypto.JsonWebKey;
  // The batch `spire-server entry create -data` reads, with jwt_svid_include_jti on the entry.
  fs.writeFileSync(path.join(dir, 'entries.json'), JSON.stringify({ entries: [toBatchEntry(deployerEntry({ x509SvidTtlSeconds: 900, jwtSvidIncludeJti: true }))] }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const selectors = (list: ReadonlyArray<{ type: string; value: string }>) => list.map((s) => `${s.type}:${s.value}`).join(',');
const profiles = () => [
  '--spiffe-workload', `deployer@${AGENT_ID}=${selectors(DEPLOYER_SELECTORS)}`,
  '--spiffe-workload', `other-image@${AGENT_ID}=${selectors([...DEPLOYER_SELECTORS.slice(0, 2), { type: 'k8s', value: `pod-image:registry.prod.example/deployer@sha256:${'b2'.repeat(32)}` }])}`,
];

test('an entry batch served on one socket per profile: our client and Python grpcio get the SVIDs, the other image PermissionDenied', async () => {
  const emulator = await spawnEmulator(['--spiffe-registrations', path.join(dir, 'entries.json'), '--pki', pkiDir, '--spiffe-jwt-issuer', ISSUER, ...profiles()]);
  try {
    const { spiffe } = emulator.endpoints;
    expect(spiffe).toMatchObject({ trustDomain: 'prod.example', x509Authority: { file: path.join(pkiDir, 'ca.crt') }, jwtAuthority: { file: path.join(pkiDir, 'issuer.key'), issuer: ISSUER } });
    expect(spiffe.workloads.map((w: any) => [w.name, w.agentId, w.issued])).toEqual([
      ['deployer', AGENT_ID, ['spiffe://prod.example/agent/deployer']],
      ['other-image', AGENT_ID, []],
    ]);
    const [deployer, other] = spiffe.workloads.map((w: any) => w.socket as string);
    expect(deployer).toBe(`unix://${spiffe.socketDirectory}/deployer.sock`);
    expect(fs.statSync(spiffe.socketDirectory).mode & 0o077).toBe(0);

    // Our client: the SVID chains to the --pki CA (the trust anchor's), the JWT-SVID is the issuer key's, with a jti (the batch's additional_attributes).
    const client = new WorkloadApiClient({ address: deployer });
    try {
      const context = await client.fetchX509Context();
      const leaf = new crypto.X509Certificate(context.svids[0].certificates[0]);
      expect(leaf.verify(new crypto.X509Certificate(caPem).publicKey)).toBe(true);
      expect(leaf.subjectAltName).toBe('URI:spiffe://prod.example/agent/deployer, DNS:deployer');
      const jwt = await client.fetchJwtSvid({ audience: 'gcp' });
      expect(crypto.verify('sha256', Buffer.from(jwt.token.split('.').slice(0, 2).join('.')), crypto.createPublicKey({ key: issuerJwk, format: 'jwk' }), Buffer.from(jwt.token.split('.')[2], 'base64url'))).toBe(true);
      expect(decodeJwt(jwt.token).claims).toMatchObject({ iss: ISSUER, sub: 'spiffe://prod.example/agent/deployer', aud: ['gcp'], jti: expect.any(String) });
    } finally {
      client.close();
    }
    const refused = new WorkloadApiClient({ address: other });
    try {
      await expect(refused.fetchJwtSvid({ audience: 'gcp' })).rejects.toMatchObject({ code: 'PermissionDenied' } as Partial<WorkloadApiError>);
    } finally {
      refused.close();
    }

    // Another gRPC stack, against the same sockets.
    const python = await runPythonClient({ proto: WORKLOAD_PROTO_PATH, registered: deployer, unregistered: other, audience: 'gcp' });
    expect(python.results.FetchX509SVID.svids[0].spiffe_id).toBe('spiffe://prod.example/agent/deployer');
    expect(Buffer.from(python.results.FetchX509SVID.svids[0].bundle, 'base64').toString('base64')).toBe(new crypto.X509Certificate(caPem).raw.toString('base64'));
    expect(python.results['unregistered FetchX509SVID'].error).toEqual({ code: 'PERMISSION_DENIED', details: 'no identity issued' });

    expect(await emulator.stop()).toBe(0);
    expect(fs.existsSync(spiffe.socketDirectory)).toBe(false);
  } finally {
    await emulator.stop();
  }
  // Spawning the CLI and generating the Python stubs take tens of seconds on a loaded machine.
}, 120_000);

test('a ClusterSPIFFEID (YAML) is served to pods on the emulated node, as the controller writes one entry per pod', async () => {
  const yaml = [
    'apiVersion: spire.spiffe.io/v1alpha1',
    'kind: ClusterSPIFFEID',
    'metadata: { name: deployer }',
    'spec:',
    '  spiffeIDTemplate: spiffe://{{ .TrustDomain }}/agent/deployer',
    `  workloadSelectorTemplates: [${DEPLOYER_SELECTORS.map((s) => `"${s.type}:${s.value}"`).join(', ')}]`,
    '  ttl: 15m',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'spire.yaml'), yaml);
  const emulator = await spawnEmulator(['--spiffe-registrations', path.join(dir, 'spire.yaml'), '--spiffe-trust-domain', 'prod.example', '--pki', pkiDir, '--spiffe-workload', `deployer=${selectors(DEPLOYER_SELECTORS)}`, '--spiffe-workload', `no-image=${selectors(DEPLOYER_SELECTORS.slice(0, 2))}`]);
  try {
    const [deployer, noImage] = emulator.endpoints.spiffe.workloads;
    expect(deployer.agentId).toBe('spiffe://prod.example/spire/agent/k8s_psat/attestgate-emulator/node-1');
    expect(deployer.selectors[0]).toMatch(/^k8s:pod-uid:[0-9a-f-]{36}$/);
    expect([deployer.issued, noImage.issued]).toEqual([['spiffe://prod.example/agent/deployer'], []]);
    const client = new WorkloadApiClient({ address: deployer.socket });
    try {
      const svid = (await client.fetchX509Context()).svids[0];
      expect(svid.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
    } finally {
      client.close();
    }
  } finally {
    await emulator.stop();
  }
}, 120_000);

describe('bad input is refused before anything is served (exit 64), naming the option, the value and the fix', () => {
  test.each([
    [['--spiffe-workload', 'deployer=k8s:namespace:agents'], /--spiffe-workload deployer=k8s:namespace:agents: selectors\[0\] "k8s:namespace:agents" .*Fix: /],
    [['--spiffe-workload', 'deployer'], /--spiffe-workload deployer: profile "deployer" is not NAME\[@PARENT\]=SELECTOR,SELECTOR…\. Fix: write NAME=/],
    [['--spiffe-workload', 'a b=k8s:ns:agents'], /NAME "a b" is not 1 to 64 letters/],
    [['--spiffe-workload', 'x=k8s:ns:a', '--spiffe-workload', 'x=k8s:ns:b'], /--spiffe-workload x: names two profiles; give each profile its own NAME/],
    [['--spiffe-workload', 'x=k8s:ns:a', '--spiffe-jwt-issuer', 'http://oidc.example'], /--spiffe-jwt-issuer http:\/\/oidc\.example: is not an https URL; give the issuer/],
    [['--spiffe-workload', 'x=k8s:ns:a', '--spiffe-trust-domain', 'other.example'], /--spiffe-trust-domain: trust domain "other\.example" differs from that of .*entries\.json#entries\[0\] \(prod\.example\)/],
  ])('%#: %j', async (extra, message) => {
    const { code, err } = await runCli(['emulator', '--spiffe-registrations', path.join(dir, 'entries.json'), '--pki', pkiDir, ...extra]);
    expect(err).toMatch(message);
    expect(code).toBe(64);
  });

  test('a registrations file SPIRE would misread names the file, the field and the fix', async () => {
    const file = path.join(dir, 'camel.json');
    fs.writeFileSync(file, JSON.stringify({ entries: [{ ...toBatchEntry(deployerEntry()), additional_attributes: { jwtSvidIncludeJti: true } }] }));
    const { code, err } = await runCli(['emulator', '--spiffe-registrations', file, '--pki', pkiDir, '--spiffe-workload', 'x=k8s:ns:a']);
    expect(err).toContain(`${file}: entries[0].additional_attributes.jwtSvidIncludeJti true is not a field of a SPIRE entry's additional attributes`);
    expect(code).toBe(64);
  });

  test('without a profile, or without --pki, the missing option is named', async () => {
    expect((await runCli(['emulator', '--spiffe-registrations', path.join(dir, 'entries.json'), '--pki', pkiDir])).err).toMatch(/needs at least one --spiffe-workload NAME=SELECTOR/);
    const noPki = await runCli(['emulator', '--spiffe-registrations', path.join(dir, 'entries.json'), '--spiffe-workload', 'x=k8s:ns:a']);
    expect(noPki.err).toMatch(/--spiffe-registrations needs --pki DIR/);
    expect(noPki.code).toBe(64);
    expect((await runCli(['emulator', '--spiffe-workload', 'x=k8s:ns:a', '--app', dir])).err).toMatch(/--spiffe-workload needs --spiffe-registrations FILE/);
  });
});
