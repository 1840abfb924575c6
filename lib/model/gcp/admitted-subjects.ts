import { anchoredLiteralPrefix, celChildren } from './cel/condition-analysis';
import { CelExpr, parseCel } from './cel/environment';
import { ConditionLiterals, aliasOf, conditionLiterals } from './cel/condition-literals';
import { parseExtractTemplate } from './cel/extract';
import { FederatedPrincipal, IMPERSONATION_ROLES, federate, isRejection } from './federated-identity';
import { PoolPrincipal, WorkloadIdentityProviderModel, gateDeclarationOf, poolPrincipalCovers, withPlaceholders } from './google-workload-identity';
import { GateServiceAccount, GcpIssuancePath, gcpIssuancePaths } from './issuance-paths';
import { mappingPassesSubject, pinnedSubjectClaim } from './pinned-subject';
import { TerraformModel } from '../terraform/configuration';
import { describeValue, isSymbol, isSymbolicString } from '../terraform/expressions';

/**
 * What a workload identity provider admits beyond the identity it is meant for. The negative
 * subjects come from the provider's own logic — every literal its condition tests the subject with
 * (equality, `in` lists, `startsWith`, `endsWith`, `contains`, `matches`, every `||` branch) and
 * every `extract()` its mapping applies — plus near neighbours of the declared subject that a loose
 * test lets through: another workload of the same path, a name sharing its prefix, a path below
 * it, the same path in another trust domain or under an extended host, a segment inserted in front
 * (what a lossy extract maps to the same value), each `.` read as a regex wildcard. Each candidate is
 * then run through the provider's mapping and condition (federate(), the emulator's own path), and
 * the admitted ones whose principal can act as a gated service account are what the search returns.
 *
 * The synth-time rule AG-GCP-004 and the conformance check AGC-GCP-013 both read this search, so
 * they agree on which subjects a gate admits; the check then asks the endpoint, which decides.
 */

/** A subject to try, and how it was derived (for the report). */
export interface SubjectCandidate {
  readonly sub: string;
  readonly how: string;
}

/** Marks every probe subject, so a log reader sees it is ours. */
const PROBE = 'attestgate-probe';
/** A trust domain nobody owns (RFC 2606 `.invalid`). */
const OTHER_DOMAIN = 'attestgate-probe.invalid';

const URI = /^([a-z][a-z0-9+.-]*:\/\/)([^/]*)(\/.*)?$/i;

/** Neighbours of a known subject that a loose condition admits. */
function neighbours(subject: string): SubjectCandidate[] {
  const out: SubjectCandidate[] = [];
  const slash = subject.lastIndexOf('/');
  if (slash >= 0 && slash < subject.length - 1) out.push({ sub: `${subject.slice(0, slash + 1)}${PROBE}-intruder`, how: `another workload beside ${subject} (its last segment replaced)` });
  out.push({ sub: `${subject}-${PROBE}`, how: `a name that starts with ${subject}` });
  out.push({ sub: `${subject}/${PROBE}`, how: `a path below ${subject}` });
  const uri = URI.exec(subject);
  if (uri) {
    const [, scheme, host, path = ''] = uri;
    out.push({ sub: `${scheme}${OTHER_DOMAIN}${path}`, how: `the same path as ${subject} in another trust domain` });
    out.push({ sub: `${scheme}${host}.${OTHER_DOMAIN}${path}`, how: `${subject} under a host that extends ${host}` });
    if (path !== '') out.push({ sub: `${scheme}${host}/${PROBE}${path}`, how: `a segment inserted in front of ${subject}'s path` });
  }
  if (subject.includes('.')) out.push({ sub: subject.replace(/\./g, 'x'), how: `${subject} with every "." replaced (a regex "." matches any character)` });
  return out;
}

/**
 * Candidate subjects for a claim (`sub` for OIDC), from the condition's literals, the mapping's
 * extract templates, the known subjects (declared, bound, written in the condition) and what they
 * extract to.
 */
