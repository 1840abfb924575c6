import { AppTemplate, AppTemplates } from '../../../lib/model/aws/app-templates';
import { AWS_RULES } from '../../../lib/rules/aws';
import { evaluateRules } from '../../../lib/rules/evaluate';
import { attestedStatement } from '../../fixtures/templates';

/**
 * Hand-written pairs of raw CloudFormation templates, as a team without CDK writes them: a base
 * stack exports its trust anchor's ARN, an identity stack's role pins aws:SourceArn to the import.
 */

const EXPORT = 'agents-base-AnchorArn';

/** The base stack: an enabled anchor with an enabled CRL, its ARN exported under `exportName`. */
function baseTemplate(options: { exportValue?: unknown; exportName?: unknown; anchor?: Record<string, unknown>; crl?: Record<string, unknown> | null; extra?: Record<string, unknown> } = {}) {
  const resources: Record<string, unknown> = {
    Anchor: {
      Type: 'AWS::RolesAnywhere::TrustAnchor',
      Properties: { Name: 'agents', Enabled: true, Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: 'PEM' } }, ...options.anchor },
    },
    ...options.extra,
  };
  if (options.crl !== null) {
    resources.Crl = { Type: 'AWS::RolesAnywhere::CRL', Properties: { Name: 'c', CrlData: 'PEM', TrustAnchorArn: { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] }, Enabled: true, ...options.crl } };
  }
  return {
    Resources: resources,
    Outputs: {
      AnchorArn: { Value: options.exportValue ?? { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] }, Export: { Name: options.exportName ?? EXPORT } },
    },
  };
}

/** An identity stack: one role pinned to the imported anchor, subject and SPIFFE ID required, and its profile. */
function identityTemplate(importName: unknown = EXPORT, condition: Record<string, unknown> = {}) {
  const statement = attestedStatement();
  const conditions = statement.Condition as Record<string, unknown>;
  return {
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ ...statement, Condition: { ...conditions, ArnEquals: { 'aws:SourceArn': { 'Fn::ImportValue': importName } }, ...condition } }],
          },
        },
      },
      Profile: { Type: 'AWS::RolesAnywhere::Profile', Properties: { Name: 'p', RoleArns: [{ 'Fn::GetAtt': ['Role', 'Arn'] }], DurationSeconds: 3600 } },
    },
  };
}

const ENV = { account: '111122223333', region: 'eu-west-1' };

/** The open findings of every AWS rule, per template, as `RULE resource outcome: message`. */
function judge(templates: AppTemplate[]): Record<string, string[]> {
  const app = new AppTemplates(templates);
  return Object.fromEntries(
    templates.map((t) => [t.name, evaluateRules(AWS_RULES, app.model(t.name)).map(({ rule, finding }) => `${rule.id} ${finding.resource} ${finding.outcome}: ${finding.message}`)]),
  );
}

