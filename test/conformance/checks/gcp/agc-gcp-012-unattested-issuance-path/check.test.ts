import { check } from '../../../../../conformance/checks/gcp/agc-gcp-012-unattested-issuance-path/check';
import { discoverGcpGates } from '../../../../../conformance/gcp/discover-gates';
import { GcpProbeContext } from '../../../../../conformance/gcp/probe-context';
import { ResolvedGcpGate } from '../../../../../conformance/gcp/resolve-gates';
import { CLEAN_CASES, OPEN_CASES, PROJECT, highPrivilegeGate } from '../../../../fixtures/gcp-issuance-paths';
import { tfSource } from '../../../../fixtures/gcp-conformance';

/** The check judges from the configuration: no target, no probe context. */
async function judge(configuration: unknown) {
  const gates = discoverGcpGates([tfSource(configuration)]);
  const gate = gates.find((g) => g.provider.address === 'google_iam_workload_identity_pool_provider.spire')!;
  return check.run({ gate } as unknown as ResolvedGcpGate, {} as GcpProbeContext);
}

const KEY = { google_service_account_key: { ci: { service_account_id: '${google_service_account.deployer.name}' } } };

describe('AGC-GCP-012: no unattested path to the gate’s service accounts', () => {
  test('PASS when only the gate’s federation acts as the account', async () => {
    expect(await judge(highPrivilegeGate())).toMatchObject({ status: 'PASS', reason: `only the gate’s federation acts as deployer-agent@${PROJECT}.iam.gserviceaccount.com (1 binding)` });
  });

  test.each(OPEN_CASES)('FAIL: %s', async (_what, extra, why) => {
    const verdict = await judge(highPrivilegeGate(extra));
    expect(verdict.status).toBe('FAIL');
    expect(verdict.reason).toMatch(/^1 unattested path to the gate’s service accounts: google_service_account\.deployer: /);
    expect(verdict.reason).toMatch(why);
  });

  test('every open path is named in one FAIL', async () => {
    const verdict = await judge(highPrivilegeGate({ ...OPEN_CASES[0][1], ...KEY }));
    expect(verdict.reason).toMatch(/^2 unattested paths .*user:ci@example\.com.*; google_service_account\.deployer: google_service_account_key\.ci is a service account key/);
  });

  test.each(CLEAN_CASES)('clean: %s', async (_what, extra) => {
    expect((await judge(highPrivilegeGate(extra))).status).toBe('PASS');
  });

  test('acknowledged by path ID with a reason: INCONCLUSIVE, acknowledged — never PASS; a short reason or a wrong ID does not count', async () => {
    const acknowledged = await judge(highPrivilegeGate(KEY, { acknowledge: { 'key:google_service_account_key.ci': 'break-glass key in the HSM, SEC-123' } }));
    expect(acknowledged).toMatchObject({ status: 'INCONCLUSIVE', acknowledged: 'google_service_account.deployer key:google_service_account_key.ci (break-glass key in the HSM, SEC-123)' });
    const short = await judge(highPrivilegeGate(KEY, { acknowledge: { 'key:google_service_account_key.ci': 'ok' } }));
    expect(short.status).toBe('FAIL');
    expect(short.reason).toContain('acknowledgements that do not count: google_service_account.deployer: key:google_service_account_key.ci: the reason "ok" is shorter than 10 characters');
    const wrong = await judge(highPrivilegeGate(KEY, { acknowledge: { 'key:google_service_account_key.other': 'break-glass key in the HSM, SEC-123' } }));
    expect(wrong.reason).toContain('key:google_service_account_key.other: no unattested path to the account has this ID');
  });

  test('a disabled provider of the same pool: INCONCLUSIVE, saying it is disabled', async () => {
    const [, extra] = OPEN_CASES.find(([what]) => what.startsWith('a GitHub provider'))!;
    const disabled = JSON.parse(JSON.stringify(extra));
    disabled.google_iam_workload_identity_pool_provider.github.disabled = true;
    const verdict = await judge(highPrivilegeGate(disabled));
    expect(verdict).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringMatching(/provider google_iam_workload_identity_pool_provider\.github \(disabled today\).*issues no token while disabled/) });
  });

  test('another provider of the gate’s pool and only the gate’s subject bound: INCONCLUSIVE — the pool’s subjects are shared, and whether that issuer can produce this one is not in the configuration', async () => {
    const [, extra] = OPEN_CASES.find(([what]) => what.startsWith('a GitHub provider'))!;
    const verdict = await judge(highPrivilegeGate({ google_iam_workload_identity_pool_provider: extra.google_iam_workload_identity_pool_provider }));
    expect(verdict).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringMatching(/through provider google_iam_workload_identity_pool_provider\.github \(enabled\).*whether google_iam_workload_identity_pool_provider\.github maps a credential to this subject cannot be told/) });
  });

  test.each([
    ['a member known only at apply', { google_service_account_iam_member: { x: { service_account_id: '${google_service_account.deployer.name}', role: 'roles/iam.serviceAccountTokenCreator', member: '${var.member}' } } }, /known only at apply/],
    ['a key of an account known only at apply', { google_service_account_key: { k: { service_account_id: '${var.account}' } } }, /google_service_account_key\.k is a service account key .* of \$\{var\.account\}, which may be this account/],
    ['a project-level grant on a project known only at apply', { google_project_iam_member: { x: { project: '${var.project}', role: 'roles/owner', member: 'user:a@example.com' } } }, /which may be the account's/],
    ['a custom role defined elsewhere', { google_project_iam_member: { x: { project: PROJECT, role: 'organizations/1/roles/minter', member: 'user:a@example.com' } } }, /custom role organizations\/1\/roles\/minter, defined outside the configuration/],
  ])('INCONCLUSIVE: %s', async (_what, extra, why) => {
    const verdict = await judge(highPrivilegeGate(extra));
    expect(verdict.status).toBe('INCONCLUSIVE');
    expect(verdict.reason).toMatch(why);
  });

  test('an account not shown high privilege: its other paths are listed but INCONCLUSIVE, not PASS', async () => {
    const verdict = await judge(highPrivilegeGate(KEY, { lowPrivilege: true }));
    expect(verdict).toMatchObject({ status: 'INCONCLUSIVE', reason: expect.stringMatching(/is not shown high privilege here/) });
  });
});
