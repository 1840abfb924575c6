import { Check, Verdict, fail, inconclusive, pass } from '../../../engine/check';
import { wholePoolOf } from '../../../../lib/model/gcp/federated-identity';
import { describeGcpOutcome, gcpErrorCodeOf, isTransientGcp, issuedToken } from '../../../gcp/gcp-outcome';
import { GcpProbeContext, SubjectToken, mutationBlocker, plannedExchangeThenImpersonations, plannedUnblocked, probeImpersonationsDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';
import { siblingSubject } from '../../../gcp/token-plan';
import { TokenClaims } from '../../../oidc/jwt';

/** Another subject of the same issuer: the same token AGC-GCP-005 sends, so one exchange answers both. */
function otherSubject(baseline: TokenClaims): { readonly token: SubjectToken; readonly what: string } {
  const other = siblingSubject(baseline.sub);
  return { token: { claims: { ...baseline, sub: other }, signer: 'issuer-key' }, what: `a token of another subject of the same issuer (${other})` };
}

export const check: Check<ResolvedGcpGate, GcpProbeContext> = {
  meta: {
    id: 'AGC-GCP-011',
    cloud: 'gcp',
    title: 'Another subject of the same issuer reaches nothing through a whole-pool binding',
    statement:
      'Verify that a validly signed token of another subject of the same issuer gets neither a service account token nor a role through principalSet://…/* — either the attribute condition refuses it, or every service account the pool reaches denies it and no role is granted to the whole pool.',
    threat: 'A whole-pool binding, often with no attribute condition, lets every identity the provider accepts act as the service account (reference §7.2).',
    remediation: 'Replace principalSet://…/* bindings with principal://…/subject/<subject>, and pin the subject in attribute_condition.',
    severity: 'critical',
    tags: ['cloud:gcp', 'kind:negative', 'threat:whole-pool-binding', 'requires:issuer-key'],
  },
  async run(gate, context) {
    const blocked = await mutationBlocker(gate, context, true);
    if (blocked) return blocked;
    const { token, what } = otherSubject((await context.baselineClaims(gate))!);
    const exchange = await context.exchange(gate, token, what);
    const federated = issuedToken(exchange);
    const received = describeGcpOutcome(exchange);
    if (!federated) {
      if (isTransientGcp(exchange)) return inconclusive(`${what}: no verdict after retries (${received})`);
      if (exchange.kind === 'response' && exchange.status === 400 && gcpErrorCodeOf(exchange) === 'unauthorized_client') {
        return pass(`${what}: the attribute condition refuses it, so no pool binding can be reached through this provider`, { received });
      }
      return inconclusive(`${what}: refused, but not by the attribute condition (${received})`, { received });
    }
    const wholePool = gate.poolName ? wholePoolOf(gate.poolName) : undefined;
    const poolRoles = gate.poolGrants.filter((g) => g.member === wholePool && g.target.kind === 'project');
    let impersonation: Verdict | undefined;
    if (gate.reachableServiceAccounts.length > 0) impersonation = await probeImpersonationsDenied(gate, context, token, federated, gate.reachableServiceAccounts, what);
    if (impersonation?.status === 'FAIL') return impersonation;
    if (poolRoles.length > 0) {
      const roles = poolRoles.map((g) => `${g.role} on project ${g.target.kind === 'project' ? g.target.project : ''} (${g.origin})`).join(', ');
      return fail(`${what} got a federated token, and ${wholePool} holds ${roles}: that token carries those roles`, { received });
    }
    if (impersonation) return impersonation;
    return pass(`${what} got a federated token, but the pool reaches no service account and no role is granted to ${wholePool}`, { received });
  },
  plan(gate, context) {
    const unblocked = plannedUnblocked(gate, context, true);
    if (!unblocked?.baseline) return [];
    const { token, what } = otherSubject(unblocked.baseline);
    return [...unblocked.control, ...plannedExchangeThenImpersonations(gate, context, token, gate.reachableServiceAccounts, what)];
  },
};
