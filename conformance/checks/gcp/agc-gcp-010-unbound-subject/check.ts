import { Check, inconclusive, skipped } from '../../../engine/check';
import { describeGcpOutcome, isTransientGcp, issuedToken } from '../../../gcp/gcp-outcome';
import { GcpProbeContext, SubjectToken, mutationBlocker, plannedExchangeThenImpersonations, plannedUnblocked, probeImpersonationsDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';

/** The token of a subject the condition admits and no binding names, or why there is none; the same in run and plan. */
function unboundProbe(gate: ResolvedGcpGate): { readonly token: SubjectToken; readonly what: string } | { readonly skip: string } {
  const unbound = gate.plan?.unbound;
  if (!unbound || 'reason' in unbound) return { skip: `no subject to probe with: ${unbound?.reason ?? 'no token plan'}; AGC-GCP-005 covers the condition` };
  if (gate.reachableServiceAccounts.length === 0) return { skip: 'no service account is bound to a principal of the pool, so there is no impersonation to probe' };
  return { token: { claims: unbound.claims, signer: 'issuer-key' }, what: `a token of ${unbound.claims.sub}, admitted by the condition but named by no binding` };
}

export const check: Check<ResolvedGcpGate, GcpProbeContext> = {
  meta: {
    id: 'AGC-GCP-010',
    cloud: 'gcp',
    title: 'A subject the condition admits but no binding names cannot impersonate the service account',
    statement:
      'Verify that a validly signed token of a subject the attribute condition admits, but that no principal://…/subject/ binding names, gets a federated token and then is denied generateAccessToken (403 PERMISSION_DENIED) on every service account the pool reaches.',
    threat: 'When the condition admits a family of subjects (a prefix, a trust domain), only the IAM binding keeps the others away from the service account; a set binding (principalSet) opens it to all of them.',
    remediation: 'Bind roles/iam.workloadIdentityUser to principal://…/subject/<the agent\'s subject> only; remove principalSet bindings from the service account.',
    severity: 'critical',
    tags: ['cloud:gcp', 'kind:negative', 'threat:unbound-subject', 'requires:issuer-key'],
  },
  async run(gate, context) {
    const blocked = await mutationBlocker(gate, context, true);
    if (blocked) return blocked;
    const probe = unboundProbe(gate);
    if ('skip' in probe) return skipped(probe.skip);
    const { token, what } = probe;
    const exchange = await context.exchange(gate, token, what);
    const federated = issuedToken(exchange);
    if (!federated) {
      if (isTransientGcp(exchange)) return inconclusive(`${what}: STS: no verdict after retries (${describeGcpOutcome(exchange)})`);
      return inconclusive(`${what}: the STS refused the exchange (${describeGcpOutcome(exchange)}), so the impersonation step this check judges was not reached`, { received: describeGcpOutcome(exchange) });
    }
    return probeImpersonationsDenied(gate, context, token, federated, gate.reachableServiceAccounts, what);
  },
  plan(gate, context) {
    const unblocked = plannedUnblocked(gate, context, true);
    const probe = unboundProbe(gate);
    if (!unblocked || 'skip' in probe) return [];
    return [...unblocked.control, ...plannedExchangeThenImpersonations(gate, context, probe.token, gate.reachableServiceAccounts, probe.what)];
  },
};
