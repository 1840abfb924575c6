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
