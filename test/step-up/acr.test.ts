import { ACR, AMR_HWK, AuthenticationFacts, EAP_PHRH, PROFILE_ACRS, isProfileAcr, meetsAnyAcr, presentedAcrs, unmetBecause } from '../../lib/step-up/acr';

const facts = (f: Partial<AuthenticationFacts>): AuthenticationFacts => ({ amr: [], ...f });

describe('the attestgate ACR profile', () => {
  test('four URNs under the project namespace, each a profile value', () => {
    expect(PROFILE_ACRS).toEqual(['urn:attestgate:acr:attested', 'urn:attestgate:acr:attested-fresh', 'urn:attestgate:acr:attested-hwk', 'urn:attestgate:acr:human-approved']);
    expect(PROFILE_ACRS.every(isProfileAcr)).toBe(true);
    expect(isProfileAcr('urn:attestgate:acr:attested ')).toBe(false);
  });

  test('attested: met by every value of the profile, by nothing outside it', () => {
    for (const acr of PROFILE_ACRS) expect(unmetBecause(ACR.ATTESTED, facts({ acr }))).toBeUndefined();
    expect(unmetBecause(ACR.ATTESTED, facts({}))).toBe('the token carries no acr');
    expect(unmetBecause(ACR.ATTESTED, facts({ acr: 'phrh' }))).toMatch(/another authentication level/);
  });

  test('attested-fresh: needs the value itself, a jti and an attestation time', () => {
    expect(unmetBecause(ACR.ATTESTED_FRESH, facts({ acr: ACR.ATTESTED_FRESH, jti: 'j', attestedAt: 1 }))).toBeUndefined();
    expect(unmetBecause(ACR.ATTESTED_FRESH, facts({ acr: ACR.ATTESTED_FRESH, attestedAt: 1 }))).toMatch(/no usable jti/);
    expect(unmetBecause(ACR.ATTESTED_FRESH, facts({ acr: ACR.ATTESTED_FRESH, jti: 'j' }))).toMatch(/when the workload was attested/);
    expect(unmetBecause(ACR.ATTESTED_FRESH, facts({ acr: ACR.HUMAN_APPROVED, jti: 'j', attestedAt: 1 }))).toMatch(/another authentication level/);
  });

  test('attested-hwk: the value or EAP phrh, each only with RFC 8176 amr hwk', () => {
    expect(unmetBecause(ACR.ATTESTED_HWK, facts({ acr: ACR.ATTESTED_HWK, amr: [AMR_HWK] }))).toBeUndefined();
    expect(unmetBecause(ACR.ATTESTED_HWK, facts({ acr: EAP_PHRH, amr: ['pop', AMR_HWK] }))).toBeUndefined();
    expect(unmetBecause(ACR.ATTESTED_HWK, facts({ acr: ACR.ATTESTED_HWK, amr: ['swk'] }))).toMatch(/amr does not include "hwk"/);
    expect(unmetBecause(ACR.ATTESTED_HWK, facts({ acr: EAP_PHRH }))).toMatch(/amr does not include "hwk"/);
  });

  test('human-approved and values outside the profile match exactly', () => {
    expect(unmetBecause(ACR.HUMAN_APPROVED, facts({ acr: ACR.HUMAN_APPROVED }))).toBeUndefined();
    expect(unmetBecause(ACR.HUMAN_APPROVED, facts({ acr: ACR.ATTESTED_HWK, amr: [AMR_HWK] }))).toBeDefined();
    expect(unmetBecause('c1', facts({ acr: 'c1' }))).toBeUndefined();
    expect(unmetBecause('c1', facts({ acr: 'C1' }))).toBeDefined();
  });

  test('one of the required values suffices (RFC 9470 §3), and says which', () => {
    expect(meetsAnyAcr([ACR.ATTESTED_FRESH, ACR.HUMAN_APPROVED], facts({ acr: ACR.HUMAN_APPROVED }))).toEqual({ met: true, satisfied: ACR.HUMAN_APPROVED });
    expect(meetsAnyAcr([], facts({}))).toEqual({ met: true });
    expect(meetsAnyAcr([ACR.ATTESTED_FRESH, ACR.HUMAN_APPROVED], facts({}))).toEqual({ met: false, because: 'the token carries no acr' });
  });

  test('the values an Entra token’s contexts map to are presented beside its acr, each with the token’s own facts', () => {
    // hwk mapped, but the token's amr lacks hwk: not met, whatever the context says.
    expect(meetsAnyAcr([ACR.ATTESTED_HWK], facts({ acr: '1', contextAcrs: [ACR.ATTESTED_HWK] }))).toEqual({ met: false, because: 'the token was issued at another authentication level; the token\'s amr does not include "hwk"' });
    expect(meetsAnyAcr([ACR.ATTESTED_HWK], facts({ contextAcrs: [ACR.ATTESTED_HWK], amr: ['hwk'] }))).toEqual({ met: true, satisfied: ACR.ATTESTED_HWK });
    expect(meetsAnyAcr([ACR.ATTESTED], facts({ contextAcrs: [ACR.HUMAN_APPROVED] }))).toEqual({ met: true, satisfied: ACR.ATTESTED });
    expect(presentedAcrs(facts({ acr: 'c1', contextAcrs: ['c1', ACR.HUMAN_APPROVED] }))).toEqual(['c1', ACR.HUMAN_APPROVED]);
  });
});
