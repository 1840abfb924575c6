import { FALLBACK_SUBJECT, PlannedProvider, planTokens, siblingSubject, subjectsReachingThrough } from '../../../conformance/gcp/token-plan';

const POOL = 'projects/1/locations/global/workloadIdentityPools/agents';
const SPIFFE = 'spiffe://prod.example/agent/deployer';
const bound = (s: string) => `principal://iam.googleapis.com/${POOL}/subject/${s}`;

const provider = (overrides: Partial<PlannedProvider> = {}): PlannedProvider => ({
  name: `${POOL}/providers/spire`,
  poolName: POOL,
  issuer: 'https://oidc.prod.example',
  audiences: ['gcp'],
  attributeMapping: { 'google.subject': 'assertion.sub' },
  impersonators: new Set([bound(SPIFFE)]),
  boundSubjects: new Set([bound(SPIFFE)]),
  ...overrides,
});

describe('token plan', () => {
  test('siblings replace the last path segment', () => {
    expect(siblingSubject(SPIFFE)).toBe('spiffe://prod.example/agent/attestgate-probe-intruder');
    expect(siblingSubject('repo:org/app:ref', 'x')).toBe('repo:org/x');
    expect(siblingSubject('plain', 'x')).toBe('plain-x');
  });

  test('with a manifest: the SPIFFE ID, and the provider’s first audience; no unbound subject when the condition pins the bound one', () => {
    const plan = planTokens(provider({ attributeCondition: `assertion.sub == '${SPIFFE}'`, manifest: { spiffeId: SPIFFE, subject: SPIFFE } }));
    expect(plan.control).toEqual({ iss: 'https://oidc.prod.example', sub: SPIFFE, aud: 'gcp' });
    expect(plan.controlNote).toContain('from the gate manifest');
    expect(plan.controlPrincipal?.principal).toBe(bound(SPIFFE));
    expect(plan.otherSubject).toBe('spiffe://prod.example/agent/attestgate-probe-intruder');
    expect(plan.unbound).toEqual({ reason: expect.stringContaining('admits no subject that a principal://…/subject/ binding does not name') });
  });

  test('brownfield: the bound subject plus the claims the condition pins', () => {
    const plan = planTokens(provider({ attributeCondition: `assertion.sub == '${SPIFFE}' && assertion.repository_owner_id == '42'` }));
    expect(plan.control).toEqual({ iss: 'https://oidc.prod.example', sub: SPIFFE, aud: 'gcp', repository_owner_id: '42' });
    expect(plan.controlNote).toContain('derived from the configuration');
  });

  test('a prefix condition: an admitted subject no binding names is the unbound probe', () => {
    const plan = planTokens(provider({ attributeCondition: "assertion.sub.startsWith('spiffe://prod.example/agent/')" }));
    expect(plan.control?.sub).toBe(SPIFFE);
    expect(plan.unbound).toMatchObject({ claims: { sub: 'spiffe://prod.example/agent/attestgate-probe-unbound' } });
  });

  test('no condition and nothing named: the fallback subject is admitted', () => {
    const plan = planTokens(provider({ impersonators: new Set([`principalSet://iam.googleapis.com/${POOL}/*`]), boundSubjects: new Set() }));
    expect(plan.control?.sub).toBe(FALLBACK_SUBJECT);
    expect(plan.unbound).toMatchObject({ claims: { sub: `${FALLBACK_SUBJECT}-attestgate-probe-unbound` } });
  });

  test('no derivable claims the condition admits: no control, with what was tried; base claims still exist', () => {
    const plan = planTokens(provider({ attributeCondition: "assertion.sub.matches('^spiffe://[a-z]+/x$')", boundSubjects: new Set(), impersonators: new Set() }));
    expect(plan.control).toBeUndefined();
    expect(plan.controlNote).toBe(`no token claims the attribute condition admits could be derived (tried "${FALLBACK_SUBJECT}")`);
    expect(plan.baseClaims.sub).toBe(FALLBACK_SUBJECT);
  });

  test('the control prefers a subject that holds an impersonation binding', () => {
    const other = 'spiffe://prod.example/agent/reader';
    const plan = planTokens(provider({ attributeCondition: `assertion.sub in ['${other}', '${SPIFFE}']`, boundSubjects: new Set([bound(other), bound(SPIFFE)]) }));
    expect(plan.control?.sub).toBe(SPIFFE);
  });

  test('without allowed audiences, the provider’s own name is the audience', () => {
    expect(planTokens(provider({ audiences: [`//iam.googleapis.com/${POOL}/providers/spire`] })).control?.aud).toBe(`//iam.googleapis.com/${POOL}/providers/spire`);
  });

  describe('in a pool of many gates', () => {
    const agents = [...Array(200).keys()].map((i) => `spiffe://prod.example/agent/agent-${i}`);
    const pool = { boundSubjects: new Set(agents.map(bound)), impersonators: new Set(agents.map(bound)) };
    const pinnedTo = (i: number) => provider({ ...pool, attributeCondition: `assertion.sub == '${agents[i]}'` });

    test('a provider pinned to its subject reaches only that bound subject; one not pinned, every bound subject of the pool', () => {
      expect(subjectsReachingThrough(pinnedTo(7))).toEqual([agents[7]]);
      expect(subjectsReachingThrough(provider({ ...pool, attributeCondition: `assertion.sub == 'spiffe://prod.example/agent/nobody'` }))).toEqual([]);
      // Lax cases: a prefix, an ||, a mapping that transforms the claim — not proven pinned.
      expect(subjectsReachingThrough(provider({ ...pool, attributeCondition: "assertion.sub.startsWith('spiffe://prod.example/agent/')" }))).toHaveLength(200);
      expect(subjectsReachingThrough(provider({ ...pool, attributeCondition: `assertion.sub == '${agents[7]}' || assertion.sub == '${agents[8]}'` }))).toHaveLength(200);
      expect(subjectsReachingThrough(provider({ ...pool, attributeCondition: `assertion.sub == '${agents[7]}'`, attributeMapping: { 'google.subject': "assertion.sub.extract('/agent/{x}')" } }))).toHaveLength(200);
    });

    test('brownfield, no manifest: a pinned gate declares its own subject (not the pool’s first) and derives as many candidates whatever the pool', () => {
      const plan = planTokens(pinnedTo(7));
      expect(plan.subjects.declared).toEqual([agents[7]]);
      expect(plan.control?.sub).toBe(agents[7]);
      expect(plan.subjects.probes.map((p) => p.predicted)).toEqual(Array(8).fill('refused'));
      const small = planTokens(provider({ boundSubjects: new Set([bound(agents[7])]), impersonators: new Set([bound(agents[7])]), attributeCondition: `assertion.sub == '${agents[7]}'` }));
      expect(plan.subjects.derived).toBe(small.subjects.derived);
    });

    test('a provider whose condition admits its siblings’ subjects: each sibling’s exact subject is predicted to reach an account and probed first', () => {
      const plan = planTokens(provider({ ...pool, attributeCondition: "assertion.sub.startsWith('spiffe://prod.example/agent/')", manifest: { spiffeId: agents[0], subject: agents[0] } }));
      expect(plan.subjects.probes.slice(0, 8).map((p) => [p.sub, p.predicted])).toEqual(agents.slice(1, 9).map((a) => [a, 'reaches a service account']));
    });
  });
});
