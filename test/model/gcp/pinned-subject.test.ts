import { workloadIdentityProviders } from '../../../lib/model/gcp/google-workload-identity';
import { cannotMapTo, pinnedPrincipalSubject, pinnedSubject, pinnedSubjectClaim } from '../../../lib/model/gcp/pinned-subject';
import { gcpConfiguration, tfModel } from '../../fixtures/terraform';

const AGENT = 'spiffe://prod.example/agent/deployer';
const OTHER = 'spiffe://prod.example/agent/builder';

function provider(overrides: Record<string, unknown>) {
  return workloadIdentityProviders(tfModel(gcpConfiguration({ provider: overrides })))[0];
}

describe('pinnedSubject: the one google.subject a provider can give, when its configuration proves it', () => {
  test.each([
    ['assertion.sub == literal, mapping passes sub through', { attribute_condition: `assertion.sub == '${AGENT}'` }],
    ['the literal first', { attribute_condition: `'${AGENT}' == assertion.sub` }],
    ["assertion['sub'], inside nested &&", { attribute_condition: `(assertion.aud == 'gcp' && assertion['sub'] == '${AGENT}') && assertion.iss != ''` }],
    ['google.subject == literal, whatever the mapping', { attribute_condition: `google.subject == '${AGENT}'`, attribute_mapping: { 'google.subject': "assertion.sub.extract('/agent/{x}')" } }],
    ['mapping written with spaces', { attribute_mapping: { 'google.subject': ' assertion.sub ' } }],
  ])('pinned: %s', (_what, overrides) => {
    expect(pinnedSubject(provider(overrides))).toBe(AGENT);
  });

  test.each([
    ['an || branch', { attribute_condition: `assertion.sub == '${AGENT}' || assertion.sub == '${OTHER}'` }],
    ['a prefix', { attribute_condition: "assertion.sub.startsWith('spiffe://prod.example/agent/')" }],
    ['a negation', { attribute_condition: `!(assertion.sub == '${OTHER}')` }],
    ['a mapping that transforms the claim', { attribute_mapping: { 'google.subject': "assertion.sub.extract('/agent/{x}')" } }],
    ['a mapping known only at apply', { attribute_mapping: '${var.mapping}' }],
    ['a condition with a Terraform reference', { attribute_condition: "assertion.sub == '${var.spiffe_id}'" }],
    ['no condition', { attribute_condition: null }],
    ['a condition that does not parse', { attribute_condition: `assertion.sub == '${AGENT}' &&` }],
  ])('not proven: %s', (_what, overrides) => {
    expect(pinnedSubject(provider(overrides))).toBeUndefined();
  });

  test('cannotMapTo: only a subject principal other than the pinned one', () => {
    const pinned = provider({});
    expect(cannotMapTo(pinned, { scope: 'subject', poolAddress: 'p', value: OTHER })).toBe(true);
    expect(cannotMapTo(pinned, { scope: 'subject', poolAddress: 'p', value: AGENT })).toBe(false);
    // A subject known only at apply, an attribute set, the whole pool: not proven.
    expect(cannotMapTo(pinned, { scope: 'subject', poolAddress: 'p' })).toBe(false);
    expect(cannotMapTo(pinned, { scope: 'attribute', poolAddress: 'p', value: 'attribute.x/y' })).toBe(false);
    expect(cannotMapTo(pinned, { scope: 'whole-pool', poolAddress: 'p' })).toBe(false);
    expect(cannotMapTo(provider({ attribute_condition: "assertion.sub.startsWith('spiffe://prod.example/')" }), { scope: 'subject', poolAddress: 'p', value: OTHER })).toBe(false);
  });
});

describe('pinnedSubjectClaim: the sub claim a condition requires at its top', () => {
  const PASSES = { 'google.subject': 'assertion.sub' };
  test('assertion.sub == literal at the top, either side, with any mapping; google.subject == literal only while the mapping passes the claim', () => {
    expect(pinnedSubjectClaim(`assertion.aud == 'gcp' && assertion.sub == '${AGENT}'`, PASSES)).toBe(AGENT);
    expect(pinnedSubjectClaim(`'${AGENT}' == assertion.sub`, { 'google.subject': "assertion.sub.extract('/agent/{x}')" })).toBe(AGENT);
    expect(pinnedSubjectClaim(`google.subject == '${AGENT}'`, PASSES)).toBe(AGENT);
  });

  test('lax cases: no claim is pinned by an ||, a prefix, a google.subject the mapping transforms, no condition or one that does not parse', () => {
    expect(pinnedSubjectClaim(`assertion.sub == '${AGENT}' || assertion.sub == '${OTHER}'`, PASSES)).toBeUndefined();
    expect(pinnedSubjectClaim("assertion.sub.startsWith('spiffe://prod.example/')", PASSES)).toBeUndefined();
    expect(pinnedSubjectClaim("google.subject == 'deployer'", { 'google.subject': "assertion.sub.extract('/agent/{x}')" })).toBeUndefined();
    expect(pinnedSubjectClaim(`!(assertion.sub == '${AGENT}')`, PASSES)).toBeUndefined();
    expect(pinnedSubjectClaim(undefined, PASSES)).toBeUndefined();
    expect(pinnedSubjectClaim("assertion.sub == '", PASSES)).toBeUndefined();
  });
});

describe('pinnedPrincipalSubject: the one google.subject an applied provider can give', () => {
  const PASSES = { 'google.subject': 'assertion.sub' };
  test('the pinned sub claim, while the mapping passes it through unchanged', () => {
    expect(pinnedPrincipalSubject(`assertion.aud == 'gcp' && assertion.sub == '${AGENT}'`, PASSES)).toBe(AGENT);
    expect(pinnedPrincipalSubject(`google.subject == '${AGENT}'`, { 'google.subject': ' assertion.sub ' })).toBe(AGENT);
  });

  test('lax cases: a mapping that transforms the claim (another subject may map to any principal), an ||, a prefix', () => {
    expect(pinnedPrincipalSubject(`assertion.sub == '${AGENT}'`, { 'google.subject': "assertion.sub.extract('/agent/{x}')" })).toBeUndefined();
    expect(pinnedPrincipalSubject(`assertion.sub == '${AGENT}' || assertion.sub == '${OTHER}'`, PASSES)).toBeUndefined();
    expect(pinnedPrincipalSubject("assertion.sub.startsWith('spiffe://prod.example/')", PASSES)).toBeUndefined();
  });
});
