import * as fs from 'node:fs';
import * as path from 'node:path';
import { PrivilegeTier } from '../../../lib/core/privilege-tier';
import { discoverAwsGates, describeCondition } from '../../../conformance/aws/discover-gates';
import { loadTemplateSources } from '../../../conformance/discovery/sources';
import { synthExampleAssembly, writeTemplate } from '../../fixtures/synth';
import { attestedStatement, gateTemplate } from '../../fixtures/templates';

describe('discoverAwsGates', () => {
  let assembly: string;
  beforeAll(() => {
    assembly = synthExampleAssembly();
  });

  test('finds both example gates with their manifests, anchors, attributes and sessions', () => {
    const gates = discoverAwsGates(loadTemplateSources(assembly));
    expect(gates.map((g) => g.drift)).toEqual([[], []]);
    expect(gates.map((g) => [g.stackName, g.manifest?.identity.name, g.privilege, 'seconds' in g.maxSession ? g.maxSession.seconds : null])).toEqual([
      ['AttestgateAwsExample', 'deployer', PrivilegeTier.HIGH, 3600],
      ['AttestgateAwsExample', 'reader', PrivilegeTier.READ_ONLY, 14400],
    ]);
    const [deployer] = gates;
    expect(deployer.anchorsPinned).toBe(true);
    expect(deployer.trustAnchors).toHaveLength(1);
    expect(deployer.trustAnchors[0].caCertificates[0].subject).toEqual({ O: 'attestgate examples', CN: 'attestgate Example Agents CA' });
    expect(deployer.trustAnchors[0].crls).toEqual([expect.objectContaining({ enabled: true, crlPem: expect.stringContaining('BEGIN X509 CRL') })]);
    expect(deployer.attributeConditions.map(describeCondition)).toEqual([
      'x509Subject/CN = deployer',
      'x509Subject/O = attestgate examples',
      'x509SAN/URI = spiffe://prod.example/agent/deployer',
      'x509Issuer/CN = attestgate Example Agents CA',
      'x509Issuer/O = attestgate examples',
    ]);
    expect(deployer.otherPrincipals).toEqual([]);
  });

  test('a condition edited by hand after synth is reported as drift from the declared identity', () => {
    const [source] = loadTemplateSources(assembly);
    const template = JSON.parse(fs.readFileSync(source.file, 'utf8'));
    const [roleId] = Object.entries<{ Type: string; Metadata?: object }>(template.Resources).find(([, r]) => r.Type === 'AWS::IAM::Role' && String(JSON.stringify(r.Metadata)).includes('"name":"deployer"'))!;
    const statement = template.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement[0];
    delete statement.Condition.StringEquals['aws:PrincipalTag/x509Subject/CN'];
    statement.Condition.StringLike = { 'aws:PrincipalTag/x509Subject/CN': 'deploy*' };
    const [gate] = discoverAwsGates(loadTemplateSources(writeTemplate(template, path.basename(source.file))));
    expect(gate.drift).toEqual(['trust policy statement 0: x509Subject/CN admits values besides the declared "deployer", e.g. "deployx", "deployerx"']);
  });

  test('probes brownfield templates: an unpinned admin role with a second principal', () => {
    const template = gateTemplate({
      statements: [
        attestedStatement({ Condition: { StringNotEquals: { 'aws:PrincipalTag/x509Subject/OU': 'Quarantine' } } }),
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' },
      ],
      role: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
      crl: null,
    });
    const [gate] = discoverAwsGates(loadTemplateSources(writeTemplate(template)));
    expect(gate.id).toBe('brownfield/Role');
    expect(gate.manifest).toBeUndefined();
    expect(gate.anchorsPinned).toBe(false);
    expect(gate.trustAnchors.map((a) => a.ref)).toEqual(['Anchor']);
    expect(gate.privilege).toBe(PrivilegeTier.HIGH);
    expect(gate.privilegeReasons).toEqual(['it has the AWS managed policy AdministratorAccess']);
    expect(gate.otherPrincipals).toEqual(['AWS: "arn:aws:iam::111122223333:root"']);
    expect(gate.attributeConditions.map(describeCondition)).toEqual(['x509Subject/OU ≠ Quarantine']);
    expect(gate.drift).toEqual([]);
  });

  test('rejects paths that are not templates or assemblies', () => {
    expect(() => loadTemplateSources('/nonexistent/path')).toThrow('--app /nonexistent/path: no such file or directory');
    expect(() => loadTemplateSources(writeTemplate({ hello: 1 }))).toThrow(/not a CloudFormation template \(no Resources section\)/);
    expect(() => loadTemplateSources(__dirname)).toThrow(/a directory without manifest.json is not a cloud assembly/);
  });
});
