import { CLUSTER_SPIFFE_ID_SPEC_FIELDS, CLUSTER_STATIC_ENTRY_SPEC_FIELDS, SpiffeRegistrationModel, templatePattern } from '../../lib/spiffe/registration-model';
import { deployer, intentFor, manifestFixture } from '../fixtures/spiffe';
import { crdSchema } from '../fixtures/spiffe-crd-schema';

const csid = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'x' }) => ({ apiVersion: 'spire.spiffe.io/v1alpha1', kind: 'ClusterSPIFFEID', metadata, spec });
const read = (...objects: unknown[]) => SpiffeRegistrationModel.read({ manifests: [{ source: 'spire.yaml', objects }] });

describe('SpiffeRegistrationModel', () => {
  test('the spec fields it knows are the vendored CRDs’', () => {
    expect([...CLUSTER_SPIFFE_ID_SPEC_FIELDS].sort()).toEqual(Object.keys(crdSchema('clusterspiffeids').properties.spec.properties).sort());
    expect([...CLUSTER_STATIC_ENTRY_SPEC_FIELDS].sort()).toEqual(Object.keys(crdSchema('clusterstaticentries').properties.spec.properties).sort());
  });

  test('reads ClusterSPIFFEIDs and ClusterStaticEntries, places parents, skips other kinds', () => {
    const model = SpiffeRegistrationModel.read({ manifests: [manifestFixture('unusual-registrations.yaml'), { source: 'other.yaml', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, null] }] });
    expect(model.entries.map((e) => [e.resource, e.parent.scope, e.x509SvidTtlSeconds, e.jwtSvidTtlSeconds])).toEqual([
      ['ClusterSPIFFEID/spire-default', 'kubernetes-nodes', undefined, undefined],
      ['ClusterSPIFFEID/deployer', 'kubernetes-nodes', 900, 150],
      ['ClusterStaticEntry/build-nodes', 'server', undefined, undefined],
      ['ClusterStaticEntry/builder', 'node-alias', 600, 300],
    ]);
    expect(model.entries[1].namespacePin).toEqual({ namespace: 'agents' });
    expect(model.entriesIssuing('spiffe://prod.example/ns/agents/sa/deployer').map((e) => e.resource)).toEqual(['ClusterSPIFFEID/spire-default']);
    // A node entry issues no workload SVID.
    expect(model.entriesIssuing('spiffe://prod.example/nodes/build')).toEqual([]);
  });

  test('templates: literal text, the trust domain, and anything for other actions', () => {
    const pattern = templatePattern('spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}');
    expect(pattern.test('spiffe://prod.example/ns/agents/sa/deployer')).toBe(true);
    expect(pattern.test('spiffe://prod.example/agent/deployer')).toBe(false);
    expect(templatePattern('spiffe://td/{{ index .PodMeta.Annotations "id" }}').test('spiffe://td/agent/deployer')).toBe(true);
    expect(templatePattern('spiffe://td/a.b').test('spiffe://td/aXb')).toBe(false);
  });

  test('the declaration a manifest carries, and its acknowledgements', () => {
    const annotations = { 'attestgate/registration': JSON.stringify(intentFor(deployer(), [], { acknowledgements: { 'AG-SPIFFE-005': 'reviewed by the platform team, SEC-9' } })), 'attestgate/acknowledge.AG-SPIFFE-001': 'server default is 5m here' };
    const model = read(csid({ spiffeIDTemplate: 'spiffe://prod.example/agent/deployer' }, { name: 'deployer', annotations }));
    expect(model.identities.map((i) => i.spiffeId)).toEqual(['spiffe://prod.example/agent/deployer']);
    expect(model.entries[0].acknowledgements.map((a) => a.ruleId)).toEqual(['AG-SPIFFE-005', 'AG-SPIFFE-001']);
  });

  test('refuses what the API server would drop or the controller cannot decode, naming file, object and field', () => {
    expect(() => read(csid({ spiffeIDTemplate: 'spiffe://prod.example/a', jwtTTL: '5m' }))).toThrow("spire.yaml: ClusterSPIFFEID 'x': spec.jwtTTL \"5m\" is not a field of ClusterSPIFFEID; the API server drops it. Fix: use the CRD's fields (names are case-sensitive)");
    expect(() => read(csid({ spiffeIDTemplate: 'spiffe://prod.example/a', ttl: '1d' }))).toThrow('spec.ttl "1d" is not a Go duration the controller can decode');
    expect(() => read(csid({ spiffeIDTemplate: 'spiffe://prod.example/a', workloadSelectorTemplates: ['k8s-ns-agents'] }))).toThrow('spec.workloadSelectorTemplates[0] "k8s-ns-agents" is not type:value (the controller fails to render the entry)');
    expect(() => read(csid({ spiffeIDTemplate: 'spiffe://prod.example/a', workloadSelectorTemplates: ['k8s:namespace:agents'] }))).toThrow('is not a selector the k8s attestor produces');
    expect(() => read(csid({ spiffeIDTemplate: 'spiffe://prod.example/a/' }))).toThrow('spec.spiffeIDTemplate "spiffe://prod.example/a/" has a trailing slash');
    expect(() => read({ ...csid({ spiffeIDTemplate: 'spiffe://prod.example/a' }), apiVersion: 'spire.spiffe.io/v1beta1' })).toThrow('apiVersion "spire.spiffe.io/v1beta1" is not spire.spiffe.io/v1alpha1');
    expect(() => read(csid({ spiffeIDTemplate: 'spiffe://prod.example/a' }, { name: 'x', annotations: { 'attestgate/registration': '{not json' } }))).toThrow('metadata.annotations["attestgate/registration"]');
    expect(() => read({ apiVersion: 'spire.spiffe.io/v1alpha1', kind: 'ClusterStaticEntry', metadata: { name: 's' }, spec: { spiffeID: 'spiffe://prod.example/a', selectors: ['unix:uid:1'] } })).toThrow("ClusterStaticEntry 's': spec.parentID (unset) is missing");
  });

  test('one SPIFFE ID declared twice with different tiers is an error', () => {
    const annotated = (name: string, intent: unknown) => csid({ spiffeIDTemplate: 'spiffe://prod.example/agent/deployer' }, { name, annotations: { 'attestgate/registration': JSON.stringify(intent) } });
    const standard = { ...intentFor(deployer()), identity: { ...deployer().describe(), privilege: 'standard' } };
    expect(() => read(annotated('a', intentFor(deployer())), annotated('b', standard))).toThrow('is declared again with another privilege tier or credential lifetime');
  });

});

