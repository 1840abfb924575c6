import { anchoredLiteralPrefix, prefixClosure, subjectConstraint, subjectPaths } from '../../../../lib/model/gcp/cel/condition-analysis';

const oidc = (condition: string, mapping?: Record<string, string | undefined>) => subjectConstraint({ condition, kind: 'oidc', mapping });

describe('subjectConstraint', () => {
  test.each([
    ["assertion.sub == 'spiffe://prod.example/agent/deployer'", 'assertion.sub == "spiffe://prod.example/agent/deployer"'],
    ["'spiffe://prod.example/agent/deployer' == assertion.sub && 'gcp' in assertion.aud", 'assertion.sub == "spiffe://prod.example/agent/deployer"'],
    ["assertion['sub'] in ['spiffe://a/x', 'spiffe://a/y']", 'assertion.sub in ["spiffe://a/x", "spiffe://a/y"]'],
    ["assertion.sub.startsWith('spiffe://prod.example/agent/')", 'the subject starts with "spiffe://prod.example/agent/"'],
    ["assertion.sub.matches('^spiffe://prod\\\\.example/agent/[a-z]+$')", 'the subject starts with "spiffe://prod.example/agent/"'],
    ["!(assertion.sub != 'spiffe://a/x')", 'assertion.sub == "spiffe://a/x"'],
    ["assertion.sub == 'spiffe://a/x' || assertion.sub == 'spiffe://a/y'", 'assertion.sub == "spiffe://a/x" and assertion.sub == "spiffe://a/y"'],
    ["assertion.iss == 'x' ? assertion.sub == 'spiffe://a/x' : assertion.sub == 'spiffe://a/y'", 'assertion.sub == "spiffe://a/x" and assertion.sub == "spiffe://a/y"'],
    ['false', 'the condition is never true: it rejects every credential'],
  ])('constrains: %s', (condition, how) => {
    expect(oidc(condition)).toEqual({ holds: true, how });
  });

  test.each([
    ['true', 'the condition is always true'],
    ["'gcp' in assertion.aud", 'the condition does not test the subject (assertion.sub)'],
    ["assertion.sub != 'spiffe://evil/x'", 'deny-list'],
    ["!(assertion.sub in ['spiffe://evil/x'])", 'deny-list'],
    ["assertion.sub == 'spiffe://a/x' || 'gcp' in assertion.aud", 'does not test the subject'],
    ["assertion.sub.startsWith('spiffe://prod.example')", '"spiffe://prod.example.attacker.example/" matches too'],
    ["assertion.sub.startsWith('spiffe://')", 'does not end its host'],
    ["assertion.sub.endsWith('/deployer')", 'referenced, but not compared'],
    ["assertion.sub.contains('prod')", 'referenced, but not compared'],
    ['assertion.sub == assertion.email', 'compared with an expression, not a literal'],
    ["assertion.sub.matches('spiffe://prod.example/.*')", 'not anchored'],
    ["assertion.sub.matches('^(spiffe|x)://.*')", 'not restricted to a literal prefix'],
    ["assertion.sub in [assertion.email]", 'non-literal entries'],
    ["!assertion.sub.startsWith('spiffe://evil.example/')", 'deny-list'],
    ["!assertion.sub.matches('^spiffe://evil\\.example/')", 'deny-list'],
    ["assertion.sub == ", 'not valid CEL'],
  ])('does not constrain: %s', (condition, why) => {
    const result = oidc(condition);
    expect(result.holds).toBe(false);
    expect((result as { why: string }).why).toContain(why);
  });

  test('mapped attributes count only when mapped from the bare subject claim', () => {
    expect(oidc("attribute.spiffe_id == 'spiffe://a/x'", { 'google.subject': 'assertion.sub', 'attribute.spiffe_id': 'assertion.sub' }).holds).toBe(true);
    expect(oidc("google.subject == 'spiffe://a/x'", { 'google.subject': 'assertion.sub' }).holds).toBe(true);
    // extract() finds its prefix anywhere in the input, so the extracted value does not pin the subject.
    expect(oidc("google.subject == 'agent/x'", { 'google.subject': "assertion.sub.extract('spiffe://a/{path}')" }).holds).toBe(false);
  });

  test('per-kind subject claims, with GCP default mappings', () => {
    expect(subjectConstraint({ condition: "assertion.san.uri == 'spiffe://a/x'", kind: 'x509' }).holds).toBe(true);
    expect(subjectConstraint({ condition: "google.subject == 'deployer'", kind: 'x509' }).holds).toBe(true);
    expect(subjectConstraint({ condition: "google.subject.startsWith('arn:aws:sts::123456789012:assumed-role/deployer/')", kind: 'aws' }).holds).toBe(true);
    expect(subjectConstraint({ condition: "assertion.account == '123456789012'", kind: 'aws' })).toEqual({ holds: false, why: expect.stringContaining('does not test the subject (assertion.arn, google.subject)') });
    expect(subjectConstraint({ condition: "assertion.arn.startsWith('arn:aws:sts::123456789012:assumed-role/')", kind: 'aws' })).toEqual({ holds: false, why: expect.stringContaining('does not name one role') });
    expect(subjectConstraint({ condition: "assertion.subject == 'user@example.com'", kind: 'saml' }).holds).toBe(true);
  });

  test('values known only at apply: a placeholder in a literal still pins; elsewhere it is unjudgeable', () => {
    const placeholders = new Map([['__attestgate_tf_0__', 'var.spiffe_id']]);
    expect(subjectConstraint({ condition: "assertion.sub == '__attestgate_tf_0__'", kind: 'oidc', placeholders })).toEqual({ holds: true, how: 'assertion.sub == "${var.spiffe_id}"' });
    expect(subjectConstraint({ condition: "assertion.sub.startsWith('__attestgate_tf_0__')", kind: 'oidc', placeholders }).holds).toBeUndefined();
    // The known part stops at the trust domain: what follows decides, and it is known only at apply.
    expect(subjectConstraint({ condition: "assertion.sub.startsWith('spiffe://a/__attestgate_tf_0__')", kind: 'oidc', placeholders }).holds).toBeUndefined();
    expect(subjectConstraint({ condition: "assertion.sub.startsWith('spiffe://a/agent/__attestgate_tf_0__')", kind: 'oidc', placeholders }).holds).toBe(true);
    expect(subjectConstraint({ condition: '__attestgate_tf_0__', kind: 'oidc', placeholders })).toEqual({ holds: undefined, why: 'part of the condition is var.spiffe_id, known only at apply' });
    expect(subjectConstraint({ condition: "assertion.sub == __attestgate_tf_0__'", kind: 'oidc', placeholders }).holds).toBeUndefined();
    expect(subjectConstraint({ condition: "attribute.x == 'y'", kind: 'oidc', mapping: { 'google.subject': 'assertion.sub', 'attribute.x': undefined } }).holds).toBeUndefined();
  });

  test('subjectPaths', () => {
    expect([...subjectPaths('oidc', { 'google.subject': 'assertion.sub', 'attribute.a': "assertion['sub']", 'attribute.b': 'assertion.email', 'attribute.c': 'not valid ==' })].sort()).toEqual([
      'assertion.sub',
      'attribute.a',
      'google.subject',
    ]);
  });
});

describe('prefix helpers', () => {
  test.each([
    ['spiffe://prod.example/', 'oidc', false],
    ['spiffe://prod.example/agent/', 'oidc', true],
    ['spiffe://prod.example', 'oidc', false],
    ['https://issuer.example/', 'oidc', true],
    ['https://issuer.example', 'oidc', false],
    ['system:serviceaccount:prod:', 'oidc', true],
    ['repo:', 'oidc', false],
    ['', 'oidc', false],
    ['arn:aws:sts::123456789012:assumed-role/deployer/', 'aws', true],
    ['arn:aws:sts::123456789012:assumed-role/', 'aws', false],
  ] as const)('prefixClosure(%s, %s) = %s', (prefix, kind, ok) => {
    expect(prefixClosure(prefix, kind).ok).toBe(ok);
  });

  test.each([
    ['^spiffe://prod\\.example/agent/.*$', 'spiffe://prod.example/agent/'],
    ['^abc?', 'ab'],
    ['^a|b', undefined],
    ['abc', undefined],
    ['^\\d+', ''],
  ])('anchoredLiteralPrefix(%s)', (pattern, prefix) => {
    expect(anchoredLiteralPrefix(pattern)).toBe(prefix);
  });
});
