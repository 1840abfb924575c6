import { evaluateCel } from '../../lib/model/gcp/cel/environment';
import { FULL_SPIFFE_ID_ATTRIBUTE, checkAttributeCondition, federationPolicyFor } from '../../lib/gcp/federation-policy';
import { OidcSourceProps, WorkloadIdentitySource } from '../../lib/gcp/workload-identity-source';
import { deployerIdentity } from '../fixtures/identities';
import { AGENTS_CA_SUBJECT, TestPki, makeTestPki } from '../fixtures/pki';

const SPIFFE = 'spiffe://prod.example/agent/deployer';
const where = 'AttestedWorkloadIdentityProvider \'agents/Gate\'';
const oidc = (props: Partial<OidcSourceProps> = {}) => WorkloadIdentitySource.oidc({ issuerUri: 'https://oidc.prod.example', allowedAudiences: ['gcp'], ...props });
const policyOf = (source: WorkloadIdentitySource, identity = deployerIdentity(), extraCondition?: string) => federationPolicyFor(identity, source, { where, extraCondition });

/** Evaluates a policy's condition the way GCP does: mapping first, then the condition. */
function admits(policy: ReturnType<typeof policyOf>, assertion: Record<string, unknown>): unknown {
  const google: Record<string, unknown> = {};
  const attribute: Record<string, unknown> = {};
  for (const [key, expression] of Object.entries(policy.attributeMapping)) {
    const outcome = evaluateCel(expression, { assertion });
    const [scope, name] = key.split('.');
    (scope === 'google' ? google : attribute)[name] = 'value' in outcome ? outcome.value : undefined;
  }
  const outcome = evaluateCel(policy.attributeCondition, { assertion, google, attribute });
  return 'value' in outcome ? outcome.value : `error: ${outcome.error}`;
}

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});