export function subjectCandidates(literals: ConditionLiterals, known: readonly string[], claim = 'sub'): SubjectCandidate[] {
  const out: SubjectCandidate[] = [];
  const values = literals.values.get(claim) ?? [];
  for (const value of values) out.push({ sub: value, how: 'a value the condition compares the subject with' });
  // A known subject itself (another gate's, bound in the same pool): a provider that admits it
  // federates to that subject's principal, so its binding — another agent's account — is reached
  // through this provider's issuer and condition, not the other gate's. The declared ones are dropped by the search.
  const compared = new Set(values);
  for (const subject of known) if (!compared.has(subject)) out.push({ sub: subject, how: 'another subject bound in the pool' });
  for (const subject of [...new Set([...known, ...values])]) out.push(...neighbours(subject));
  const prefixes = [...(literals.prefixes.get(claim) ?? []), ...(literals.patterns.get(claim) ?? []).map(anchoredLiteralPrefix).filter((p): p is string => p !== undefined && p !== '')];
  for (const prefix of prefixes) {
    out.push({ sub: `${prefix}${PROBE}`, how: `a subject that starts with the prefix ${prefix}` });
    out.push({ sub: `${prefix}${PROBE}/${PROBE}`, how: `a deeper path under the prefix ${prefix}` });
  }
  for (const suffix of literals.suffixes.get(claim) ?? []) {
    out.push({ sub: `spiffe://${OTHER_DOMAIN}${suffix.startsWith('/') ? '' : '/'}${suffix}`, how: `another trust domain's subject ending with ${suffix}` });
    out.push({ sub: `${PROBE}${suffix}`, how: `a subject ending with ${suffix}` });
  }
  for (const substring of literals.substrings.get(claim) ?? []) {
    out.push({ sub: `spiffe://${OTHER_DOMAIN}/${substring}/${PROBE}`, how: `another trust domain's subject containing ${substring}` });
  }
  // A lossy extract: another subject with the same extracted part maps to the same principal or attribute.
  for (const { template, value } of literals.extracted.get(claim) ?? []) {
    const { prefix, suffix } = parseExtractTemplate(template);
    const part = `${prefix}${value}${suffix}`;
    out.push({ sub: `spiffe://${OTHER_DOMAIN}${part.startsWith('/') ? '' : '/'}${part}`, how: `another trust domain's subject that extract('${template}') maps to ${value}` });
    for (const p of prefixes) {
      out.push({ sub: `${p}${PROBE}${part.startsWith('/') ? '' : '/'}${part}`, how: `a subject under ${p} that extract('${template}') maps to ${value}` });
      // A prefix that already ends with the template's own prefix: the value right after it.
      if (prefix !== '' && p.endsWith(prefix)) out.push({ sub: `${p}${value}${suffix}`, how: `the subject under ${p} that extract('${template}') maps to ${value}` });
    }
  }
  out.push({ sub: `spiffe://${OTHER_DOMAIN}/${PROBE}`, how: 'a subject nobody named' });
  return [...new Map(out.filter((c) => c.sub !== '').map((c) => [c.sub, c])).values()];
}

/** What the search needs of a provider. */
export interface SearchedProvider {
  readonly name: string;
  readonly poolName: string;
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition?: string;
}

export interface SubjectSearch {
  readonly provider: SearchedProvider;
  /** The subjects the gate is meant for (its manifest's SPIFFE ID and subject, or the configuration's one bound subject). */
  readonly declared: readonly string[];
  /** Other subjects worth mutating: those bound one by one, those the condition compares with. */
  readonly known?: readonly string[];
  /**
   * Values bound one by one to a mapped key (`google.subject` of a `principal://…/subject/` member,
   * `attribute.x` of a `principalSet://…/attribute.x/` one): where the mapping extracts that key from
   * the subject, other subjects extracting to the same value reach the same binding.
   */
  readonly boundValues?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  /** The claims every token carries besides `sub` (issuer, audience, claims the condition pins). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Whether a federated principal can act as one of the gated service accounts. */
  readonly reaches: (principal: FederatedPrincipal) => boolean;
}

export interface AdmittedSubject extends SubjectCandidate {
  readonly principal: FederatedPrincipal;
}

export interface SubjectSearchResult {
  /** Every candidate, with what the provider makes of it: the principal, or undefined when refused. */
  readonly tried: ReadonlyArray<SubjectCandidate & { readonly principal?: FederatedPrincipal }>;
  /** Admitted, not declared, and able to act as a gated service account. */
  readonly beyond: readonly AdmittedSubject[];
}

