import { Check, skipped } from '../../../engine/check';
import { DENIED } from '../../../azure/expected-denials';
import { accessTokenOf } from '../../../azure/aad-outcome';
import { HttpOutcome } from '../../../engine/http-outcome';
import { AzureProbeContext, DenialProbe, ResolvedAzureGate, claimsFor, mint, probeAzureDenied } from '../../../azure/probe-context';

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
  async run(gate, context) {
    return probeAzureDenied(gate, context, 'nothing', () => {
      const others = (gate.otherBlueprints ?? []).flatMap((other) => {
        const credential = other.credentials.find((c) => context.rsaKeyFor(other, c));
        return credential ? [{ other, credential, key: context.rsaKeyFor(other, credential)! }] : [];
      });
      if (others.length === 0) return skipped('needs another blueprint in this run whose attested token can be minted (an issuer key for one of its credentials)');
      return others.flatMap(({ other, credential, key }): DenialProbe[] => {
        const blueprint = other.blueprintClientId!;
        const assertion = mint(key, claimsFor(credential));
        const ownLeg1 = async (): Promise<HttpOutcome> => {
          // Its own agent's leg 1 must be issued, or there is no other blueprint's token to present: its
          // refusal is then the outcome, never the expected AADSTS7002137, so the probe is INCONCLUSIVE.
          const leg1 = await context.leg1(other, blueprint, mint(key, claimsFor(credential)), other.clientId!);
          const token = accessTokenOf(leg1);
          return token === undefined ? leg1 : context.leg2(gate, token);
        };
        return [
          { what: `blueprint ${other.gate.agent?.blueprint}'s attested token with fmi_path = this agent`, assertion, expected: [DENIED.fmiPath, DENIED.fmiSubject], send: () => context.twoLegs(gate, blueprint, assertion, gate.clientId!) },
          { what: `blueprint ${other.gate.agent?.blueprint}'s leg-1 token for its agent ${other.gate.id}, presented as this agent`, assertion, expected: DENIED.fmiSubject, send: ownLeg1 },
        ];
      });
    });
  },
};
