import { IamWorkloadIdentityPool } from '@cdktf/provider-google/lib/iam-workload-identity-pool';
import { Aspects } from 'cdktf';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { AttestedWorkloadIdentityProvider, AttestedWorkloadIdentityProviderProps } from '../../lib/gcp/attested-workload-identity-provider';
import { WorkloadIdentitySource } from '../../lib/gcp/workload-identity-source';
import { TerraformAttestationAspect } from '../../lib/packs/terraform-attestation-aspect';
import { annotations, gateManifestIn, onlyResource, rsaJwks, synthesized, tfStack } from '../fixtures/cdktf';
import { deployerIdentity } from '../fixtures/identities';
import { TestPki, makeTestPki } from '../fixtures/pki';

const SPIFFE = 'spiffe://prod.example/agent/deployer';
const spire = () => WorkloadIdentitySource.oidc({ issuerUri: 'https://oidc.prod.example', allowedAudiences: ['gcp'], jwks: rsaJwks() });

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});

describe('AttestedWorkloadIdentityProvider', () => {
  test('an OIDC provider with inline JWKS whose condition pins the subject, in a new pool', () => {
    // GIVEN
    const { app, stack } = tfStack();
    // WHEN
    const gate = new AttestedWorkloadIdentityProvider(stack, 'Gate', { identity: deployerIdentity(), source: spire() });
    // THEN
    const tf = synthesized(stack);
    const pool = onlyResource(tf, 'google_iam_workload_identity_pool');
    const provider = onlyResource(tf, 'google_iam_workload_identity_pool_provider');
    expect(pool).toMatchObject({ workload_identity_pool_id: 'deployer-pool' });
    expect(provider).toMatchObject({
      workload_identity_pool_id: `\${google_iam_workload_identity_pool.${gate.pool.friendlyUniqueId}.workload_identity_pool_id}`,
      workload_identity_pool_provider_id: 'deployer',
      display_name: 'Attested deployer',
      attribute_mapping: { 'google.subject': 'assertion.sub' },
      attribute_condition: `assertion.sub == '${SPIFFE}' && (assertion.aud in ['gcp'] || assertion.aud.exists(a, a in ['gcp']))`,
      oidc: { issuer_uri: 'https://oidc.prod.example', allowed_audiences: ['gcp'], jwks_json: expect.stringMatching(/^\{"keys":\[\{"kty":"RSA","kid":"spire-1"/) },
    });
    expect(gate.principal).toMatch(/^principal:\/\/iam\.googleapis\.com\/\$\{TfToken\[TOKEN\.\d+\]\}\/subject\/spiffe:\/\/prod\.example\/agent\/deployer$/);
    expect(gate.subject).toBe(SPIFFE);
    expect(() => app.synth()).not.toThrow();
    expect(annotations(stack, 'error')).toEqual([]);
  });

  test('writes the gate manifest into the provider’s "//" object: the declared identity, its subject and the accounts it acts as', () => {
    const { stack } = tfStack();
    new AttestedWorkloadIdentityProvider(stack, 'Gate', { identity: deployerIdentity(), source: spire() });
    expect(gateManifestIn(synthesized(stack), 'google_iam_workload_identity_pool_provider')).toEqual({
      schema: 'attestgate/gate-manifest/v2',
      kind: 'gcp-workload-identity-federation',
      identity: deployerIdentity().describe(),
      subject: SPIFFE,
      serviceAccounts: [],
    });
  });

  test('joins a given pool; X.509 and AWS sources', () => {
    const { stack } = tfStack();
    const pool = new IamWorkloadIdentityPool(stack, 'Shared', { workloadIdentityPoolId: 'agents' });
    new AttestedWorkloadIdentityProvider(stack, 'Svid', { identity: deployerIdentity(), source: WorkloadIdentitySource.x509({ trustAnchors: [pki.ca.pem] }), pool, providerId: 'svid' });
    new AttestedWorkloadIdentityProvider(stack, 'Aws', { identity: deployerIdentity(), source: WorkloadIdentitySource.aws({ accountId: '123456789012', roleName: 'deployer' }), pool, providerId: 'aws-deployer' });
    const tf = synthesized(stack);
    expect(Object.keys(tf.resource.google_iam_workload_identity_pool)).toEqual(['Shared']);
    const providers = Object.values(tf.resource.google_iam_workload_identity_pool_provider);
    expect(providers[0]).toMatchObject({ x509: { trust_store: { trust_anchors: [{ pem_certificate: pki.ca.pem }] } }, attribute_mapping: { 'google.subject': 'assertion.san.uri' } });
    expect(providers[0].attribute_condition).toContain(`assertion.san.uri == '${SPIFFE}'`);
    expect(providers[1]).toMatchObject({ aws: { account_id: '123456789012' }, attribute_condition: expect.stringContaining("assertion.arn.startsWith('arn:aws:sts::123456789012:assumed-role/deployer/')") });
  });

  test('grantProjectRole grants directly to the one principal', () => {
    const { stack } = tfStack();
    const gate = new AttestedWorkloadIdentityProvider(stack, 'Gate', { identity: deployerIdentity(), source: spire() });
    gate.grantProjectRole('roles/storage.objectViewer', 'agents-prod');
    const grant = onlyResource(synthesized(stack), 'google_project_iam_member');
    expect(grant).toEqual({ project: 'agents-prod', role: 'roles/storage.objectViewer', member: `principal://iam.googleapis.com/\${google_iam_workload_identity_pool.${gate.pool.friendlyUniqueId}.name}/subject/${SPIFFE}` });
    expect(() => gate.grantProjectRole('owner', 'p')).toThrow('role "owner" is not a role name');
  });

  test('passes the attestation rules', () => {
    const { app, stack } = tfStack();
    Aspects.of(stack).add(new TerraformAttestationAspect());
    new AttestedWorkloadIdentityProvider(stack, 'A', { identity: deployerIdentity(), source: spire(), providerId: 'aaaa', poolId: 'pool-a' });
    new AttestedWorkloadIdentityProvider(stack, 'B', { identity: deployerIdentity(), source: WorkloadIdentitySource.aws({ accountId: '123456789012', roleName: 'deployer' }), providerId: 'bbbb', poolId: 'pool-b' });
    expect(() => app.synth()).not.toThrow();
    expect(annotations(stack, 'error')).toEqual([]);
  });

  test.each([
    [{ identity: 'deployer' }, "AttestedWorkloadIdentityProvider 'agents/Gate': identity \"deployer\" is not an AgentIdentity"],
    [{ source: { kind: 'oidc' } }, 'source {"kind":"oidc"} is not a WorkloadIdentitySource'],
    [{ identity: deployerIdentity({ name: 'a-very-long-agent-name-for-a-pool-id' }) }, 'poolId (default: <identity name>-pool) "a-very-long-agent-name-for-a-pool-id-pool" is not 4–32 lowercase letters'],
    [{ poolId: 'gcp-agents' }, 'poolId "gcp-agents" is not 4–32 lowercase letters, digits and hyphens, or starts with the reserved "gcp-"'],
    [{ identity: deployerIdentity({ name: 'ci' }), poolId: 'agents' }, 'providerId (default: the identity name) "ci" is not 4–32'],
    [{ providerId: 'Deployer' }, 'providerId "Deployer" is not 4–32'],
    [{ displayName: 'x'.repeat(33) }, 'displayName "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" is longer than 32 characters'],
    [{ description: 'x'.repeat(257) }, 'description "257 characters" is longer than 256 characters'],
    [{ extraCondition: 'assertion.sub ==' }, 'extraCondition "assertion.sub ==" is not valid CEL'],
  ])('rejects bad props %#', (overrides, message) => {
    const { stack } = tfStack();
    const props = { identity: deployerIdentity(), source: spire(), ...overrides } as AttestedWorkloadIdentityProviderProps;
    expect(() => new AttestedWorkloadIdentityProvider(stack, 'Gate', props)).toThrow(message);
  });

  test('a high-privilege role for a read-only identity is refused', () => {
    const { stack } = tfStack();
    const gate = new AttestedWorkloadIdentityProvider(stack, 'Gate', { identity: deployerIdentity({ privilege: PrivilegeTier.READ_ONLY }), source: spire() });
    expect(() => gate.grantProjectRole('roles/owner', 'p')).toThrow("AttestedWorkloadIdentityProvider 'agents/Gate': role \"roles/owner\" is a high-privilege role, but identity deployer is declared read-only");
  });
});
