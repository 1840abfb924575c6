import { applyGcpTerraform, providerProject } from '../../../lib/model/gcp/google-provider';
import { tfSource } from '../../fixtures/gcp-conformance';
import { DEPLOYER_SPIFFE_ID, gcpConfiguration } from '../../fixtures/terraform';

const POOL = 'projects/123456789012/locations/global/workloadIdentityPools/agents';

function apply(configuration: unknown) {
  const configurations = applyGcpTerraform([tfSource(configuration)], { projectNumberOf: () => '123456789012', defaultProject: 'fallback' });
  return { configurations, problems: configurations.flatMap((c) => c.problems) };
}

const withProviderBlock = (configuration: object, project: unknown) => ({ ...configuration, provider: { google: [{ project }] } });

describe('applying Terraform JSON with the google provider model', () => {
  test('computed names: pool and provider with the project number; service account email, name, member, unique_id', () => {
    const { configurations, problems } = apply(withProviderBlock(gcpConfiguration(), 'my-project'));
    expect(problems).toEqual([]);
    const resources = configurations[0].resources;
    expect(resources.get('google_iam_workload_identity_pool.pool')?.attributes).toMatchObject({ name: POOL, project: 'my-project', state: 'ACTIVE' });
    expect(resources.get('google_iam_workload_identity_pool_provider.spire')?.attributes.name).toBe(`${POOL}/providers/spire`);
    expect(resources.get('google_service_account.deployer')?.attributes).toMatchObject({
      email: 'deployer-agent@my-project.iam.gserviceaccount.com',
      name: 'projects/my-project/serviceAccounts/deployer-agent@my-project.iam.gserviceaccount.com',
      member: 'serviceAccount:deployer-agent@my-project.iam.gserviceaccount.com',
      unique_id: expect.stringMatching(/^\d{21}$/),
    });
    expect(resources.get('google_service_account_iam_member.impersonation')?.attributes).toMatchObject({
      member: `principal://iam.googleapis.com/${POOL}/subject/${DEPLOYER_SPIFFE_ID}`,
      id: expect.stringContaining('roles/iam.workloadIdentityUser'),
    });
  });

  test('the project: the resource’s own, else the google provider’s (literal or a variable’s default), else the fallback', () => {
    const configuration = gcpConfiguration() as { resource: Record<string, Record<string, Record<string, unknown>>>; variable?: unknown };
    expect(providerProject(tfSource(withProviderBlock(configuration, 'lit')))).toBe('lit');
    expect(providerProject(tfSource({ ...withProviderBlock(configuration, '${var.project}'), variable: { project: { default: 'from-default' } } }))).toBe('from-default');
    expect(providerProject(tfSource(withProviderBlock(configuration, '${var.project}')), { project: 'given' })).toBe('given');
    expect(providerProject(tfSource(configuration))).toBeUndefined();
    configuration.resource.google_service_account.deployer.project = 'own';
    const { configurations } = apply(configuration);
    expect(configurations[0].resources.get('google_service_account.deployer')?.attributes.email).toBe('deployer-agent@own.iam.gserviceaccount.com');
    expect(configurations[0].resources.get('google_iam_workload_identity_pool.pool')?.attributes.project).toBe('fallback');
  });

  test('an unknown project number leaves the names unknown, reported as a problem, never guessed', () => {
    const [configuration] = applyGcpTerraform([tfSource(gcpConfiguration())], { projectNumberOf: () => undefined, defaultProject: 'p' });
    expect(configuration.problems).toEqual(expect.arrayContaining([{ address: 'google_iam_workload_identity_pool.pool', problem: expect.stringContaining('the number of project "p"') }]));
  });
});
