import { Check, inconclusive, skipped } from '../../../engine/check';
import { describeGcpOutcome, isTransientGcp, issuedToken } from '../../../gcp/gcp-outcome';
import { GcpProbeContext, mutationBlocker, probeImpersonationsDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';

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
    const unbound = gate.plan?.unbound;
    if (!unbound || 'reason' in unbound) return skipped(`no subject to probe with: ${unbound?.reason ?? 'no token plan'}; AGC-GCP-005 covers the condition`);
    if (gate.reachableServiceAccounts.length === 0) return skipped('no service account is bound to a principal of the pool, so there is no impersonation to probe');
    const what = `a token of ${unbound.claims.sub}, admitted by the condition but named by no binding`;
    const exchange = await context.exchange(gate, context.sign(gate, unbound.claims));
    const federated = issuedToken(exchange);
    if (!federated) {
      if (isTransientGcp(exchange)) return inconclusive(`${what}: STS: no verdict after retries (${describeGcpOutcome(exchange)})`);
      return inconclusive(`${what}: the STS refused the exchange (${describeGcpOutcome(exchange)}), so the impersonation step this check judges was not reached`, { received: describeGcpOutcome(exchange) });
    }
    return probeImpersonationsDenied(context, federated, gate.reachableServiceAccounts, what);
  },
};
