import { GATE_MANIFEST_SCHEMA, parseGateManifest } from '../../lib/core/gate-manifest';

const valid = {
  schema: GATE_MANIFEST_SCHEMA,
  kind: 'aws-iam-roles-anywhere',
  identity: {
    name: 'deployer',
    spiffeId: 'spiffe://prod.example/agent/deployer',
    subject: { CN: 'deployer' },
    sanUri: 'spiffe://prod.example/agent/deployer',
    privilege: 'high',
    maxCredentialLifetimeSeconds: 3600,
  },
  role: 'DeployerRole',
  trustAnchors: ['Anchor'],
  profiles: ['Profile'],
  maxSessionSeconds: 3600,
};

describe('parseGateManifest', () => {
  test('reads a valid manifest', () => {
    expect(parseGateManifest(valid, 't.json: DeployerRole')).toEqual(valid);
  });

  test.each([
    [{ ...valid, schema: 'v0' }, /gate manifest at t.json: DeployerRole: schema "v0" is not attestgate\/gate-manifest\/v1/],
    [{ ...valid, kind: 'other' }, /kind "other" is not a gate kind/],
    [{ ...valid, trustAnchors: 'Anchor' }, /trustAnchors "Anchor" is not a list of strings/],
    [{ ...valid, role: 3 }, /role 3 is not a logical ID/],
    [{ ...valid, identity: { ...valid.identity, spiffeId: 'x' } }, /spiffeId "x" does not start with the scheme/],
    [{ ...valid, identity: { ...valid.identity, privilege: 'god' } }, /privilege "god" is not a privilege tier/],
    [null, /is not an object/],
  ])('rejects a damaged manifest %#', (manifest, message) => {
    expect(() => parseGateManifest(manifest, 't.json: DeployerRole')).toThrow(message);
  });
});

describe('parseGateManifest: GCP and Azure kinds', () => {
  const gcp = {
    schema: GATE_MANIFEST_SCHEMA,
    kind: 'gcp-workload-identity-federation',
    identity: valid.identity,
    pool: 'google_iam_workload_identity_pool.pool',
    provider: 'google_iam_workload_identity_pool_provider.provider',
    credential: 'oidc',
    issuer: 'https://oidc.prod.example',
    audiences: ['gcp'],
    subject: 'spiffe://prod.example/agent/deployer',
    principal: 'principal://iam.googleapis.com/${google_iam_workload_identity_pool.pool.name}/subject/spiffe://prod.example/agent/deployer',
    attributeCondition: "assertion.sub == 'spiffe://prod.example/agent/deployer'",
    serviceAccounts: ['google_service_account.sa'],
  };
  const azure = {
    schema: GATE_MANIFEST_SCHEMA,
    kind: 'azure-federated-identity-credential',
    identity: valid.identity,
    managedIdentity: 'azurerm_user_assigned_identity.deployer',
    credentials: [{ resource: 'azurerm_federated_identity_credential.fic', issuer: 'https://oidc.prod.example', subject: 'spiffe://prod.example/agent/deployer', audience: 'api://AzureADTokenExchange' }],
  };

  test('reads each kind when it is expected, or with "any"', () => {
    expect(parseGateManifest(gcp, 'cdk.tf.json: provider', 'gcp-workload-identity-federation')).toEqual(gcp);
    expect(parseGateManifest(azure, 'cdk.tf.json: uami', 'any')).toEqual(azure);
    expect(parseGateManifest(valid, 't.json', 'any')).toEqual(valid);
  });

  test('without an expected kind only the AWS kind is read, as before', () => {
    expect(() => parseGateManifest(gcp, 'x')).toThrow(/kind "gcp-workload-identity-federation" is not the kind expected here \(aws-iam-roles-anywhere\)/);
  });

  test.each([
    [{ ...gcp, credential: 'saml' }, /credential "saml" is not oidc, x509 or aws/],
    [{ ...gcp, audiences: 'gcp' }, /audiences "gcp" is not a list of strings/],
    [{ ...gcp, principal: 1 }, /principal 1 is not a string/],
    [{ ...azure, credentials: {} }, /credentials \{\} is not a list/],
    [{ ...azure, credentials: [{ ...azure.credentials[0], subject: null }] }, /credentials\/0\/subject null is not a string/],
  ])('rejects a damaged manifest %#', (manifest, message) => {
    expect(() => parseGateManifest(manifest, 'x', 'any')).toThrow(message);
  });
});
