import { applyGcpTerraform } from '../../../lib/model/gcp/google-provider';
import { concreteGrants, serviceAccountEmailOf } from '../../../lib/model/gcp/iam-grants';
import { tfSource } from '../../fixtures/gcp-conformance';

describe('IAM grants of applied Terraform JSON', () => {
  test('service_account_id as an email or a resource name', () => {
    expect(serviceAccountEmailOf('projects/p/serviceAccounts/a@p.iam.gserviceaccount.com')).toBe('a@p.iam.gserviceaccount.com');
    expect(serviceAccountEmailOf('a@p.iam.gserviceaccount.com')).toBe('a@p.iam.gserviceaccount.com');
    expect(serviceAccountEmailOf('projects/p/serviceAccounts/123')).toBeUndefined();
  });

  test('a member with a condition keeps it; a policy_data that is not JSON is named as a problem, not read as no grants', () => {
    const configurations = applyGcpTerraform(
      [tfSource({
        resource: {
          google_project_iam_member: { m: { project: 'p', role: 'roles/owner', member: 'user:a@example.com', condition: { title: 't', expression: 'request.time < timestamp("2030-01-01T00:00:00Z")' } } },
          google_service_account_iam_policy: { bad: { service_account_id: 'a@p.iam.gserviceaccount.com', policy_data: 'not json' } },
        },
      })],
      { projectNumberOf: () => '1', defaultProject: 'p' },
    );
    const { grants, problems } = concreteGrants(configurations);
    expect(grants).toEqual([{ target: { kind: 'project', project: 'p' }, role: 'roles/owner', member: 'user:a@example.com', condition: 'request.time < timestamp("2030-01-01T00:00:00Z")', origin: 'brownfield/google_project_iam_member.m' }]);
    expect(problems).toEqual([{ origin: 'brownfield/google_service_account_iam_policy.bad', problem: 'policy_data is not JSON with bindings' }]);
  });
});
