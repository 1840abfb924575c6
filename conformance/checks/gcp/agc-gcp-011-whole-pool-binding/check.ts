import { Check, Verdict, fail, inconclusive, pass } from '../../../engine/check';
import { wholePoolOf } from '../../../../lib/model/gcp/federated-identity';
import { describeGcpOutcome, gcpErrorCodeOf, isTransientGcp, issuedToken } from '../../../gcp/gcp-outcome';
import { GcpProbeContext, mutationBlocker, probeImpersonationsDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';
import { siblingSubject } from '../../../gcp/token-plan';

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
    const baseline = (await context.baselineClaims(gate))!;
    const other = siblingSubject(baseline.sub);
    const what = `a token of another subject of the same issuer (${other})`;
    const exchange = await context.exchange(gate, context.sign(gate, { ...baseline, sub: other }));
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
    if (gate.reachableServiceAccounts.length > 0) impersonation = await probeImpersonationsDenied(context, federated, gate.reachableServiceAccounts, what);
    if (impersonation?.status === 'FAIL') return impersonation;
    if (poolRoles.length > 0) {
      const roles = poolRoles.map((g) => `${g.role} on project ${g.target.kind === 'project' ? g.target.project : ''} (${g.origin})`).join(', ');
      return fail(`${what} got a federated token, and ${wholePool} holds ${roles}: that token carries those roles`, { received });
    }
    if (impersonation) return impersonation;
    return pass(`${what} got a federated token, but the pool reaches no service account and no role is granted to ${wholePool}`, { received });
  },
};
