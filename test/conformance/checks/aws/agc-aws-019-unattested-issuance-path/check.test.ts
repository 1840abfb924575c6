import { check } from '../../../../../conformance/checks/aws/agc-aws-019-unattested-issuance-path/check';
import { discoverAwsGates } from '../../../../../conformance/aws/discover-gates';
import { AwsProbeContext, ResolvedAwsGate } from '../../../../../conformance/aws/probe-context';
import { TemplateModel } from '../../../../../lib/model/aws/template';
import { ACKNOWLEDGED_PATHS_METADATA_KEY } from '../../../../../lib/model/aws/issuance-paths';
import { singleIssuancePath } from '../../../../../lib/rules/aws/ag-aws-004-single-issuance-path';
import { attestedStatement, gateTemplate } from '../../../../fixtures/templates';

/**
 * The check judges from the trust policy: no probe context is needed. Every case also runs
 * through the synth-time rule AG-AWS-004, which must agree: a FAIL is a violation, an
 * INCONCLUSIVE is unjudgeable, a PASS (or an acknowledged path, which the rule's own
 * acknowledgement covers) is no finding.
 */
async function judge(statements: unknown[], metadata?: Record<string, unknown>) {
  const template = gateTemplate({ statements: [attestedStatement(), ...statements] }) as { Resources: Record<string, Record<string, unknown>> };
  if (metadata) template.Resources.Role.Metadata = metadata;
  const model = TemplateModel.parse(template, 'brownfield.template.json');
  const [gate] = discoverAwsGates([{ stackName: 'brownfield', file: 'brownfield.template.json', model }]);
  const resolved = { gate, roleArn: 'arn:aws:iam::111122223333:role/brownfield-Role', trustAnchorArns: ['arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/a'], problems: [], revokedSerials: [], hasEnabledCrl: true } as unknown as ResolvedAwsGate;
  const verdict = await check.run(resolved, {} as AwsProbeContext);
  const findings = singleIssuancePath.evaluate(model).map((f) => f.outcome);
  if (!metadata) expect(findings).toEqual(verdict.status === 'FAIL' ? expect.arrayContaining(['violation']) : verdict.status === 'INCONCLUSIVE' ? expect.arrayContaining(['unjudgeable']) : []);
  return verdict;
}

const CI_ROLE = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/ci-deployer' }, Action: 'sts:AssumeRole' };

describe('AGC-AWS-019: no principal besides Roles Anywhere obtains the role’s credentials', () => {
  test('PASS when only Roles Anywhere issues them', async () => {
    expect(await judge([])).toMatchObject({ status: 'PASS', reason: 'only Roles Anywhere issues the role’s credentials (1 anchor × profile path)' });
  });

  test.each([
    ['a CI role of the account', CI_ROLE, /AWS arn:aws:iam::111122223333:role\/ci-deployer via sts:AssumeRole: AWS arn:aws:sts::111122223333:assumed-role\/ci-deployer\/attestgate-unattested-caller .*gets the credentials without a certificate/],
    ['the account root, written with Fn::Sub', { Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'sts:AssumeRole' }, /arn:aws:iam::111122223333:user\/attestgate-unattested-caller/],
    [
      'GitHub OIDC narrowed to a repository',
      { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/infra:*' }, StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } },
      /via sts:AssumeRoleWithWebIdentity .*token\.actions\.githubusercontent\.com:sub="repo:acme\/infra:x"/,
    ],
    ['a SAML provider', { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:saml-provider/Okta' }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } }, /saml-provider\/Okta via sts:AssumeRoleWithSAML/],
    ['* narrowed only by the organization', { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }, /aws:PrincipalOrgID="o-abc123"/],
    ['an EC2 instance role (a service)', { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }, /Service ec2\.amazonaws\.com/],
    ['NotPrincipal', { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:user/x' }, Action: 'sts:AssumeRole' }, /everyone except/],
    ['a tag condition a certificate would carry, met by a tagged IAM principal', { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'deployer' } } }, /aws:PrincipalTag\/x509Subject\/CN="deployer"/],
  ])('FAIL: %s', async (_what, statement, why) => {
    const verdict = await judge([statement]);
    expect(verdict.status).toBe('FAIL');
    expect(verdict.reason).toMatch(why);
  });

  test('a Deny that carves the path out closes it: PASS, with why each was refused', async () => {
    const verdict = await judge([CI_ROLE, { Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::111122223333:role/ci-deployer' }, Action: 'sts:AssumeRole' }]);
    expect(verdict).toMatchObject({ status: 'PASS', reason: expect.stringMatching(/ci-deployer via sts:AssumeRole: refused \(Decision: ExplicitDeny/) });
  });

  test('a Deny with a condition the caller can avoid does not close it', async () => {
    const verdict = await judge([CI_ROLE, { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringNotEquals: { 'aws:PrincipalAccount': '111122223333' } } }]);
    expect(verdict.status).toBe('FAIL');
  });

  test('acknowledged by path ID with a reason: INCONCLUSIVE, acknowledged — never PASS; a short reason does not count', async () => {
    const acknowledged = await judge([CI_ROLE], { [ACKNOWLEDGED_PATHS_METADATA_KEY]: { 'principal:AWS:arn:aws:iam::111122223333:role/ci-deployer': 'break-glass deploys, reviewed in SEC-123' } });
    expect(acknowledged).toMatchObject({ status: 'INCONCLUSIVE', acknowledged: 'principal:AWS:arn:aws:iam::111122223333:role/ci-deployer (break-glass deploys, reviewed in SEC-123)' });
    const short = await judge([CI_ROLE], { [ACKNOWLEDGED_PATHS_METADATA_KEY]: { 'principal:AWS:arn:aws:iam::111122223333:role/ci-deployer': 'ok' } });
    expect(short.status).toBe('FAIL');
    expect(short.reason).toMatch(/\(acknowledgements that do not count: principal:AWS:arn:aws:iam::111122223333:role\/ci-deployer: the reason "ok" is shorter than 10 characters\)$/);
  });
});
