import { Testing } from 'cdk8s';
import { AgentClusterSpiffeId } from '../../lib/spiffe/agent-cluster-spiffe-id';
import { AgentClusterStaticEntry } from '../../lib/spiffe/agent-cluster-static-entry';
import { NodeAliasStaticEntry } from '../../lib/spiffe/node-alias-static-entry';
import { SpiffeNodeAlias } from '../../lib/spiffe/spiffe-node-alias';
import { SpiffeParent, SpiffeRegistration } from '../../lib/spiffe/spiffe-registration';
import { SpireServer } from '../../lib/spiffe/spire-server';
import { SvidPresentation } from '../../lib/spiffe/svid-presentation';
import { crdErrors } from '../fixtures/spiffe-crd-schema';
import { builder, deployer, digest, manifestFixture, pemFixture } from '../fixtures/spiffe';

// One file validates everything against the vendored spire-controller-manager v0.6.6 CRD schemas,
// so the schemas are compiled once (ajv takes about a second for the two).
describe('manifests against the spire-controller-manager CRD schemas (strict field validation)', () => {
  test('every construct’s output, with every optional field set, is a valid object of its CRD', () => {
    const chart = Testing.chart();
    const alias = new SpiffeNodeAlias({ spiffeId: 'spiffe://prod.example/nodes/build', selectors: [`tpm:pub_hash:${digest('b')}`] });
    new AgentClusterSpiffeId(chart, 'Deployer', {
      registration: new SpiffeRegistration({
        identity: deployer(),
        parent: SpiffeParent.kubernetesNodes(),
        selectors: ['k8s:ns:agents', 'k8s:sa:deployer', `k8s:container-image:ghcr.io/acme/deployer@sha256:${digest('a')}`],
        dnsNames: ['deployer.agents.svc'],
        federatesWith: ['partner.example'],
        hint: 'k8s',
        server: new SpireServer({ trustDomain: 'prod.example', jwtIssuer: 'https://oidc.prod.example' }),
        presentedTo: [SvidPresentation.x509TrustAnchor({ name: 'aws:deployer', trustAnchorCertificates: pemFixture('spire-ca-prod.example.pem'), sessionLifetime: { toSeconds: () => 900 } })],
      }),
      podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['deployer'] }] },
      className: 'spire-system-spire',
    });
    new NodeAliasStaticEntry(chart, 'BuildNodes', { alias, className: 'spire-system-spire' });
    new AgentClusterStaticEntry(chart, 'Builder', {
      registration: new SpiffeRegistration({ identity: builder(), parent: SpiffeParent.nodeAlias(alias), selectors: ['unix:uid:1001', `unix:sha256:${digest('c')}`], dnsNames: ['builder.example'], federatesWith: ['partner.example'], hint: 'vm' }),
      className: 'spire-system-spire',
    });
    const manifests = Testing.synth(chart);
    expect(manifests.map((m) => m.kind)).toEqual(['ClusterSPIFFEID', 'ClusterStaticEntry', 'ClusterStaticEntry']);
    expect(manifests.map(crdErrors)).toEqual([[], [], []]);
  });

  test('the hand-written fixtures are valid objects too: the rules judge policy, not syntax', () => {
    for (const name of ['lax-registrations.yaml', 'unusual-registrations.yaml']) {
      expect(manifestFixture(name).objects.map(crdErrors)).toEqual(manifestFixture(name).objects.map(() => []));
    }
  });

  test('strict validation catches a misspelt or mistyped field (the test of the test)', () => {
    const csid = (spec: Record<string, unknown>) => ({ apiVersion: 'spire.spiffe.io/v1alpha1', kind: 'ClusterSPIFFEID', metadata: { name: 'x' }, spec });
    expect(crdErrors(csid({ spiffeIDTemplate: 'spiffe://a/b', jwtTTL: '5m' }))).toEqual(['/spec must NOT have additional properties (jwtTTL)']);
    expect(crdErrors(csid({ ttl: 5 }))).toEqual(["/spec must have required property 'spiffeIDTemplate'", '/spec/ttl must be string']);
    expect(crdErrors({ apiVersion: 'spire.spiffe.io/v1alpha1', kind: 'ClusterStaticEntry', metadata: { name: 'x' }, spec: { spiffeID: 'spiffe://a/b', parentID: 'spiffe://a/c', selectors: 'unix:uid:1' } })).toEqual(['/spec/selectors must be array']);
  });
});
