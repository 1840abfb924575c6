import { applyGcpTerraform, concreteGrants, deployGcpWorld, providerProject, serviceAccountEmailOf } from '../../../../conformance/emulator/gcp/deploy-terraform';
import { GcpWorld } from '../../../../conformance/emulator/gcp/world';
import { generateIssuerKey } from '../../../../conformance/oidc/issuer-key';
import { tfSource } from '../../../fixtures/gcp-conformance';
import { DEPLOYER_SPIFFE_ID, gcpConfiguration } from '../../../fixtures/terraform';

const POOL = 'projects/123456789012/locations/global/workloadIdentityPools/agents';

function deploy(configuration: unknown, options: { projectNumberOf?: (p: string) => string | undefined } = {}) {
  const world = new GcpWorld();
  const configurations = applyGcpTerraform([tfSource(configuration)], { projectNumberOf: options.projectNumberOf ?? ((p) => world.projectNumberOf(p)), defaultProject: 'fallback' });
  return { world, configurations, problems: deployGcpWorld(world, configurations) };
}

const withProviderBlock = (configuration: object, project: unknown) => ({ ...configuration, provider: { google: [{ project }] } });

describe('applying Terraform JSON with the google provider model', () => {
  test('computed names: pool and provider with the project number; service account email, name, member, unique_id', () => {
    const { configurations, problems } = deploy(withProviderBlock(gcpConfiguration(), 'my-project'));
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
    const { configurations } = deploy(configuration);
    expect(configurations[0].resources.get('google_service_account.deployer')?.attributes.email).toBe('deployer-agent@own.iam.gserviceaccount.com');
    expect(configurations[0].resources.get('google_iam_workload_identity_pool.pool')?.attributes.project).toBe('fallback');
  });

  test('an unknown project number leaves the names unknown, reported as a problem (live target without --gcp-project-number)', () => {
    const { configurations, world } = deploy(gcpConfiguration(), { projectNumberOf: () => undefined });
    expect(configurations[0].problems).toEqual(
      expect.arrayContaining([{ address: 'google_iam_workload_identity_pool_provider.spire', problem: expect.stringContaining('the number of project "fallback"') }]),
    );
    expect(world.providers.size).toBe(0);
  });

  test('a literal provider name (hand-written or imported) is kept', () => {
    const configuration = gcpConfiguration({ provider: { name: 'projects/42/locations/global/workloadIdentityPools/agents/providers/spire' } });
    expect([...deploy(configuration).world.providers.keys()]).toEqual(['projects/42/locations/global/workloadIdentityPools/agents/providers/spire']);
  });

  test('IAM grants from _member, _binding, _policy (JSON and a google_iam_policy data source), on accounts and projects', () => {
    const configuration = gcpConfiguration({
      extra: {
        google_service_account_iam_binding: { b: { service_account_id: '${google_service_account.deployer.name}', role: 'roles/iam.serviceAccountTokenCreator', members: ['user:a@example.com', 'user:b@example.com'] } },
        google_service_account_iam_policy: {
          p: { service_account_id: 'projects/x/serviceAccounts/other@x.iam.gserviceaccount.com', policy_data: '${data.google_iam_policy.p.policy_data}' },
        },
        google_project_iam_policy: { j: { project: 'proj', policy_data: JSON.stringify({ bindings: [{ role: 'roles/viewer', members: ['group:g@example.com'] }] }) } },
        google_project_iam_member: { m: { role: 'roles/editor', member: '${google_service_account.deployer.member}', condition: { title: 't', expression: 'true' } } },
      },
    }) as Record<string, any>;
    configuration.data = { google_iam_policy: { p: { binding: [{ role: 'roles/iam.workloadIdentityUser', members: ['principalSet://iam.googleapis.com/x/*'] }] } } };
    const { configurations, world, problems } = deploy(configuration);
    expect(problems).toEqual([]);
    const summary = concreteGrants(configurations).grants.map((g) => `${g.target.kind === 'project' ? g.target.project : g.target.email} ${g.role} ${g.member}${g.condition ? ` if ${g.condition}` : ''}`);
    expect(summary).toEqual([
      `deployer-agent@fallback.iam.gserviceaccount.com roles/iam.workloadIdentityUser principal://iam.googleapis.com/${POOL}/subject/${DEPLOYER_SPIFFE_ID}`,
      'deployer-agent@fallback.iam.gserviceaccount.com roles/iam.serviceAccountTokenCreator user:a@example.com',
      'deployer-agent@fallback.iam.gserviceaccount.com roles/iam.serviceAccountTokenCreator user:b@example.com',
      'other@x.iam.gserviceaccount.com roles/iam.workloadIdentityUser principalSet://iam.googleapis.com/x/*',
      'proj roles/viewer group:g@example.com',
      'fallback roles/editor serviceAccount:deployer-agent@fallback.iam.gserviceaccount.com if true',
    ]);
    expect(world.grantsOn('other@x.iam.gserviceaccount.com')).toHaveLength(1);
    expect(world.grantsOnProject('fallback')).toEqual([expect.objectContaining({ condition: 'true' })]);
  });

  test('service_account_id as an email or a resource name', () => {
    expect(serviceAccountEmailOf('projects/p/serviceAccounts/a@p.iam.gserviceaccount.com')).toBe('a@p.iam.gserviceaccount.com');
    expect(serviceAccountEmailOf('a@p.iam.gserviceaccount.com')).toBe('a@p.iam.gserviceaccount.com');
    expect(serviceAccountEmailOf('projects/p/serviceAccounts/123')).toBeUndefined();
  });

  test.each([
    ['an http issuer', { oidc: { issuer_uri: 'http://oidc.prod.example' } }, /is not an https URL/],
    ['no google.subject mapping', { attribute_mapping: { 'attribute.x': 'assertion.sub' } }, /must map google.subject/],
    ['a condition that is not CEL', { attribute_condition: 'assertion.sub ==' }, /attribute_condition is not valid CEL/],
    ['a mapping that is not CEL', { attribute_mapping: { 'google.subject': 'assertion.' } }, /attribute_mapping\["google.subject"\] is not valid CEL/],
    ['a JWKS that is not JSON', { oidc: { issuer_uri: 'https://i.example', jwks_json: '{' } }, /jwks_json is not JSON/],
    ['a P-384 JWKS', { oidc: { issuer_uri: 'https://i.example', jwks_json: JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-384', x: 'a', y: 'b' }] }) } }, /EC P-384 key; GCP accepts RSA and EC P-256 only/],
  ])('GCP refuses to create a provider with %s: not deployed, with the reason', (_what, provider, problem) => {
    const { world, problems } = deploy(gcpConfiguration({ provider }));
    expect(world.providers.size).toBe(0);
    expect(problems).toEqual([{ origin: 'brownfield/google_iam_workload_identity_pool_provider.spire', problem: expect.stringMatching(problem) }]);
  });

  test('an inline RSA and P-256 JWKS is kept; disabled pools and providers are deployed disabled', () => {
    const jwks = JSON.stringify({ keys: [generateIssuerKey('RS256').publicJwk, generateIssuerKey('ES256').publicJwk] });
    const configuration = gcpConfiguration({ provider: { disabled: true, oidc: { issuer_uri: 'https://i.example', allowed_audiences: ['a'], jwks_json: jwks } } }) as Record<string, any>;
    configuration.resource.google_iam_workload_identity_pool.pool.disabled = true;
    const { world } = deploy(configuration);
    const provider = [...world.providers.values()][0];
    expect(provider).toMatchObject({ disabled: true, kind: 'oidc', oidc: { issuerUri: 'https://i.example', allowedAudiences: ['a'], jwks: { keys: [expect.objectContaining({ kty: 'RSA' }), expect.objectContaining({ crv: 'P-256' })] } } });
    expect(world.pools.get(POOL)?.disabled).toBe(true);
  });

  test('a resource with a value unknown at apply is not deployed; its problem is reported', () => {
    const { world, problems } = deploy(gcpConfiguration({ provider: { attribute_condition: '${var.spiffe_id}' } }));
    expect(world.providers.size).toBe(0);
    expect(problems).toEqual([{ origin: 'brownfield/google_iam_workload_identity_pool_provider.spire', problem: expect.stringContaining('attribute_condition is not known at apply time') }]);
  });
});
