import { Testing } from 'cdk8s';
import { AgentClusterStaticEntry } from '../../lib/spiffe/agent-cluster-static-entry';
import { SpiffeNodeAlias } from '../../lib/spiffe/spiffe-node-alias';
import { SpiffeParent, SpiffeRegistration } from '../../lib/spiffe/spiffe-registration';
import { builder, digest } from '../fixtures/spiffe';

describe('AgentClusterStaticEntry', () => {
  test('writes a registration under an agent as a ClusterStaticEntry', () => {
    const chart = Testing.chart();
    const registration = new SpiffeRegistration({
      identity: builder(),
      parent: SpiffeParent.agent('spiffe://prod.example/spire/agent/x509pop/0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33'),
      selectors: ['unix:uid:1001', `unix:sha256:${digest('c')}`],
      x509SvidTtl: { toSeconds: () => 90 },
      dnsNames: ['builder.example'],
    });
    new AgentClusterStaticEntry(chart, 'Builder', { registration });
    const [manifest] = Testing.synth(chart);
    expect(manifest.spec).toEqual({
      spiffeID: 'spiffe://prod.example/agent/builder',
      parentID: 'spiffe://prod.example/spire/agent/x509pop/0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33',
      selectors: ['unix:uid:1001', `unix:sha256:${digest('c')}`],
      x509SVIDTTL: '90s',
      jwtSVIDTTL: '5m',
      dnsNames: ['builder.example'],
    });
  });

  test('refuses a registration of pods', () => {
    const registration = new SpiffeRegistration({ identity: builder(), parent: SpiffeParent.kubernetesNodes(), selectors: ['k8s:ns:a', 'k8s:sa:b', `k8s:container-image:r/b@sha256:${digest('a')}`] });
    expect(() => new AgentClusterStaticEntry(Testing.chart(), 'Builder', { registration })).toThrow('names no parent ID: pods are registered per node by a ClusterSPIFFEID. Fix: use AgentClusterSpiffeId for pods');
  });

  test('with the node alias entry it runs under', () => {
    const alias = new SpiffeNodeAlias({ spiffeId: 'spiffe://prod.example/nodes/build', selectors: [`tpm:pub_hash:${digest('b')}`] });
    const chart = Testing.chart();
    new AgentClusterStaticEntry(chart, 'Builder', { registration: new SpiffeRegistration({ identity: builder(), parent: SpiffeParent.nodeAlias(alias), selectors: [`unix:sha256:${digest('c')}`] }) });
    const [entry] = Testing.synth(chart);
    expect(entry.spec.parentID).toBe('spiffe://prod.example/nodes/build');
  });
});
