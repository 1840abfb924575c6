import { ConditionLiterals } from '../gcp/cel/condition-literals';
import { SubjectCandidate, subjectCandidates } from '../gcp/admitted-subjects';

/**
 * Entra's flexible federated identity credential expression language, version 1 (`claimsMatchingExpression`,
 * azuread's `claims_matching_expression`). As documented (learn.microsoft.com, "Flexible federated
 * identity credentials", 2026-09): clauses `claims['<claim>'] <operator> '<comparand>'` joined by
 * `and` — there is no `or` and no negation — with the operators `eq` (the claim equals the
 * comparand) and `matches` (`*` any run of characters, `?` exactly one). A credential holds either
 * `subject` or an expression, never both.
 *
 * Not confirmed against the live service, so chosen to never understate what an expression admits:
 * - comparisons are taken as case-sensitive, as exact federated credentials are documented to be;
 * - a quote inside a comparand is refused as unreadable (the docs say only that "single quotes are
 *   interpreted as escape characters"), so such an expression is never judged clean;
 * - spaces between the parts are read leniently (the docs ask for exactly one): an expression Entra
 *   refuses to store cannot open a path, one it stores is judged by what it says.
 *
 * Pure: the synth-time rule, the issuance-path model and (later) the emulator read this one reading.
 */

export type FlexibleOperator = 'eq' | 'matches';

export interface FlexibleClause {
  readonly claim: string;
  readonly operator: FlexibleOperator;
  readonly comparand: string;
}

/** A parsed expression: every clause must hold. */
export interface FlexibleExpression {
  readonly text: string;
  readonly clauses: readonly FlexibleClause[];
}

/** The only language version Entra documents. */
export const FLEXIBLE_LANGUAGE_VERSION = 1;

