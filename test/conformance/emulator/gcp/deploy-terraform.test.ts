import { deployGcpWorld } from '../../../../conformance/emulator/gcp/deploy-terraform';
import { applyGcpTerraform } from '../../../../lib/model/gcp/google-provider';
import { concreteGrants } from '../../../../lib/model/gcp/iam-grants';
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

describe('deploying applied Terraform JSON into the GCP world', () => {
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
