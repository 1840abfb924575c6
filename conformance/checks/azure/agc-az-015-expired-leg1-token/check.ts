import { Check, skipped } from '../../../engine/check';
import { DENIED } from '../../../azure/expected-denials';
import { accessTokenOf } from '../../../azure/aad-outcome';
import { TokenClaims, decodeJwt } from '../../../oidc/jwt';
import { AzureProbeContext, ResolvedAzureGate, mint, probeAzureDenied } from '../../../azure/probe-context';

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
    const tenantKey = context.options.tenantKey;
    // Entra's own tokens cannot be re-dated: live, an expired one is had only by keeping one past its lifetime.
    if (!tenantKey) return skipped('needs a leg-1 token that expired, which only the local emulator can make (its tenant key re-dates one it issued)');
    return probeAzureDenied(gate, context, 'valid-token', ({ validToken }) => [
      {
        what: 'a leg-1 token for this agent that expired an hour ago',
        assertion: validToken!,
        expected: DENIED.validity,
        send: async () => {
          const leg1 = await context.leg1(gate, gate.blueprintClientId!, validToken!, gate.clientId!);
          const token = accessTokenOf(leg1);
          if (!token) return leg1;
          const { claims } = decodeJwt(token);
          const now = Math.floor(Date.now() / 1000);
          return context.leg2(gate, mint(tenantKey, { ...(claims as TokenClaims), iat: now - 2 * HOUR, nbf: now - 2 * HOUR, exp: now - HOUR }));
        },
      },
    ]);
  },
};