/** The literals of a provider's condition, read through its mapping. */
export const providerLiterals = (provider: SearchedProvider): ConditionLiterals => conditionLiterals(provider.attributeCondition, provider.attributeMapping);

/** Runs the search; see the module comment. */
export function searchAdmittedSubjects(search: SubjectSearch): SubjectSearchResult {
  const declared = new Set(search.declared);
  const literals = providerLiterals(search.provider);
  for (const { key, value } of search.boundValues ?? []) {
    const expression = search.provider.attributeMapping[key];
    const alias = expression === undefined ? undefined : aliasOf(expression);
    if (alias?.claim !== 'sub' || alias.template === undefined) continue;
    const list = literals.extracted.get('sub') ?? [];
    if (!list.some((e) => e.template === alias.template && e.value === value)) list.push({ template: alias.template, value });
    literals.extracted.set('sub', list);
  }
  const candidates = subjectCandidates(literals, [...search.declared, ...(search.known ?? [])]).filter((c) => !declared.has(c.sub));
  const now = Math.floor(Date.now() / 1000);
  // A condition that pins the subject claim refuses every other subject at a top-level conjunct:
  // its answer is known without running it. In a pool of N gates the candidates hold neighbours
  // of every bound subject, and running the condition on each, for each gate, is N² CEL runs.
  const pinned = pinnedSubjectClaim(search.provider.attributeCondition, search.provider.attributeMapping);
  const tried = candidates.map((candidate): SubjectCandidate & { principal?: FederatedPrincipal } => {
    if (pinned !== undefined && candidate.sub !== pinned) return candidate;
    const result = federate(search.provider, { iat: now, exp: now + 300, ...search.claims, sub: candidate.sub });
    return isRejection(result) ? candidate : { ...candidate, principal: result };
  });
  const beyond = tried.filter((t): t is AdmittedSubject => t.principal !== undefined && search.reaches(t.principal));
  return { tried, beyond };
}

/**
 * The subjects a gate is meant for. With a gate manifest, its SPIFFE ID and subject. Without one
 * (a configuration written by hand), one identity: the first subject bound one by one whose value
 * is the raw claim (the mapping passes `sub` through unchanged), else the first value the
 * condition compares the subject with — so a second bound subject or a second listed value counts
 * as a second identity, as AG-AWS-008 counts a second SAN. None when the configuration names no
 * exact subject: then every admitted subject that reaches the account is beyond it.
 */
export function declaredSubjects(options: {
  readonly manifest?: { readonly spiffeId: string; readonly subject: string };
  readonly boundSubjects: readonly string[];
  readonly literals: ConditionLiterals;
  readonly mappingPassesSubject: boolean;
}): string[] {
  if (options.manifest) return [...new Set([options.manifest.spiffeId, options.manifest.subject])];
  const bound = options.mappingPassesSubject ? options.boundSubjects[0] : undefined;
  const compared = options.literals.values.get('sub')?.[0];
  const first = bound ?? compared;
  return first === undefined ? [] : [first];
}

/** Whether the markers of a condition stand only inside string literals (and the condition parses). */
function placeholdersOnlyInLiterals(text: string, placeholders: ReadonlyMap<string, string>): boolean {
  if (placeholders.size === 0) return true;
  let root: CelExpr;
  try {
    root = parseCel(text).expr;
  } catch {
    return false;
  }
  const identifiers = (expr: CelExpr): string[] => [...(expr.exprKind.case === 'identExpr' ? [expr.exprKind.value.name] : []), ...celChildren(expr).flatMap(identifiers)];
  return !identifiers(root).some((name) => placeholders.has(name));
}

/** The claims besides `sub` that every candidate carries: the first value the condition compares each other claim with. */
export function pinnedClaims(literals: ConditionLiterals): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [claim, values] of literals.values) if (claim !== 'sub' && values.length > 0) claims[claim] = values[0];
  return claims;
}

/** Whether a mapping passes the subject claim through unchanged; one reading for the search and the paths. */
export { mappingPassesSubject } from './pinned-subject';

/** The mapped key and value a member binds one by one, if it does (`principal://…/subject/v`, `principalSet://…/attribute.x/v`). */
export function boundValueOf(principal: PoolPrincipal): Array<{ key: string; value: string }> {
  if (principal.value === undefined) return [];
  if (principal.scope === 'subject') return [{ key: 'google.subject', value: principal.value }];
  const attribute = principal.scope === 'attribute' ? /^(attribute\.[^/]+)\/(.+)$/.exec(principal.value) : null;
  return attribute ? [{ key: attribute[1], value: attribute[2] }] : [];
}