describe('what an entry issues besides its ID, for the emulated agent', () => {
  test("an entry batch's DNS names, hint and jwt_svid_include_jti are read back; a ClusterStaticEntry's DNS names and hint", () => {
    const model = SpiffeRegistrationModel.read({
      entryBatches: [{ source: 'b.json', json: { entries: [{ spiffe_id: 'spiffe://prod.example/agent/deployer', parent_id: 'spiffe://prod.example/spire/agent/x/1', selectors: [{ type: 'unix', value: 'uid:1' }], dns_names: ['deployer'], hint: 'h', additional_attributes: { jwt_svid_include_jti: true } }] } }],
      manifests: [{ source: 'm.yaml', objects: [{ apiVersion: 'spire.spiffe.io/v1alpha1', kind: 'ClusterStaticEntry', metadata: { name: 's' }, spec: { spiffeID: 'spiffe://prod.example/agent/s', parentID: 'spiffe://prod.example/spire/agent/x/1', selectors: ['unix:uid:2'], dnsNames: ['s.example'], hint: 'static' } }] }],
    });
    const [fromManifest, fromBatch] = [model.entries.find((e) => e.kind === 'ClusterStaticEntry')!, model.entries.find((e) => e.kind === 'entry')!];
    expect(fromBatch).toMatchObject({ dnsNames: ['deployer'], federatesWith: [], hint: 'h', jwtSvidIncludeJti: true });
    expect(fromManifest).toMatchObject({ dnsNames: ['s.example'], hint: 'static' });
    expect(fromManifest).not.toHaveProperty('jwtSvidIncludeJti');
  });
});
