import { Check } from '../../../engine/check';
import { TokenClaims } from '../../../oidc/jwt';
import { GcpProbeContext, MutatedToken, plannedExchangeDenial, probeExchangeDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';

/**
 * Audiences the same issuer mints for other relying parties — Entra's and AWS's — then one
 * nobody uses: a token the agent got for another cloud must not work here.
 */
export const FOREIGN_AUDIENCES: readonly string[] = ['api://AzureADTokenExchange', 'sts.amazonaws.com', 'https://attestgate-probe.invalid/audience'];

/** The first foreign audience the baseline token does not already carry. */
export function foreignAudience(baseline: TokenClaims): string {
  const carried = typeof baseline.aud === 'string' ? [baseline.aud] : [...baseline.aud];
  return FOREIGN_AUDIENCES.find((a) => !carried.includes(a))!;
}

const WHAT = 'a token minted for another relying party';
const token: MutatedToken = (baseline) => ({ claims: { ...baseline, aud: foreignAudience(baseline) }, signer: 'issuer-key' });

export const check: Check<ResolvedGcpGate, GcpProbeContext> = {
  meta: {
    id: 'AGC-GCP-004',
    cloud: 'gcp',
    title: 'A token minted for another relying party is refused',
    statement: "Verify that the STS refuses a token of the right issuer and subject whose audience is another relying party's (Entra's, AWS's) rather than one of the provider's allowed audiences.",
    threat: 'A token the agent presented to another cloud or service can be replayed here if the audience is not checked.',
    remediation: 'List only this provider\'s own audience in allowed_audiences (or none, which means the provider\'s resource name), and have the issuer mint one audience per relying party.',
    severity: 'high',
    tags: ['cloud:gcp', 'kind:negative', 'threat:wrong-audience', 'requires:issuer-key'],
  },
  run: (gate, context) => probeExchangeDenied(gate, context, WHAT, { status: 400, code: 'invalid_grant', message: /audience/i }, true, token),
  plan: (gate, context) => plannedExchangeDenial(gate, context, WHAT, true, token),
};
