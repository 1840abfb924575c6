import { Check, skipped } from '../../../engine/check';
import { DENIED } from '../../../azure/expected-denials';
import { accessTokenOf } from '../../../azure/aad-outcome';
import { TokenClaims, decodeJwt, signJwt } from '../../../oidc/jwt';
import { IssuerKey } from '../../../oidc/issuer-key';
import { AzureProbeContext, DenialBuilder, ResolvedAzureGate, derivedLeg1Token, plannedAzureDenial, probeAzureDenied } from '../../../azure/probe-context';

const HOUR = 3600;

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-015',
    cloud: 'azure',
    title: 'An expired leg-1 token does not get the agent identity’s tokens',
    statement:
      "Verify that Entra refuses, with AADSTS700024, a leg-1 token of the agent's own blueprint and path that expired an hour ago, presented as the agent identity's client assertion.",
    threat: 'A leg-1 token lives about an hour; accepted after it expired, one stolen from a log or a cache would renew the agent’s tokens for ever, without attesting again.',
    remediation: 'This is Entra’s own check (and the emulator’s behaviour.clockSkewSeconds): a failure means leg 2 ignores the leg-1 token’s exp. Report it.',
    severity: 'high',
    tags: ['cloud:azure', 'kind:negative', 'threat:expired-token', 'requires:valid-token'],
  },
  // Entra agent identities only: a managed identity has no blueprint, no fmi_path, no leg 1.
  appliesTo: (gate) => gate.gate.agent !== undefined,
  async run(gate, context) {
    // Entra's own tokens cannot be re-dated: live, an expired one is had only by keeping one past its lifetime.
    if (!context.options.tenantKey) return skipped('needs a leg-1 token that expired, which only the local emulator can make (its tenant key re-dates one it issued)');
    return probeAzureDenied(gate, context, 'valid-token', probesOf(gate, context, context.options.tenantKey));
  },
  plan: (gate, context) => (context.options.tenantKey ? plannedAzureDenial(gate, context, 'valid-token', probesOf(gate, context, context.options.tenantKey)) : []),
};

const WHAT = 'a leg-1 token for this agent that expired an hour ago';

/**
 * The control's own leg 1 — the same request, so its answer is reused rather than the control's
 * assertion presented a second time (a replay an endpoint may refuse for that reason alone) — and
 * its token, re-dated to have expired an hour ago, presented at leg 2.
 */
function probesOf(gate: ResolvedAzureGate, context: AzureProbeContext, tenantKey: IssuerKey): DenialBuilder {
  return ({ validToken }) => {
    const leg1 = () => context.plannedLeg1(gate, gate.blueprintClientId!, validToken!, gate.clientId!, gate.clientId!, WHAT);
    return [
      {
        what: WHAT,
        assertion: validToken!,
        expected: DENIED.validity,
        route: {
          requests: [leg1(), context.plannedLeg2(gate, derivedLeg1Token(EXPIRED, leg1().key), WHAT)],
          async send() {
            const answer = await context.leg1(gate, gate.blueprintClientId!, validToken!, gate.clientId!, gate.clientId!, WHAT);
            const token = accessTokenOf(answer.outcome);
            if (!token) return answer.outcome;
            const { claims } = decodeJwt(token);
            const now = Math.floor(Date.now() / 1000);
            const redated = signJwt(tenantKey, { ...(claims as TokenClaims), iat: now - 2 * HOUR, nbf: now - 2 * HOUR, exp: now - HOUR });
            return context.leg2(gate, derivedLeg1Token(EXPIRED, answer.key, () => redated), WHAT);
          },
        },
      },
    ];
  };
}

const EXPIRED = 'leg-1 token re-dated to have expired an hour ago';
