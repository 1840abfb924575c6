import { PrivilegeTier } from '../../../lib/core/privilege-tier';
import { highPrivilegeMultiAttestation } from '../../../lib/rules/spiffe/ag-spiffe-005-high-privilege-multi-attestation';
import { SpiffeRegistrationModel } from '../../../lib/spiffe/registration-model';
import { agentIdentity, batchFixture, builder, deployer, intentFor, laxDeployer, manifestFixture } from '../../fixtures/spiffe';

describe('AG-SPIFFE-005: a high-privilege SPIFFE ID needs a runtime and a code selector', () => {
  test('Noncompliance: a namespace without service account and a :latest tag; a catch-all attested by nothing', () => {
    const model = SpiffeRegistrationModel.read({ manifests: [manifestFixture('lax-registrations.yaml')], registrations: [intentFor(laxDeployer())] });
    expect(highPrivilegeMultiAttestation.evaluate(model)).toEqual([
      {
        resource: 'ClusterSPIFFEID/spire-default',
        outcome: 'violation',
        message: expect.stringContaining('may render spiffe://prod.example/ns/agents/sa/deployer from its template'),
        location: 'spec/workloadSelectorTemplates',
      },
      {
        resource: 'ClusterSPIFFEID/deployer',
        outcome: 'violation',
        message:
          'ClusterSPIFFEID/deployer issues spiffe://prod.example/ns/agents/sa/deployer, a high-privilege identity, with no runtime selector (k8s:ns with k8s:sa, unix:uid, or a node alias / agent as parent) and no code selector (an image digest @sha256:… or unix:sha256); k8s:container-image:ghcr.io/acme/deployer:latest names a tag, not a digest — a tag can be pushed again.',
        location: 'spec/workloadSelectorTemplates',
      },
    ]);
  });

  test('Noncompliance: a batch entry on a uid under one agent (runtime twice over, no code)', () => {
    const model = SpiffeRegistrationModel.read({ entryBatches: [batchFixture('lax-entries.json')], registrations: [intentFor(builder())] });
    expect(highPrivilegeMultiAttestation.evaluate(model)[0].message).toBe(
      'lax-entries.json#entries[0] issues spiffe://prod.example/agent/builder, a high-privilege identity, with no code selector (an image digest @sha256:… or unix:sha256); it is attested only by the user (unix:uid:1001) and the agent spiffe://prod.example/spire/agent/join_token/3f1a.',
    );
  });

  test('Noncompliance: selector templates rendered from the pod prove nothing', () => {
    const object = {
      apiVersion: 'spire.spiffe.io/v1alpha1',
      kind: 'ClusterSPIFFEID',
      metadata: { name: 'templated' },
      spec: { spiffeIDTemplate: 'spiffe://prod.example/agent/deployer', workloadSelectorTemplates: ['k8s:ns:agents', 'k8s:sa:{{ .PodSpec.ServiceAccountName }}', `k8s:container-image:r/d@sha256:${'d'.repeat(64)}`] },
    };
    const [finding] = highPrivilegeMultiAttestation.evaluate(SpiffeRegistrationModel.read({ manifests: [{ source: 'x.yaml', objects: [object] }], registrations: [intentFor(deployer())] }));
    expect(finding.message).toContain('no runtime selector');
    expect(finding.message).toContain('(the templates k8s:sa:{{ .PodSpec.ServiceAccountName }} are rendered from the pod itself, so they prove nothing)');
  });

  test('Compliance: namespace pinned by the name label with a pod image digest; uid and binary hash under a TPM alias; binary hash under an x509pop alias', () => {
    const model = SpiffeRegistrationModel.read({
      manifests: [manifestFixture('unusual-registrations.yaml')],
      entryBatches: [batchFixture('unusual-entries.json')],
      registrations: [intentFor(deployer()), intentFor(builder())],
    });
    expect(highPrivilegeMultiAttestation.evaluate(model)).toEqual([]);
  });

  test('Compliance: standard identities are not asked for two kinds', () => {
    const model = SpiffeRegistrationModel.read({ manifests: [manifestFixture('lax-registrations.yaml')], registrations: [intentFor(agentIdentity('deployer', 'spiffe://prod.example/ns/agents/sa/deployer', PrivilegeTier.STANDARD))] });
    expect(highPrivilegeMultiAttestation.evaluate(model)).toEqual([]);
  });
});
