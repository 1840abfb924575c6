import { evaluateFlexibleExpression, flexibleWildcardMatch, parseFlexibleExpression } from '../../lib/model/azure/flexible-credential-expression';

/**
 * Which subjects other identities trust AGC-AZ-011 presents to a gate — without sending each gate
 * every subject of every other identity (n × (n − 1) requests: 1,014,000 at 1,000 gates).
 *
 * Why a bounded sample proves as much as all of them, for an identity whose credentials are all
 * exact: Entra matches an exact federated identity credential only when the token's issuer,
 * subject and audience are each equal to the credential's, case-sensitively and without wildcards
 * (reference/gcp-azure.md §1 item 3 and §4.2 "Wildcards are not supported in any property …
 * Matching is case-sensitive"). A subject the identity does not name equals none of its
 * credentials' subjects, so under that matching it is refused whatever other identity trusts it;
 * which one does is no input to the comparison. What probing foreign subjects can still catch is a
 * matcher that is not exact — prefix, case-insensitive, glob — and such a matcher fails on the
 * subjects closest to the identity's own. So those are always probed:
 *
 * - every foreign subject a lax comparison with one of the identity's subjects admits (equal
 *   ignoring case; one a prefix of the other; one a glob the other fits), however many;
 * - the `FOREIGN_SAMPLE_SIZE` foreign subjects with the longest common prefix with one of the
 *   identity's subjects (same issuer first), ties broken by the subject's text: deterministic.
 *
 * A flexible credential (a claims-matching expression) is the exception: it admits subjects it does
 * not name. Every foreign subject its expression admits — evaluated with the model's reading of
 * the language (lib/model/azure/flexible-credential-expression.ts) — is probed; if an expression is
 * not known or cannot be read, every foreign subject is. The count left out, and why, is always
 * returned for the evidence.
 */

/** How many of the closest foreign subjects are probed besides the ones a lax matcher would admit. */
export const FOREIGN_SAMPLE_SIZE = 8;

export interface ForeignSubject {
  readonly subject: string;
  /** The identity that trusts it, for people. */
  readonly identity: string;
  /** The issuer of the credential that trusts it, when known: a workload of that issuer can get such a token. */
  readonly issuer?: string;
}

/** A credential of the gate's identity, as matching reads it. */
export interface OwnCredential {
  readonly issuer: string;
  readonly subject: string;
}

/** A flexible credential of the gate's identity: its expression's text, or undefined when it is not known before apply. */
export interface FlexibleCredentialFacts {
  readonly address: string;
  readonly expression: string | undefined;
}

export interface ForeignProbe<C extends OwnCredential> {
  readonly foreign: ForeignSubject;
  /** The credential of the gate it is closest to: the probe carries its issuer and audience. */
  readonly nearest: C;
  readonly why: string;
}

export interface ForeignSelection<C extends OwnCredential> {
  readonly probes: ReadonlyArray<ForeignProbe<C>>;
  /** Distinct foreign subjects the identity does not name. */
  readonly candidates: number;
  /** How many of them are not probed, and why (undefined when none is left out). */
  readonly notProbed: number;
  readonly notProbedWhy?: string;
}

export const EXACT_MATCH_REASON =
  'each credential of this identity matches its subject exactly (Entra compares issuer, subject and audience for equality, case-sensitively, without wildcards: reference/gcp-azure.md §1.3, §4.2), so a subject it does not name cannot match; the subjects a prefix, case-insensitive or glob matcher would admit, and the closest others, were probed';

const hasWildcard = (s: string) => /[*?]/.test(s);

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * Equal ignoring case, character by character: it stops at the first difference, where lowering
 * both whole strings cost a copy of each for every pair (1,000 gates: ~2 million pairs).
 */
function equalIgnoringCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i) && a[i].toLowerCase() !== b[i].toLowerCase()) return false;
  }
  return true;
}

/** Why a lax matcher would take `foreign` for `own`, or undefined. */
export function laxAdmission(own: string, foreign: string): string | undefined {
  if (equalIgnoringCase(own, foreign)) return 'equal to its subject ignoring case';
  if (foreign.startsWith(own)) return 'its subject is a prefix of it';
  if (own.startsWith(foreign)) return 'it is a prefix of its subject';
  if (hasWildcard(own) && flexibleWildcardMatch(own, foreign)) return 'it fits its subject read as a glob';
  if (hasWildcard(foreign) && flexibleWildcardMatch(foreign, own)) return 'read as a glob, it fits its subject';
  return undefined;
}

