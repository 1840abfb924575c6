import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResourceRegions, artifactUri, partialFingerprints, sarifLocation } from '../../../conformance/report/sarif';

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

  test('with a region, the region is part of the physical location', () => {
    expect(sarifLocation('cdk.out/Stack.template.json', 'Stack/Role', { startLine: 12, startColumn: 5 }).physicalLocation).toEqual({
      artifactLocation: { uri: 'cdk.out/Stack.template.json' },
      region: { startLine: 12, startColumn: 5 },
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

describe('ResourceRegions', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attestgate-regions-'));
  const write = (name: string, lines: readonly string[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, lines.join('\n'));
    return file;
  };
  /** A hand-written template whose role is named by an output and a DependsOn before its own key (line 9). */
  const template = write('Stack.template.json', [
    '{',
    '  "Outputs": { "Role": { "Value": { "Ref": "Role" } } },',
    '  "Resources": {',
    '    "Profile": {',
    '      "Type": "AWS::RolesAnywhere::Profile",',
    '      "DependsOn": ["Role"],',
    '      "Properties": { "RoleArns": [{ "Fn::GetAtt": ["Role", "Arn"] }] }',
    '    },',
    '    "Role": { "Type": "AWS::IAM::Role" }',
    '  }',
    '}',
  ]);
  /** A hand-written configuration: the provider `spire` on line 7, a data source on line 11, an AWS role on line 14. */
  const configuration = write('main.tf.json', [
    '{',
    '  "resource": {',
    '    "google_iam_workload_identity_pool": {',
    '      "spire": { "workload_identity_pool_id": "spire" }',
    '    },',
    '    "google_iam_workload_identity_pool_provider": {',
    '      "spire": { "workload_identity_pool_id": "${google_iam_workload_identity_pool.spire.workload_identity_pool_id}" }',
    '    }',
    '  },',
    '  "data": {',
    '    "aws_caller_identity": { "current": {} }',
    '  },',
    '  "resource": {',
    '    "aws_iam_role": { "deployer": { "name": "deployer" } }',
    '  }',
    '}',
  ]);

  test('a logical ID at its key under Resources, not where an output or a DependsOn names it', () => {
    expect(new ResourceRegions().regionOf(template, 'Role')).toEqual({ startLine: 9, startColumn: 5 });
    expect(new ResourceRegions().regionOf(template, 'Profile')).toEqual({ startLine: 4, startColumn: 5 });
  });

  test('a Terraform address at its name under resource (or data) and its type; the last of two resource blocks wins, as the model (JSON.parse) reads it', () => {
    const regions = new ResourceRegions();
    // Duplicate "resource" keys: JSON.parse keeps only the second, so the model judges no provider here, and the locator finds none.
    expect(regions.regionOf(configuration, 'google_iam_workload_identity_pool_provider.spire')).toBeUndefined();
    expect(regions.regionOf(configuration, 'aws_iam_role.deployer')).toEqual({ startLine: 14, startColumn: 23 });
    expect(regions.regionOf(configuration, 'data.aws_caller_identity.current')).toEqual({ startLine: 11, startColumn: 30 });
    const single = write('single.tf.json', ['{ "resource": {', '  "google_iam_workload_identity_pool_provider": {', '    "spire": {}', '  } } }']);
    expect(regions.regionOf(single, 'google_iam_workload_identity_pool_provider.spire')).toEqual({ startLine: 3, startColumn: 5 });
  });

  test('no region rather than a guess: a missing file, a directory, a resource not declared, an address no file has, text that is not JSON, an endpoint', () => {
    const regions = new ResourceRegions();
    expect(regions.regionOf(path.join(dir, 'missing.template.json'), 'Role')).toBeUndefined();
    expect(regions.regionOf(dir, 'Role')).toBeUndefined();
    expect(regions.regionOf(template, 'Other')).toBeUndefined();
    expect(regions.regionOf(template, '(template)')).toBeUndefined();
    expect(regions.regionOf(configuration, 'module.agent.aws_iam_role.deployer')).toBeUndefined();
    expect(regions.regionOf(configuration, 'aws_iam_role.deployer[0]')).toBeUndefined();
    expect(regions.regionOf(write('plan.json', [JSON.stringify({ format_version: '1.2', planned_values: { root_module: { resources: [{ address: 'aws_iam_role.deployer' }] } } })]), 'aws_iam_role.deployer')).toBeUndefined();
    expect(regions.regionOf(write('stack.yaml', ['Resources:', '  Role:', '    Type: AWS::IAM::Role']), 'Role')).toBeUndefined();
    expect(regions.regionOf('POST https://tools.example/stacks', 'POST /stacks')).toBeUndefined();
  });

  test('each file is read once, however many results it has', () => {
    const read = jest.fn((file: string) => fs.readFileSync(file, 'utf8'));
    const regions = new ResourceRegions(read);
    for (const resource of ['Role', 'Profile', 'Other']) regions.regionOf(template, resource);
    regions.regionOf(path.join(dir, 'missing.json'), 'Role');
    regions.regionOf(path.join(dir, 'missing.json'), 'Other');
    expect(read.mock.calls).toEqual([[template], [path.join(dir, 'missing.json')]]);
  });

  test('a read failure that is not about the file (a bug) is not taken for a missing file', () => {
    const regions = new ResourceRegions(() => {
      throw new TypeError('not a file error');
    });
    expect(() => regions.regionOf(template, 'Role')).toThrow('not a file error');
  });
});