/** One clause at the start of the text: the claim, the operator, the comparand. */
const CLAUSE = /^claims\['([^'\\]+)'\]\s+(eq|matches)\s+'([^']*)'/;

/**
 * Reads an expression.
 *
 * @returns the expression, or why it cannot be read (then nothing about it can be judged)
 */
export function parseFlexibleExpression(text: string): FlexibleExpression | { readonly unreadable: string } {
  if (text.trim() === '') return { unreadable: 'the expression is empty' };
  // `and` only separates clauses outside quotes; a comparand may itself contain " and ".
  const clauses: FlexibleClause[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    const head = CLAUSE.exec(rest);
    if (!head) return { unreadable: `cannot read ${JSON.stringify(rest)}: each clause is claims['<claim>'] eq|matches '<value>' (no quotes inside the value), joined by "and"` };
    const [, claim, operator, comparand] = head;
    clauses.push({ claim, operator: operator as FlexibleOperator, comparand });
    rest = rest.slice(head[0].length);
    if (rest.trim() === '') break;
    const and = /^\s+and\s+/.exec(rest);
    if (!and) return { unreadable: `expected "and" before ${JSON.stringify(rest.trim())}: the language has no other connective (no "or", no "not")` };
    rest = rest.slice(and[0].length);
  }
  return { text, clauses };
}

/** Whether a value fits a `matches` pattern: `*` any run (also empty, also across `/`), `?` one character, all else literal. */
export function flexibleWildcardMatch(pattern: string, value: string): boolean {
  const source = [...pattern].map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 'u').test(value);
}

const hasWildcard = (pattern: string) => /[*?]/.test(pattern);

/** Whether a token's claims satisfy the expression: every clause holds on a claim the token carries. */
export function evaluateFlexibleExpression(expression: FlexibleExpression, claims: Readonly<Record<string, unknown>>): boolean {
  return expression.clauses.every(({ claim, operator, comparand }) => {
    const raw = claims[claim];
    // GitHub writes numeric IDs as strings; a number is compared by its decimal text.
    const value = typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : undefined;
    if (value === undefined) return false;
    return operator === 'eq' ? value === comparand : flexibleWildcardMatch(comparand, value);
  });
}

/** The subjects an expression names exactly: `eq` comparands and `matches` patterns without a wildcard. */
export function exactSubjects(expression: FlexibleExpression): string[] {
  return expression.clauses.filter((c) => c.claim === 'sub' && (c.operator === 'eq' || !hasWildcard(c.comparand))).map((c) => c.comparand);
}

/** Marks every probe subject, so a log reader sees it is ours (as the GCP search does). */
const PROBE = 'attestgate-probe';

/** Values a pattern certainly admits: each wildcard filled in a few ways (empty, one segment, deeper). */
function witnesses(pattern: string): string[] {
  if (!hasWildcard(pattern)) return [pattern];
  const fill = (star: string) => pattern.replace(/\*/g, star).replace(/\?/g, 'x');
  return [...new Set([fill(PROBE), fill(''), fill(`${PROBE}/${PROBE}`)])];
}

/** The literal text of a pattern before its first wildcard, after its last, and between. */
function literalParts(pattern: string): { prefix: string; suffix: string; middle: string[] } {
  const parts = pattern.split(/[*?]+/);
  return { prefix: parts[0], suffix: parts.length > 1 ? parts[parts.length - 1] : '', middle: parts.slice(1, -1).filter((p) => p !== '') };
}

export interface FlexibleSearchResult {
  /** Every subject tried, with whether the expression admits it. */
  readonly tried: ReadonlyArray<SubjectCandidate & { readonly admitted: boolean }>;
  /** Admitted and not declared. */
  readonly beyond: readonly SubjectCandidate[];
}

/**
 * What an expression admits beyond the declared subjects. The candidates are the GCP search's
 * (subjectCandidates: the compared values, near neighbours of the known subjects, subjects under a
 * literal prefix or ending with a literal suffix, a subject nobody named), fed with the literals of
 * this language, plus each `matches` pattern's own witnesses — a subject its wildcards certainly
 * admit. The claims besides `sub` that the expression pins are given a value it admits, so a
 * candidate is refused only for its subject.
 *
 * @param declared the subjects the gate is meant for
 */
export function searchFlexibleExpression(expression: FlexibleExpression, declared: readonly string[]): FlexibleSearchResult {
  const sub = expression.clauses.filter((c) => c.claim === 'sub');
  const literals: ConditionLiterals = {
    values: new Map([['sub', sub.filter((c) => c.operator === 'eq').map((c) => c.comparand)]]),
    prefixes: new Map([['sub', sub.filter((c) => c.operator === 'matches' && hasWildcard(c.comparand)).map((c) => literalParts(c.comparand).prefix)]]),
    suffixes: new Map([['sub', sub.filter((c) => c.operator === 'matches' && hasWildcard(c.comparand)).map((c) => literalParts(c.comparand).suffix).filter((s) => s !== '')]]),
    substrings: new Map([['sub', sub.flatMap((c) => (c.operator === 'matches' ? literalParts(c.comparand).middle : []))]]),
    patterns: new Map(),
    extracted: new Map(),
  };
  const known = [...declared, ...exactSubjects(expression)];
  const candidates: SubjectCandidate[] = [
    ...sub.filter((c) => c.operator === 'matches').flatMap((c) => witnesses(c.comparand).map((w) => ({ sub: w, how: `a subject the pattern '${c.comparand}' admits` }))),
    ...subjectCandidates(literals, known),
  ];
  // Other claims: the first value each clause on it admits (a clause that admits none fails every token anyway).
  const pinned: Record<string, string> = {};
  for (const clause of expression.clauses) {
    if (clause.claim !== 'sub' && pinned[clause.claim] === undefined) pinned[clause.claim] = clause.operator === 'eq' ? clause.comparand : witnesses(clause.comparand)[0];
  }
  const unique = [...new Map(candidates.filter((c) => c.sub !== '').map((c) => [c.sub, c])).values()];
  const tried = unique.map((c) => ({ ...c, admitted: evaluateFlexibleExpression(expression, { ...pinned, sub: c.sub }) }));
  const isDeclared = new Set(declared);
  return { tried, beyond: tried.filter((t) => t.admitted && !isDeclared.has(t.sub)).map(({ sub: s, how }) => ({ sub: s, how })) };
}