/**
 * The foreign subjects to probe a gate with.
 *
 * @param own the identity's exact credentials (the subjects it names)
 * @param flexible the identity's flexible credentials
 * @param foreign subjects other identities trust
 */
export function selectForeignSubjects<C extends OwnCredential>(
  own: readonly C[],
  flexible: readonly FlexibleCredentialFacts[],
  foreign: readonly ForeignSubject[],
  sampleSize = FOREIGN_SAMPLE_SIZE,
): ForeignSelection<C> {
  const named = new Set(own.map((c) => c.subject));
  const distinct = new Map<string, ForeignSubject>();
  for (const f of foreign) if (!named.has(f.subject) && !distinct.has(f.subject)) distinct.set(f.subject, f);
  const candidates = [...distinct.values()];
  if (own.length === 0) return { probes: [], candidates: candidates.length, notProbed: candidates.length, notProbedWhy: 'the identity has no exact credential to carry a probe' };

  // Flexible credentials first: an expression we cannot evaluate could admit any of them.
  const admitters: Array<{ address: string; admits: (sub: string) => boolean }> = [];
  for (const f of flexible) {
    const parsed = f.expression === undefined ? undefined : parseFlexibleExpression(f.expression);
    if (parsed === undefined || 'unreadable' in parsed) {
      const why = parsed === undefined ? 'is known only at apply' : `cannot be read (${parsed.unreadable})`;
      return { probes: candidates.map((c) => ({ foreign: c, nearest: nearestOf(own, c).credential, why: `the expression of flexible credential ${f.address} ${why}: it could admit any subject` })), candidates: candidates.length, notProbed: 0 };
    }
    // Only the `sub` clauses: a probe carries no other claim, and a clause on another claim narrows, never widens.
    const subClauses = { ...parsed, clauses: parsed.clauses.filter((c) => c.claim === 'sub') };
    admitters.push({ address: f.address, admits: (sub) => evaluateFlexibleExpression(subClauses, { sub }) });
  }

  const probes: Array<ForeignProbe<C>> = [];
  const ranked: Array<{ foreign: ForeignSubject; nearest: C; prefix: number; sameIssuer: boolean }> = [];
  for (const candidate of candidates) {
    const admitter = admitters.find((a) => a.admits(candidate.subject));
    const lax = admitter ? undefined : laxOf(own, candidate.subject);
    const nearest = nearestOf(own, candidate);
    if (admitter) probes.push({ foreign: candidate, nearest: nearest.credential, why: `flexible credential ${admitter.address}'s expression admits it` });
    else if (lax) probes.push({ foreign: candidate, nearest: lax.credential, why: `a lax matcher would admit it: ${lax.why}` });
    else ranked.push({ foreign: candidate, nearest: nearest.credential, prefix: nearest.prefix, sameIssuer: nearest.sameIssuer });
  }
  ranked.sort((a, b) => b.prefix - a.prefix || Number(b.sameIssuer) - Number(a.sameIssuer) || (a.foreign.subject < b.foreign.subject ? -1 : a.foreign.subject > b.foreign.subject ? 1 : 0));
  for (const r of ranked.slice(0, sampleSize)) probes.push({ foreign: r.foreign, nearest: r.nearest, why: `among the ${sampleSize} closest to its subjects (${r.prefix} characters in common)` });
  const notProbed = candidates.length - probes.length;
  const flexibleNote = admitters.length > 0 ? `; the expressions of its flexible credentials (${admitters.map((a) => a.address).join(', ')}) admit none of them` : '';
  return { probes, candidates: candidates.length, notProbed, ...(notProbed > 0 ? { notProbedWhy: `${EXACT_MATCH_REASON}${flexibleNote}` } : {}) };
}

function laxOf<C extends OwnCredential>(own: readonly C[], subject: string): { credential: C; why: string } | undefined {
  for (const credential of own) {
    const why = laxAdmission(credential.subject, subject);
    if (why) return { credential, why };
  }
  return undefined;
}

/** The credential whose subject shares the longest prefix with the foreign subject (same issuer preferred on a tie). */
function nearestOf<C extends OwnCredential>(own: readonly C[], foreign: ForeignSubject): { credential: C; prefix: number; sameIssuer: boolean } {
  let best = { credential: own[0], prefix: -1, sameIssuer: false };
  for (const credential of own) {
    const prefix = commonPrefixLength(credential.subject, foreign.subject);
    const sameIssuer = foreign.issuer !== undefined && foreign.issuer === credential.issuer;
    if (prefix > best.prefix || (prefix === best.prefix && sameIssuer && !best.sameIssuer)) best = { credential, prefix, sameIssuer };
  }
  return best;
}
