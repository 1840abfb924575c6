import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { signJwt } from '../../../conformance/oidc/jwt';
import { runGcpConformance } from '../../../conformance/gcp/run-gcp-conformance';
import { startGcpEmulator } from '../../../conformance/emulator/gcp-emulator';
import { TerraformSource } from '../../../lib/model/terraform/configuration';
import { loadPkiDirectory } from '../../../conformance/pki/pki-directory';
import { statusesOf } from '../../fixtures/conformance';
import { IssuerOnDisk, exampleGcpSources, probeGcpLocally, tfSource, writeIssuerKey } from '../../fixtures/gcp-conformance';
import { gcpConfiguration } from '../../fixtures/terraform';

let issuer: IssuerOnDisk;
let example: TerraformSource[];
beforeAll(() => {
  issuer = writeIssuerKey();
  example = exampleGcpSources(issuer.jwksFile).filter((s) => s.stackName === 'attestgate-gcp-example');
});

/** The example's configuration JSON, to weaken one property at a time. */
const exampleJson = (): Record<string, any> => JSON.parse(JSON.stringify(example[0].model.configuration));
const providerOf = (c: Record<string, any>) => Object.values(c.resource.google_iam_workload_identity_pool_provider)[0] as Record<string, any>;
const bindingOf = (c: Record<string, any>) => Object.values(c.resource.google_service_account_iam_member)[0] as Record<string, any>;
const WHOLE_POOL = (c: Record<string, any>) => bindingOf(c).member.replace(/\/subject\/.*$/, '/*').replace('principal://', 'principalSet://');

