import { absentAttributeChecked } from '../../../lib/rules/aws/ag-aws-003-absent-attribute-checked';
import { attestedStatement, gateTemplate, model } from '../../fixtures/templates';

const base = attestedStatement().Condition as Record<string, unknown>;
const withExtra = (extra: Record<string, unknown>) => model(gateTemplate({ statements: [attestedStatement({ Condition: { ...base, ...extra } })] }));

describe('AG-AWS-003: negated or IfExists conditions on x509 tags have a presence check', () => {
  test('Noncompliance 1: StringNotEquals on the issuer OU without Null', () => {
    expect(absentAttributeChecked.evaluate(withExtra({ StringNotEquals: { 'aws:PrincipalTag/x509Issuer/OU': 'Untrusted' } }))).toEqual([
      expect.objectContaining({
        resource: 'Role',
        outcome: 'violation',
        location: 'Properties/AssumeRolePolicyDocument/Statement/0/Condition/StringNotEquals',
        message: expect.stringContaining('StringNotEquals on aws:PrincipalTag/x509Issuer/OU is true for a certificate that lacks the attribute'),
      }),
    ]);
  });

  test('Noncompliance 2: an IfExists operator and a ForAllValues qualifier', () => {
    expect(absentAttributeChecked.evaluate(withExtra({ StringLikeIfExists: { 'aws:PrincipalTag/x509Subject/OU': 'Agents' } }))).toHaveLength(1);
    expect(absentAttributeChecked.evaluate(withExtra({ 'ForAllValues:StringEquals': { 'aws:PrincipalTag/x509Subject/OU': ['Agents'] } }))).toHaveLength(1);
  });

  test('Noncompliance 3: Null true is not a presence check', () => {
    expect(absentAttributeChecked.evaluate(withExtra({ StringNotLike: { 'aws:PrincipalTag/x509Subject/OU': 'x*' }, Null: { 'aws:PrincipalTag/x509Subject/OU': 'true' } }))).toHaveLength(1);
  });

  test('Compliance: with a Null false presence check, or a positive operator on the same key', () => {
    expect(absentAttributeChecked.evaluate(withExtra({ StringNotEquals: { 'aws:PrincipalTag/x509Issuer/OU': 'Untrusted' }, Null: { 'aws:PrincipalTag/x509Issuer/OU': 'false' } }))).toEqual([]);
    expect(absentAttributeChecked.evaluate(withExtra({ StringNotEquals: { 'aws:PrincipalTag/x509Subject/CN': 'root' } }))).toEqual([]);
  });

  test('judged with the IAM evaluator: ForAnyValue fails for an absent key, so it is no loophole; a presence check not known at synth cannot close one', () => {
    expect(absentAttributeChecked.evaluate(withExtra({ 'ForAnyValue:StringNotEquals': { 'aws:PrincipalTag/x509Subject/OU': ['Quarantine'] } }))).toEqual([]);
    expect(
      absentAttributeChecked.evaluate(withExtra({ StringNotEquals: { 'aws:PrincipalTag/x509Issuer/OU': 'Untrusted' }, Null: { 'aws:PrincipalTag/x509Issuer/OU': { Ref: 'RequireOu' } } })),
    ).toHaveLength(1);
  });

  test('Compliance: negated operators on non-x509 keys are another rule’s business', () => {
    expect(absentAttributeChecked.evaluate(withExtra({ StringNotEquals: { 'aws:SourceAccount': '111122223333' } }))).toEqual([]);
  });
});
