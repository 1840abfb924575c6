import { boundValueOf, declaredSubjects, mappingPassesSubject, searchAdmittedSubjects, subjectCandidates } from '../../../lib/model/gcp/admitted-subjects';
import { conditionLiterals } from '../../../lib/model/gcp/cel/condition-literals';
import { poolPrincipalCovers } from '../../../lib/model/gcp/google-workload-identity';
import { federate, isRejection } from '../../../lib/model/gcp/federated-identity';

const DEPLOYER = 'spiffe://prod.example/agent/deployer';
const POOL = 'projects/1/locations/global/workloadIdentityPools/agents';

describe('subjectCandidates', () => {
  test('neighbours of a known subject: sibling, extended name, child, other trust domain, extended host, inserted segment, dots', () => {
    const subs = subjectCandidates(conditionLiterals(undefined, {}), [DEPLOYER]).map((c) => c.sub);
    expect(subs).toEqual([
      // The known subject itself first (the search drops the declared ones): another gate's bound subject is a candidate.
      DEPLOYER,
      'spiffe://prod.example/agent/attestgate-probe-intruder',
      'spiffe://prod.example/agent/deployer-attestgate-probe',
      'spiffe://prod.example/agent/deployer/attestgate-probe',
      'spiffe://attestgate-probe.invalid/agent/deployer',
      'spiffe://prod.example.attestgate-probe.invalid/agent/deployer',
      'spiffe://prod.example/attestgate-probe/agent/deployer',
      'spiffe://prodxexample/agent/deployer',
      'spiffe://attestgate-probe.invalid/attestgate-probe',
    ]);
  });

  test('from the condition: prefixes, suffixes, substrings, anchored regex prefixes; from extracts: other subjects with the same part', () => {
    const literals = conditionLiterals(
      "assertion.sub.startsWith('spiffe://staging.example/agent/') || assertion.sub.endsWith('/x') || assertion.sub.contains('mid') || assertion.sub.matches('^spiffe://r/.*') || attribute.agent == 'deployer'",
      { 'attribute.agent': "assertion.sub.extract('/agent/{name}')" },
    );
    const subs = subjectCandidates(literals, []).map((c) => c.sub);
    expect(subs).toEqual(
      expect.arrayContaining([
        'spiffe://staging.example/agent/attestgate-probe',
        'spiffe://r/attestgate-probe',
        'spiffe://attestgate-probe.invalid/x',
        'attestgate-probe/x',
        'spiffe://attestgate-probe.invalid/mid/attestgate-probe',
        'spiffe://attestgate-probe.invalid/agent/deployer',
        'spiffe://staging.example/agent/attestgate-probe/agent/deployer',
        // The prefix already ends with the template's "/agent/": the name right after it.
        'spiffe://staging.example/agent/deployer',
      ]),
    );
  });
});

