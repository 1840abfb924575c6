import { CONDITION_REJECTED, conditionAdmits, federate, mapAttributes, principalSetsOf } from '../../../lib/model/gcp/federated-identity';

const POOL = 'projects/1/locations/global/workloadIdentityPools/agents';
const SPIFFE = 'spiffe://prod.example/agent/deployer';
const provider = (attributeMapping: Record<string, string>, attributeCondition?: string) => ({ name: `${POOL}/providers/spire`, poolName: POOL, attributeMapping, ...(attributeCondition ? { attributeCondition } : {}) });

describe('attribute mapping (CEL over assertion)', () => {
  test('google.subject, google.groups and custom attributes, with GCP’s extract()', () => {
    expect(
      mapAttributes(
        { 'google.subject': "assertion.sub.extract('spiffe://prod.example/{path}')", 'google.groups': 'assertion.groups', 'attribute.spiffe_id': 'assertion.sub', 'attribute.tags': 'assertion.tags' },
        { sub: SPIFFE, groups: ['deployers', 'agents'], tags: ['a', 'b'] },
      ),
    ).toEqual({ subject: 'agent/deployer', groups: ['deployers', 'agents'], attributes: { spiffe_id: SPIFFE, tags: ['a', 'b'] } });
  });

  test('a custom attribute over a missing claim is left unset; a non-string one is refused', () => {
    expect(mapAttributes({ 'google.subject': 'assertion.sub', 'attribute.env': 'assertion.env' }, { sub: SPIFFE })).toEqual({ subject: SPIFFE, groups: [], attributes: {} });
    expect(mapAttributes({ 'google.subject': 'assertion.sub', 'attribute.n': 'assertion.n' }, { sub: SPIFFE, n: 5 })).toEqual({
      status: 400,
      error: 'unauthorized_client',
      description: "The mapped attribute 'attribute.n' must be of type STRING or LIST of STRING.",
    });
  });

  test.each([
    ['a missing claim', { 'google.subject': 'assertion.nope' }, { sub: SPIFFE }],
    ['a number', { 'google.subject': 'assertion.n' }, { n: 1 }],
    ['no mapping', {}, { sub: SPIFFE }],
  ])('google.subject from %s is refused as not a STRING', (_what, mapping, assertion) => {
    expect(mapAttributes(mapping, assertion)).toEqual({ status: 400, error: 'unauthorized_client', description: "The mapped attribute 'google.subject' must be of type STRING." });
  });

  test('google.groups must be a list of strings', () => {
    expect(mapAttributes({ 'google.subject': 'assertion.sub', 'google.groups': 'assertion.sub' }, { sub: SPIFFE })).toMatchObject({ error: 'unauthorized_client', description: expect.stringContaining('google.groups') });
  });

  test('google.subject: 127 bytes pass, 128 (multi-byte characters counted as bytes) are refused', () => {
    expect(mapAttributes({ 'google.subject': 'assertion.sub' }, { sub: 'a'.repeat(127) })).toMatchObject({ subject: 'a'.repeat(127) });
    expect(mapAttributes({ 'google.subject': 'assertion.sub' }, { sub: `${'a'.repeat(125)}€` })).toMatchObject({ error: 'invalid_request', description: expect.stringContaining('127 bytes') });
  });
});

describe('attribute condition (CEL over assertion, google, attribute)', () => {
  const mapped = { subject: SPIFFE, groups: ['deployers'], attributes: { env: 'prod' } };
  test.each([
    [undefined, true],
    [`assertion.sub == '${SPIFFE}'`, true],
    [`google.subject == '${SPIFFE}' && attribute.env == 'prod' && 'deployers' in google.groups`, true],
    ["assertion.aud in ['gcp'] || assertion.aud.exists(a, a in ['gcp'])", true],
    ["assertion.sub.matches('^spiffe://prod\\\\.example/agent/[a-z]+$')", true],
    ["assertion.sub.startsWith('spiffe://other.example/')", false],
    // An error (a claim the token lacks) and a non-boolean both reject: fail closed.
    ["assertion.environment == 'prod'", false],
    ['assertion.sub', false],
  ])('%s → %s', (condition, admitted) => {
    expect(conditionAdmits(condition, { sub: SPIFFE, aud: 'gcp' }, mapped)).toBe(admitted);
  });
});

describe('federate', () => {
  test('the principal and its sets: whole pool, groups, each attribute value', () => {
    const result = federate(provider({ 'google.subject': 'assertion.sub', 'google.groups': 'assertion.groups', 'attribute.env': 'assertion.env' }, "attribute.env == 'prod'"), {
      sub: SPIFFE,
      groups: ['deployers'],
      env: 'prod',
    });
    expect(result).toEqual({
      poolName: POOL,
      providerName: `${POOL}/providers/spire`,
      subject: SPIFFE,
      principal: `principal://iam.googleapis.com/${POOL}/subject/${SPIFFE}`,
      principalSets: [
        `principalSet://iam.googleapis.com/${POOL}/*`,
        `principalSet://iam.googleapis.com/${POOL}/group/deployers`,
        `principalSet://iam.googleapis.com/${POOL}/attribute.env/prod`,
      ],
      attributes: { env: 'prod' },
    });
  });

  test('a condition that is false rejects after mapping', () => {
    expect(federate(provider({ 'google.subject': 'assertion.sub' }, "assertion.sub == 'x'"), { sub: SPIFFE })).toEqual({ status: 400, error: 'unauthorized_client', description: CONDITION_REJECTED });
  });

  test('a list attribute yields one set per value', () => {
    expect(principalSetsOf(POOL, { subject: 's', groups: [], attributes: { team: ['a', 'b'] } })).toEqual([
      `principalSet://iam.googleapis.com/${POOL}/*`,
      `principalSet://iam.googleapis.com/${POOL}/attribute.team/a`,
      `principalSet://iam.googleapis.com/${POOL}/attribute.team/b`,
    ]);
  });
});
