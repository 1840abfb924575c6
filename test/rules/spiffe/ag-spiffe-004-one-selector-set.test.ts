import { oneSelectorSet } from '../../../lib/rules/spiffe/ag-spiffe-004-one-selector-set';
import { checkSpiffeRegistrations } from '../../../lib/packs/check-spiffe-registrations';
import { SpiffeRegistrationModel } from '../../../lib/spiffe/registration-model';
import { batchFixture, builder, deployer, intentFor, laxDeployer, manifestFixture } from '../../fixtures/spiffe';

describe('AG-SPIFFE-004: no two entries hand a high-privilege SPIFFE ID to different selector sets', () => {
  test('Noncompliance: the Helm catch-all ClusterSPIFFEID can render the deployer’s ns/sa ID', () => {
    const model = SpiffeRegistrationModel.read({ manifests: [manifestFixture('lax-registrations.yaml')], registrations: [intentFor(laxDeployer())] });
    const findings = oneSelectorSet.evaluate(model);
    // Neither carries the identity's declaration, so both are second ways in to each other.
    expect(findings.map((f) => f.resource)).toEqual(['ClusterSPIFFEID/spire-default', 'ClusterSPIFFEID/deployer']);
    expect(findings[0].message).toBe(
      'ClusterSPIFFEID/spire-default may render spiffe://prod.example/ns/agents/sa/deployer from its template "spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}", a high-privilege identity issued to 2 different selector sets: ClusterSPIFFEID/spire-default (every node of the cluster, selectors []); ClusterSPIFFEID/deployer (every node of the cluster, pods {"namespaceSelector":null,"podSelector":{"matchLabels":{"app":"deployer"}}}, selectors [k8s:container-image:ghcr.io/acme/deployer:latest, k8s:ns:agents]).',
    );
  });

  test('Noncompliance: two batch entries for one agent, by uid and by user name', () => {
    const model = SpiffeRegistrationModel.read({ entryBatches: [batchFixture('lax-entries.json')], registrations: [intentFor(builder())] });
    expect(oneSelectorSet.evaluate(model).map((f) => [f.resource, f.location])).toEqual([
      ['lax-entries.json#entries[0]', 'selectors'],
      ['lax-entries.json#entries[1]', 'selectors'],
    ]);
  });

  test('Only the entries without the identity’s declaration are flagged; an annotation acknowledges one', () => {
    const [catchAll, laxDeployerObject] = manifestFixture('lax-registrations.yaml').objects;
    const declared = { ...laxDeployerObject, metadata: { name: 'deployer', annotations: { 'attestgate/registration': JSON.stringify(intentFor(laxDeployer())) } } };
    expect(oneSelectorSet.evaluate(SpiffeRegistrationModel.read({ manifests: [{ source: 'm.yaml', objects: [catchAll, declared] }] })).map((f) => f.resource)).toEqual(['ClusterSPIFFEID/spire-default']);
    const acknowledged = { ...catchAll, metadata: { name: 'spire-default', annotations: { 'attestgate/acknowledge.AG-SPIFFE-004': 'the agents namespace is excluded from the chart default, SEC-42' } } };
    const verdicts = checkSpiffeRegistrations({ manifests: [{ source: 'm.yaml', objects: [acknowledged, declared] }] }).filter((v) => v.rule.id === 'AG-SPIFFE-004');
    expect(verdicts).toEqual([expect.objectContaining({ acknowledgement: expect.objectContaining({ at: 'ClusterSPIFFEID/spire-default (attestgate/acknowledge.AG-SPIFFE-004)' }) })]);
  });

  test('Compliance: the catch-all cannot render /agent/ IDs; one entry per agent', () => {
    const model = SpiffeRegistrationModel.read({
      manifests: [manifestFixture('unusual-registrations.yaml')],
      entryBatches: [batchFixture('unusual-entries.json')],
      registrations: [intentFor(deployer()), intentFor(builder())],
    });
    // The builder is registered twice — the ClusterStaticEntry and the batch — with different node aliases: that is two sets.
    expect(oneSelectorSet.evaluate(model).map((f) => f.resource)).toEqual(['ClusterStaticEntry/builder', 'unusual-entries.json#entries[1]']);
    const manifestsOnly = SpiffeRegistrationModel.read({ manifests: [manifestFixture('unusual-registrations.yaml')], registrations: [intentFor(deployer()), intentFor(builder())] });
    expect(oneSelectorSet.evaluate(manifestsOnly)).toEqual([]);
  });
});