describe('searchAdmittedSubjects', () => {
  const provider = (attributeCondition: string, attributeMapping: Record<string, string> = { 'google.subject': 'assertion.sub' }) => ({ name: 'p', poolName: POOL, attributeMapping, attributeCondition });

  test('returns the admitted subjects that reach, never the declared ones', () => {
    const result = searchAdmittedSubjects({
      provider: provider(`assertion.sub.startsWith('${DEPLOYER}')`),
      declared: [DEPLOYER],
      claims: {},
      reaches: () => true,
    });
    expect(result.beyond.map((b) => b.sub)).toEqual([
      'spiffe://prod.example/agent/deployer-attestgate-probe',
      'spiffe://prod.example/agent/deployer/attestgate-probe',
      'spiffe://prod.example/agent/deployerattestgate-probe',
      'spiffe://prod.example/agent/deployerattestgate-probe/attestgate-probe',
    ]);
    expect(result.tried.map((t) => t.sub)).not.toContain(DEPLOYER);
  });

  test('a condition that pins the subject claim: each candidate comes out as running the condition says, though only the pinned one is run', () => {
    const now = Math.floor(Date.now() / 1000);
    const pool = Array.from({ length: 20 }, (_, i) => `spiffe://prod.example/agent/agent-${i}`);
    const admitted: number[] = [];
    for (const condition of [`assertion.sub == '${DEPLOYER}' && assertion.aud == 'gcp'`, `assertion.sub == '${DEPLOYER}' || assertion.sub.startsWith('${pool[3]}')`, `assertion.sub.startsWith('spiffe://prod.example/')`]) {
      const searched = provider(condition);
      const result = searchAdmittedSubjects({ provider: searched, declared: [DEPLOYER], known: pool, claims: { aud: 'gcp' }, reaches: () => true });
      expect(result.tried.length).toBeGreaterThan(pool.length);
      const byCondition = result.tried.map((t) => [t.sub, !isRejection(federate(searched, { iat: now, exp: now + 300, aud: 'gcp', sub: t.sub }))]);
      expect([condition, result.tried.map((t) => [t.sub, t.principal !== undefined])]).toEqual([condition, byCondition]);
      admitted.push(byCondition.filter(([, a]) => a).length);
    }
    // Pinned: nothing beside the declared subject; the || and the prefix admit neighbours.
    expect(admitted[0]).toBe(0);
    expect(admitted[1]).toBeGreaterThan(0);
    expect(admitted[2]).toBeGreaterThan(admitted[1]);
  });

  test('admitted but not reaching is tried, not beyond', () => {
    const result = searchAdmittedSubjects({ provider: provider("assertion.sub.startsWith('spiffe://prod.example/agent/')"), declared: [DEPLOYER], claims: {}, reaches: (p) => p.subject === DEPLOYER });
    expect(result.beyond).toEqual([]);
    expect(result.tried.filter((t) => t.principal).length).toBeGreaterThan(0);
  });

  test('a bound value of an extracted key gives the lossy-extract collisions', () => {
    const result = searchAdmittedSubjects({
      provider: provider("assertion.sub.endsWith('/agent/deployer')", { 'google.subject': "assertion.sub.extract('/agent/{name}')" }),
      declared: [],
      boundValues: [{ key: 'google.subject', value: 'deployer' }],
      claims: {},
      reaches: (p) => p.subject === 'deployer',
    });
    expect(result.beyond.map((b) => b.sub)).toContain('spiffe://attestgate-probe.invalid/agent/deployer');
  });

  test('claims the condition pins are carried by every candidate', () => {
    const result = searchAdmittedSubjects({ provider: provider("assertion.env == 'prod'"), declared: [DEPLOYER], known: [], claims: { env: 'prod' }, reaches: () => true });
    expect(result.beyond.length).toBe(result.tried.length);
  });
});

describe('declaredSubjects and helpers', () => {
  const literals = conditionLiterals(`assertion.sub in ['${DEPLOYER}', 'spiffe://prod.example/agent/other']`, {});
  test('the manifest wins; else the first bound subject when the mapping passes sub through; else the first compared value; else none', () => {
    expect(declaredSubjects({ manifest: { spiffeId: DEPLOYER, subject: DEPLOYER }, boundSubjects: ['x'], literals, mappingPassesSubject: true })).toEqual([DEPLOYER]);
    expect(declaredSubjects({ boundSubjects: ['spiffe://b/c'], literals, mappingPassesSubject: true })).toEqual(['spiffe://b/c']);
    expect(declaredSubjects({ boundSubjects: ['deployer'], literals, mappingPassesSubject: false })).toEqual([DEPLOYER]);
    expect(declaredSubjects({ boundSubjects: [], literals: conditionLiterals(undefined, {}), mappingPassesSubject: true })).toEqual([]);
  });

  test('mappingPassesSubject, boundValueOf, poolPrincipalCovers', () => {
    expect(mappingPassesSubject({ 'google.subject': ' assertion.sub ' })).toBe(true);
    expect(mappingPassesSubject({ 'google.subject': "assertion.sub.extract('/{x}')" })).toBe(false);
    expect(boundValueOf({ scope: 'subject', value: 's' })).toEqual([{ key: 'google.subject', value: 's' }]);
    expect(boundValueOf({ scope: 'attribute', value: 'attribute.agent/deployer' })).toEqual([{ key: 'attribute.agent', value: 'deployer' }]);
    expect(boundValueOf({ scope: 'whole-pool' })).toEqual([]);
    const federated = { subject: 's', principalSets: [`principalSet://iam.googleapis.com/${POOL}/*`, `principalSet://iam.googleapis.com/${POOL}/attribute.agent/deployer`, `principalSet://iam.googleapis.com/${POOL}/group/ops`] };
    expect(poolPrincipalCovers({ scope: 'whole-pool' }, federated)).toBe(true);
    expect(poolPrincipalCovers({ scope: 'subject', value: 's' }, federated)).toBe(true);
    expect(poolPrincipalCovers({ scope: 'subject', value: 't' }, federated)).toBe(false);
    expect(poolPrincipalCovers({ scope: 'attribute', value: 'attribute.agent/deployer' }, federated)).toBe(true);
    expect(poolPrincipalCovers({ scope: 'attribute', value: 'attribute.agent/other' }, federated)).toBe(false);
    expect(poolPrincipalCovers({ scope: 'group', value: 'ops' }, federated)).toBe(true);
    expect(poolPrincipalCovers({ scope: 'subject' }, federated)).toBe(false);
  });
});
