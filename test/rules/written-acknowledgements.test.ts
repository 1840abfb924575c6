import { assemblyAcknowledgements, resourceAcknowledgements } from '../../lib/rules/written-acknowledgements';

describe('acknowledgements written into output', () => {
  test('a resource’s own: rule ID → reason; a reason that is not a string counts as none (the finding then stays open)', () => {
    expect(resourceAcknowledgements({ 'attestgate:acknowledgements': { 'AG-AWS-005': 'a real reason', 'AG-AWS-007': 42 } }, 't: Role')).toEqual([
      { ruleId: 'AG-AWS-005', reason: 'a real reason', at: 't: Role', via: 'attestgate' },
      { ruleId: 'AG-AWS-007', reason: '', at: 't: Role', via: 'attestgate' },
    ]);
    expect(resourceAcknowledgements(undefined, 'x')).toEqual([]);
    expect(resourceAcknowledgements({ 'attestgate:acknowledgements': ['AG-AWS-005'] }, 'x')).toEqual([]);
  });

  test('a cloud assembly’s: by logical ID, the resource’s construct first, then its ancestors', () => {
    const byLogicalId = assemblyAcknowledgements({
      '/S': [{ type: 'attestgate:acknowledgement', data: { ruleId: 'AG-AWS-004', reason: 'stack-wide reason' } }],
      '/S/Role': [{ type: 'aws:cdk:acknowledged-rules', data: { 'attestgate::AG-AWS-004': 'role reason', 'AG-AWS-005': 'other reason' } }],
      '/S/Role/Resource': [{ type: 'aws:cdk:logicalId', data: 'RoleABC' }],
      '/S/Other/Resource': [{ type: 'aws:cdk:logicalId', data: 'OtherDEF' }],
    });
    expect(byLogicalId.get('RoleABC')!.map((a) => `${a.ruleId} ${a.at} ${a.via}`)).toEqual(['AG-AWS-004 /S/Role aws-cdk-lib', 'AG-AWS-005 /S/Role aws-cdk-lib', 'AG-AWS-004 /S attestgate']);
    expect(byLogicalId.get('OtherDEF')!.map((a) => a.reason)).toEqual(['stack-wide reason']);
  });

  test('a stack with a nested stack: each template\'s resources by their own logical IDs — an acknowledgement of the nested "Role" is not the parent "Role"\'s', () => {
    const metadata = {
      '/Parent': [{ type: 'aws:cdk:templateFile', data: 'Parent.template.json' }],
      '/Parent/Role': [{ type: 'aws:cdk:logicalId', data: 'Role' }],
      '/Parent/Roles': [
        { type: 'aws:cdk:templateFile', data: 'ParentRoles1A2B3C4D.nested.template.json' },
        { type: 'attestgate:acknowledgement', data: { ruleId: 'AG-AWS-005', reason: 'nested stack reason' } },
      ],
      '/Parent/Roles/Role': [{ type: 'aws:cdk:logicalId', data: 'Role' }],
      '/Parent/Roles.NestedStack/Roles.NestedStackResource': [{ type: 'aws:cdk:logicalId', data: 'RolesNestedStackResource' }],
    };
    expect(assemblyAcknowledgements(metadata, 'ParentRoles1A2B3C4D.nested.template.json').get('Role')!.map((a) => `${a.ruleId} ${a.at}`)).toEqual(['AG-AWS-005 /Parent/Roles']);
    expect(assemblyAcknowledgements(metadata, 'Parent.template.json').get('Role')).toBeUndefined();
    expect([...assemblyAcknowledgements(metadata, 'Parent.template.json').keys()]).toEqual([]);
  });
});
