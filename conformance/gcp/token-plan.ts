import { conditionLiterals } from '../../lib/model/gcp/cel/condition-literals';
import { readMember } from '../../lib/model/gcp/google-workload-identity';
import { SubjectCandidate, boundValueOf, declaredSubjects, mappingPassesSubject, pinnedClaims, searchAdmittedSubjects } from '../../lib/model/gcp/admitted-subjects';
import { FederatedPrincipal, federate, isRejection, principalOf } from '../../lib/model/gcp/federated-identity';
import { pinnedPrincipalSubject } from '../../lib/model/gcp/pinned-subject';
import { TokenClaims } from '../oidc/jwt';

/**
 * Which claims the probes put in their tokens. The positive control's claims come from the gate
 * manifest (the SPIFFE ID and its subject; issuer and audience from the provider); for a brownfield provider they are
 * derived from what the configuration says — the subjects its bindings name, the literals its
 * condition compares claims with, the prefixes it requires — and each candidate is checked by
 * running the provider's own mapping and condition on it (the emulator's CEL path). Only the
 * endpoint's answer is a verdict; this only picks inputs.
 */

/** What of a provider the plan needs. */
export interface PlannedProvider {
  readonly name: string;
  readonly poolName: string;
  readonly issuer: string;
  /** The audiences a token may carry: allowed_audiences, or the provider's own resource name. */
  readonly audiences: readonly string[];
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition?: string;
  /** Members that hold an impersonation role on some service account. */
  readonly impersonators: ReadonlySet<string>;
  /** Members bound one by one: `principal://…/subject/<s>` of any grant. */
  readonly boundSubjects: ReadonlySet<string>;
  readonly manifest?: { readonly spiffeId: string; readonly subject: string };
}

export interface TokenPlan {
  /** Claims the provider admits (iat/exp are set when signing); undefined when none could be derived. */
  readonly control?: TokenClaims;
  /** How the control's claims were chosen, or why none could be. */
  readonly controlNote: string;
  /** The principal the control token federates to, as the provider's mapping computes it. */
  readonly controlPrincipal?: FederatedPrincipal;
  /** Claims for the key-free mutations even without an admitted control (best effort). */
  readonly baseClaims: TokenClaims;
  /** Another subject of the same issuer: a sibling of the control's subject. */
  readonly otherSubject: string;
  /** Claims of a subject the condition admits but no `principal://…/subject/` binding names, or why there is none. */
  readonly unbound: { readonly claims: TokenClaims; readonly principal: FederatedPrincipal } | { readonly reason: string };
  /** The subject search of the provider's own logic (lib/model/gcp/admitted-subjects.ts): the declared subjects and what to probe. */
  readonly subjects: SubjectProbes;
}

/** What the model predicts of a probe subject: it can act as a service account, it is only federated, or it is refused. */
export type SubjectPrediction = 'reaches a service account' | 'federated only' | 'refused';

export interface SubjectProbes {
  readonly declared: readonly string[];
  /** The subjects to send, those the model predicts reach a service account first. */
  readonly probes: ReadonlyArray<SubjectCandidate & { readonly predicted: SubjectPrediction }>;
  /** How many candidates the search derived in all. */
  readonly derived: number;
}

/** At most this many subjects are sent per gate: every predicted opening first, then the others in the order derived. */
export const MAX_SUBJECT_PROBES = 8;

/** The subject tried when the configuration names none. */
export const FALLBACK_SUBJECT = 'attestgate-probe-subject';

/** A sibling of a subject: the last path segment replaced (`spiffe://td/agent/x` → `spiffe://td/agent/attestgate-probe-intruder`). */
export function siblingSubject(subject: string, name = 'attestgate-probe-intruder'): string {
  const slash = subject.lastIndexOf('/');
  return slash >= 0 && slash < subject.length - 1 ? `${subject.slice(0, slash + 1)}${name}` : `${subject}-${name}`;
}

/** Runs the provider's mapping and condition on claims (as the STS would after verifying the signature). */
export function federatePlanned(provider: PlannedProvider, claims: TokenClaims): FederatedPrincipal | undefined {
  const now = Math.floor(Date.now() / 1000);
  const result = federate(provider, { iat: now, exp: now + 300, ...claims });
  return isRejection(result) ? undefined : result;
}

