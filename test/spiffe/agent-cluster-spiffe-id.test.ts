import { Chart, Testing } from 'cdk8s';
import { RuleAcknowledgements } from '../../lib/rules/acknowledgements';
import { AgentClusterSpiffeId } from '../../lib/spiffe/agent-cluster-spiffe-id';
import { SpiffeNodeAlias } from '../../lib/spiffe/spiffe-node-alias';
import { SpiffeParent, SpiffeRegistration } from '../../lib/spiffe/spiffe-registration';
import { SpireServer } from '../../lib/spiffe/spire-server';
import { SvidPresentation } from '../../lib/spiffe/svid-presentation';
import { deployer, digest, pemFixture } from '../fixtures/spiffe';

const IMAGE = `k8s:container-image:ghcr.io/acme/deployer@sha256:${digest('a')}`;

describe('AgentClusterSpiffeId', () => {
  test('writes the registration as a ClusterSPIFFEID', () => {
    const chart = Testing.chart();
    const registration = new SpiffeRegistration({
      identity: deployer(),
      parent: SpiffeParent.kubernetesNodes(),
      selectors: ['k8s:ns:agents', 'k8s:sa:deployer', IMAGE],
      dnsNames: ['deployer.agents.svc'],
      federatesWith: ['partner.example'],
      hint: 'k8s',
      server: new SpireServer({ trustDomain: 'prod.example', jwtIssuer: 'https://oidc.prod.example' }),
      presentedTo: [SvidPresentation.x509TrustAnchor({ name: 'aws:deployer', trustAnchorCertificates: pemFixture('spire-ca-prod.example.pem'), sessionLifetime: { toSeconds: () => 900 } })],
    });
    new AgentClusterSpiffeId(chart, 'Deployer', { registration, podSelector: { matchLabels: { app: 'deployer' } }, className: 'spire-system-spire', name: 'agent-deployer' });
    const [manifest] = Testing.synth(chart);
    expect(manifest.spec).toEqual({
      spiffeIDTemplate: 'spiffe://prod.example/agent/deployer',
      workloadSelectorTemplates: ['k8s:ns:agents', 'k8s:sa:deployer', IMAGE],
      ttl: '15m',
      jwtTtl: '5m',
      dnsNameTemplates: ['deployer.agents.svc'],
      federatesWith: ['partner.example'],
      // The namespace of k8s:ns, by the label the API server sets and no one can change.
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'agents' } },
      podSelector: { matchLabels: { app: 'deployer' } },
      hint: 'k8s',
      className: 'spire-system-spire',
    });
    expect(manifest.metadata.name).toBe('agent-deployer');
    expect(JSON.parse(manifest.metadata.annotations['attestgate/registration'])).toEqual(registration.intent());
  });

  test('a single-attestation reason is recorded as the acknowledgement of AG-SPIFFE-005', () => {
    const chart = Testing.chart();
    const registration = new SpiffeRegistration({ identity: deployer(), parent: SpiffeParent.kubernetesNodes(), selectors: ['k8s:ns:agents', 'k8s:sa:deployer'], singleAttestationReason: 'admission policy pins the image digest, SEC-7' });
    const construct = new AgentClusterSpiffeId(chart, 'Deployer', { registration });
    expect(RuleAcknowledgements.applying(construct.apiObject)).toEqual([expect.objectContaining({ ruleId: 'AG-SPIFFE-005', reason: 'admission policy pins the image digest, SEC-7' })]);
    expect(JSON.parse(Testing.synth(chart)[0].metadata.annotations['attestgate/registration']).acknowledgements).toEqual({ 'AG-SPIFFE-005': 'admission policy pins the image digest, SEC-7' });
  });

  test('refuses a registration under a node alias', () => {
    const alias = new SpiffeNodeAlias({ spiffeId: 'spiffe://prod.example/nodes/build', selectors: [`tpm:pub_hash:${digest('b')}`] });
    const registration = new SpiffeRegistration({ identity: deployer(), parent: SpiffeParent.nodeAlias(alias), selectors: ['unix:uid:1', `unix:sha256:${digest('c')}`] });
    expect(() => new AgentClusterSpiffeId(new Chart(Testing.app(), 'c'), 'Deployer', { registration })).toThrow(
      'AgentClusterSpiffeId at c/Deployer: registration.parent "spiffe://prod.example/nodes/build" is not SpiffeParent.kubernetesNodes(): a ClusterSPIFFEID registers pods under the agents of their nodes. Fix: use SpiffeParent.kubernetesNodes(), or write a node alias or agent parent with AgentClusterStaticEntry',
    );
  });
});