describe('GCP conformance on the local emulator', () => {
  test('the example, with a JWKS whose key is in --pki: the control passes and every mutation is denied', async () => {
    const results = await probeGcpLocally(example, issuer.pkiDir);
    expect(results).toHaveLength(13);
    expect(results.find((r) => r.checkId === 'AGC-GCP-001')?.reason).toMatch(/got a federated token and a token for deployer-agent@attestgate-example\.iam\.gserviceaccount\.com/);
    // The condition pins the one bound subject: no admitted subject is left unbound to probe with.
    expect(results.filter((r) => r.status !== 'PASS').map((r) => `${r.checkId} ${r.status}`)).toEqual(['AGC-GCP-010 SKIPPED']);
  });

  test('the example without its key: token mutations are SKIPPED; the key-free ones run, but without a control their denials prove nothing', async () => {
    const results = await probeGcpLocally(example, undefined);
    const statuses = statusesOf(results);
    expect(results.find((r) => r.checkId === 'AGC-GCP-002')!.reason).toMatch(/denied with 400 invalid_grant.*; but this proves nothing: its positive control AGC-GCP-001 did not pass in this run \(SKIPPED:/);
    expect(statuses).toEqual({
      'AGC-GCP-001': 'SKIPPED',
      'AGC-GCP-002': 'INCONCLUSIVE',
      'AGC-GCP-003': 'INCONCLUSIVE',
      'AGC-GCP-004': 'SKIPPED',
      'AGC-GCP-005': 'SKIPPED',
      'AGC-GCP-006': 'SKIPPED',
      'AGC-GCP-007': 'SKIPPED',
      'AGC-GCP-008': 'SKIPPED',
      'AGC-GCP-009': 'INCONCLUSIVE',
      'AGC-GCP-010': 'SKIPPED',
      'AGC-GCP-011': 'SKIPPED',
      // Judged from the configuration, but a PASS without the gate's control proves nothing either.
      'AGC-GCP-012': 'INCONCLUSIVE',
      'AGC-GCP-013': 'SKIPPED',
    });
  });

  test('weakened: no attribute condition and a whole-pool binding — another subject gets the service account (FAIL)', async () => {
    const weak = exampleJson();
    delete providerOf(weak).attribute_condition;
    bindingOf(weak).member = WHOLE_POOL(weak);
    const results = await probeGcpLocally([tfSource(weak, 'weak')], issuer.pkiDir);
    const statuses = statusesOf(results);
    expect(statuses).toMatchObject({ 'AGC-GCP-001': 'PASS', 'AGC-GCP-005': 'FAIL', 'AGC-GCP-010': 'FAIL', 'AGC-GCP-011': 'FAIL' });
    expect(results.find((r) => r.checkId === 'AGC-GCP-011')?.reason).toMatch(/generateAccessToken for deployer-agent@.*: a token was issued/);
  });

  test('weakened: a CI user with Token Creator on the project and a key of the account — every probe is refused, but AGC-GCP-012 FAILs naming both; the gate summary lists every path', async () => {
    const weak = exampleJson();
    const account = Object.keys(weak.resource.google_service_account)[0];
    weak.resource.google_project_iam_member.ci = { project: 'attestgate-example', role: 'roles/iam.serviceAccountTokenCreator', member: 'user:ci@example.com' };
    weak.resource.google_service_account_key = { ci: { service_account_id: `\${google_service_account.${account}.name}` } };
    const run = await runGcpConformance({ sources: [tfSource(weak, 'weak')], pki: loadPkiDirectory(issuer.pkiDir), target: 'local', ratePerSecond: Infinity, tags: ['AGC-GCP-005', 'AGC-GCP-012'] });
    expect(statusesOf(run.results)).toEqual({ 'AGC-GCP-001': 'PASS', 'AGC-GCP-005': 'PASS', 'AGC-GCP-012': 'FAIL' });
    expect(run.results.find((r) => r.checkId === 'AGC-GCP-012')!.reason).toMatch(
      /^2 unattested paths to the gate’s service accounts: .*user:ci@example\.com holds roles\/iam\.serviceAccountTokenCreator on project attestgate-example .*; .*google_service_account_key\.ci is a service account key/,
    );
    expect(run.gates[0].paths!.map((p) => String(p.attested)).sort()).toEqual(['false', 'false', 'true']);
  });

  test('weakened: a condition that does not pin the subject (trust-domain prefix) — another subject is admitted (FAIL)', async () => {
    const weak = exampleJson();
    providerOf(weak).attribute_condition = "assertion.sub.startsWith('spiffe://prod.example/')";
    const statuses = statusesOf(await probeGcpLocally([tfSource(weak, 'weak')], issuer.pkiDir));
    // The single-subject binding still holds the service account back.
    expect(statuses).toMatchObject({ 'AGC-GCP-001': 'PASS', 'AGC-GCP-005': 'FAIL', 'AGC-GCP-010': 'PASS', 'AGC-GCP-011': 'PASS' });
  });

  test('weakened: the audience check removed from the condition and allowed_audiences opened to Entra’s audience (FAIL)', async () => {
    const weak = exampleJson();
    const provider = providerOf(weak);
    provider.attribute_condition = "assertion.sub == 'spiffe://prod.example/agent/deployer'";
    provider.oidc.allowed_audiences = ['gcp', 'api://AzureADTokenExchange'];
    const statuses = statusesOf(await probeGcpLocally([tfSource(weak, 'weak')], issuer.pkiDir, { tags: ['AGC-GCP-001', 'AGC-GCP-004'] }));
    expect(statuses).toEqual({ 'AGC-GCP-001': 'PASS', 'AGC-GCP-004': 'FAIL' });
  });

  test('a positive control that fails makes every mutation INCONCLUSIVE, never PASS', async () => {
    const broken = exampleJson();
    bindingOf(broken).member = bindingOf(broken).member.replace(/subject\/.*$/, 'subject/spiffe://prod.example/agent/someone-else');
    const statuses = statusesOf(await probeGcpLocally([tfSource(broken, 'broken')], issuer.pkiDir));
    expect(statuses['AGC-GCP-001']).toBe('FAIL');
    for (const [id, status] of Object.entries(statuses)) if (id !== 'AGC-GCP-001') expect([id, status === 'PASS']).toEqual([id, false]);
    expect(statuses['AGC-GCP-005']).toBe('INCONCLUSIVE');
  });

  test('a provider the emulator cannot deploy (condition not CEL) is INCONCLUSIVE, with the reason', async () => {
    const broken = exampleJson();
    providerOf(broken).attribute_condition = 'assertion.sub ==';
    const results = await probeGcpLocally([tfSource(broken, 'broken')], issuer.pkiDir, { tags: ['AGC-GCP-001'] });
    expect(results[0]).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringContaining('attribute_condition is not valid CEL') });
  });

  test('brownfield without a manifest: claims derived from the binding and the condition; X.509 providers are SKIPPED', async () => {
    const configuration = gcpConfiguration({
      provider: { attribute_condition: "assertion.sub == 'spiffe://prod.example/agent/deployer' && assertion.environment == 'prod'" },
    }) as { resource: Record<string, Record<string, unknown>> };
    configuration.resource.google_iam_workload_identity_pool_provider.x509 = {
      workload_identity_pool_id: 'agents',
      workload_identity_pool_provider_id: 'x509',
      attribute_mapping: { 'google.subject': 'assertion.subject.dn.cn' },
      x509: { trust_store: { trust_anchors: [{ pem_certificate: 'PEM' }] } },
    };
    const results = await probeGcpLocally([tfSource(configuration)], undefined);
    expect(statusesOf(results, 'spire')).toMatchObject({ 'AGC-GCP-001': 'PASS', 'AGC-GCP-005': 'PASS', 'AGC-GCP-011': 'PASS' });
    // Only OIDC exchanges are probed; AGC-GCP-012 judges the configuration, and without a control its PASS is not proven.
    const { 'AGC-GCP-012': paths, ...probed } = statusesOf(results, 'x509');
    expect(new Set(Object.values(probed))).toEqual(new Set(['SKIPPED']));
    expect(paths).toBe('INCONCLUSIVE');
  });
});