/** A provider's search as the synth-time rule runs it, or why there is nothing to search or it cannot be judged. */
export type TerraformSubjectSearch =
  | {
      readonly search: SubjectSearch;
      readonly accounts: readonly GateServiceAccount[];
      /** Shows a subject for people: markers of values known only at apply back as `${var.x}`. */
      readonly render: (subject: string) => string;
    }
  | { readonly nothing: string }
  | { readonly unjudged: string; readonly accounts: readonly GateServiceAccount[] };

/**
 * The search for a provider of a Terraform configuration: the high-privilege service accounts a
 * principal of its pool may impersonate through it (its federation paths), the principals that
 * reach them, and the declared subject (its manifest, else the configuration's one bound subject).
 */
export function terraformSubjectSearch(model: TerraformModel, provider: WorkloadIdentityProviderModel): TerraformSubjectSearch {
  if (provider.kind !== 'oidc') return { nothing: `the provider accepts ${provider.kind} credentials; the subject search reads OIDC subjects` };
  const declaration = gateDeclarationOf(provider);
  const { accounts, paths } = gcpIssuancePaths(model, provider, declaration);
  const high = accounts.filter((a) => a.privilege === 'high');
  const reaching = paths.filter(
    (p): p is Extract<GcpIssuancePath, { kind: 'federation' }> =>
      p.kind === 'federation' && p.provider === provider.resource.address && IMPERSONATION_ROLES.has(p.role) && high.some((a) => a.address === p.account),
  );
  if (reaching.length === 0) return { nothing: 'no principal of the provider can act as a high-privilege service account' };
  const reached = high.filter((a) => reaching.some((p) => p.account === a.address));
  const mapping = provider.mapping;
  if (mapping === undefined || mapping === null || typeof mapping !== 'object' || Array.isArray(mapping) || isSymbol(mapping) || isSymbolicString(mapping)) {
    return { unjudged: `its attribute_mapping is ${describeValue(mapping)}, not known before apply`, accounts: reached };
  }
  const entries = Object.entries(mapping);
  const unknown = entries.filter(([, v]) => typeof v !== 'string').map(([k]) => k);
  if (unknown.length > 0) return { unjudged: `its mapping of ${unknown.join(', ')} is known only at apply`, accounts: reached };
  // A variable inside a string literal is one value, whatever it is at apply: `sub == '${var.agent}'`
  // still admits one subject. Anywhere else it may be any expression, so nothing can be judged.
  const condition = provider.condition === undefined ? undefined : withPlaceholders(provider.condition);
  if (provider.condition !== undefined && (!condition || !placeholdersOnlyInLiterals(condition.text, condition.placeholders))) {
    return { unjudged: `its attribute_condition is ${describeValue(provider.condition)}, known only at apply`, accounts: reached };
  }
  const attributeMapping = Object.fromEntries(entries) as Record<string, string>;
  const searched: SearchedProvider = {
    name: provider.resource.address,
    poolName: `projects/0/locations/global/workloadIdentityPools/${provider.poolId ?? 'pool'}`,
    attributeMapping,
    ...(condition !== undefined ? { attributeCondition: condition.text } : {}),
  };
  const literals = providerLiterals(searched);
  const boundSubjects = reaching.flatMap((p) => (p.principal.scope === 'subject' && p.principal.value !== undefined ? [p.principal.value] : []));
  const declared = declaredSubjects({ ...(declaration.identity ? { manifest: declaration.identity } : {}), boundSubjects, literals, mappingPassesSubject: mappingPassesSubject(attributeMapping) });
  return {
    search: {
      provider: searched,
      declared,
      known: boundSubjects,
      boundValues: reaching.flatMap((p) => boundValueOf(p.principal)),
      claims: pinnedClaims(literals),
      reaches: (principal) => reaching.some((p) => poolPrincipalCovers(p.principal, principal)),
    },
    accounts: reached,
    render: (subject) => [...(condition?.placeholders ?? new Map<string, string>())].reduce((text, [marker, what]) => text.split(marker).join(`\${${what}}`), subject),
  };
}
