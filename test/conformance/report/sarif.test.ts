import * as path from 'node:path';
import { artifactUri, partialFingerprints, sarifLocation } from '../../../conformance/report/sarif';

describe('artifactUri', () => {
  const base = path.resolve('/repo');

  test('a file under the base is relative to it, with forward slashes, as GitHub matches it to the repository', () => {
    expect(artifactUri(path.join(base, 'cdk.out', 'Stack.template.json'), base)).toBe('cdk.out/Stack.template.json');
    expect(artifactUri('cdktf.out/stacks/gcp/cdk.tf.json', base)).toBe('cdktf.out/stacks/gcp/cdk.tf.json');
  });

  test('characters a URI cannot hold are escaped', () => {
    expect(artifactUri('infra/my stack#1.tf.json', base)).toBe('infra/my%20stack%231.tf.json');
  });

  test('a file outside the base stays absolute, as a file URL, rather than climbing out with ..', () => {
    expect(artifactUri('/elsewhere/Stack.template.json', base)).toBe('file:///elsewhere/Stack.template.json');
    expect(artifactUri('../sibling/x.tf.json', base)).toBe('file:///sibling/x.tf.json');
  });

  test('an endpoint is its URL, without the method reports put before it', () => {
    expect(artifactUri('POST https://tools.example/stacks', base)).toBe('https://tools.example/stacks');
    expect(artifactUri('spiffe://prod.example/agent/deployer', base)).toBe('spiffe://prod.example/agent/deployer');
  });
});

describe('sarifLocation', () => {
  test('the file as the physical location, the resource as the logical one', () => {
    expect(sarifLocation('main.tf.json', 'google_iam_workload_identity_pool_provider.gate')).toEqual({
      physicalLocation: { artifactLocation: { uri: 'main.tf.json' } },
      logicalLocations: [{ fullyQualifiedName: 'google_iam_workload_identity_pool_provider.gate', kind: 'resource' }],
    });
  });
});

describe('partialFingerprints', () => {
  test('the same rule on the same resource is the same fingerprint; another rule or resource another', () => {
    const fingerprint = partialFingerprints('AGC-AWS-002', 'Stack/Deployer');
    expect(partialFingerprints('AGC-AWS-002', 'Stack/Deployer')).toEqual(fingerprint);
    expect(Object.values(fingerprint)[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(partialFingerprints('AGC-AWS-003', 'Stack/Deployer')).not.toEqual(fingerprint);
    expect(partialFingerprints('AGC-AWS-002', 'Stack/Reader')).not.toEqual(fingerprint);
    // The separator keeps a rule and a resource from running into each other.
    expect(partialFingerprints('AGC-AWS-00', '2Stack/Deployer')).not.toEqual(fingerprint);
  });
});
