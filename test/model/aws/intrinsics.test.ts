import { SymbolicString, isConcrete, resolveIntrinsics, IntrinsicContext, describeValue } from '../../../lib/model/aws/intrinsics';
import { TemplateModel } from '../../../lib/model/aws/template';

const concrete: IntrinsicContext = {
  ref: (name) => ({ 'AWS::AccountId': '123456789012', 'AWS::Region': 'eu-west-1', Param: 'p-value', Res: 'res-id' } as Record<string, string>)[name] ?? { symbolic: 'unknown', reason: name },
  getAtt: (id, attr) => `${id}.${attr}`,
  condition: (name) => (name === 'Yes' ? true : name === 'No' ? false : undefined),
  mappings: { M: { top: { second: 'mapped' } } },
};

describe('resolveIntrinsics (concrete context)', () => {
  test.each([
    [{ Ref: 'Param' }, 'p-value'],
    [{ 'Fn::GetAtt': ['Res', 'Arn'] }, 'Res.Arn'],
    [{ 'Fn::GetAtt': 'Res.Arn' }, 'Res.Arn'],
    [{ 'Fn::Join': [':', ['a', { Ref: 'AWS::Region' }, 'b']] }, 'a:eu-west-1:b'],
    [{ 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:role/${Res.Name}' }, 'arn:aws:iam::123456789012:role/Res.Name'],
    [{ 'Fn::Sub': ['${A}-${!Literal}', { A: { Ref: 'Param' } }] }, 'p-value-${Literal}'],
    [{ 'Fn::Select': [1, ['a', 'b']] }, 'b'],
    [{ 'Fn::Split': [',', 'a,b'] }, ['a', 'b']],
    [{ 'Fn::If': ['Yes', 'then', 'else'] }, 'then'],
    [{ 'Fn::If': ['No', 'then', 'else'] }, 'else'],
    [{ 'Fn::FindInMap': ['M', 'top', 'second'] }, 'mapped'],
    [{ 'Fn::Base64': 'hi' }, 'aGk='],
    [{ nested: [{ Ref: 'Param' }] }, { nested: ['p-value'] }],
  ])('%j', (input, expected) => {
    expect(resolveIntrinsics(input, concrete)).toEqual(expected);
  });

  test('undecidable constructs become unknown symbols, never guesses', () => {
    expect(resolveIntrinsics({ 'Fn::If': ['Maybe', 'a', 'b'] }, concrete)).toEqual({ symbolic: 'unknown', reason: 'condition Maybe, which depends on deploy-time input' });
    expect(resolveIntrinsics({ 'Fn::ImportValue': 'x' }, concrete)).toMatchObject({ symbolic: 'unknown' });
    expect(resolveIntrinsics({ 'Fn::Transform': {} }, concrete)).toMatchObject({ symbolic: 'unknown', reason: 'the intrinsic Fn::Transform' });
    expect(resolveIntrinsics({ 'Fn::FindInMap': ['M', 'x', 'y'] }, concrete)).toMatchObject({ symbolic: 'unknown' });
  });
});

describe('resolveIntrinsics (symbolic, through TemplateModel)', () => {
  const model = TemplateModel.parse(
    {
      Parameters: { AnchorArn: { Type: 'String' } },
      Conditions: { IsProd: { 'Fn::Equals': ['prod', 'prod'] }, FromParam: { 'Fn::Equals': [{ Ref: 'AnchorArn' }, 'x'] } },
      Resources: {
        Anchor: { Type: 'AWS::RolesAnywhere::TrustAnchor', Properties: {} },
        Thing: {
          Type: 'Test::Thing',
          Properties: {
            AnchorAttr: { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] },
            FromParam: { Ref: 'AnchorArn' },
            Mixed: { 'Fn::Sub': 'arn:${AWS::Partition}:rolesanywhere:${AWS::Region}:${AWS::AccountId}:trust-anchor/abc' },
            Chosen: { 'Fn::If': ['IsProd', 'prod-value', 'dev-value'] },
            Undecided: { 'Fn::If': ['FromParam', 'a', 'b'] },
            Missing: { Ref: 'Nope' },
          },
        },
      },
    },
    't',
  );
  const props = model.resource('Thing')!.properties;

  test('resource references stay references the rules can follow', () => {
    expect(props.AnchorAttr).toEqual({ symbolic: 'ref', logicalId: 'Anchor', attribute: 'TrustAnchorArn' });
  });
  test('parameters are symbols', () => {
    expect(props.FromParam).toEqual({ symbolic: 'parameter', name: 'AnchorArn' });
    expect(isConcrete(props.FromParam)).toBe(false);
  });
  test('strings with pseudo parameters are symbolic strings', () => {
    expect(props.Mixed).toBeInstanceOf(SymbolicString);
    expect(describeValue(props.Mixed)).toBe('arn:${AWS::Partition}:rolesanywhere:${AWS::Region}:${AWS::AccountId}:trust-anchor/abc');
  });
  test('conditions over literals are evaluated; over parameters they are not', () => {
    expect(props.Chosen).toBe('prod-value');
    expect(props.Undecided).toMatchObject({ symbolic: 'unknown' });
  });
  test('a Ref to nothing says so', () => {
    expect(props.Missing).toEqual({ symbolic: 'unknown', reason: 'a Ref to Nope, which is not in the template' });
  });
  test('a non-template is rejected with its name', () => {
    expect(() => TemplateModel.parse([], 'x.json')).toThrow('x.json is not a CloudFormation template (not a JSON object)');
    expect(() => TemplateModel.parse({ Resources: [] }, 'x.json')).toThrow('Resources is not an object');
  });
});
