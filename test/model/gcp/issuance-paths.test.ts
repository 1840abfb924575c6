import { gcpIssuancePaths, judgeGcpPath, routeOfGcpPath } from '../../../lib/model/gcp/issuance-paths';
import { workloadIdentityProviders } from '../../../lib/model/gcp/google-workload-identity';
import { OPEN_CASES, highPrivilegeGate } from '../../fixtures/gcp-issuance-paths';
import { tfModel } from '../../fixtures/terraform';

function pathsOf(configuration: unknown, declared = { accounts: [] as string[], high: false }) {
  const model = tfModel(configuration);
  const provider = workloadIdentityProviders(model).find((p) => p.resource.address.endsWith('.spire'))!;
  return gcpIssuancePaths(model, provider, declared);
}

describe('GCP issuance paths', () => {
  test('the gate alone: one attested federation path, the account high privilege through its editor grant', () => {
    const { accounts, paths } = pathsOf(highPrivilegeGate());
    expect(accounts).toEqual([
      {
        address: 'google_service_account.deployer',
        email: 'deployer-agent@agents-prod.iam.gserviceaccount.com',
        privilege: 'high',
        privilegeReasons: ['holds roles/editor on project agents-prod (google_project_iam_member.deployer_editor)'],
      },
    ]);
    expect(paths).toEqual([
      expect.objectContaining({
        kind: 'federation',
        attested: true,
        id: 'federation:google_iam_workload_identity_pool_provider.spire:google_service_account_iam_member.impersonation:roles/iam.workloadIdentityUser:principal://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/subject/spiffe://prod.example/agent/deployer',
        scope: 'subject',
        gatePool: true,
      }),
    ]);
  });

  test('path IDs are stable: the same configuration gives the same IDs, and each names its resource', () => {
    const all = highPrivilegeGate(Object.assign({}, ...OPEN_CASES.map(([, extra]) => extra)));
    const first = pathsOf(all).paths.map((p) => p.id);
    expect(pathsOf(all).paths.map((p) => p.id)).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    expect(first).toEqual(expect.arrayContaining(['key:google_service_account_key.ci', 'attachment:google_compute_instance.vm:service_account.email', 'grant:google_organization_iam_member.deployers:roles/iam.serviceAccountUser:group:deployers@example.com']));
  });

  test('a project grant reaching the gate’s principal makes every account of the project the gate’s; the manifest’s accounts count, declared high', () => {
    const configuration = highPrivilegeGate({
      google_service_account: { builder: { account_id: 'builder' } },
      google_project_iam_member: {
        pool: { project: 'agents-prod', role: 'roles/iam.serviceAccountTokenCreator', member: 'principal://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/subject/spiffe://prod.example/agent/deployer' },
      },
    });
    const { accounts } = pathsOf(configuration, { accounts: ['google_service_account.builder'], high: true });
    expect(accounts.map((a) => [a.address, a.privilege])).toEqual([
      ['google_service_account.builder', 'high'],
      ['google_service_account.deployer', 'high'],
    ]);
  });

  test('judgement: attested, open, acknowledged, and unjudged for a low or unknown account', () => {
    const { accounts, paths } = pathsOf(highPrivilegeGate({ google_service_account_key: { ci: { service_account_id: '${google_service_account.deployer.name}' } } }));
    const key = paths.find((p) => p.kind === 'key')!;
    expect(judgeGcpPath(paths[0], accounts[0])).toEqual({ verdict: 'attested' });
    expect(judgeGcpPath(key, accounts[0])).toEqual({ verdict: 'open' });
    expect(judgeGcpPath({ ...key, acknowledged: 'break-glass, SEC-1' }, accounts[0])).toEqual({ verdict: 'acknowledged', reason: 'break-glass, SEC-1' });
    expect(judgeGcpPath(key, { ...accounts[0], privilege: 'unknown' })).toMatchObject({ verdict: 'unjudged' });
  });
});

describe('routeOfGcpPath: a path as the report draws it', () => {
  test('the gate’s federation demands its factors, to the service account; a Token Creator grant demands none', () => {
    const [, grant] = OPEN_CASES[0];
    const routes = pathsOf(highPrivilegeGate(grant)).paths.map(routeOfGcpPath);
    expect(routes[0]).toEqual({
      from: expect.stringContaining('/subject/spiffe://prod.example/agent/deployer'),
      through: expect.stringMatching(/^provider google_iam_workload_identity_pool_provider\.spire, roles\/iam\.workloadIdentityUser on /),
      factors: ['a token signed by the provider’s issuer', 'the provider’s attribute mapping and condition', 'the bound subject'],
      to: 'google_service_account.deployer',
    });
    expect(routes).toContainEqual({ from: 'user:ci@example.com', through: expect.stringContaining('roles/iam.serviceAccountTokenCreator on the service account'), factors: [], to: 'google_service_account.deployer' });
  });
});
