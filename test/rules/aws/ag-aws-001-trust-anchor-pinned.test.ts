import { trustAnchorPinned } from '../../../lib/rules/aws/ag-aws-001-trust-anchor-pinned';
import { attestedStatement, gateTemplate, model } from '../../fixtures/templates';

const subjectOnly = { StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'deployer' } };

describe('AG-AWS-001: a role trusted by Roles Anywhere pins aws:SourceArn', () => {
  test('Noncompliance 1: no SourceArn condition at all', () => {
    const findings = trustAnchorPinned.evaluate(model(gateTemplate({ statements: [attestedStatement({ Condition: subjectOnly })] })));
    expect(findings).toEqual([
      expect.objectContaining({ resource: 'Role', outcome: 'violation', message: expect.stringContaining('statement 0 has no aws:SourceArn condition') }),
    ]);
  });

  test('Noncompliance 2: a wildcard trust-anchor ARN', () => {
    const findings = trustAnchorPinned.evaluate(
      model(gateTemplate({ statements: [attestedStatement({ Condition: { ...subjectOnly, ArnLike: { 'aws:SourceArn': 'arn:aws:rolesanywhere:*:111122223333:trust-anchor/*' } } })] })),
    );
    expect(findings[0]).toMatchObject({ outcome: 'violation', message: expect.stringContaining('is a wildcard, not one trust anchor') });
  });

  test('Noncompliance 3: pinned to an alias ARN, which can move', () => {
    const findings = trustAnchorPinned.evaluate(
      model(gateTemplate({ statements: [attestedStatement({ Condition: { ...subjectOnly, ArnEquals: { 'aws:SourceArn': 'arn:aws:rolesanywhere:eu-west-1:111122223333:alias/trust-anchor/agents' } } })] })),
    );
    expect(findings[0].message).toContain('is an alias ARN');
  });

  test('Noncompliance 4: one of two statements allowing AssumeRole is unpinned', () => {
    const findings = trustAnchorPinned.evaluate(
      model(gateTemplate({ statements: [attestedStatement(), attestedStatement({ Action: 'sts:*', Condition: subjectOnly })] })),
    );
    expect(findings).toHaveLength(1);
  });

  test('Noncompliance 5: SourceArn pinned to something that is not a trust anchor', () => {
    // Another Roles Anywhere resource, not the role's own profile: that would be a reference cycle CloudFormation refuses.
    const findings = trustAnchorPinned.evaluate(
      model(
        gateTemplate({
          statements: [attestedStatement({ Condition: { ...subjectOnly, ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['OtherProfile', 'ProfileArn'] } } } })],
          extra: { OtherProfile: { Type: 'AWS::RolesAnywhere::Profile', Properties: { Name: 'other', RoleArns: [] } } },
        }),
      ),
    );
    expect(findings[0].message).toContain('is not the TrustAnchorArn of a trust anchor');
  });

  test('Compliance: pinned by GetAtt, by literal canonical ARN, and by Sub with pseudo parameters', () => {
    for (const pin of [
      { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] },
      'arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/4f1d2a3b-aaaa-bbbb-cccc-1234567890ab',
      { 'Fn::Sub': 'arn:${AWS::Partition}:rolesanywhere:${AWS::Region}:${AWS::AccountId}:trust-anchor/4f1d2a3b' },
    ]) {
      const template = gateTemplate({ statements: [attestedStatement({ Condition: { ...subjectOnly, ArnEquals: { 'aws:SourceArn': pin } } })] });
      expect(trustAnchorPinned.evaluate(model(template))).toEqual([]);
    }
  });

  test('Compliance: split statements as in the Roles Anywhere guide (pin on AssumeRole only)', () => {
    const template = gateTemplate({
      statements: [
        attestedStatement({ Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }),
        attestedStatement({ Action: 'sts:TagSession', Condition: subjectOnly }),
      ],
    });
    expect(trustAnchorPinned.evaluate(model(template))).toEqual([]);
  });

  test('Compliance: roles not trusted by Roles Anywhere are not judged', () => {
    const template = gateTemplate({ statements: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    expect(trustAnchorPinned.evaluate(model(template))).toEqual([]);
  });

  test('Unjudgeable: pinned to a parameter', () => {
    const template = gateTemplate({
      parameters: { AnchorArn: { Type: 'String' } },
      statements: [attestedStatement({ Condition: { ...subjectOnly, ArnEquals: { 'aws:SourceArn': { Ref: 'AnchorArn' } } } })],
    });
    expect(trustAnchorPinned.evaluate(model(template))).toEqual([
      expect.objectContaining({ outcome: 'unjudgeable', message: expect.stringContaining('pins aws:SourceArn to ${parameter AnchorArn}, which is not known at synth') }),
    ]);
  });
});
