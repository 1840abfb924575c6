import { checkTemplateReferences, resourceReferences } from '../../../lib/model/aws/references';
import { resolveIntrinsics } from '../../../lib/model/aws/intrinsics';
import { model, gateTemplate } from '../../fixtures/templates';

const role = (properties: Record<string, unknown>) => ({ Type: 'AWS::IAM::Role', Properties: properties });

describe('resourceReferences', () => {
  test('finds Ref, both Fn::GetAtt forms and Fn::Sub ${X} / ${X.Attr}, with where they are; not parameters, pseudo parameters, Sub variables or ${!Literal}', () => {
    const resources = {
      A: role({
        RoleName: { Ref: 'B' },
        Path: { 'Fn::GetAtt': 'B.Arn' },
        Description: { 'Fn::Sub': ['${C.Arn} ${B} ${Var} ${!A} ${AWS::Region} ${P}', { Var: { 'Fn::GetAtt': ['C', 'RoleId'] } }] },
        Tags: [{ Key: 'k', Value: { Ref: 'P' } }],
      }),
      B: role({}),
      C: { ...role({}), DependsOn: ['A'] },
    };
    expect(resourceReferences(resources)).toEqual([
      { from: 'A', path: 'Properties.RoleName', to: 'B', via: 'Ref B' },
      { from: 'A', path: 'Properties.Path', to: 'B', via: 'Fn::GetAtt B.Arn' },
      { from: 'A', path: 'Properties.Description', to: 'C', via: 'Fn::Sub ${C.Arn}' },
      { from: 'A', path: 'Properties.Description', to: 'B', via: 'Fn::Sub ${B}' },
      { from: 'A', path: 'Properties.Description.Fn::Sub[1].Var', to: 'C', via: 'Fn::GetAtt C.RoleId' },
    ]);
  });
});

describe('TemplateModel.parse refuses what CloudFormation refuses and would make readers recurse', () => {
  test('a resource whose property uses its own attribute', () => {
    expect(() => model({ Resources: { Role: role({ RoleName: { 'Fn::GetAtt': ['Role', 'Arn'] } }) } })).toThrow(
      'test.template.json: Role.Properties.RoleName "Fn::GetAtt Role.Arn" refers to its own resource; CloudFormation refuses such a template ("Circular dependency between resources: [Role]"). Fix: remove one of these references',
    );
  });

  test('a cycle of Fn::GetAtt and Fn::Sub between two resources, resources named in order', () => {
    const template = gateTemplate({ role: { Description: { 'Fn::Sub': 'used by ${Profile.ProfileArn}' } } });
    expect(() => model(template)).toThrow(
      'test.template.json: resources "Role → Profile → Role" refer to each other in a cycle (Role.Properties.Description → Fn::Sub ${Profile.ProfileArn}; Profile.Properties.RoleArns[0] → Fn::GetAtt Role.Arn); CloudFormation refuses such a template ("Circular dependency between resources: [Role, Profile]")',
    );
  });

  test('DependsOn both ways is not a reference any reader follows', () => {
    expect(() => model({ Resources: { A: { ...role({}), DependsOn: 'B' }, B: { ...role({}), DependsOn: 'A' } } })).not.toThrow();
  });

  test('a condition that refers to a resource', () => {
    const template = { Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Role' }, 'prod'] } }, Resources: { Role: role({ RoleName: { 'Fn::If': ['IsProd', 'a', 'b'] } }) } };
    expect(() => checkTemplateReferences(template, 't.json')).toThrow(
      't.json: Conditions.IsProd.Fn::Equals[0] "Ref Role" refers to resource Role; CloudFormation allows only parameters, pseudo parameters and other conditions in Conditions',
    );
  });

  test('a mapping whose value looks itself up resolves to an unknown, not a stack overflow', () => {
    const mappings = { M: { a: { b: { 'Fn::FindInMap': ['M', 'a', 'b'] } } } };
    const resolved = resolveIntrinsics({ 'Fn::FindInMap': ['M', 'a', 'b'] }, { ref: () => null, getAtt: () => null, condition: () => undefined, mappings });
    expect(resolved).toEqual({ symbolic: 'unknown', reason: 'mapping M.a.b, which is not a string or a list of strings (CloudFormation allows nothing else in Mappings)' });
  });
});
