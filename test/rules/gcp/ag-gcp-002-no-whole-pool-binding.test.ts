import { noWholePoolBinding } from '../../../lib/rules/gcp/ag-gcp-002-no-whole-pool-binding';
import { gcpConfiguration, tfModel } from '../../fixtures/terraform';

const WHOLE_POOL = 'principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/*';
const evaluate = (options: Parameters<typeof gcpConfiguration>[0]) => noWholePoolBinding.evaluate(tfModel(gcpConfiguration(options)));

describe('AG-GCP-002: no whole-pool principalSet is granted workloadIdentityUser or a high-privilege role', () => {
  test('Noncompliance 1: the impersonation binding names the whole pool', () => {
    expect(evaluate({ member: WHOLE_POOL })).toEqual([
      {
        resource: 'google_service_account_iam_member.impersonation',
        outcome: 'violation',
        message: `google_service_account_iam_member.impersonation (service-account \${google_service_account.deployer.name}) grants roles/iam.workloadIdentityUser to every identity of workload identity pool google_iam_workload_identity_pool.pool (${WHOLE_POOL}).`,
        location: 'member',
      },
    ]);
  });

  test('Noncompliance 2: a literal whole-pool member on a project role, in a binding and in a policy', () => {
    const literal = 'principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/agents/*';
    const findings = evaluate({
      extra: {
        google_project_iam_binding: { owners: { project: 'p', role: 'roles/owner', members: ['user:a@example.com', literal] } },
        google_storage_bucket_iam_member: { admin: { bucket: 'b', role: 'roles/storage.admin', member: literal } },
        google_project_iam_policy: { policy: { project: 'p', policy_data: '${data.google_iam_policy.p.policy_data}' } },
      },
    });
    expect(findings.map((f) => [f.resource, f.location])).toEqual([
      ['google_project_iam_binding.owners', 'members/1'],
      ['google_storage_bucket_iam_member.admin', 'member'],
    ]);
    expect(findings[0].message).toContain('grants roles/owner to every identity of workload identity pool agents');
    expect(findings[1].message).toContain('(a google_storage_bucket)');
    const withPolicy = noWholePoolBinding.evaluate(
      tfModel({
        ...gcpConfiguration(),
        data: { google_iam_policy: { p: { binding: [{ role: 'roles/editor', members: [WHOLE_POOL] }] } } },
        resource: { ...gcpConfiguration().resource, google_project_iam_policy: { policy: { project: 'p', policy_data: '${data.google_iam_policy.p.policy_data}' } } },
      }),
    );
    expect(withPolicy).toEqual([expect.objectContaining({ resource: 'google_project_iam_policy.policy', location: 'policy_data/data.google_iam_policy.p/binding/0/members/0', outcome: 'violation' })]);
    const jsonPolicy = JSON.stringify({ bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: [literal] }] });
    expect(evaluate({ extra: { google_service_account_iam_policy: { p: { service_account_id: 'x', policy_data: jsonPolicy } } } })).toEqual([
      expect.objectContaining({ resource: 'google_service_account_iam_policy.p', location: 'policy_data/bindings/0/members/0' }),
    ]);
  });

  test('Compliance: one subject principal; attribute sets; a whole pool with a low-privilege role', () => {
    expect(evaluate({})).toEqual([]);
    expect(evaluate({ member: 'principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/attribute.aws_role/arn:aws:sts::1:assumed-role/x' })).toEqual([]);
    expect(evaluate({ extra: { google_project_iam_member: { viewers: { project: 'p', role: 'roles/viewer', member: WHOLE_POOL } } } })).toEqual([]);
  });

  test('Unjudgeable: the member or the role is known only at apply', () => {
    expect(evaluate({ member: '${var.member}' })).toEqual([
      expect.objectContaining({ outcome: 'unjudgeable', message: expect.stringContaining('grants roles/iam.workloadIdentityUser to ${var.member}, which is known only at apply') }),
    ]);
    expect(evaluate({ extra: { google_project_iam_member: { x: { project: 'p', role: '${var.role}', member: WHOLE_POOL } } } })).toEqual([expect.objectContaining({ outcome: 'unjudgeable', resource: 'google_project_iam_member.x' })]);
    expect(evaluate({ extra: { google_project_iam_policy: { x: { project: 'p', policy_data: '${var.policy}' } } } })).toEqual([]);
  });
});
