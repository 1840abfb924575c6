import { entryBatch, readEntryBatch } from '../../lib/spiffe/entry-batch';
import { SpiffeNodeAlias } from '../../lib/spiffe/spiffe-node-alias';
import { SpiffeParent, SpiffeRegistration } from '../../lib/spiffe/spiffe-registration';
import { batchFixture, builder, deployer, digest } from '../fixtures/spiffe';

const alias = new SpiffeNodeAlias({ spiffeId: 'spiffe://prod.example/nodes/build', selectors: [`tpm:pub_hash:${digest('b')}`] });
const onBuildNodes = (identity = builder()) => new SpiffeRegistration({ identity, parent: SpiffeParent.nodeAlias(alias), selectors: ['unix:uid:1001', `unix:sha256:${digest('c')}`], x509SvidTtl: { toSeconds: () => 900 } });

describe('the spire-server entry create -data batch', () => {
  test('node aliases once, before the workload entries, in SPIRE’s field names', () => {
    expect(entryBatch([onBuildNodes(), onBuildNodes(deployer())])).toEqual({
      entries: [
        { spiffe_id: 'spiffe://prod.example/nodes/build', parent_id: 'spiffe://prod.example/spire/server', selectors: [{ type: 'tpm', value: `pub_hash:${digest('b')}` }] },
        { spiffe_id: 'spiffe://prod.example/agent/builder', parent_id: 'spiffe://prod.example/nodes/build', selectors: [{ type: 'unix', value: 'uid:1001' }, { type: 'unix', value: `sha256:${digest('c')}` }], x509_svid_ttl: 900, jwt_svid_ttl: 300 },
        { spiffe_id: 'spiffe://prod.example/agent/deployer', parent_id: 'spiffe://prod.example/nodes/build', selectors: [{ type: 'unix', value: 'uid:1001' }, { type: 'unix', value: `sha256:${digest('c')}` }], x509_svid_ttl: 900, jwt_svid_ttl: 300 },
      ],
    });
  });

  test('refuses what it cannot write: pods under Kubernetes nodes, one alias ID with two selector sets', () => {
    const pods = new SpiffeRegistration({ identity: deployer(), parent: SpiffeParent.kubernetesNodes(), selectors: ['k8s:ns:agents', 'k8s:sa:deployer', `k8s:container-image:r/d@sha256:${digest('a')}`] });
    expect(() => entryBatch([pods])).toThrow('names no parent ID: spire-controller-manager writes one entry per selected pod');
    const other = new SpiffeNodeAlias({ spiffeId: 'spiffe://prod.example/nodes/build', selectors: [`tpm:pub_hash:${digest('e')}`] });
    expect(() => entryBatch([onBuildNodes(), other])).toThrow('entryBatch: node alias "spiffe://prod.example/nodes/build" is declared twice with different selectors');
  });

  test('reads back what it writes, and the fields as Go decodes them (any case)', () => {
    const written = entryBatch([onBuildNodes()]);
    expect(readEntryBatch(JSON.parse(JSON.stringify(written)), 'batch.json')[1]).toEqual({
      index: 1,
      spiffeId: 'spiffe://prod.example/agent/builder',
      parentId: 'spiffe://prod.example/nodes/build',
      selectors: [{ type: 'unix', value: 'uid:1001' }, { type: 'unix', value: `sha256:${digest('c')}` }],
      x509SvidTtlSeconds: 900,
      jwtSvidTtlSeconds: 300,
      dnsNames: [],
      federatesWith: [],
    });
    const { json } = batchFixture('unusual-entries.json');
    expect(readEntryBatch(json, 'unusual-entries.json')[1]).toEqual(expect.objectContaining({ spiffeId: 'spiffe://prod.example/agent/builder', hint: 'build', jwtSvidTtlSeconds: 120 }));
  });

  test('refuses what SPIRE would drop silently or reject, naming the entry and field', () => {
    const entry = { spiffe_id: 'spiffe://prod.example/a', parent_id: 'spiffe://prod.example/spire/agent/x/1', selectors: [{ type: 'unix', value: 'uid:1' }] };
    expect(() => readEntryBatch({ entries: [{ ...entry, x509_ttl: 600 }] }, 'b.json')).toThrow('b.json: entries[0].x509_ttl 600 is not a field of a SPIRE registration entry; SPIRE would ignore it');
    expect(() => readEntryBatch([entry], 'b.json')).toThrow('is not the {"entries": [...]} object spire-server entry create -data reads');
    expect(() => readEntryBatch({ entries: [{ ...entry, selectors: [] }] }, 'b.json')).toThrow('entries[0].selectors [] is missing or empty');
    expect(() => readEntryBatch({ entries: [{ ...entry, selectors: ['unix:uid:1'] }] }, 'b.json')).toThrow('entries[0].selectors[0] "unix:uid:1" is not {"type": "…", "value": "…"}');
    expect(() => readEntryBatch({ entries: [{ ...entry, jwt_svid_ttl: '5m' }] }, 'b.json')).toThrow('entries[0].jwt_svid_ttl "5m" is not a whole number of seconds');
    expect(() => readEntryBatch({ entries: [{ ...entry, spiffe_id: 'spiffe://Prod.example/a' }] }, 'b.json')).toThrow('b.json: entries[0].spiffe_id');
  });
});

