import { ApiObject, Chart, Include, Testing } from 'cdk8s';
import { ACKNOWLEDGED_FINDING_METADATA_TYPE, SpiffeAttestationChecks } from '../../lib/packs/spiffe-attestation-checks';
import { RuleAcknowledgements } from '../../lib/rules/acknowledgements';
import { AgentClusterSpiffeId } from '../../lib/spiffe/agent-cluster-spiffe-id';
import { SpiffeParent, SpiffeRegistration } from '../../lib/spiffe/spiffe-registration';
import { deployer, digest, intentFor, laxDeployer, spiffeFixture } from '../fixtures/spiffe';

describe('SpiffeAttestationChecks (cdk8s)', () => {
  test('a chart that includes lax hand-written manifests fails synth, naming object, rule and fix', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'spire');
    new Include(chart, 'Lax', { url: spiffeFixture('lax-registrations.yaml') });
    SpiffeAttestationChecks.applyTo(app, { registrations: [intentFor(laxDeployer())] });
    let message = '';
    try {
      app.synthYaml();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('Validation failed with the following errors');
    expect(message).toContain('spire/Lax/deployer-clusterspiffeid: [AG-SPIFFE-001] ClusterSPIFFEID/deployer issues spiffe://prod.example/ns/agents/sa/deployer with X.509-SVIDs that live 4 h');
    for (const id of ['AG-SPIFFE-002', 'AG-SPIFFE-004', 'AG-SPIFFE-005']) expect(message).toContain(`[${id}] ClusterSPIFFEID/deployer`);
    expect(message).toContain('[AG-SPIFFE-001] cannot be judged: ClusterSPIFFEID/spire-default');
  });

  test('attestgate’s constructs pass; an acknowledgement with a reason is recorded, not raised', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'spire');
    const registration = new SpiffeRegistration({ identity: deployer(), parent: SpiffeParent.kubernetesNodes(), selectors: ['k8s:ns:agents', 'k8s:sa:deployer'], singleAttestationReason: 'admission policy pins the image digest, SEC-7' });
    const construct = new AgentClusterSpiffeId(chart, 'Deployer', { registration });
    new AgentClusterSpiffeId(chart, 'Deployer2', {
      registration: new SpiffeRegistration({ identity: deployer(), parent: SpiffeParent.kubernetesNodes(), selectors: ['k8s:ns:agents', 'k8s:sa:deployer', `k8s:container-image:r/d@sha256:${digest('a')}`] }),
    });
    RuleAcknowledgements.of(chart).add('AG-SPIFFE-004', 'two registrations during the image migration, SEC-8');
    SpiffeAttestationChecks.applyTo(app);
    expect(() => app.synthYaml()).not.toThrow();
    const recorded = construct.apiObject.node.metadata.filter((m) => m.type === ACKNOWLEDGED_FINDING_METADATA_TYPE).map((m) => m.data as string);
    expect(recorded).toEqual([
      expect.stringMatching(/^spire\/Deployer\/Resource: \[AG-SPIFFE-004\] .* Acknowledged at spire: two registrations during the image migration, SEC-8$/),
      expect.stringMatching(/^spire\/Deployer\/Resource: \[AG-SPIFFE-005\] .*it is attested only by the namespace and service account .* Acknowledged at spire\/Deployer: admission policy pins the image digest, SEC-7$/),
    ]);
  });

  test('a malformed raw object fails synth with its file, object and field', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'spire');
    new ApiObject(chart, 'Raw', { apiVersion: 'spire.spiffe.io/v1alpha1', kind: 'ClusterSPIFFEID', metadata: { name: 'raw' }, spec: { spiffeIDTemplate: 'spiffe://prod.example/a', ttl: '1d' } });
    SpiffeAttestationChecks.applyTo(app);
    SpiffeAttestationChecks.applyTo(app);
    expect(() => app.synthYaml()).toThrow(/\[\] (.|\n)*ClusterSPIFFEID 'raw': spec.ttl "1d" is not a Go duration the controller can decode/);
  });
});
