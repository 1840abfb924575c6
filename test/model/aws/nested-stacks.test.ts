import * as path from 'node:path';
import { AppTemplates } from '../../../lib/model/aws/app-templates';
import { TemplateModel } from '../../../lib/model/aws/template';
import { AppTemplateFile, TemplateFiles, withNestedTemplates } from '../../../lib/model/aws/nested-stacks';
import { AWS_RULES } from '../../../lib/rules/aws';
import { evaluateRules } from '../../../lib/rules/evaluate';
import { attestedStatement } from '../../fixtures/templates';

/**
 * Hand-written nested stacks, as a team without CDK writes them (TemplateURL a local path, as
 * `aws cloudformation package` takes it), and as CDK writes them (an S3 URL whose object key an
 * asset manifest maps to a file): a parent passes values in through Parameters and reads them back
 * through `Fn::GetAtt [Stack, Outputs.X]`.
 */

const DIR = '/app';
const at = (name: string) => path.join(DIR, name);

/** Files in memory: what withNestedTemplates reads instead of a disk. */
function filesOf(contents: Record<string, unknown>): TemplateFiles {
  const texts = new Map(Object.entries(contents).map(([name, json]) => [at(name), typeof json === 'string' ? json : JSON.stringify(json)]));
  return { read: (file) => texts.get(file), list: (directory) => [...texts.keys()].filter((f) => path.dirname(f) === directory).map((f) => path.basename(f)) };
}

const anchor = { Type: 'AWS::RolesAnywhere::TrustAnchor', Properties: { Name: 'agents', Enabled: true, Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: 'PEM' } } } };
const crl = { Type: 'AWS::RolesAnywhere::CRL', Properties: { Name: 'c', CrlData: 'PEM', Enabled: true, TrustAnchorArn: { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] } } };
/** A role pinned to `pin` (with the subject and SPIFFE ID of attestedStatement), and its profile. */
const roleAndProfile = (pin: unknown) => {
  const statement = attestedStatement();
  return {
    Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ ...statement, Condition: { ...(statement.Condition as object), ArnEquals: { 'aws:SourceArn': pin } } }] } } },
    Profile: { Type: 'AWS::RolesAnywhere::Profile', Properties: { Name: 'p', RoleArns: [{ 'Fn::GetAtt': ['Role', 'Arn'] }], DurationSeconds: 3600 } },
  };
};
const nestedStack = (templateUrl: unknown, parameters?: Record<string, unknown>, metadata?: Record<string, unknown>) => ({
  Type: 'AWS::CloudFormation::Stack',
  Properties: { TemplateURL: templateUrl, ...(parameters ? { Parameters: parameters } : {}) },
  ...(metadata ? { Metadata: metadata } : {}),
});

/** The anchor (and its CRL) in a nested stack `pki.json`, exposing `output` (its anchor's ARN unless given); the role in the parent pins it. */
const anchorNested = (options: { url?: unknown; output?: unknown; read?: string } = {}) => ({
  'parent.json': { Resources: { Pki: nestedStack(options.url ?? './pki.json'), ...roleAndProfile({ 'Fn::GetAtt': ['Pki', `Outputs.${options.read ?? 'AnchorArn'}`] }) } },
  'pki.json': { Resources: { Anchor: anchor, Crl: crl, Decoy: { Type: 'AWS::RolesAnywhere::Profile', Properties: { Name: 'd', RoleArns: [] } } }, Outputs: { AnchorArn: { Value: options.output ?? { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] } } } },
});

/** The role in a nested stack `roles.json`, pinned to the parent's anchor passed in as parameter AnchorArn (unless `passed` is false). */
const roleNested = (passed = true) => ({
  'parent.json': { Resources: { Anchor: anchor, Crl: crl, Roles: nestedStack('roles.json', passed ? { AnchorArn: { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] } } : {}) } },
  'roles.json': { Parameters: { AnchorArn: { Type: 'String' } }, Resources: roleAndProfile({ Ref: 'AnchorArn' }) },
});

/** The templates given (`given`, by file name) read with their nested ones; open findings by template name. */
function judge(contents: Record<string, unknown>, given: string[] = ['parent.json']): Record<string, string[]> {
  const templates = withNestedTemplates(
    given.map((name) => ({ name: at(name), file: at(name), template: contents[name] })),
    filesOf(contents),
  );
  const app = new AppTemplates(templates);
  return Object.fromEntries(templates.map((t) => [path.basename(t.name), evaluateRules(AWS_RULES, app.model(t.name)).map(({ rule, finding }) => `${rule.id} ${finding.resource} ${finding.outcome}: ${finding.message}`)]));
}