describe('GCP conformance on a live-style target (the emulator standing in for Google)', () => {
  test('without the project number, gates are INCONCLUSIVE and say what is missing', async () => {
    const run = await runGcpConformance({ sources: example, target: 'gcp', endpoints: { sts: 'http://127.0.0.1:9', iamCredentials: 'http://127.0.0.1:9' }, tags: ['AGC-GCP-002'] });
    expect(run.results[0]).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringMatching(/number of project "attestgate-example"/) });
    expect(run.requests).toBe(0);
  });

  test('with the project number and the issuer key from --pki: every check runs against the endpoints', async () => {
    const emulator = await startGcpEmulator({ sources: example, env: { projectNumber: '987654321098' } });
    try {
      const pki = loadPkiDirectory(issuer.pkiDir);
      const run = await runGcpConformance({
        sources: example,
        target: 'gcp',
        projectNumber: '987654321098',
        endpoints: { sts: emulator.endpoint, iamCredentials: emulator.endpoint },
        pki,
        ratePerSecond: Infinity,
      });
      expect(run.target).toBe('gcp');
      expect(run.results.filter((r) => r.status !== 'PASS').map((r) => `${r.checkId} ${r.status}`)).toEqual(['AGC-GCP-010 SKIPPED']);
      expect(emulator.server.log.every((e) => e.path === '/v1/token' || e.path.endsWith(':generateAccessToken'))).toBe(true);
    } finally {
      await emulator.close();
    }
  });

  test('with only a token command: its token is the control, the key-free mutations run, the rest are SKIPPED; the token is never reported', async () => {
    const emulator = await startGcpEmulator({ sources: example });
    try {
      const token = signJwt(issuer.key, { iss: 'https://oidc.prod.example', sub: 'spiffe://prod.example/agent/deployer', aud: 'gcp' });
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-token-')), 'svid.txt');
      fs.writeFileSync(file, `token(spiffe://prod.example/agent/deployer):\n\t${token}\n`);
      const run = await runGcpConformance({
        sources: example,
        target: 'gcp',
        projectNumber: emulator.world.projectNumberOf('attestgate-example'),
        endpoints: { sts: emulator.endpoint, iamCredentials: emulator.endpoint },
        tokenCommand: `cat '${file}'`,
        ratePerSecond: Infinity,
      });
      expect(statusesOf(run.results)).toEqual({
        'AGC-GCP-001': 'PASS',
        'AGC-GCP-002': 'PASS',
        'AGC-GCP-003': 'PASS',
        'AGC-GCP-004': 'SKIPPED',
        'AGC-GCP-005': 'SKIPPED',
        'AGC-GCP-006': 'SKIPPED',
        'AGC-GCP-007': 'SKIPPED',
        'AGC-GCP-008': 'PASS',
        'AGC-GCP-009': 'PASS',
        'AGC-GCP-010': 'SKIPPED',
        'AGC-GCP-011': 'SKIPPED',
        'AGC-GCP-012': 'PASS',
        'AGC-GCP-013': 'SKIPPED',
      });
      expect(run.results[0].reason).toMatch(/\(token command\)/);
      expect(JSON.stringify(run.results)).not.toContain(token.split('.')[2]);
    } finally {
      await emulator.close();
    }
  });

  test('a token command that fails makes the control and the mutations INCONCLUSIVE', async () => {
    const run = await runGcpConformance({
      sources: example,
      target: 'gcp',
      projectNumber: '1',
      endpoints: { sts: 'http://127.0.0.1:9', iamCredentials: 'http://127.0.0.1:9' },
      tokenCommand: 'false',
      tags: ['AGC-GCP-001', 'AGC-GCP-002'],
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    expect(run.results.map((r) => [r.checkId, r.status, r.reason])).toEqual([
      ['AGC-GCP-001', 'INCONCLUSIVE', 'the positive control could not run: --token-command exited with code 1'],
      ['AGC-GCP-002', 'INCONCLUSIVE', 'the positive control could not run: --token-command exited with code 1'],
    ]);
  });
});