const holdsImpersonation = (provider: PlannedProvider, principal: FederatedPrincipal) => [principal.principal, ...principal.principalSets].some((m) => provider.impersonators.has(m));

const PRINCIPAL_SUBJECT = (poolName: string) => `principal://iam.googleapis.com/${poolName}/subject/`;

// A pool's members are the same Set for every gate of the pool (resolve-gates computes them once
// per pool): what is read from them is computed once per Set, not once per gate.
const boundSubjectsOfPool = new WeakMap<ReadonlySet<string>, readonly string[]>();
const boundValuesOfPool = new WeakMap<ReadonlySet<string>, ReadonlyArray<{ key: string; value: string }>>();

function boundValuesOf(impersonators: ReadonlySet<string>): ReadonlyArray<{ key: string; value: string }> {
  let values = boundValuesOfPool.get(impersonators);
  if (!values) {
    values = [...impersonators].flatMap((member) => {
      const reading = readMember(member);
      return 'principal' in reading ? boundValueOf(reading.principal) : [];
    });
    boundValuesOfPool.set(impersonators, values);
  }
  return values;
}

/**
 * The subjects bound one by one (`principal://…/subject/<s>`) that a token through this provider
 * can be federated to: every one of the pool, unless the provider is provably pinned to one
 * subject (a top-level `assertion.sub == 'X'` with the claim mapped unchanged,
 * lib/model/gcp/pinned-subject.ts — the reading AG-GCP-004 uses to drop paths to other subjects'
 * bindings) — then that one alone, if it is bound.
 *
 * Why this is sound for the subject search (AGC-GCP-013) and the control: the pinned provider's
 * condition refuses every `sub` but X at a top-level conjunct, so it admits no other bound subject
 * and none of their neighbours — the search already predicted each of them refused without running
 * the condition. Such a candidate, sent, could only show the endpoint refusing what its condition
 * refuses, which the declared subject's own neighbours (still derived and sent) already show; it
 * could never show a subject beyond the declared one reaching an account, which is what the check
 * is for. Every candidate the condition could admit is kept: X itself, the condition's literals and
 * prefixes, and for any provider not proven pinned (a prefix, an ||, a transforming mapping) every
 * bound subject of the pool as before. Without the narrowing a pool of N gates derives N subjects'
 * neighbours for each gate (N²); and a brownfield gate without a manifest took the pool's first
 * bound subject — another gate's — as its declared one, so its own pinned subject counted as
 * "beyond" it and a correct gate FAILed.
 */
export function subjectsReachingThrough(provider: Pick<PlannedProvider, 'poolName' | 'attributeCondition' | 'attributeMapping' | 'boundSubjects'>): readonly string[] {
  const prefix = PRINCIPAL_SUBJECT(provider.poolName);
  const pinned = pinnedPrincipalSubject(provider.attributeCondition, provider.attributeMapping);
  if (pinned !== undefined) return provider.boundSubjects.has(`${prefix}${pinned}`) ? [pinned] : [];
  let all = boundSubjectsOfPool.get(provider.boundSubjects);
  if (!all) {
    all = [...provider.boundSubjects].map((m) => m.slice(prefix.length));
    boundSubjectsOfPool.set(provider.boundSubjects, all);
  }
  return all;
}

