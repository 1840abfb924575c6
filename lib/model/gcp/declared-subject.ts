import { CelExpr, parseCel } from './cel/environment';
import { celChildren, stringConstant } from './cel/condition-analysis';
import { PoolPrincipal } from './google-workload-identity';

/** Every string literal of a CEL expression, or undefined when it is not CEL. */
function literalsOf(condition: string): Set<string> | undefined {
  let root: CelExpr;
  try {
    root = parseCel(condition).expr!;
  } catch {
    return undefined;
  }
  const literals = new Set<string>();
  const visit = (expr: CelExpr) => {
    const literal = stringConstant(expr);
    if (literal !== undefined) literals.add(literal);
    celChildren(expr).forEach(visit);
  };
  visit(root);
  return literals;
}

/**
 * Where a workload identity pool provider and its bindings no longer match the identity its gate
 * manifest declares: the attribute condition does not name the declared SPIFFE ID or subject (it
 * was widened or rewritten by hand), or the service accounts the identity is meant to act as are
 * reachable by another principal of the pool, or not by the declared subject.
 *
 * @param condition the provider's attribute condition as text; undefined when it has none, null
 *   when it is not known before apply
 * @param principals each principal of the pool bound to one of the declared service accounts
 */
export function subjectDrift(
  declared: { readonly spiffeId: string; readonly subject: string; readonly serviceAccounts: readonly string[] },
  condition: string | undefined | null,
  principals: ReadonlyArray<{ readonly principal: PoolPrincipal; readonly member: string; readonly serviceAccount: string }>,
): string[] {
  const drift: string[] = [];
  const names = [declared.spiffeId, declared.subject];
  if (condition === undefined) drift.push(`the provider has no attribute condition; the declared ${declared.spiffeId} is not pinned`);
  else if (condition === null) drift.push('the attribute condition is not known before apply, so the declared subject cannot be confirmed');
  else {
    const literals = literalsOf(condition);
    if (literals === undefined) drift.push('the attribute condition is not valid CEL');
    // A literal that is the declared name, or starts with it (an AWS source pins `<role ARN>/`).
    else if (![...literals].some((literal) => names.some((n) => literal.startsWith(n)))) drift.push(`the attribute condition no longer names the declared ${declared.spiffeId}: ${condition}`);
  }
  for (const { principal, member, serviceAccount } of principals) {
    if (principal.scope !== 'subject' || principal.value !== declared.subject) drift.push(`${member} can act as ${serviceAccount} besides the declared subject ${declared.subject}`);
  }
  for (const account of declared.serviceAccounts) {
    if (!principals.some((p) => p.serviceAccount === account && p.principal.scope === 'subject' && p.principal.value === declared.subject)) {
      drift.push(`the declared subject ${declared.subject} can no longer act as ${account}`);
    }
  }
  return drift;
}
