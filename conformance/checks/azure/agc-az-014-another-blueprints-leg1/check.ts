import { Check, skipped } from '../../../engine/check';
import { ClientAssertion, signedAssertion } from '../../../azure/client-assertion';
import { DENIED } from '../../../azure/expected-denials';
import { accessTokenOf } from '../../../azure/aad-outcome';
import { AzureProbeContext, DenialBuilder, DenialProbe, ProbeRoute, ResolvedAzureGate, identityOf, leg1Token, plannedAzureDenial, probeAzureDenied } from '../../../azure/probe-context';

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-014',
    cloud: 'azure',
    title: "Another blueprint's leg-1 token does not get the agent identity's tokens",
    statement:
      "Verify that Entra refuses an agent identity's tokens to another blueprint's attested workload: a leg 1 naming the agent in fmi_path is refused (AADSTS700016 at leg 1, or AADSTS7002137 at leg 2), and another blueprint's leg-1 token for its own agent is refused as the agent's assertion with AADSTS7002137.",
    threat: 'An agent identity that accepted first-leg tokens of any blueprint of the tenant would be reachable by every workload of every blueprint: the weakest blueprint (one with a client secret) would hold the high-privilege agent.',
    remediation: 'This is Entra’s own check: a failure means the token endpoint ties leg 2 to no blueprint. Report it; meanwhile keep no secret on any blueprint of the tenant.',
    severity: 'critical',
    tags: ['cloud:azure', 'kind:negative', 'threat:another-blueprint', 'requires:issuer-key'],
  },
  // Entra agent identities only: a managed identity has no blueprint, no fmi_path, no leg 1.
  appliesTo: (gate) => gate.gate.agent !== undefined,
  run: (gate, context) => probeAzureDenied(gate, context, 'nothing', probesOf(gate, context)),
  plan: (gate, context) => plannedAzureDenial(gate, context, 'nothing', probesOf(gate, context)),
};

function probesOf(gate: ResolvedAzureGate, context: AzureProbeContext): DenialBuilder {
  return () => {
    const others = (gate.otherBlueprints ?? []).flatMap((other) => {
      const credential = other.credentials.find((c) => context.rsaKeyFor(other, c));
      return credential ? [{ other, credential, key: context.rsaKeyFor(other, credential)! }] : [];
    });
    if (others.length === 0) return skipped('needs another blueprint in this run whose attested token can be minted (an issuer key for one of its credentials)');
    return others.flatMap(({ other, credential, key }): DenialProbe[] => {
      const blueprint = other.blueprintClientId!;
      const assertion = signedAssertion(key, identityOf(credential));
      const naming = `blueprint ${other.gate.agent?.blueprint}'s attested token with fmi_path = this agent`;
      const ownLeg1 = `blueprint ${other.gate.agent?.blueprint}'s leg-1 token for its agent ${other.gate.id}, presented as this agent`;
      return [
        // Refused at leg 1 by a correct tenant (fmi_path names no agent of that blueprint); one that refuses only at leg 2 is sent one request more than planned.
        { what: naming, assertion, expected: [DENIED.fmiPath, DENIED.fmiSubject], route: context.twoLegsRoute(gate, blueprint, assertion, gate.clientId!, naming, false) },
        { what: ownLeg1, assertion, expected: DENIED.fmiSubject, route: foreignLeg1Route(gate, other, context, assertion, ownLeg1) },
      ];
    });
  };
}

/**
 * The other blueprint's leg 1 for its own agent, its token then presented as this gate's agent.
 * The leg 1 is that agent's control leg 1 in all but whose leg 2 presents its token, and is sent
 * on its own (`presentedAs` this agent): each leg-1 token is presented at one leg 2 only, so the
 * other gate's control never presents a token this probe presented first.
 */
function foreignLeg1Route(gate: ResolvedAzureGate, other: ResolvedAzureGate, context: AzureProbeContext, assertion: ClientAssertion, what: string): ProbeRoute {
  const leg1 = () => context.plannedLeg1(other, other.blueprintClientId!, assertion, other.clientId!, gate.clientId!, what);
  return {
    requests: [leg1(), context.plannedLeg2(gate, leg1Token(leg1().key), what)],
    async send() {
      // Its own agent's leg 1 must be issued, or there is no other blueprint's token to present: its
      // refusal is then the outcome, never the expected AADSTS7002137, so the probe is INCONCLUSIVE.
      const answer = await context.leg1(other, other.blueprintClientId!, assertion, other.clientId!, gate.clientId!, what);
      const token = accessTokenOf(answer.outcome);
      return token === undefined ? answer.outcome : context.leg2(gate, leg1Token(answer.key, () => token), what);
    },
  };
}
