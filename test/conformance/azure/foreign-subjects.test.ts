import { FOREIGN_SAMPLE_SIZE, ForeignSubject, laxAdmission, selectForeignSubjects } from '../../../conformance/azure/foreign-subjects';

const ISSUER = 'https://oidc.prod.example';
const OWN = [{ issuer: ISSUER, subject: 'spiffe://prod.example/agent/deployer', audience: 'api://AzureADTokenExchange' }];
/** 200 other identities' subjects, none close to the deployer's. */
const far: ForeignSubject[] = Array.from({ length: 200 }, (_, i) => ({ subject: `spiffe://other.example/team-${String(i).padStart(3, '0')}/worker`, identity: `id-${i}`, issuer: ISSUER }));
const subjectsOf = (selection: ReturnType<typeof selectForeignSubjects>) => selection.probes.map((p) => p.foreign.subject);

describe('selectForeignSubjects', () => {
  test('an identity whose credentials are all exact: a bounded sample of the closest, the rest counted as not probed with the reason', () => {
    const near = ['spiffe://prod.example/agent/reviewer', 'spiffe://prod.example/agent/builder', 'spiffe://prod.example/ops/a'].map((subject, i) => ({ subject, identity: `near-${i}`, issuer: ISSUER }));
    const selection = selectForeignSubjects(OWN, [], [...far, ...near]);
    expect(selection.probes).toHaveLength(FOREIGN_SAMPLE_SIZE);
    // The closest by common prefix come first: every subject under spiffe://prod.example/ is in the sample.
    expect(subjectsOf(selection).slice(0, 3)).toEqual(['spiffe://prod.example/agent/builder', 'spiffe://prod.example/agent/reviewer', 'spiffe://prod.example/ops/a']);
    expect(selection).toMatchObject({ candidates: 203, notProbed: 203 - FOREIGN_SAMPLE_SIZE, notProbedWhy: expect.stringContaining('matches its subject exactly') });
  });

  test('deterministic: the same sample whatever the order the subjects come in', () => {
    const shuffled = [...far].sort((a, b) => (a.identity.length * 7919 + Number(a.identity.slice(3))) % 13 - ((b.identity.length * 7919 + Number(b.identity.slice(3))) % 13));
    expect(subjectsOf(selectForeignSubjects(OWN, [], shuffled))).toEqual(subjectsOf(selectForeignSubjects(OWN, [], far)));
    expect(subjectsOf(selectForeignSubjects(OWN, [], far))).toEqual(far.slice(0, FOREIGN_SAMPLE_SIZE).map((f) => f.subject));
  });

  test('every subject a lax matcher would admit is probed, beyond the sample, however many', () => {
    const lax = [
      'spiffe://prod.example/agent/deployer-2', // an extension of its subject (prefix matcher)
      'spiffe://prod.example/agent/Deployer', // case only (case-insensitive matcher)
      'spiffe://prod.example/agent', // a prefix of its subject
      'spiffe://prod.example/agent/*', // a glob its subject fits
      ...Array.from({ length: 20 }, (_, i) => `spiffe://prod.example/agent/deployer/${i}`),
    ].map((subject, i) => ({ subject, identity: `lax-${i}`, issuer: 'https://another.example' }));
    const selection = selectForeignSubjects(OWN, [], [...far, ...lax]);
    expect(subjectsOf(selection)).toEqual(expect.arrayContaining(lax.map((l) => l.subject)));
    expect(selection.probes).toHaveLength(lax.length + FOREIGN_SAMPLE_SIZE);
    expect(selection.probes.find((p) => p.foreign.subject.endsWith('/Deployer'))!.why).toContain('ignoring case');
  });

  test('laxAdmission: prefix either way, case, glob either way; an unrelated subject is not admitted', () => {
    expect(laxAdmission('repo:a/b:ref:refs/heads/*', 'repo:a/b:ref:refs/heads/evil')).toBeDefined();
    expect(laxAdmission('repo:a/b:ref:refs/heads/main', 'repo:a/*')).toBeDefined();
    expect(laxAdmission('spiffe://x/a', 'spiffe://x/a/b')).toBeDefined();
    expect(laxAdmission('spiffe://x/a', 'spiffe://x/b')).toBeUndefined();
  });

  test('a flexible credential: every foreign subject its expression admits is probed, the sample besides', () => {
    const github = Array.from({ length: 30 }, (_, i) => ({ subject: `repo:example/app-${i}:ref:refs/heads/main`, identity: `gh-${i}`, issuer: 'https://token.actions.githubusercontent.com' }));
    const flexible = [{ address: 'azuread_application_flexible_federated_identity_credential.ci', expression: "claims['sub'] matches 'repo:example/app-1*:ref:refs/heads/*'" }];
    const selection = selectForeignSubjects(OWN, flexible, [...far, ...github]);
    const admitted = github.filter((g) => /^repo:example\/app-1\d*:/.test(g.subject)).map((g) => g.subject);
    expect(admitted).toHaveLength(11);
    expect(subjectsOf(selection)).toEqual(expect.arrayContaining(admitted));
    expect(selection.probes.filter((p) => p.why.includes('expression admits it'))).toHaveLength(11);
    expect(selection.probes).toHaveLength(11 + FOREIGN_SAMPLE_SIZE);
    expect(selection.notProbedWhy).toContain('admit none of them');
  });

  test('a flexible credential whose expression is not known, or cannot be read: every foreign subject is probed', () => {
    for (const expression of [undefined, "claims['sub'] eq 'a' or claims['sub'] eq 'b'"]) {
      const selection = selectForeignSubjects(OWN, [{ address: 'flex', expression }], far);
      expect(selection).toMatchObject({ candidates: far.length, notProbed: 0 });
      expect(selection.probes).toHaveLength(far.length);
      expect(selection.probes[0].why).toMatch(/flexible credential flex .*could admit any subject/);
    }
  });

  test('subjects the identity names are not foreign; one trusted by two identities is one candidate', () => {
    const selection = selectForeignSubjects(OWN, [], [{ subject: OWN[0].subject, identity: 'twin' }, far[0], { ...far[0], identity: 'again' }]);
    expect(selection).toMatchObject({ candidates: 1, notProbed: 0 });
  });
});
