import { loadTerraformSources } from '../../../conformance/discovery/terraform-sources';
import { GCP_EXAMPLE_STACK } from '../../../examples/gcp/main';
import { renderThreeClouds, threeCloudsHeld, threeCloudsThroughWorkloadApi, ThreeCloudsResult } from '../../../examples/spiffe/three-clouds';
import { deployerRegistration } from '../../../examples/spiffe/registration';
import { exampleTemplate, sourceOf, writeTestPki } from '../../fixtures/conformance';
import { writeIssuerKey } from '../../fixtures/gcp-conformance';
import { writeTerraformExamples } from '../../fixtures/terraform-examples';

/** What `npm start` shows last, on the examples synthesized as it synthesizes them. */
let result: ThreeCloudsResult;
beforeAll(async () => {
  const pki = await writeTestPki();
  const issuer = writeIssuerKey();
  const terraform = loadTerraformSources(writeTerraformExamples(issuer.jwksFile));
  result = await threeCloudsThroughWorkloadApi({
    templates: sourceOf(exampleTemplate(pki)),
    gcp: terraform.filter((c) => c.stackName === GCP_EXAMPLE_STACK),
    azure: terraform.filter((c) => c.stackName !== GCP_EXAMPLE_STACK),
    ca: pki.ca,
    issuerKey: issuer.key,
  });
}, 60_000);

describe('examples/spiffe: one identity, three clouds, through the Workload API', () => {
  test('the registered deployer pod gets AWS, GCP and Azure credentials; the pod with another image gets none, and no cloud is asked for it', () => {
    const [deployer, other] = result.outcomes;
    expect(deployer.aws.issued).toMatch(/^ASIA/);
    expect(deployer.gcp.issued).toMatch(/^ya29\./);
    expect(deployer.azure.issued).toMatch(/^eyJ/);
    for (const cloud of [other.aws, other.gcp, other.azure]) expect(cloud).toEqual({ refused: 'PermissionDenied: no identity issued' });
    expect(result.cloudRequestsOfRefused).toBe(0);
    expect(threeCloudsHeld(result)).toBe(true);
    expect(renderThreeClouds(result)).toContain('  other-image:\n      k8s:ns:agents, k8s:sa:deployer,\n      k8s:pod-image:registry.prod.example/deployer@sha256:b2b2');
  });

  test.each([60, 100])('the narration fits %i columns: the image digest and the tokens wrap under their heading', (columns) => {
    const lines = renderThreeClouds(result, columns).split('\n');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns);
    expect(lines[0]).toMatch(/^One identity, three clouds/);
    expect(lines.filter((l) => /^ {4}(AWS|GCP|Azure)/.test(l))).toHaveLength(6);
  });

  test('the demonstration is judged, not assumed: an outcome where the other image got a cloud does not hold', () => {
    const [deployer, other] = result.outcomes;
    expect(threeCloudsHeld({ ...result, outcomes: [deployer, { ...other, gcp: { issued: 'ya29.x' } }] })).toBe(false);
    expect(threeCloudsHeld({ ...result, outcomes: [{ ...deployer, azure: { refused: 'x' } }, other] })).toBe(false);
  });

  test('the registration is the identity the cloud examples gate on, attested by runtime context and image digest', () => {
    const registration = deployerRegistration();
    expect(registration.identity.spiffeId.toString()).toBe(result.spiffeId);
    expect(registration.selectors.map((s) => `${s.type}:${s.value}`)).toEqual(['k8s:ns:agents', 'k8s:sa:deployer', expect.stringMatching(/^k8s:pod-image:.*@sha256:[0-9a-f]{64}$/)]);
  });
});
