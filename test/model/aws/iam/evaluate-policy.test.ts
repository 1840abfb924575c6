import { AttestGateError } from '../../../../lib/core/errors';
import { ContextValue, RequestContext, evaluatePolicyDocument, evaluateResourcePolicy, parsePolicyDocument } from '../../../../lib/model/aws/iam';

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/deployer`;
const ANCHOR = `arn:aws:rolesanywhere:us-east-1:${ACCOUNT}:trust-anchor/ta-1111`;
const ROLES_ANYWHERE = { type: 'Service', id: 'rolesanywhere.amazonaws.com' } as const;
const ACTIONS = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'];

/** The trust policy the Roles Anywhere user guide recommends: pin the trust anchor and certificate attributes. */
const PINNED_TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'RolesAnywhere',
      Effect: 'Allow',
      Principal: { Service: 'rolesanywhere.amazonaws.com' },
      Action: ACTIONS,
      Condition: {
        ArnEquals: { 'aws:SourceArn': ANCHOR },
        StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'deployer', 'aws:PrincipalTag/x509Issuer/CN': 'attestgate Agents CA' },
      },
    },
  ],
};

/** What Roles Anywhere puts in the request context for a certificate with CN=deployer. */
const CERTIFICATE_CONTEXT: Record<string, ContextValue> = {
  'aws:SourceArn': ANCHOR,
  'aws:SourceAccount': ACCOUNT,
  'aws:PrincipalTag/x509Subject/CN': 'deployer',
  'aws:PrincipalTag/x509Issuer/CN': 'attestgate Agents CA',
  'aws:PrincipalTag/x509SAN/URI': 'spiffe://prod.example/agent/deployer',
  'sts:SourceIdentity': 'CN=deployer',
};

const request = (overrides: Partial<RequestContext> = {}): RequestContext => ({
  principal: ROLES_ANYWHERE,
  action: 'sts:AssumeRole',
  resource: ROLE,
  context: CERTIFICATE_CONTEXT,
  ...overrides,
});

describe('evaluateResourcePolicy: a Roles Anywhere trust policy', () => {
  test.each(ACTIONS)('allows %s for the pinned certificate through the pinned trust anchor', (action) => {
    expect(evaluateResourcePolicy(PINNED_TRUST_POLICY, request({ action }))).toEqual({
      decision: 'Allow',
      matchedStatements: [0],
      explanation: ['Statement 0 (Sid "RolesAnywhere") Allow: applies', 'Decision: Allow (statement 0 allows and no statement denies)'],
    });
  });

  test('denies a certificate from another trust anchor of the account (the confused-deputy case)', () => {
    const result = evaluateResourcePolicy(PINNED_TRUST_POLICY, request({ context: { ...CERTIFICATE_CONTEXT, 'aws:SourceArn': ANCHOR.replace('ta-1111', 'ta-attacker') } }));
    expect(result.decision).toBe('ImplicitDeny');
    expect(result.matchedStatements).toEqual([]);
    expect(result.explanation[0]).toBe(
      `Statement 0 (Sid "RolesAnywhere") Allow: does not apply: Condition ArnEquals aws:SourceArn = ["${ANCHOR}"]: fails (request value "${ANCHOR.replace('ta-1111', 'ta-attacker')}")`,
    );
  });

  test('denies another certificate subject, and a certificate whose CN was not mapped to a tag', () => {
    expect(evaluateResourcePolicy(PINNED_TRUST_POLICY, request({ context: { ...CERTIFICATE_CONTEXT, 'aws:PrincipalTag/x509Subject/CN': 'reader' } })).decision).toBe('ImplicitDeny');
    const { 'aws:PrincipalTag/x509Subject/CN': _cn, ...unmapped } = CERTIFICATE_CONTEXT;
    expect(evaluateResourcePolicy(PINNED_TRUST_POLICY, request({ context: unmapped })).decision).toBe('ImplicitDeny');
  });

  test('denies other principals and actions', () => {
    expect(evaluateResourcePolicy(PINNED_TRUST_POLICY, request({ principal: { type: 'Service', id: 'ec2.amazonaws.com' } })).decision).toBe('ImplicitDeny');
    expect(evaluateResourcePolicy(PINNED_TRUST_POLICY, request({ principal: { type: 'AWS', id: `arn:aws:iam::${ACCOUNT}:root` } })).decision).toBe('ImplicitDeny');
    expect(evaluateResourcePolicy(PINNED_TRUST_POLICY, request({ action: 'sts:AssumeRoleWithWebIdentity' })).explanation[0]).toBe(
      'Statement 0 (Sid "RolesAnywhere") Allow: does not apply: Action ["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"] does not cover sts:AssumeRoleWithWebIdentity',
    );
  });

  test('a negative condition on an unmapped attribute allows unless Null pins its presence', () => {
    const quarantine = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'rolesanywhere.amazonaws.com' }, Action: ACTIONS, Condition: { StringNotEquals: { 'aws:PrincipalTag/x509Subject/OU': 'Quarantine' } } }],
    };
    expect(evaluateResourcePolicy(quarantine, request()).decision).toBe('Allow');
    const guarded = structuredClone(quarantine) as typeof quarantine & { Statement: Array<{ Condition: Record<string, unknown> }> };
    guarded.Statement[0].Condition.Null = { 'aws:PrincipalTag/x509Subject/OU': 'false' };
    expect(evaluateResourcePolicy(guarded, request()).decision).toBe('ImplicitDeny');
    expect(evaluateResourcePolicy(guarded, request({ context: { ...CERTIFICATE_CONTEXT, 'aws:PrincipalTag/x509Subject/OU': 'Engineering' } })).decision).toBe('Allow');
  });

  test('the split-statement variant pins the source identity with a policy variable', () => {
    const split = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'rolesanywhere.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
          Condition: { StringEquals: { 'sts:SourceIdentity': 'CN=${aws:PrincipalTag/x509Subject/CN}' }, ArnEquals: { 'aws:SourceArn': ANCHOR } },
        },
        { Effect: 'Allow', Principal: { Service: 'rolesanywhere.amazonaws.com' }, Action: 'sts:TagSession', Condition: { StringLike: { 'aws:PrincipalTag/x509SAN/URI': 'spiffe://prod.example/*' } } },
      ],
    };
    expect(evaluateResourcePolicy(split, request({ action: 'sts:SetSourceIdentity' })).matchedStatements).toEqual([0]);
    expect(evaluateResourcePolicy(split, request({ action: 'sts:TagSession' })).matchedStatements).toEqual([1]);
    expect(evaluateResourcePolicy(split, request({ context: { ...CERTIFICATE_CONTEXT, 'sts:SourceIdentity': 'CN=someone-else' } })).decision).toBe('ImplicitDeny');
    // Without "Version": "2012-10-17" the variable is literal text, so the same policy no longer allows.
    expect(evaluateResourcePolicy({ Statement: split.Statement }, request()).decision).toBe('ImplicitDeny');
  });
});

describe('evaluateResourcePolicy: evaluation logic', () => {
  const allow = { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' };

  test('an applying Deny overrides any Allow, and every applying statement is listed', () => {
    const policy = { Version: '2012-10-17', Statement: [allow, { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] };
    const insecure = evaluateResourcePolicy(policy, request({ context: { 'aws:SecureTransport': 'false' } }));
    expect(insecure.decision).toBe('ExplicitDeny');
    expect(insecure.matchedStatements).toEqual([0, 1]);
    expect(insecure.explanation.at(-1)).toBe('Decision: ExplicitDeny (statement 1 denies)');
    expect(evaluateResourcePolicy(policy, request({ context: { 'aws:SecureTransport': 'true' } })).decision).toBe('Allow');
  });

  test('no applying statement, or no statement at all, is an implicit deny', () => {
    expect(evaluateResourcePolicy({ Version: '2012-10-17', Statement: [] }, request())).toEqual({
      decision: 'ImplicitDeny',
      matchedStatements: [],
      explanation: ['Decision: ImplicitDeny (no statement allows)'],
    });
  });

  test('actions match case-insensitively with wildcards', () => {
    for (const action of ['sts:assumerole', 'STS:AssumeRole', 'sts:Assume*', 'sts:AssumeRol?', 'sts:*', '*']) {
      expect(evaluateResourcePolicy({ Statement: [{ ...allow, Action: action }] }, request()).decision).toBe('Allow');
    }
    expect(evaluateResourcePolicy({ Statement: [{ ...allow, Action: 'sts:Assume' }] }, request()).decision).toBe('ImplicitDeny');
  });

  test('NotAction applies to every action it does not name', () => {
    const policy = { Statement: [{ Effect: 'Allow', Principal: '*', NotAction: 'sts:TagSession' }] };
    expect(evaluateResourcePolicy(policy, request()).decision).toBe('Allow');
    expect(evaluateResourcePolicy(policy, request({ action: 'sts:TagSession' })).explanation[0]).toBe(
      'Statement 0 Allow: does not apply: NotAction "sts:TagSession" covers sts:TagSession',
    );
  });

  test('NotPrincipal with Deny denies everyone it does not name, at any level', () => {
    const user = { type: 'AWS', id: `arn:aws:iam::${ACCOUNT}:user/probe` } as const;
    const policy = (notPrincipal: unknown) => ({ Statement: [allow, { Effect: 'Deny', NotPrincipal: notPrincipal, Action: 'sts:AssumeRole' }] });
    expect(evaluateResourcePolicy(policy({ AWS: user.id }), request({ principal: user })).decision).toBe('Allow');
    expect(evaluateResourcePolicy(policy({ AWS: ACCOUNT }), request({ principal: user })).decision).toBe('Allow');
    expect(evaluateResourcePolicy(policy({ AWS: user.id }), request()).decision).toBe('ExplicitDeny');
    expect(evaluateResourcePolicy(policy({ Service: 'rolesanywhere.amazonaws.com' }), request()).explanation[1]).toBe(
      'Statement 1 Deny: does not apply: NotPrincipal Service rolesanywhere.amazonaws.com covers Service rolesanywhere.amazonaws.com',
    );
  });

  test('Resource and NotResource match the role ARN component by component', () => {
    const withResource = (element: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [{ ...allow, ...element }] });
    expect(evaluateResourcePolicy(withResource({ Resource: ROLE }), request()).decision).toBe('Allow');
    expect(evaluateResourcePolicy(withResource({ Resource: [`arn:aws:iam::${ACCOUNT}:role/other`, 'arn:aws:iam::*:role/deploy*'] }), request()).decision).toBe('Allow');
    expect(evaluateResourcePolicy(withResource({ Resource: `arn:aws:iam::${ACCOUNT}:role/Deployer` }), request()).decision).toBe('ImplicitDeny');
    expect(evaluateResourcePolicy(withResource({ Resource: `arn:aws:iam::${ACCOUNT}:role/\${aws:PrincipalTag/x509Subject/CN}` }), request()).decision).toBe('Allow');
    expect(evaluateResourcePolicy(withResource({ NotResource: `arn:aws:iam::${ACCOUNT}:role/other` }), request()).decision).toBe('Allow');
    expect(evaluateResourcePolicy(withResource({ NotResource: ROLE }), request()).decision).toBe('ImplicitDeny');
    // An entry that cannot be compared does not count as "another resource".
    expect(evaluateResourcePolicy(withResource({ NotResource: `arn:aws:iam::${ACCOUNT}:role/\${aws:PrincipalTag/missing}` }), request()).decision).toBe('ImplicitDeny');
    // A request without a resource is covered only by "*".
    expect(evaluateResourcePolicy(withResource({ Resource: '*' }), request({ resource: undefined })).decision).toBe('Allow');
    expect(evaluateResourcePolicy(withResource({ Resource: ROLE }), request({ resource: undefined })).explanation[0]).toBe(
      `Statement 0 Allow: does not apply: Resource ["${ROLE}"] does not cover the request, which names no resource`,
    );
  });

  test('an unknown condition operator makes its statement not apply, Allow and Deny alike', () => {
    const typo = { StringEqualz: { 'aws:PrincipalTag/x509Subject/CN': 'deployer' } };
    expect(evaluateResourcePolicy({ Statement: [{ ...allow, Condition: typo }] }, request()).decision).toBe('ImplicitDeny');
    expect(evaluateResourcePolicy({ Statement: [allow, { ...allow, Effect: 'Deny', Condition: typo }] }, request()).decision).toBe('Allow');
  });

  test('a cross-account principal is trusted by its ARN or its account', () => {
    const auditor = { type: 'AWS', id: 'arn:aws:iam::999988887777:user/auditor' } as const;
    expect(evaluateResourcePolicy({ Statement: [{ ...allow, Principal: { AWS: '999988887777' } }] }, request({ principal: auditor })).decision).toBe('Allow');
    expect(evaluateResourcePolicy({ Statement: [{ ...allow, Principal: { AWS: ACCOUNT } }] }, request({ principal: auditor })).decision).toBe('ImplicitDeny');
  });

  test('evaluatePolicyDocument evaluates a policy read once', () => {
    const document = parsePolicyDocument(PINNED_TRUST_POLICY);
    expect(evaluatePolicyDocument(document, request()).decision).toBe('Allow');
    expect(evaluatePolicyDocument(document, request({ action: 'sts:GetCallerIdentity' })).decision).toBe('ImplicitDeny');
  });

  test('a malformed policy or request throws an AttestGateError naming the policy', () => {
    expect(() => evaluateResourcePolicy({ Statement: [{ ...allow, Effect: 'Permit' }] }, request(), { where: 'trust policy of role deployer' })).toThrow(
      'trust policy of role deployer: Statement[0].Effect "Permit" is not "Allow" or "Deny". Fix: write "Effect": "Allow" or "Effect": "Deny" (case-sensitive)',
    );
    expect(() => evaluateResourcePolicy(PINNED_TRUST_POLICY, request({ action: 'AssumeRole' }))).toThrow(AttestGateError);
  });
});