describe('federationPolicyFor: OIDC', () => {
  const policy = policyOf(oidc());

  test('maps the subject and pins it, and checks the audience', () => {
    expect(policy).toEqual({
      credential: 'oidc',
      subject: SPIFFE,
      attributeMapping: { 'google.subject': 'assertion.sub' },
      attributeCondition: `assertion.sub == '${SPIFFE}' && (assertion.aud in ['gcp'] || assertion.aud.exists(a, a in ['gcp']))`,
      oidc: { issuerUri: 'https://oidc.prod.example', allowedAudiences: ['gcp'] },
    });
  });

  test.each([
    [{ sub: SPIFFE, aud: 'gcp' }, true],
    [{ sub: SPIFFE, aud: ['other', 'gcp'] }, true],
    [{ sub: 'spiffe://prod.example/agent/reader', aud: 'gcp' }, false],
    [{ sub: SPIFFE, aud: ['other'] }, false],
    [{ sub: SPIFFE, aud: 'other' }, 'error'],
    [{ sub: SPIFFE }, 'error'],
  ])('the condition, evaluated with the WIF CEL environment, admits only the agent for GCP: %j', (assertion, admitted) => {
    const result = admits(policy, assertion);
    if (admitted === 'error') expect(result).toMatch(/^error: /);
    else expect(result).toBe(admitted);
  });

  test('a SPIFFE ID over 127 bytes: the path is the subject, the full ID is pinned and kept in attribute.spiffe_id', () => {
    const long = `spiffe://prod.example/${'a'.repeat(120)}`;
    const p = policyOf(oidc(), deployerIdentity({ spiffeId: long }));
    expect(p.subject).toBe('a'.repeat(120));
    expect(p.attributeMapping).toEqual({ 'google.subject': "assertion.sub.extract('spiffe://prod.example/{path}')", [FULL_SPIFFE_ID_ATTRIBUTE]: 'assertion.sub' });
    expect(p.attributeCondition).toContain(`assertion.sub == '${long}'`);
    expect(admits(p, { sub: long, aud: 'gcp' })).toBe(true);
    expect(evaluateCel(p.attributeMapping['google.subject'], { assertion: { sub: long } })).toEqual({ value: 'a'.repeat(120) });
    // extract would find the prefix inside another trust domain's ID; the full-ID pin refuses it.
    expect(admits(p, { sub: `spiffe://evil.example/x/spiffe://prod.example/${'a'.repeat(120)}`, aud: 'gcp' })).toBe(false);
  });

  test('a SPIFFE ID whose path alone is over 127 bytes is rejected', () => {
    const long = `spiffe://prod.example/${'a'.repeat(130)}`;
    expect(() => policyOf(oidc(), deployerIdentity({ spiffeId: long }))).toThrow(
      `${where}: identity.spiffeId "${long}" is 152 bytes and its path alone is still over the 127 bytes google.subject holds. Fix: shorten the SPIFFE ID path`,
    );
  });

  test('an inline JWKS is checked and written compact', () => {
    const jwks = { keys: [{ kty: 'EC', kid: 'k', crv: 'P-256', x: 'AAAA', y: 'BBBB' }] };
    expect(policyOf(oidc({ jwks: JSON.stringify(jwks, null, 2) })).oidc?.jwksJson).toBe(JSON.stringify(jwks));
  });

  test('extraCondition is ANDed and can only narrow', () => {
    const p = policyOf(oidc(), undefined, "assertion.iss == 'https://oidc.prod.example'");
    expect(p.attributeCondition.endsWith(" && (assertion.iss == 'https://oidc.prod.example')")).toBe(true);
    expect(admits(p, { sub: SPIFFE, aud: 'gcp', iss: 'https://oidc.prod.example' })).toBe(true);
    expect(admits(policyOf(oidc(), undefined, 'true || false'), { sub: 'spiffe://prod.example/agent/other', aud: 'gcp' })).toBe(false);
  });

  test.each([
    [{ issuerUri: 'http://oidc.prod.example' }, 'issuerUri "http://oidc.prod.example" uses http'],
    [{ issuerUri: 'https://oidc.prod.example/' }, 'issuerUri "https://oidc.prod.example/" ends with a slash after the host'],
    [{ issuerUri: 'https://oidc.prod.example/', issuerTrailingSlashReason: 'short' }, 'issuerTrailingSlashReason "short" is shorter than 10 characters'],
    [{ allowedAudiences: [] }, 'allowedAudiences [] is empty; the condition checks the audience'],
    [{ allowedAudiences: Array.from({ length: 11 }, (_, i) => `a${i}`) }, 'holds 11 audiences; GCP accepts at most 10'],
    [{ allowedAudiences: ['x'.repeat(257)] }, 'is not a string of 1–256 characters'],
    [{ allowedAudiences: [''] }, 'allowedAudiences "" is not a string of 1–256 characters'],
    [{ allowedAudiences: ['gcp-*'] }, 'allowedAudiences "gcp-*" contains "*"'],
    [{ allowedAudiences: ['gcp', 'gcp'] }, 'lists an audience twice'],
    [{ jwks: '{"keys": [' }, 'jwks "{\\"keys\\": [" is not JSON'],
  ] as Array<[Partial<OidcSourceProps>, string]>)('rejects %j', (props, message) => {
    expect(() => policyOf(oidc(props))).toThrow(message);
  });

  test('a trailing-slash issuer passes with a reason', () => {
    expect(policyOf(oidc({ issuerUri: 'https://oidc.prod.example/', issuerTrailingSlashReason: 'the discovery document at /.well-known says so' })).oidc?.issuerUri).toBe('https://oidc.prod.example/');
  });

  test('a token issuer is not checked at synth', () => {
    const p = federationPolicyFor(deployerIdentity(), oidc({ issuerUri: '${TfToken[TOKEN.1]}' }), { where, isToken: (v) => v.startsWith('${TfToken') });
    expect(p.oidc?.issuerUri).toBe('${TfToken[TOKEN.1]}');
  });

  test('rejects invalid CEL in extraCondition, naming it', () => {
    expect(() => policyOf(oidc(), undefined, 'assertion.sub ==')).toThrow(/extraCondition "assertion.sub ==" is not valid CEL \(<input>:1:\d+: .*\). Fix: fix the expression; it is ANDed to the generated condition/);
  });

  test('rejects a source that is not one of the three kinds', () => {
    expect(() => federationPolicyFor(deployerIdentity(), { kind: 'saml', props: {} } as never, { where })).toThrow('source {"kind":"saml","props":{}} is not a WorkloadIdentitySource');
  });
});

