import { GATE_MANIFEST_SCHEMA, GATE_MANIFEST_SCHEMA_V1, parseGateManifest } from '../../lib/core/gate-manifest';

const identity = {
  name: 'deployer',
  spiffeId: 'spiffe://prod.example/agent/deployer',
  subject: { CN: 'deployer' },
  sanUri: 'spiffe://prod.example/agent/deployer',
  privilege: 'high',
  maxCredentialLifetimeSeconds: 3600,
};
const valid = { schema: GATE_MANIFEST_SCHEMA, kind: 'aws-iam-roles-anywhere', identity };

describe('parseGateManifest', () => {
  test('reads a valid manifest: intent only', () => {
    expect(parseGateManifest(valid, 't.json: DeployerRole')).toEqual(valid);
  });

  test('a v1 manifest (synthesized by an earlier version) is read as its intent; the facts it listed about the resources are not trusted', () => {
    const v1 = { ...valid, schema: GATE_MANIFEST_SCHEMA_V1, role: 'DeployerRole', trustAnchors: ['Anchor'], profiles: ['Profile'], maxSessionSeconds: 3600 };
    expect(parseGateManifest(v1, 't.json: DeployerRole')).toEqual(valid);
  });

  test.each([
    [{ ...valid, schema: 'v0' }, /gate manifest at t.json: DeployerRole: schema "v0" is not attestgate\/gate-manifest\/v2 \(or attestgate\/gate-manifest\/v1\)/],
    [{ ...valid, kind: 'other' }, /kind "other" is not a gate kind/],
    [{ ...valid, identity: { ...identity, spiffeId: 'x' } }, /spiffeId "x" does not start with the scheme/],
    [{ ...valid, identity: { ...identity, privilege: 'god' } }, /privilege "god" is not a privilege tier/],
    [null, /is not an object/],
  ])('rejects a damaged manifest %#', (manifest, message) => {
    expect(() => parseGateManifest(manifest, 't.json: DeployerRole')).toThrow(message);
  });
});

describe('parseGateManifest: GCP and Azure kinds', () => {
  const gcp = { schema: GATE_MANIFEST_SCHEMA, kind: 'gcp-workload-identity-federation', identity, subject: 'spiffe://prod.example/agent/deployer', serviceAccounts: ['google_service_account.sa'] };
  const trust = { issuer: 'https://oidc.prod.example', subject: 'spiffe://prod.example/agent/deployer', audience: 'api://AzureADTokenExchange' };
  const azure = { schema: GATE_MANIFEST_SCHEMA, kind: 'azure-federated-identity-credential', identity, credentials: [trust] };

  test('reads each kind when it is expected, or with "any"', () => {
    expect(parseGateManifest(gcp, 'cdk.tf.json: provider', 'gcp-workload-identity-federation')).toEqual(gcp);
    expect(parseGateManifest(azure, 'cdk.tf.json: uami', 'any')).toEqual(azure);
    expect(parseGateManifest(valid, 't.json', 'any')).toEqual(valid);
  });

  test('v1 GCP and Azure manifests keep their intent: the subject and service accounts; the declared trusts without resource addresses', () => {
    const gcpV1 = { ...gcp, schema: GATE_MANIFEST_SCHEMA_V1, pool: 'p', provider: 'q', credential: 'oidc', audiences: ['gcp'], principal: 'principal://x', attributeCondition: 'true' };
    expect(parseGateManifest(gcpV1, 'x', 'any')).toEqual(gcp);
    const azureV1 = { ...azure, schema: GATE_MANIFEST_SCHEMA_V1, managedIdentity: 'azurerm_user_assigned_identity.d', credentials: [{ resource: 'azurerm_federated_identity_credential.f', ...trust }] };
    expect(parseGateManifest(azureV1, 'x', 'any')).toEqual(azure);
  });

  test('without an expected kind only the AWS kind is read, as before', () => {
    expect(() => parseGateManifest(gcp, 'x')).toThrow(/kind "gcp-workload-identity-federation" is not the kind expected here \(aws-iam-roles-anywhere\)/);
  });

  test.each([
    [{ ...gcp, subject: 1 }, /subject 1 is not a string/],
    [{ ...gcp, serviceAccounts: 'sa' }, /serviceAccounts "sa" is not a list of strings/],
    [{ ...azure, credentials: {} }, /credentials \{\} is not a list/],
    [{ ...azure, credentials: [{ ...trust, subject: null }] }, /credentials\/0\/subject null is not a string/],
  ])('rejects a damaged manifest %#', (manifest, message) => {
    expect(() => parseGateManifest(manifest, 'x', 'any')).toThrow(message);
  });
});