describe('withNestedTemplates: finding a nested stack\'s template file', () => {
  const names = (templates: AppTemplateFile[]) => templates.map((t) => [path.basename(t.name), t.nestedIn ? `${path.basename(t.nestedIn.template)}#${t.nestedIn.logicalId}` : undefined]);

  test('a local TemplateURL, relative to the parent\'s file (aws cloudformation package)', () => {
    const contents = anchorNested();
    expect(names(withNestedTemplates([{ name: at('parent.json'), file: at('parent.json'), template: contents['parent.json'] }], filesOf(contents)))).toEqual([
      ['parent.json', undefined],
      ['pki.json', 'parent.json#Pki'],
    ]);
  });

  test('a cloud assembly: the object key of an S3 TemplateURL, mapped to its file by an asset manifest; or Metadata aws:asset:path', () => {
    const key = '97d39bd59b826efb6bc7de7ba59abcd4b2fdd5c65e417af532f3037204b0faeb.json';
    const url = { 'Fn::Join': ['', ['https://s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/', { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' }, `/${key}`]] };
    const manifest = { version: '55.0.0', files: { hash: { source: { path: 'ParentPki.nested.template.json', packaging: 'file' }, destinations: { d: { bucketName: 'b', objectKey: key } } } } };
    const { 'pki.json': pki } = anchorNested();
    for (const parent of [
      { Resources: { Pki: nestedStack(url) } },
      { Resources: { Pki: nestedStack('https://example.com/elsewhere.json', undefined, { 'aws:asset:path': 'ParentPki.nested.template.json' }) } },
    ]) {
      const files = filesOf({ 'parent.json': parent, 'Parent.assets.json': manifest, 'ParentPki.nested.template.json': pki });
      expect(names(withNestedTemplates([{ name: at('parent.json'), file: at('parent.json'), template: parent }], files))).toEqual([
        ['parent.json', undefined],
        ['ParentPki.nested.template.json', 'parent.json#Pki'],
      ]);
    }
  });

  test('a template not found, or not JSON, is said on its parent — by nested stack, with where it was looked for', () => {
    const parent = { Resources: { Missing: nestedStack('./missing.json'), Broken: nestedStack('./broken.json'), Remote: nestedStack('https://s3.amazonaws.com/bucket/k.json') } };
    const [only] = withNestedTemplates([{ name: at('parent.json'), file: at('parent.json'), template: parent }], filesOf({ 'parent.json': parent, 'broken.json': '{ not json' }));
    expect(only.nestedTemplateProblems).toEqual({
      Missing: `its TemplateURL names the local file ${at('missing.json')}, which does not exist`,
      Broken: expect.stringMatching(new RegExp(`^its template ${at('broken.json')} is not JSON`)),
      Remote: `no asset manifest (*.assets.json) next to ${at('parent.json')} maps its object key k.json to a file; synthesize again, or give a TemplateURL that is a local path`,
    });
  });

  test('a template given and nested in another given one is that nested stack, under the name it was given by', () => {
    const contents = roleNested();
    const templates = withNestedTemplates(['parent.json', 'roles.json'].map((name) => ({ name: at(name), file: at(name), template: contents[name as keyof typeof contents] })), filesOf(contents));
    expect(names(templates)).toEqual([
      ['parent.json', undefined],
      ['roles.json', 'parent.json#Roles'],
    ]);
  });
});

describe('AppTemplates over nested stacks: Parameters in, Outputs back', () => {
  test('a parent\'s role pinned to the anchor of its nested stack (through Outputs) is pinned: clean', () => {
    expect(judge(anchorNested())).toEqual({ 'parent.json': [], 'pki.json': [] });
  });

  test('a nested stack\'s role pinned to its parent\'s anchor (through Parameters) is pinned: clean — and given with its parent, the same', () => {
    expect(judge(roleNested())).toEqual({ 'parent.json': [], 'roles.json': [] });
    expect(judge(roleNested(), ['parent.json', 'roles.json'])).toEqual({ 'parent.json': [], 'roles.json': [] });
  });

  test('pinned to the nested stack\'s profile, not its anchor: a violation naming it', () => {
    const findings = judge(anchorNested({ output: { 'Fn::GetAtt': ['Decoy', 'ProfileArn'] } }))['parent.json'];
    expect(findings).toEqual([expect.stringMatching(/^AG-AWS-001 Role violation: .*\$\{\/app\/parent\.json\/Pki\/Decoy\.ProfileArn \(through Fn::GetAtt Pki\.Outputs\.AnchorArn\)\} is not the TrustAnchorArn of a trust anchor/)]);
  });

  test.each([
    ['the nested template is not found', anchorNested({ url: './gone.json' }), 'parent.json', `the template of nested stack /app/parent.json/Pki is not given (its TemplateURL names the local file ${at('gone.json')}, which does not exist)`],
    ['the nested stack has no such output', anchorNested({ read: 'Missing' }), 'parent.json', 'nested stack /app/parent.json/Pki has no output Missing'],
    ['the parent does not pass the parameter', roleNested(false), 'roles.json', 'parameter AnchorArn of nested stack /app/parent.json/Roles, which its parent /app/parent.json does not pass (Roles.Parameters has no AnchorArn)'],
  ])('%s: cannot be judged, naming why — never clean', (_what, contents, where, why) => {
    const findings = judge(contents)[where];
    expect(findings).toEqual([expect.stringContaining('AG-AWS-001 Role unjudgeable: ')]);
    expect(findings[0]).toContain(why);
  });

  test('a parent read alone (no app): the nested output is not known — never taken for a resource of the parent, which no anchor is', () => {
    const findings = evaluateRules(AWS_RULES, TemplateModel.parse(anchorNested()['parent.json'], 'parent.json')).map(({ rule, finding }) => `${rule.id} ${finding.outcome}: ${finding.message}`);
    expect(findings).toEqual([expect.stringMatching(/^AG-AWS-001 unjudgeable: .*Fn::GetAtt Pki\.Outputs\.AnchorArn, an output of a nested stack whose template is not read with this one/)]);
  });

  test('a parameter passed the nested stack\'s own output: refused as CloudFormation refuses it, naming the file and the field — never resolved forever', () => {
    const contents = {
      'parent.json': { Resources: { Loop: nestedStack('./loop.json', { In: { 'Fn::GetAtt': ['Loop', 'Outputs.Out'] } }), ...roleAndProfile({ 'Fn::GetAtt': ['Loop', 'Outputs.Out'] }) } },
      'loop.json': { Parameters: { In: { Type: 'String' } }, Resources: {}, Outputs: { Out: { Value: { Ref: 'In' } } } },
    };
    expect(() => judge(contents)).toThrow(/\/app\/parent\.json: Loop\.Properties\.Parameters\.In .*Circular dependency between resources: \[Loop\]/);
  });
});