describe('AppTemplates: cross-stack references resolved across an app’s templates', () => {
  test('Compliance: a role pinned to the base stack’s exported trust anchor — every rule holds in both stacks', () => {
    const findings = judge([
      { name: 'base.json', stackName: 'AgentsBase', ...ENV, template: baseTemplate() },
      { name: 'agents-1.json', stackName: 'Agents1', ...ENV, template: identityTemplate() },
    ]);
    expect(findings).toEqual({ 'base.json': [], 'agents-1.json': [] });
  });

  test('Compliance: the import’s name written with Fn::Sub or Fn::Join over the importer’s Region, and the export’s with its own stack name', () => {
    const findings = judge([
      { name: 'base.json', stackName: 'AgentsBase', ...ENV, template: baseTemplate({ exportName: { 'Fn::Sub': '${AWS::StackName}-${AWS::Region}-AnchorArn' } }) },
      { name: 'sub.json', stackName: 'Agents1', ...ENV, template: identityTemplate({ 'Fn::Sub': 'AgentsBase-${AWS::Region}-AnchorArn' }) },
      { name: 'join.json', stackName: 'Agents2', ...ENV, template: identityTemplate({ 'Fn::Join': ['-', ['AgentsBase', { Ref: 'AWS::Region' }, 'AnchorArn']] }) },
    ]);
    expect(findings).toEqual({ 'base.json': [], 'sub.json': [], 'join.json': [] });
  });

  test('the import resolves to the anchor resource of the base stack, not to a resource of the importer with the same logical ID', () => {
    const app = new AppTemplates([
      { name: 'base.json', template: baseTemplate() },
      { name: 'agents-1.json', template: { Resources: { ...identityTemplate().Resources, Anchor: { Type: 'AWS::S3::Bucket' } } } },
    ]);
    const role = app.model('agents-1.json').resource('Role')!;
    const pin = (role.properties.AssumeRolePolicyDocument as any).Statement[0].Condition.ArnEquals['aws:SourceArn'];
    expect(pin).toEqual({ symbolic: 'stack-ref', template: 'base.json', stack: 'base.json', logicalId: 'Anchor', attribute: 'TrustAnchorArn', via: `Fn::ImportValue ${EXPORT}` });
    expect(app.model('agents-1.json').referencedResource(pin)?.type).toBe('AWS::RolesAnywhere::TrustAnchor');
    expect(evaluateRules(AWS_RULES, app.model('agents-1.json')).filter((r) => r.rule.id === 'AG-AWS-001')).toEqual([]);
  });

  test('Noncompliance: the export is the ARN of something else of the base stack (a profile), not of a trust anchor — AG-AWS-001 violation', () => {
    const findings = judge([
      {
        name: 'base.json',
        template: baseTemplate({ exportValue: { 'Fn::GetAtt': ['Other', 'ProfileArn'] }, extra: { Other: { Type: 'AWS::RolesAnywhere::Profile', Properties: { Name: 'o', RoleArns: [], DurationSeconds: 3600 } } } }),
      },
      { name: 'agents-1.json', template: identityTemplate() },
    ]);
    expect(findings['agents-1.json']).toEqual([expect.stringMatching(/^AG-AWS-001 Role violation: .*\$\{base\.json\/Other\.ProfileArn \(through Fn::ImportValue agents-base-AnchorArn\)\} is not the TrustAnchorArn of a trust anchor/)]);
  });

  test('Noncompliance: the export is a wildcard trust-anchor ARN — AG-AWS-001 violation, as for a wildcard written in the role', () => {
    const findings = judge([
      { name: 'base.json', template: baseTemplate({ exportValue: { 'Fn::Sub': 'arn:${AWS::Partition}:rolesanywhere:${AWS::Region}:${AWS::AccountId}:trust-anchor/*' } }) },
      { name: 'agents-1.json', template: identityTemplate() },
    ]);
    expect(findings['agents-1.json']).toEqual([expect.stringMatching(/^AG-AWS-001 Role violation: .*is a wildcard, not one trust anchor/)]);
  });

  test('Noncompliance: the exported anchor has no CRL — AG-AWS-006 in the base stack, where the anchor is; the role itself holds', () => {
    const findings = judge([
      { name: 'base.json', template: baseTemplate({ crl: null }) },
      { name: 'agents-1.json', template: identityTemplate() },
    ]);
    expect(findings).toEqual({ 'base.json': [expect.stringMatching(/^AG-AWS-006 Anchor violation: Trust anchor Anchor has no CRL/)], 'agents-1.json': [] });
  });

  test('Noncompliance: a role in the identity stack pinned to the anchor but not to its subject — AG-AWS-002 violation', () => {
    const lax = identityTemplate() as any;
    delete lax.Resources.Role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals;
    const findings = judge([
      { name: 'base.json', template: baseTemplate() },
      { name: 'agents-1.json', template: lax },
    ]);
    expect(findings['agents-1.json']).toEqual([expect.stringMatching(/^AG-AWS-002 Role violation: Role Role accepts any certificate of its trust anchors/)]);
  });

  test('cannot be judged: the export is in no template given, named, with what to pass', () => {
    const findings = judge([{ name: 'agents-1.json', template: identityTemplate() }]);
    expect(findings['agents-1.json']).toEqual([
      `AG-AWS-001 Role unjudgeable: Role Role: statement 0 pins aws:SourceArn to \${export ${EXPORT}, which no given template defines: pass the template of the stack that exports it too}, which is not known at synth.`,
    ]);
  });

  test('cannot be judged: the export is defined by two stacks of the same account and Region', () => {
    const findings = judge([
      { name: 'base.json', stackName: 'AgentsBase', ...ENV, template: baseTemplate() },
      { name: 'base-copy.json', stackName: 'AgentsBaseCopy', ...ENV, template: baseTemplate({ exportValue: 'arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/a1b2c3' }) },
      { name: 'agents-1.json', stackName: 'Agents1', ...ENV, template: identityTemplate() },
    ]);
    expect(findings['agents-1.json']).toEqual([
      expect.stringMatching(/^AG-AWS-001 Role unjudgeable: .*export agents-base-AnchorArn, which stack AgentsBase \(output AnchorArn\) and stack AgentsBaseCopy \(output AnchorArn\) both define in aws:\/\/111122223333\/eu-west-1: CloudFormation refuses the second/),
    ]);
  });

  test('cannot be judged: the export is only in a stack of another Region, or of another account', () => {
    for (const other of [{ account: ENV.account, region: 'us-east-1' }, { account: '444455556666', region: ENV.region }]) {
      const findings = judge([
        { name: 'base.json', stackName: 'AgentsBase', ...other, template: baseTemplate() },
        { name: 'agents-1.json', stackName: 'Agents1', ...ENV, template: identityTemplate() },
      ]);
      expect(findings['agents-1.json']).toEqual([
        expect.stringContaining(`export agents-base-AnchorArn, which only stack AgentsBase (output AnchorArn) of aws://${other.account}/${other.region} defines, not a stack of aws://111122223333/eu-west-1: exports are per account and Region`),
      ]);
    }
  });

  test('cannot be judged: another stack of the environment exports a name not known at synth, which may be the same', () => {
    const opaque = baseTemplate({ exportName: { 'Fn::Sub': '${Prefix}-AnchorArn' } });
    const findings = judge([
      { name: 'base.json', template: baseTemplate() },
      { name: 'opaque.json', template: { ...opaque, Parameters: { Prefix: { Type: 'String' } } } },
      { name: 'agents-1.json', template: identityTemplate() },
    ]);
    expect(findings['agents-1.json']).toEqual([expect.stringContaining('stack opaque.json (output AnchorArn) exports a name not known at synth (${parameter Prefix, given at deploy}-AnchorArn), which may be the same')]);
  });

  test('cannot be judged: an import whose name is a parameter; an export whose output exists only under a condition not known at synth', () => {
    const byParameter = { ...identityTemplate({ Ref: 'AnchorExport' }), Parameters: { AnchorExport: { Type: 'String' } } };
    const conditional = baseTemplate() as any;
    conditional.Parameters = { WithAnchor: { Type: 'String' } };
    conditional.Conditions = { Export: { 'Fn::Equals': [{ Ref: 'WithAnchor' }, 'yes'] } };
    conditional.Outputs.AnchorArn.Condition = 'Export';
    const findings = judge([
      { name: 'base.json', template: conditional },
      { name: 'by-parameter.json', template: byParameter },
      { name: 'agents-1.json', template: identityTemplate() },
    ]);
    expect(findings['by-parameter.json']).toEqual([expect.stringContaining('an Fn::ImportValue of an export whose name is not known at synth (${parameter AnchorExport})')]);
    expect(findings['agents-1.json']).toEqual([expect.stringContaining('export agents-base-AnchorArn, which stack base.json (output AnchorArn) defines only when condition Export holds, which is not known at synth')]);
  });

  test('stacks that import from each other (which cannot be deployed) are read without recursing forever, and judged unknown', () => {
    const a = { ...identityTemplate('b-value'), Outputs: { Value: { Value: { 'Fn::ImportValue': 'b-value' }, Export: { Name: 'a-value' } } } };
    const b = { Resources: { Topic: { Type: 'AWS::SNS::Topic' } }, Outputs: { Value: { Value: { 'Fn::ImportValue': 'a-value' }, Export: { Name: 'b-value' } } } };
    const findings = judge([
      { name: 'a.json', template: a },
      { name: 'b.json', template: b },
    ]);
    expect(findings['a.json']).toEqual([expect.stringContaining('stacks that import from each other cannot be deployed')]);
  });

  test('an export of an export: the value is followed through the second stack to the anchor', () => {
    const relay = { Resources: { Topic: { Type: 'AWS::SNS::Topic' } }, Outputs: { Relayed: { Value: { 'Fn::ImportValue': EXPORT }, Export: { Name: 'relayed-AnchorArn' } } } };
    const findings = judge([
      { name: 'base.json', template: baseTemplate() },
      { name: 'relay.json', template: relay },
      { name: 'agents-1.json', template: identityTemplate('relayed-AnchorArn') },
    ]);
    expect(findings).toEqual({ 'base.json': [], 'relay.json': [], 'agents-1.json': [] });
  });

  test('a CRL in another stack, attached to the anchor through the import, counts for the anchor (AG-AWS-006); disabled, it does not', () => {
    const crlStack = (enabled: boolean) => ({
      Resources: { Crl: { Type: 'AWS::RolesAnywhere::CRL', Properties: { Name: 'c', CrlData: 'PEM', Enabled: enabled, TrustAnchorArn: { 'Fn::ImportValue': EXPORT } } } },
    });
    const judged = (enabled: boolean) =>
      judge([
        { name: 'base.json', template: baseTemplate({ crl: null }) },
        { name: 'crl.json', template: crlStack(enabled) },
        { name: 'agents-1.json', template: identityTemplate() },
      ]);
    expect(judged(true)).toEqual({ 'base.json': [], 'crl.json': [], 'agents-1.json': [] });
    expect(judged(false)['base.json']).toEqual([expect.stringMatching(/^AG-AWS-006 Anchor violation: Trust anchor Anchor has no CRL with Enabled: true \(Crl\)/)]);
  });

  test('Fn::GetStackOutput (aws-cdk-lib weak references): resolved by stack name and output in the importer’s Region; an unknown stack stays unknown', () => {
    const importer = (stackName: string) => {
      const t = identityTemplate() as any;
      t.Resources.Role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.ArnEquals['aws:SourceArn'] = { 'Fn::GetStackOutput': { StackName: stackName, OutputName: 'AnchorArn', Region: 'eu-west-1' } };
      return t;
    };
    const base = { name: 'base.json', stackName: 'AgentsBase', ...ENV, template: baseTemplate() };
    expect(judge([base, { name: 'agents-1.json', stackName: 'Agents1', ...ENV, template: importer('AgentsBase') }])['agents-1.json']).toEqual([]);
    expect(judge([base, { name: 'agents-1.json', stackName: 'Agents1', ...ENV, template: importer('Elsewhere') }])['agents-1.json']).toEqual([
      expect.stringContaining('Fn::GetStackOutput Elsewhere.AnchorArn: no given template is stack Elsewhere of aws://111122223333/eu-west-1; pass its template too'),
    ]);
    const profileOut = { ...base, template: baseTemplate({ exportValue: { 'Fn::GetAtt': ['Other', 'ProfileArn'] }, extra: { Other: { Type: 'AWS::RolesAnywhere::Profile', Properties: { Name: 'o', RoleArns: [], DurationSeconds: 3600 } } } }) };
    expect(judge([profileOut, { name: 'agents-1.json', stackName: 'Agents1', ...ENV, template: importer('AgentsBase') }])['agents-1.json']).toEqual([
      expect.stringMatching(/^AG-AWS-001 Role violation: .*AgentsBase\/Other\.ProfileArn \(through Fn::GetStackOutput AgentsBase\.AnchorArn\)\} is not the TrustAnchorArn of a trust anchor/),
    ]);
  });
});
