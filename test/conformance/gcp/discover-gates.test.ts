import * as fs from 'node:fs';
import { loadTerraformSources } from '../../../conformance/discovery/terraform-sources';
import { TerraformSource } from '../../../lib/model/terraform/configuration';
import { discoverGcpGates } from '../../../conformance/gcp/discover-gates';
import { synthCdktfExamples } from '../../fixtures/synth-cdktf';
import { DEPLOYER_SPIFFE_ID, gcpConfiguration, tfModel } from '../../fixtures/terraform';

const source = (configuration: unknown): TerraformSource => ({ stackName: 'brownfield', file: 'brownfield.tf.json', model: tfModel(configuration) });

describe('discoverGcpGates', () => {
  test('the example with its condition widened by hand after synth: drift from the declared subject', () => {
    const [example] = loadTerraformSources(synthCdktfExamples()).filter((s) => s.stackName === 'attestgate-gcp-example');
    const configuration = JSON.parse(fs.readFileSync(example.file, 'utf8'));
    const [provider] = Object.values<{ attribute_condition: string }>(configuration.resource.google_iam_workload_identity_pool_provider);
    provider.attribute_condition = "assertion.sub.startsWith('spiffe://prod.example/')";
    const [gate] = discoverGcpGates([{ ...example, model: tfModel(configuration) }]);
    expect(gate.drift).toEqual([`the attribute condition no longer names the declared ${DEPLOYER_SPIFFE_ID}: assertion.sub.startsWith('spiffe://prod.example/')`]);
  });

  test('the example: manifest, issuer, pinned subject, the one principal, the service account and its role', () => {
    const [gate] = discoverGcpGates(loadTerraformSources(synthCdktfExamples()).filter((s) => s.stackName === 'attestgate-gcp-example'));
    expect(gate.drift).toEqual([]);
    expect(gate).toMatchObject({
      cloud: 'gcp',
      kind: 'oidc',
      trusts: 'OIDC https://oidc.prod.example (inline JWKS)',
      audiences: ['gcp'],
      subjectConstraint: { holds: true, how: `assertion.sub == "${DEPLOYER_SPIFFE_ID}"` },
      privilege: 'high',
      privilegeReasons: ['declared high in its gate manifest'],
      manifest: expect.objectContaining({ kind: 'gcp-workload-identity-federation', subject: DEPLOYER_SPIFFE_ID }),
    });
    expect(gate.boundPrincipals).toEqual([
      expect.objectContaining({
        principal: expect.objectContaining({ scope: 'subject', value: DEPLOYER_SPIFFE_ID }),
        grants: [],
        serviceAccounts: [expect.objectContaining({ accountId: 'deployer-agent', via: 'roles/iam.workloadIdentityUser', grants: [expect.objectContaining({ role: 'roles/editor', on: 'project "attestgate-example"' })] })],
      }),
    ]);
  });

  test('brownfield: no condition, a whole-pool binding and a direct grant; privilege inferred from roles', () => {
    const configuration = gcpConfiguration({
      provider: { attribute_condition: undefined },
      member: 'principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/*',
      extra: {
        google_project_iam_member: {
          direct: { project: 'p', role: 'roles/storage.admin', member: 'principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/agents/subject/x' },
          unrelated: { project: 'p', role: 'roles/owner', member: 'user:a@example.com' },
          other_pool: { project: 'p', role: 'roles/owner', member: 'principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/other/subject/x' },
        },
      },
    });
    const [gate] = discoverGcpGates([source(configuration)]);
    expect(gate.manifest).toBeUndefined();
    expect(gate.subjectConstraint).toEqual({ holds: false, why: 'it has no attribute_condition, so every credential its issuer signs is accepted' });
    expect(gate.boundPrincipals.map((p) => [p.principal.scope, p.grants.map((g) => g.role), p.serviceAccounts.map((s) => s.address)])).toEqual([
      ['whole-pool', [], ['google_service_account.deployer']],
      ['subject', ['roles/storage.admin'], []],
    ]);
    expect(gate.privilege).toBe('high');
    expect(gate.privilegeReasons).toEqual(['principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/agents/subject/x holds roles/storage.admin on project "p"']);
  });

  test('X.509 and AWS providers, a disabled one, nothing bound', () => {
    const gates = discoverGcpGates([
      source({ resource: { google_iam_workload_identity_pool_provider: {
        svid: { workload_identity_pool_id: 'agents', x509: { trust_store: { trust_anchors: [{ pem_certificate: 'A' }], intermediate_cas: [{ pem_certificate: 'B' }] } }, attribute_condition: "assertion.san.uri == 'spiffe://a/x'", disabled: true },
        aws: { workload_identity_pool_id: 'agents', aws: { account_id: '123456789012' } },
      } } }),
    ]);
    expect(gates.map((g) => [g.trusts, g.disabled, g.boundPrincipals.length, g.privilege])).toEqual([
      ['X.509: 1 trust anchor(s), 1 intermediate(s)', true, 0, 'unknown'],
      ['AWS account 123456789012', false, 0, 'unknown'],
    ]);
  });

  test('two pools, two providers each: a provider’s bound principals are its own pool’s, the same for both providers of a pool', () => {
    const configuration = gcpConfiguration() as { resource: Record<string, Record<string, Record<string, unknown>>> };
    const spire = configuration.resource.google_iam_workload_identity_pool_provider.spire;
    configuration.resource.google_iam_workload_identity_pool.other = { workload_identity_pool_id: 'others' };
    configuration.resource.google_iam_workload_identity_pool_provider.spire2 = { ...spire, workload_identity_pool_provider_id: 'spire2' };
    for (const id of ['o1', 'o2']) {
      configuration.resource.google_iam_workload_identity_pool_provider[id] = { ...spire, workload_identity_pool_id: '${google_iam_workload_identity_pool.other.workload_identity_pool_id}', workload_identity_pool_provider_id: id };
    }
    configuration.resource.google_service_account.other = { account_id: 'other-agent' };
    configuration.resource.google_service_account_iam_member.other = {
      service_account_id: '${google_service_account.other.name}',
      role: 'roles/iam.workloadIdentityUser',
      member: 'principal://iam.googleapis.com/${google_iam_workload_identity_pool.other.name}/subject/spiffe://prod.example/agent/other',
    };
    const gates = Object.fromEntries(discoverGcpGates([source(configuration)]).map((g) => [g.provider.address.split('.')[1], g.boundPrincipals.map((p) => p.member)]));
    expect(gates.spire).toEqual([`principal://iam.googleapis.com/\${google_iam_workload_identity_pool.pool.name}/subject/${DEPLOYER_SPIFFE_ID}`]);
    expect(gates.spire2).toEqual(gates.spire);
    expect(gates.o1).toEqual(['principal://iam.googleapis.com/${google_iam_workload_identity_pool.other.name}/subject/spiffe://prod.example/agent/other']);
    expect(gates.o2).toEqual(gates.o1);
  });

  test('a damaged manifest is reported with where it was found', () => {
    const configuration = gcpConfiguration({ provider: { '//': { 'attestgate:gate': { schema: 'attestgate/gate-manifest/v1', kind: 'azure-federated-identity-credential' } } } });
    expect(() => discoverGcpGates([source(configuration)])).toThrow('gate manifest at brownfield.tf.json: google_iam_workload_identity_pool_provider.spire: kind "azure-federated-identity-credential" is not the kind expected here (gcp-workload-identity-federation)');
  });
});
