import { discoverGcpGates } from '../../../conformance/gcp/discover-gates';
import { applyGcpTerraform } from '../../../lib/model/gcp/google-provider';
import { resolveGcpGates, serviceAccountsFor } from '../../../conformance/gcp/resolve-gates';
import { exampleGcpSources, tfSource, writeIssuerKey } from '../../fixtures/gcp-conformance';
import { DEPLOYER_SPIFFE_ID, gcpConfiguration } from '../../fixtures/terraform';

const POOL = 'projects/123456789012/locations/global/workloadIdentityPools/agents';
const apply = (sources: ReturnType<typeof tfSource>[], projectNumberOf: (project: string) => string | undefined = () => '123456789012') =>
  applyGcpTerraform(sources, { projectNumberOf, defaultProject: 'proj' });

describe('resolveGcpGates', () => {
  test('the example: names, audience, inline JWKS, the service account meant and reachable, a manifest-based plan', () => {
    const issuer = writeIssuerKey();
    const sources = exampleGcpSources(issuer.jwksFile).filter((s) => s.stackName === 'attestgate-gcp-example');
    const [gate] = resolveGcpGates(discoverGcpGates(sources), apply(sources));
    const pool = 'projects/123456789012/locations/global/workloadIdentityPools/attested-agents';
    expect(gate).toMatchObject({
      providerName: `${pool}/providers/deployer`,
      poolName: pool,
      stsAudience: `//iam.googleapis.com/${pool}/providers/deployer`,
      issuer: 'https://oidc.prod.example',
      jwks: { keys: [issuer.key.publicJwk] },
      problems: [],
      reachableServiceAccounts: ['deployer-agent@attestgate-example.iam.gserviceaccount.com'],
      intendedServiceAccounts: ['deployer-agent@attestgate-example.iam.gserviceaccount.com'],
      plan: { control: { sub: DEPLOYER_SPIFFE_ID, aud: 'gcp' } },
    });
    expect(serviceAccountsFor(gate, gate.plan!.controlPrincipal!)).toEqual(['deployer-agent@attestgate-example.iam.gserviceaccount.com']);
  });

  test('project-level impersonation grants reach every service account of the project; grants outside the pool are ignored', () => {
    const sources = [
      tfSource(
        gcpConfiguration({
          member: 'user:someone@example.com',
          extra: {
            google_service_account: { deployer: { account_id: 'deployer-agent' }, second: { account_id: 'second' } },
            google_project_iam_member: {
              pool: { project: 'proj', role: 'roles/iam.serviceAccountTokenCreator', member: 'principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/*' },
              viewer: { project: 'proj', role: 'roles/viewer', member: `principal://iam.googleapis.com/\${google_iam_workload_identity_pool.pool.name}/subject/${DEPLOYER_SPIFFE_ID}` },
            },
          },
        }),
      ),
    ];
    const [gate] = resolveGcpGates(discoverGcpGates(sources), apply(sources));
    expect(gate.reachableServiceAccounts).toEqual(['deployer-agent@proj.iam.gserviceaccount.com', 'second@proj.iam.gserviceaccount.com']);
    expect(gate.poolGrants.map((g) => g.role)).toEqual(['roles/iam.serviceAccountTokenCreator', 'roles/viewer']);
    expect(gate.impersonations.every((i) => i.member === `principalSet://iam.googleapis.com/${POOL}/*`)).toBe(true);
  });

  test('an unknown project number: the gate carries the problem and no name', () => {
    const sources = [tfSource(gcpConfiguration())];
    const [gate] = resolveGcpGates(discoverGcpGates(sources), apply(sources, () => undefined));
    expect(gate.providerName).toBeUndefined();
    expect(gate.problems).toEqual([
      expect.stringContaining('the number of project "proj"'),
      // The binding's member names the pool by that number too: whom it grants cannot be told, so it is the gate's problem as well.
      expect.stringMatching(/^brownfield\/google_service_account_iam_member\.impersonation: member is not known at apply time: .*the number of project "proj"/),
      expect.stringContaining('the resource name of google_iam_workload_identity_pool_provider.spire is not known'),
    ]);
  });

  test('deployment problems the target reports are the gate’s problems', () => {
    const sources = [tfSource(gcpConfiguration())];
    const [gate] = resolveGcpGates(discoverGcpGates(sources), apply(sources), (stack, addresses) => [`${stack}: ${addresses.join(',')} refused`]);
    expect(gate.problems).toEqual(['brownfield: google_iam_workload_identity_pool_provider.spire refused']);
  });

  test('an inline JWKS that is not JSON is a problem; keys are attached later', () => {
    const sources = [tfSource(gcpConfiguration({ provider: { oidc: { issuer_uri: 'https://oidc.prod.example', jwks_json: '{' } } }))];
    const [gate] = resolveGcpGates(discoverGcpGates(sources), apply(sources));
    expect(gate.problems).toEqual(['google_iam_workload_identity_pool_provider.spire: oidc.jwks_json is not JSON']);
    expect(gate.keys).toEqual([]);
  });
});
