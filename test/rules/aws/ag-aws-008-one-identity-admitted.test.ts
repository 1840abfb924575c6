import { oneIdentityAdmitted } from '../../../lib/rules/aws/ag-aws-008-one-identity-admitted';
import { attestedStatement, gateTemplate, model } from '../../fixtures/templates';

const CN = 'aws:PrincipalTag/x509Subject/CN';
const SAN = 'aws:PrincipalTag/x509SAN/URI';
const SPIFFE = 'spiffe://prod.example/agent/deployer';
const judge = (condition: Record<string, unknown>) =>
  oneIdentityAdmitted.evaluate(model(gateTemplate({ statements: [attestedStatement({ Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['Anchor', 'TrustAnchorArn'] } }, ...condition } })] })));

describe('AG-AWS-008: the certificate conditions admit one identity, not a family', () => {
  test('Compliance: the exact CN and SPIFFE ID; a CN pattern next to an exact SPIFFE ID (the SPIFFE ID names the workload)', () => {
    expect(judge({ StringEquals: { [CN]: 'deployer', [SAN]: SPIFFE } })).toEqual([]);
    expect(judge({ StringEquals: { [SAN]: SPIFFE }, StringLike: { [CN]: 'deploy*' } })).toEqual([]);
  });

  test.each([
    ['a SPIFFE ID prefix that stops at the trust domain', { StringEquals: { [CN]: 'deployer' }, StringLike: { [SAN]: 'spiffe://prod.example/*' } }, /x509SAN\/URI values besides "spiffe:\/\/prod\.example\/x", e\.g\./],
    ['a second SPIFFE ID', { StringEquals: { [CN]: 'deployer', [SAN]: [SPIFFE, 'spiffe://prod.example/agent/builder'] } }, /e\.g\. "spiffe:\/\/prod\.example\/agent\/builder"/],
    ['a case-insensitive SPIFFE ID', { StringEquals: { [CN]: 'deployer' }, StringEqualsIgnoreCase: { [SAN]: SPIFFE } }, /e\.g\. "SPIFFE:\/\/PROD\.EXAMPLE\/AGENT\/DEPLOYER"/],
    ['a CN pattern with no SPIFFE ID pinned', { StringLike: { [CN]: 'deploy*' } }, /x509Subject\/CN values besides "deployx"/],
  ])('Noncompliance: %s', (_what, condition, message) => {
    const findings = judge(condition);
    expect(findings).toEqual([expect.objectContaining({ resource: 'Role', outcome: 'violation', location: 'Properties/AssumeRolePolicyDocument/Statement/0/Condition' })]);
    expect(findings[0].message).toMatch(message);
  });
});