/** The claims the probes use for a provider. */
export function planTokens(provider: PlannedProvider): TokenPlan {
  const literals = conditionLiterals(provider.attributeCondition, provider.attributeMapping);
  const audience = provider.audiences[0];
  // Claims the condition pins to one value, other than the ones every token sets.
  const { iss: _iss, aud: _aud, iat: _iat, exp: _exp, nbf: _nbf, ...extra } = pinnedClaims(literals);
  const claimsFor = (sub: string): TokenClaims => ({ ...extra, iss: provider.issuer, sub, aud: audience });

  const boundSubjectValues = subjectsReachingThrough(provider);
  const subjectPrefixes = literals.prefixes.get('sub') ?? [];
  // Each subject once, where it first comes (a Set keeps insertion order): the bound subjects may be
  // every one of the pool (a provider not pinned), and an indexOf per subject was cubic in the gates of a pool.
  const candidates = [
    ...new Set([
      ...(provider.manifest ? [provider.manifest.spiffeId, provider.manifest.subject] : []),
      ...boundSubjectValues,
      ...(literals.values.get('sub') ?? []),
      ...subjectPrefixes.map((p) => `${p}attestgate-probe`),
      // Last: a subject nobody named, which only a provider that does not pin the subject admits.
      FALLBACK_SUBJECT,
    ]),
  ].filter((s) => s !== '');

  const declared = declaredSubjects({ ...(provider.manifest ? { manifest: provider.manifest } : {}), boundSubjects: boundSubjectValues, literals, mappingPassesSubject: mappingPassesSubject(provider.attributeMapping) });
  // Subject members the provider provably cannot give are left out as above; attribute and
  // whole-pool members (principalSet) stay whatever the provider: any provider of the pool may reach them.
  const reachable = new Set(boundSubjectValues);
  const boundValues = boundValuesOf(provider.impersonators).filter((b) => b.key !== 'google.subject' || reachable.has(b.value));
  const search = searchAdmittedSubjects({ provider, declared, known: boundSubjectValues, boundValues, claims: { ...extra, iss: provider.issuer, aud: audience }, reaches: (p) => holdsImpersonation(provider, p) });

  // Each candidate is run through the condition only until one admitted subject holds an
  // impersonation role (the manifest's, first, in a gate attestgate wrote): in a pool of N gates
  // the candidates hold every bound subject, and running all of them for each gate is N² CEL runs.
  const admitted: Array<{ sub: string; principal: FederatedPrincipal }> = [];
  let chosen: { sub: string; principal: FederatedPrincipal } | undefined;
  for (const sub of candidates) {
    const principal = federatePlanned(provider, claimsFor(sub));
    if (!principal) continue;
    admitted.push({ sub, principal });
    if (holdsImpersonation(provider, principal)) {
      chosen = { sub, principal };
      break;
    }
  }
  // A configuration that names no subject the condition admits (an endsWith, a regex) may still admit one the search derived.
  const derived = search.tried.filter((t): t is typeof t & { principal: FederatedPrincipal } => t.principal !== undefined);
  chosen ??= derived.find((c) => holdsImpersonation(provider, c.principal)) ?? admitted[0] ?? derived[0];
  const baseSubject = chosen?.sub ?? candidates[0];
  const otherSubject = siblingSubject(baseSubject);

  const unboundCandidates = [
    ...(literals.values.get('sub') ?? []),
    ...subjectPrefixes.map((p) => `${p}attestgate-probe-unbound`),
    siblingSubject(baseSubject, 'attestgate-probe-unbound'),
  ].filter((s) => s !== baseSubject);
  let unbound: TokenPlan['unbound'] = {
    reason: `the attribute condition admits no subject that a principal://…/subject/ binding does not name (tried ${unboundCandidates.map((s) => JSON.stringify(s)).join(', ')})`,
  };
  for (const sub of unboundCandidates) {
    const principal = federatePlanned(provider, claimsFor(sub));
    if (principal && !provider.boundSubjects.has(principalOf(provider.poolName, principal.subject))) {
      unbound = { claims: claimsFor(sub), principal };
      break;
    }
  }

  const predicted = search.tried.map((t) => ({ sub: t.sub, how: t.how, predicted: (t.principal === undefined ? 'refused' : holdsImpersonation(provider, t.principal) ? 'reaches a service account' : 'federated only') as SubjectPrediction }));
  const order: SubjectPrediction[] = ['reaches a service account', 'federated only', 'refused'];
  const probes = order.flatMap((o) => predicted.filter((p) => p.predicted === o)).slice(0, MAX_SUBJECT_PROBES);

  const tried = candidates.map((s) => JSON.stringify(s)).join(', ');
  return {
    ...(chosen ? { control: claimsFor(chosen.sub), controlPrincipal: chosen.principal } : {}),
    controlNote: chosen
      ? `sub ${JSON.stringify(chosen.sub)}, aud ${JSON.stringify(audience)} (${provider.manifest ? 'from the gate manifest' : 'derived from the configuration'})`
      : `no token claims the attribute condition admits could be derived (tried ${tried})`,
    baseClaims: claimsFor(baseSubject),
    otherSubject,
    unbound,
    subjects: { declared, probes, derived: search.tried.length },
  };
}
