import { SymbolicString } from '../../../lib/model/terraform/expressions';
import {
  iamGrants,
  isHighPrivilegeRole,
  principalInPool,
  providerSubjectConstraint,
  readMember,
  serviceAccountAddress,
  withPlaceholders,
  workloadIdentityProviders,
} from '../../../lib/model/gcp/google-workload-identity';
import { DEPLOYER_SPIFFE_ID, gcpConfiguration, tfModel } from '../../fixtures/terraform';

const poolName = { symbolic: 'ref', address: 'google_iam_workload_identity_pool.pool', attribute: 'name' } as const;

describe('workloadIdentityProviders', () => {
  test('reads kind, pool, issuer, audiences, mapping and condition', () => {
    const [provider] = workloadIdentityProviders(tfModel(gcpConfiguration()));
    expect(provider).toMatchObject({
      kind: 'oidc',
      poolAddress: 'google_iam_workload_identity_pool.pool',
      issuerUri: 'https://oidc.prod.example',
      allowedAudiences: ['gcp'],
      mapping: { 'google.subject': 'assertion.sub' },
      condition: `assertion.sub == '${DEPLOYER_SPIFFE_ID}'`,
      disabled: false,
    });
    expect(providerSubjectConstraint(provider)).toEqual({ holds: true, how: `assertion.sub == "${DEPLOYER_SPIFFE_ID}"` });
  });

  test('an empty condition counts as none; a literal pool ID is kept', () => {
    const [provider] = workloadIdentityProviders(tfModel(gcpConfiguration({ provider: { attribute_condition: '', workload_identity_pool_id: 'agents', disabled: true } })));
    expect(provider.condition).toBeUndefined();
    expect(provider.poolId).toBe('agents');
    expect(provider.disabled).toBe(true);
  });
});

describe('readMember', () => {
  test.each([
    [new SymbolicString(['principal://iam.googleapis.com/', poolName, '/subject/spiffe://a/x']), { principal: { scope: 'subject', poolAddress: 'google_iam_workload_identity_pool.pool', value: 'spiffe://a/x' } }],
    [new SymbolicString(['principalSet://iam.googleapis.com/', poolName, '/*']), { principal: { scope: 'whole-pool', poolAddress: 'google_iam_workload_identity_pool.pool' } }],
    [
      new SymbolicString(['principalSet://iam.googleapis.com/projects/', { symbolic: 'variable', name: 'n' }, '/locations/global/workloadIdentityPools/', { symbolic: 'ref', address: 'google_iam_workload_identity_pool.pool', attribute: 'workload_identity_pool_id' }, '/group/admins']),
      { principal: { scope: 'group', poolAddress: 'google_iam_workload_identity_pool.pool', value: 'admins' } },
    ],
    ['principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/agents/attribute.aws_role/arn', { principal: { scope: 'attribute', poolId: 'agents', value: 'attribute.aws_role/arn' } }],
    [new SymbolicString(['principal://iam.googleapis.com/', poolName, '/subject/', { symbolic: 'variable', name: 's' }]), { principal: { scope: 'subject', poolAddress: 'google_iam_workload_identity_pool.pool' } }],
    ['user:a@example.com', { other: '"user:a@example.com"' }],
    ['principal://agents.global.org-1.system.id.goog/resources/x', { other: 'principal://agents.global.org-1.system.id.goog/resources/x' }],
    [{ symbolic: 'variable', name: 'm' }, { unknown: '${var.m}' }],
    [{ symbolic: 'ref', address: 'google_service_account.sa', attribute: 'member' }, { other: '${google_service_account.sa.member}' }],
    [{ symbolic: 'ref', address: 'google_x.y', attribute: 'principal' }, { unknown: '${google_x.y.principal}' }],
    [new SymbolicString([{ symbolic: 'variable', name: 'm' }, '/*']), { unknown: '${var.m}/*' }],
    [new SymbolicString(['principalSet://iam.googleapis.com/', { symbolic: 'variable', name: 'p' }, '/*']), { unknown: 'principalSet://iam.googleapis.com/${var.p}/*' }],
  ])('%#', (member, reading) => {
    expect(readMember(member as never)).toEqual(reading);
  });
});

describe('grants and service accounts', () => {
  const model = tfModel(
    gcpConfiguration({
      extra: {
        google_project_iam_member: { sa_editor: { project: 'p', role: 'roles/editor', member: 'serviceAccount:${google_service_account.deployer.email}' } },
        google_project_iam_binding: { b: { project: 'p', role: 'roles/viewer', members: '${var.members}' } },
        google_folder_iam_member: { f: { folder: 'folders/1', role: 'roles/viewer', member: '${google_service_account.deployer.member}' } },
      },
    }),
  );

  test('iamGrants reads member, binding and targets', () => {
    expect(iamGrants(model).map((g) => [g.resource.address, g.target.kind, g.role, g.location])).toEqual([
      ['google_service_account_iam_member.impersonation', 'service-account', 'roles/iam.workloadIdentityUser', 'member'],
      ['google_project_iam_member.sa_editor', 'project', 'roles/editor', 'member'],
      ['google_project_iam_binding.b', 'project', 'roles/viewer', 'members'],
      ['google_folder_iam_member.f', 'folder', 'roles/viewer', 'member'],
    ]);
  });

  test('serviceAccountAddress reads ${sa.name}, serviceAccount:${sa.email} and ${sa.member}', () => {
    const [impersonation, editor, , folder] = iamGrants(model);
    expect(serviceAccountAddress(model, impersonation.target.kind === "service-account" ? impersonation.target.value : undefined)).toBe('google_service_account.deployer');
    expect(serviceAccountAddress(model, editor.member)).toBe('google_service_account.deployer');
    expect(serviceAccountAddress(model, folder.member)).toBe('google_service_account.deployer');
    expect(serviceAccountAddress(model, 'serviceAccount:x@p.iam.gserviceaccount.com')).toBeUndefined();
  });

  test('principalInPool matches by address or by literal pool ID', () => {
    const [provider] = workloadIdentityProviders(model);
    expect(principalInPool(model, { scope: 'subject', poolAddress: 'google_iam_workload_identity_pool.pool' }, provider)).toBe(true);
    expect(principalInPool(model, { scope: 'subject', poolId: 'agents' }, provider)).toBe(true);
    expect(principalInPool(model, { scope: 'subject', poolId: 'other' }, provider)).toBe(false);
  });
});

describe('helpers', () => {
  test('withPlaceholders turns references into markers', () => {
    expect(withPlaceholders(new SymbolicString(["assertion.sub == '", { symbolic: 'variable', name: 'id' }, "'"]))).toEqual({
      text: "assertion.sub == '__attestgate_tf_0__'",
      placeholders: new Map([['__attestgate_tf_0__', 'var.id']]),
    });
    expect(withPlaceholders({ symbolic: 'variable', name: 'c' })).toBeUndefined();
  });

  test.each([
    ['roles/owner', true],
    ['roles/editor', true],
    ['roles/iam.workloadIdentityUser', true],
    ['roles/storage.admin', true],
    ['roles/compute.instanceAdmin', true],
    ['roles/viewer', false],
    ['roles/storage.objectViewer', false],
    ['projects/p/roles/custom', false],
  ])('isHighPrivilegeRole(%s) = %s', (role, high) => {
    expect(isHighPrivilegeRole(role)).toBe(high);
  });
});
