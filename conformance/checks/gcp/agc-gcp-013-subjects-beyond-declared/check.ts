import { Check, Verdict, fail, inconclusive, pass, skipped } from '../../../engine/check';
import { issuedToken, judgeGcpDenial } from '../../../gcp/gcp-outcome';
import { GcpProbeContext, SubjectToken, mutationBlocker, plannedExchangeThenImpersonations, plannedUnblocked, probeImpersonationsDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';
import { TokenClaims } from '../../../oidc/jwt';

/** The STS's refusal of a credential the attribute condition rejects. */
const CONDITION_REFUSAL = { status: 400, code: 'unauthorized_client', message: /rejected by the attribute condition/ } as const;

/**
 * The subjects come from the provider's own condition and mapping (lib/model/gcp/admitted-subjects.ts,
 * which AG-GCP-004 reads too): each is signed with the issuer's key and sent, and the endpoint's
 * answers are the verdict — refused by the condition, or federated and then refused every service
 * account the pool reaches. The model's prediction only orders the probes.
 */
/** Why there is nothing to probe, else each subject's token: the same in run and plan. */
function subjectProbes(gate: ResolvedGcpGate, baseline: TokenClaims): { readonly skip: string } | { readonly probes: ReadonlyArray<{ readonly sub: string; readonly how: string; readonly token: SubjectToken; readonly what: string }> } {
  const subjects = gate.plan?.subjects;
  if (!subjects || subjects.probes.length === 0) return { skip: 'the condition and mapping give no subject to try besides the declared one' };
  if (gate.reachableServiceAccounts.length === 0) return { skip: 'no service account is bound to a principal of the pool, so no subject can act as one' };
  return { probes: subjects.probes.map((p) => ({ sub: p.sub, how: p.how, token: { claims: { ...baseline, sub: p.sub }, signer: 'issuer-key' }, what: `a token of ${p.sub} (${p.how})` })) };
}

export const check: Check<ResolvedGcpGate, GcpProbeContext> = {
  meta: {
    id: 'AGC-GCP-013',
    cloud: 'gcp',
    title: 'No subject the condition and mapping admit besides the declared one can act as the service account',
    statement:
      'Verify that tokens of subjects derived from the provider’s own attribute condition and mapping — the values and prefixes it tests, its endsWith/contains/matches literals, its || branches, subjects a lossy extract() maps to the bound principal, and near neighbours of the declared subject (another trust domain, a sibling, an extended name) — are refused by the STS or then by generateAccessToken on every service account the pool reaches.',
    threat: 'A condition that pins something, but not the one workload: another trust domain’s agent with the same path, a sibling sharing a prefix, or a subject a lossy extract() maps to the bound principal gets the service account’s token with its own valid credential.',
    remediation:
      "Pin the exact subject (assertion.sub == '<SPIFFE ID>'), map google.subject from assertion.sub unchanged, and bind the service account to principal://…/subject/<that SPIFFE ID> only.",
    severity: 'high',
    tags: ['cloud:gcp', 'kind:negative', 'threat:wrong-subject', 'requires:issuer-key'],
  },
  async run(gate, context) {
    const blocked = await mutationBlocker(gate, context, true);
    if (blocked) return blocked;
    const planned = subjectProbes(gate, (await context.baselineClaims(gate))!);
    if ('skip' in planned) return skipped(planned.skip);
    const subjects = gate.plan!.subjects;
    const verdicts: Array<{ sub: string; how: string; stage: 'condition' | 'impersonation'; verdict: Verdict }> = [];
    for (const probe of planned.probes) {
      const { token, what } = probe;
      const exchange = await context.exchange(gate, token, what);
      const federated = issuedToken(exchange);
      const verdict = federated ? await probeImpersonationsDenied(gate, context, token, federated, gate.reachableServiceAccounts, what) : judgeGcpDenial(exchange, CONDITION_REFUSAL, what);
      verdicts.push({ sub: probe.sub, how: probe.how, stage: federated ? 'impersonation' : 'condition', verdict });
    }
    const evidence = {
      declared: subjects.declared,
      derived: subjects.derived,
      probes: verdicts.map((v) => ({ sub: v.sub, how: v.how, predicted: subjects.probes.find((p) => p.sub === v.sub)?.predicted, status: v.verdict.status, reason: v.verdict.reason })),
    };
    const failed = verdicts.filter((v) => v.verdict.status === 'FAIL');
    if (failed.length > 0) return fail(`${failed.length} of ${verdicts.length} subjects besides the declared one got a service account’s token: ${failed.map((f) => f.verdict.reason).join('; ')}`, evidence);
    const unclear = verdicts.filter((v) => v.verdict.status !== 'PASS');
    if (unclear.length > 0) return inconclusive(`${unclear.length} of ${verdicts.length} subject probes gave no verdict: ${unclear.map((u) => u.verdict.reason).join('; ')}`, evidence);
    const atCondition = verdicts.filter((v) => v.stage === 'condition').length;
    return pass(`${verdicts.length} subjects derived from the condition and mapping (of ${subjects.derived}) were refused: ${atCondition} by the attribute condition, ${verdicts.length - atCondition} at generateAccessToken`, evidence);
  },
  plan(gate, context) {
    const unblocked = plannedUnblocked(gate, context, true);
    if (!unblocked?.baseline) return [];
    const planned = subjectProbes(gate, unblocked.baseline);
    if ('skip' in planned) return [];
    return [...unblocked.control, ...planned.probes.flatMap((p) => plannedExchangeThenImpersonations(gate, context, p.token, gate.reachableServiceAccounts, p.what))];
  },
};
