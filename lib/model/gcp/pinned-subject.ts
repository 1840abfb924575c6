import { CelExpr, parseCel } from './cel/environment';
import { pathOf, stringConstant } from './cel/condition-analysis';
import { PoolPrincipal, WorkloadIdentityProviderModel } from './google-workload-identity';
import { isSymbol, isSymbolicString } from '../terraform/expressions';

/** Whether a mapping passes the subject claim through unchanged (`google.subject = assertion.sub`). */
export const mappingPassesSubject = (mapping: Readonly<Record<string, string>>): boolean => mapping['google.subject']?.replace(/\s+/g, '') === 'assertion.sub';

/**
 * The one `google.subject` a provider can give a credential, when its own configuration proves it:
 * a conjunct at the top of its attribute condition compares the subject with a literal —
 * `google.subject == 'X'`, or `assertion.sub == 'X'` while the mapping passes `assertion.sub`
 * through unchanged. Every credential it accepts then maps to exactly `X`, so it cannot produce a
 * `principal://…/subject/Y` for any other Y: with several gates in one pool (the pool's principals
 * are shared by its providers), another gate's subject principal is no path through it.
 *
 * Anything short of that proof — an `||`, a prefix, a condition or mapping with a value known only
 * at apply, a mapping that transforms the claim — gives undefined, and the path stays (judged as
 * before: unjudged, since whether that provider maps a credential to the subject cannot be told).
 * The literal is compared exactly: CEL's `==` on strings is exact, as is a subject principal.
 */
export function pinnedSubject(provider: WorkloadIdentityProviderModel): string | undefined {
  const memo = pinned.get(provider);
  if (memo !== undefined) return memo === NONE ? undefined : memo;
  const found = readPinnedSubject(provider);
  pinned.set(provider, found ?? NONE);
  return found;
}

/** Whether a provider provably cannot give a credential this pool principal (see pinnedSubject). */
export function cannotMapTo(provider: WorkloadIdentityProviderModel, principal: PoolPrincipal): boolean {
  if (principal.scope !== 'subject' || principal.value === undefined) return false;
  const subject = pinnedSubject(provider);
  return subject !== undefined && subject !== principal.value;
}

const NONE = Symbol('no pinned subject');
const pinned = new WeakMap<WorkloadIdentityProviderModel, string | typeof NONE>();

function readPinnedSubject(provider: WorkloadIdentityProviderModel): string | undefined {
  // A condition with a Terraform reference in it is text only at apply.
  if (typeof provider.condition !== 'string') return undefined;
  const mapping = provider.mapping;
  const passesSub =
    mapping !== undefined && mapping !== null && typeof mapping === 'object' && !Array.isArray(mapping) && !isSymbol(mapping) && !isSymbolicString(mapping) && typeof mapping['google.subject'] === 'string'
      ? mappingPassesSubject(mapping as Record<string, string>)
      : false;
  return literalPinnedAtTop(provider.condition, (path) => path === 'google.subject' || (path === 'assertion.sub' && passesSub));
}

/**
 * The `sub` claim a condition requires, when a conjunct at its top compares the claim with a
 * literal — `assertion.sub == 'X'`, or `google.subject == 'X'` while the mapping passes
 * `assertion.sub` through unchanged: a credential with any other `sub` is refused, whatever the
 * rest of the condition says (CEL's `false && x` is false, even when `x` is an error). Undefined
 * for anything short of that, or a condition that does not parse.
 */
export function pinnedSubjectClaim(condition: string | undefined, mapping: Readonly<Record<string, string>>): string | undefined {
  if (condition === undefined) return undefined;
  const passesSub = mappingPassesSubject(mapping);
  return literalPinnedAtTop(condition, (path) => path === 'assertion.sub' || (path === 'google.subject' && passesSub));
}

/**
 * The string literal a conjunct at the top of `condition` compares with `==` to an attribute
 * path that `pins` accepts (either operand order); undefined when none does or the condition
 * does not parse.
 */
function literalPinnedAtTop(condition: string, pins: (path: string | undefined) => boolean): string | undefined {
  let root: CelExpr;
  try {
    root = parseCel(condition).expr;
  } catch {
    return undefined;
  }
  for (const conjunct of conjuncts(root)) {
    const kind = conjunct.exprKind;
    if (kind.case !== 'callExpr' || kind.value.function !== '_==_' || kind.value.args.length !== 2) continue;
    const [a, b] = kind.value.args;
    for (const [path, literal] of [
      [pathOf(a), stringConstant(b)],
      [pathOf(b), stringConstant(a)],
    ]) {
      if (literal !== undefined && pins(path)) return literal;
    }
  }
  return undefined;
}

/**
 * The one `google.subject` a provider can give a credential, read from its condition and mapping
 * as they are (no Terraform values): the `sub` claim a top-level conjunct pins, while the mapping
 * passes `assertion.sub` through unchanged. The same proof as `pinnedSubject`, for a provider
 * already applied; anything short of it (a mapping that transforms the claim) gives undefined.
 */
export function pinnedPrincipalSubject(condition: string | undefined, mapping: Readonly<Record<string, string>>): string | undefined {
  return mappingPassesSubject(mapping) ? pinnedSubjectClaim(condition, mapping) : undefined;
}

/** The operands of the top-level `&&`s: each must hold for a credential to be accepted. */
function conjuncts(expr: CelExpr): CelExpr[] {
  const kind = expr.exprKind;
  if (kind.case === 'callExpr' && kind.value.function === '_&&_') return kind.value.args.flatMap(conjuncts);
  return [expr];
}