describe('federationPolicyFor: X.509', () => {
  test('pins san.uri and the subject and issuer names GCP exposes', () => {
    const p = policyOf(WorkloadIdentitySource.x509({ trustAnchors: [pki.ca.pem] }));
    expect(p.subject).toBe(SPIFFE);
    expect(p.attributeMapping).toEqual({ 'google.subject': 'assertion.san.uri' });
    expect(p.attributeCondition).toBe(
      `assertion.san.uri == '${SPIFFE}' && assertion.subject.dn.cn == 'deployer' && assertion.subject.dn.o == 'attestgate examples' && assertion.issuer.dn.cn == '${AGENTS_CA_SUBJECT.CN}' && assertion.issuer.dn.o == '${AGENTS_CA_SUBJECT.O}'`,
    );
    expect(p.x509).toEqual({ trustAnchors: [pki.ca.pem], intermediateCas: [] });
    const certificate = { san: { uri: SPIFFE }, subject: { dn: { cn: 'deployer', o: 'attestgate examples' } }, issuer: { dn: { cn: AGENTS_CA_SUBJECT.CN, o: AGENTS_CA_SUBJECT.O } } };
    expect(admits(p, certificate)).toBe(true);
    expect(admits(p, { ...certificate, san: { uri: 'spiffe://prod.example/agent/reader' } })).toBe(false);
  });

  test('a URI SAN that is not a SPIFFE ID: pinned as is, rejected over 127 bytes', () => {
    const short = 'urn:agents:deployer';
    expect(policyOf(WorkloadIdentitySource.x509({ trustAnchors: [pki.ca.pem] }), deployerIdentity({ sanUri: short })).subject).toBe(short);
    const long = `urn:agents:${'d'.repeat(130)}`;
    expect(() => policyOf(WorkloadIdentitySource.x509({ trustAnchors: [pki.ca.pem] }), deployerIdentity({ sanUri: long }))).toThrow(
      `identity.sanUri "${long}" is 141 bytes; google.subject holds at most 127. Fix: use a shorter URI`,
    );
  });

  test.each([
    [{ trustAnchors: [] }, 'trustAnchors [] must hold 1–3 CA certificates'],
    [{ trustAnchors: ['a', 'b', 'c', 'd'] }, 'must hold 1–3 CA certificates'],
    [{ trustAnchors: ['not pem'] }, 'trustAnchors[0] "not pem" holds no PEM certificate'],
    [{ trustAnchors: ['LEAF'] }, 'is not a CA certificate'],
    [{ trustAnchors: ['CA'], intermediateCas: Array.from({ length: 11 }, () => 'CA') }, 'intermediateCas "11 certificates" holds more than the 10 GCP accepts'],
    [{ trustAnchors: ['CA'], intermediateCas: ['LEAF'] }, 'intermediateCas[0]'],
  ] as Array<[{ trustAnchors: string[]; intermediateCas?: string[] }, string]>)('rejects %#', (props, message) => {
    const resolve = (pem: string) => (pem === 'CA' ? pki.ca.pem : pem === 'LEAF' ? pki.leaf.pem : pem);
    const source = WorkloadIdentitySource.x509({ trustAnchors: props.trustAnchors.map(resolve), intermediateCas: props.intermediateCas?.map(resolve) });
    expect(() => policyOf(source)).toThrow(message);
  });
});

describe('federationPolicyFor: AWS', () => {
  test('pins the account and one role; the subject is the role’s assumed-role ARN', () => {
    const p = policyOf(WorkloadIdentitySource.aws({ accountId: '123456789012', roleName: 'deployer' }));
    expect(p.subject).toBe('arn:aws:sts::123456789012:assumed-role/deployer');
    expect(p.attributeCondition).toBe("assertion.account == '123456789012' && assertion.arn.startsWith('arn:aws:sts::123456789012:assumed-role/deployer/')");
    expect(p.aws).toEqual({ accountId: '123456789012' });
    const session = { account: '123456789012', arn: 'arn:aws:sts::123456789012:assumed-role/deployer/1f3c', userid: 'AROA:1f3c' };
    expect(evaluateCel(p.attributeMapping['google.subject'], { assertion: session })).toEqual({ value: p.subject });
    expect(admits(p, session)).toBe(true);
    expect(admits(p, { ...session, arn: 'arn:aws:sts::123456789012:assumed-role/deployer-old/1f3c' })).toBe(false);
  });

  test.each([
    [{ accountId: '1234', roleName: 'r' }, 'accountId "1234" is not a 12-digit AWS account ID'],
    [{ accountId: '123456789012', roleName: 'arn:aws:iam::123456789012:role/r' }, 'is not an IAM role name'],
    [{ accountId: '123456789012', roleName: 'r', partition: 'aws-eu' }, 'partition "aws-eu" is not aws, aws-cn or aws-us-gov'],
  ])('rejects %j', (props, message) => {
    expect(() => policyOf(WorkloadIdentitySource.aws(props as never))).toThrow(message);
  });
});

describe('checkAttributeCondition', () => {
  test.each([
    ["'gcp' in assertion.aud", 'does not constrain the subject (the condition does not test the subject (assertion.sub, google.subject))'],
    ['assertion.sub ==', 'is not valid CEL'],
    [`assertion.sub == '${'x'.repeat(4100)}'`, 'more than the 4096 GCP accepts'],
  ])('rejects condition %#', (condition, message) => {
    expect(() => checkAttributeCondition(condition, 'oidc', { 'google.subject': 'assertion.sub' }, where)).toThrow(message);
  });

  test('accepts a pinned subject', () => {
    expect(() => checkAttributeCondition(`assertion.sub == '${SPIFFE}'`, 'oidc', { 'google.subject': 'assertion.sub' }, where)).not.toThrow();
  });
});
