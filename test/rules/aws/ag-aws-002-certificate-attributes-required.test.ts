import { certificateAttributesRequired } from '../../../lib/rules/aws/ag-aws-002-certificate-attributes-required';
import { attestedStatement, gateTemplate, model } from '../../fixtures/templates';

const pin = { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] } } };
const withConditions = (conditions: Record<string, unknown>) => model(gateTemplate({ statements: [attestedStatement({ Condition: { ...pin, ...conditions } })] }));

describe("AG-AWS-002: a role trusted by Roles Anywhere requires the agent's subject or SAN", () => {
  test('Noncompliance 1: only the trust anchor pin', () => {
    expect(certificateAttributesRequired.evaluate(withConditions({}))).toEqual([
      expect.objectContaining({ resource: 'Role', outcome: 'violation', message: expect.stringContaining('accepts any certificate of its trust anchors') }),
    ]);
  });

  test('Noncompliance 2: only the issuer is pinned', () => {
    expect(certificateAttributesRequired.evaluate(withConditions({ StringEquals: { 'aws:PrincipalTag/x509Issuer/CN': 'Agents CA' } }))).toHaveLength(1);
  });

  test('Noncompliance 3: a bare wildcard, or IfExists (absent attribute passes)', () => {
    expect(certificateAttributesRequired.evaluate(withConditions({ StringLike: { 'aws:PrincipalTag/x509Subject/CN': '*' } }))[0].message).toContain('bare wildcard');
    expect(certificateAttributesRequired.evaluate(withConditions({ StringEqualsIfExists: { 'aws:PrincipalTag/x509Subject/CN': 'deployer' } }))).toHaveLength(1);
  });

  test('Noncompliance 4: a negated operator is not a requirement', () => {
    expect(certificateAttributesRequired.evaluate(withConditions({ StringNotEquals: { 'aws:PrincipalTag/x509Subject/CN': 'attacker' } }))).toHaveLength(1);
  });

  test('Compliance: subject CN, SAN URI, a SAN DNS pattern, or source identity', () => {
    for (const condition of [
      { StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'deployer' } },
      { StringEquals: { 'aws:PrincipalTag/x509SAN/URI': 'spiffe://prod.example/agent/deployer' } },
      { StringLike: { 'aws:PrincipalTag/x509SAN/DNS': '*.agents.prod.example' } },
      { StringEquals: { 'sts:SourceIdentity': 'CN=deployer' } },
      { StringEquals: { 'AWS:PRINCIPALTAG/X509SUBJECT/CN': 'deployer' } },
    ]) {
      expect(certificateAttributesRequired.evaluate(withConditions(condition))).toEqual([]);
    }
  });

  test('Unjudgeable: compared with a parameter', () => {
    const template = gateTemplate({
      parameters: { Cn: { Type: 'String' } },
      statements: [attestedStatement({ Condition: { ...pin, StringEquals: { 'aws:PrincipalTag/x509Subject/CN': { Ref: 'Cn' } } } })],
    });
    expect(certificateAttributesRequired.evaluate(model(template))).toEqual([expect.objectContaining({ outcome: 'unjudgeable' })]);
  });
});
