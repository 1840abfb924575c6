// A user's cdk8s app: the deployer agent's SPIRE registration, written as a ClusterSPIFFEID for
// spire-controller-manager, judged by the AG-SPIFFE rules. Only the package's public entry points are imported.
import { ApiObject, App, Chart } from 'cdk8s';
import { AgentIdentity, PrivilegeTier } from 'attestgate/core';
import { AgentClusterSpiffeId, SpiffeAttestationChecks, SpiffeParent, SpiffeRegistration, SpireServer } from 'attestgate/spiffe';

const deployer = new SpiffeRegistration({
  identity: new AgentIdentity({
    name: 'deployer',
    spiffeId: 'spiffe://consumer.example/agent/deployer',
    subject: { CN: 'deployer', O: 'attestgate consumer' },
    privilege: PrivilegeTier.HIGH,
  }),
  parent: SpiffeParent.kubernetesNodes(),
  selectors: ['k8s:ns:agents', 'k8s:sa:deployer', `k8s:container-image:registry.consumer.example/deployer@sha256:${'5e'.repeat(32)}`],
  server: new SpireServer({ trustDomain: 'consumer.example', jwtIssuer: 'https://oidc.consumer.example' }),
});

// CONSUMER_OUTDIR: the consumer tests synthesize once per Node version, side by side.
const app = new App({ outdir: process.env.CONSUMER_OUTDIR ?? 'dist' });
const chart = new Chart(app, 'spire-registrations');
new AgentClusterSpiffeId(chart, 'Deployer', { registration: deployer, podSelector: { matchLabels: { app: 'deployer' } } });

if (process.env.CONSUMER_OPEN_GATE === '1') {
  // A ClusterSPIFFEID written by hand that hands the deployer's ID to any pod of the namespace,
  // whatever its image: the rules must refuse it.
  new ApiObject(chart, 'AnyPodOfTheNamespace', {
    apiVersion: 'spire.spiffe.io/v1alpha1',
    kind: 'ClusterSPIFFEID',
    metadata: { name: 'any-pod-of-agents' },
    spec: { spiffeIDTemplate: 'spiffe://consumer.example/agent/deployer', namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'agents' } } },
  });
}

SpiffeAttestationChecks.applyTo(app, { registrations: [deployer] });
app.synth();