describe('jwt_svid_include_jti (SPIRE 1.15.2+, spiffe/spire#6514)', () => {
  const withJti = () => new SpiffeRegistration({ identity: builder(), parent: SpiffeParent.nodeAlias(alias), selectors: ['unix:uid:1001', `unix:sha256:${digest('c')}`], x509SvidTtl: { toSeconds: () => 900 }, jwtSvidIncludeJti: true });

  test('is written as entry create -data decodes it: additional_attributes.jwt_svid_include_jti (encoding/json names, not protojson\'s), and read back', () => {
    const written = entryBatch([withJti()]);
    expect(written.entries[1].additional_attributes).toEqual({ jwt_svid_include_jti: true });
    expect(entryBatch([onBuildNodes()]).entries[1]).not.toHaveProperty('additional_attributes');
    expect(readEntryBatch(JSON.parse(JSON.stringify(written)), 'batch.json')[1].jwtSvidIncludeJti).toBe(true);
    // Go matches field names without regard to case; false is SPIRE's default and reads as unset.
    const entry = { ...written.entries[1], additional_attributes: { JWT_SVID_INCLUDE_JTI: true, disable_x509_svid_prefetch: false } };
    expect(readEntryBatch({ entries: [entry] }, 'b.json')[0].jwtSvidIncludeJti).toBe(true);
    expect(readEntryBatch({ entries: [{ ...entry, additional_attributes: { jwt_svid_include_jti: false } }] }, 'b.json')[0]).not.toHaveProperty('jwtSvidIncludeJti');
  });

  test('a spelling SPIRE would drop, or a value that is not a boolean, is refused naming the entry and field', () => {
    const entry = entryBatch([withJti()]).entries[1];
    expect(() => readEntryBatch({ entries: [{ ...entry, additional_attributes: { jwtSvidIncludeJti: true } }] }, 'b.json')).toThrow('b.json: entries[0].additional_attributes.jwtSvidIncludeJti true is not a field of a SPIRE entry\'s additional attributes; SPIRE would ignore it. Fix: use disable_x509_svid_prefetch or jwt_svid_include_jti');
    expect(() => readEntryBatch({ entries: [{ ...entry, additional_attributes: { jwt_svid_include_jti: 'yes' } }] }, 'b.json')).toThrow('entries[0].additional_attributes.jwt_svid_include_jti "yes" is not true or false');
    expect(() => readEntryBatch({ entries: [{ ...entry, additional_attributes: [true] }] }, 'b.json')).toThrow('entries[0].additional_attributes [true] is not an object');
  });

  test('the registration entry carries it to the emulated agent; the manifest constructs refuse it, as the CRDs cannot carry it', () => {
    expect(withJti().entry().jwtSvidIncludeJti).toBe(true);
    expect(onBuildNodes().entry()).not.toHaveProperty('jwtSvidIncludeJti');
    expect(() => withJti().assertManifestCanCarry('AgentClusterStaticEntry at x')).toThrow('AgentClusterStaticEntry at x: registration.jwtSvidIncludeJti true has no field in spire-controller-manager v0.6');
    expect(() => new SpiffeRegistration({ identity: builder(), parent: SpiffeParent.nodeAlias(alias), selectors: ['unix:uid:1001', `unix:sha256:${digest('c')}`], jwtSvidIncludeJti: 'yes' as never })).toThrow('jwtSvidIncludeJti "yes" is not a boolean');
  });
});
