import { CelExpr, parseCel } from '../../lib/model/gcp/cel/environment';
import { celChildren, pathOf, stringConstant } from '../../lib/model/gcp/cel/condition-analysis';
import { FederatedPrincipal, federate, isRejection, principalOf } from '../../lib/model/gcp/federated-identity';
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
}

/** The subject tried when the configuration names none. */
export const FALLBACK_SUBJECT = 'attestgate-probe-subject';

/** A sibling of a subject: the last path segment replaced (`spiffe://td/agent/x` → `spiffe://td/agent/attestgate-probe-intruder`). */
export function siblingSubject(subject: string, name = 'attestgate-probe-intruder'): string {
  const slash = subject.lastIndexOf('/');
  return slash >= 0 && slash < subject.length - 1 ? `${subject.slice(0, slash + 1)}${name}` : `${subject}-${name}`;
}

interface ConditionLiterals {
  /** Claim → literal values it is compared with (`==`, `in [...]`). */
  readonly values: Map<string, string[]>;
  /** Claim → literal prefixes it must start with. */
  readonly prefixes: Map<string, string[]>;
}

/**
 * The literals a condition compares claims with. Paths are read through the mapping: a
 * condition on `attribute.x` or `google.subject` mapped from a bare `assertion.<claim>` counts
 * for that claim.
 */
export function conditionLiterals(condition: string | undefined, mapping: Readonly<Record<string, string>>): ConditionLiterals {
  const values = new Map<string, string[]>();
  const prefixes = new Map<string, string[]>();
  if (condition === undefined) return { values, prefixes };
  const aliases = new Map<string, string>();
  for (const [key, expression] of Object.entries(mapping)) {
    try {
      const path = pathOf(parseCel(expression).expr);
      if (path?.startsWith('assertion.')) aliases.set(key, path);
    } catch {
      // A mapping that does not parse aliases nothing.
    }
  }
  const claimOf = (expr: CelExpr): string | undefined => {
    const path = pathOf(expr);
    const resolved = path === undefined ? undefined : (aliases.get(path) ?? path);
    return resolved?.startsWith('assertion.') && !resolved.slice('assertion.'.length).includes('.') ? resolved.slice('assertion.'.length) : undefined;
  };
  const add = (into: Map<string, string[]>, claim: string | undefined, value: string | undefined) => {
    if (claim === undefined || value === undefined) return;
    const list = into.get(claim) ?? [];
    if (!list.includes(value)) list.push(value);
    into.set(claim, list);
  };
  let ast: CelExpr;
  try {
    ast = parseCel(condition).expr;
  } catch {
    return { values, prefixes };
  }
  const walk = (expr: CelExpr) => {
    const kind = expr.exprKind;
    if (kind.case === 'callExpr') {
      const { function: fn, args, target } = kind.value;
      if (fn === '_==_' && args.length === 2) {
        add(values, claimOf(args[0]), stringConstant(args[1]));
        add(values, claimOf(args[1]), stringConstant(args[0]));
      } else if (fn === '@in' && args.length === 2 && args[1].exprKind.case === 'listExpr') {
        for (const element of args[1].exprKind.value.elements) add(values, claimOf(args[0]), stringConstant(element));
      } else if (fn === 'startsWith' && target && args.length === 1) {
        add(prefixes, claimOf(target), stringConstant(args[0]));
      }
    }
    celChildren(expr).forEach(walk);
  };
  walk(ast);
  return { values, prefixes };
}

/** Runs the provider's mapping and condition on claims (as the STS would after verifying the signature). */
export function federatePlanned(provider: PlannedProvider, claims: TokenClaims): FederatedPrincipal | undefined {
  const now = Math.floor(Date.now() / 1000);
  const result = federate(provider, { iat: now, exp: now + 300, ...claims });
  return isRejection(result) ? undefined : result;
}

const holdsImpersonation = (provider: PlannedProvider, principal: FederatedPrincipal) => [principal.principal, ...principal.principalSets].some((m) => provider.impersonators.has(m));

/** The claims the probes use for a provider. */
export function planTokens(provider: PlannedProvider): TokenPlan {
  const literals = conditionLiterals(provider.attributeCondition, provider.attributeMapping);
  const audience = provider.audiences[0];
  // Claims the condition pins to one value, other than the ones every token sets.
  const extra: Record<string, string> = {};
  for (const [claim, list] of literals.values) if (!['sub', 'aud', 'iss', 'iat', 'exp', 'nbf'].includes(claim) && list.length > 0) extra[claim] = list[0];
  const claimsFor = (sub: string): TokenClaims => ({ ...extra, iss: provider.issuer, sub, aud: audience });

  const boundSubjectValues = [...provider.boundSubjects].map((m) => m.slice(`principal://iam.googleapis.com/${provider.poolName}/subject/`.length));
  const subjectPrefixes = literals.prefixes.get('sub') ?? [];
  const candidates = [
    ...(provider.manifest ? [provider.manifest.spiffeId, provider.manifest.subject] : []),
    ...boundSubjectValues,
    ...(literals.values.get('sub') ?? []),
    ...subjectPrefixes.map((p) => `${p}attestgate-probe`),
    // Last: a subject nobody named, which only a provider that does not pin the subject admits.
    FALLBACK_SUBJECT,
  ].filter((s, i, all) => s !== '' && all.indexOf(s) === i);

  const admitted = candidates.map((sub) => ({ sub, principal: federatePlanned(provider, claimsFor(sub)) })).filter((c): c is { sub: string; principal: FederatedPrincipal } => c.principal !== undefined);
  const chosen = admitted.find((c) => holdsImpersonation(provider, c.principal)) ?? admitted[0];
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

  const tried = candidates.map((s) => JSON.stringify(s)).join(', ');
  return {
    ...(chosen ? { control: claimsFor(chosen.sub), controlPrincipal: chosen.principal } : {}),
    controlNote: chosen
      ? `sub ${JSON.stringify(chosen.sub)}, aud ${JSON.stringify(audience)} (${provider.manifest ? 'from the gate manifest' : 'derived from the configuration'})`
      : `no token claims the attribute condition admits could be derived (tried ${tried})`,
    baseClaims: claimsFor(baseSubject),
    otherSubject,
    unbound,
  };
}
