import { Check, skipped } from '../../../engine/check';
import { GcpProbeContext, MutatedToken, plannedExchangeDenial, probeExchangeDenied } from '../../../gcp/probe-context';
import { ResolvedGcpGate } from '../../../gcp/resolve-gates';

const WHAT = 'a token with a tampered signature';

/** A token the issuer signed — with its key, else the token command's own — one bit of its signature flipped. */
const tokenOf =
  (gate: ResolvedGcpGate, context: GcpProbeContext): MutatedToken =>
  (baseline) => {
    if (gate.keys.length > 0) return { claims: baseline, signer: 'issuer-key', tampered: true };
    if (context.hasCommandToken()) return { claims: baseline, signer: 'token-command', tampered: true };
    return skipped(`a signed token to tamper with needs the issuer's key (--pki) or --token-command: ${gate.noKeyReason ?? 'no key'}`);
  };

export const check: Check<ResolvedGcpGate, GcpProbeContext> = {
  meta: {
    id: 'AGC-GCP-008',
    cloud: 'gcp',
    title: 'A token with a tampered signature is refused',
    statement: "Verify that the STS refuses a token of the issuer's known key whose signature has one bit flipped.",
    threat: 'An endpoint that matches the key ID but does not verify the signature accepts any claims an attacker writes.',
    remediation: 'Nothing to configure in the provider; a failure means the endpoint does not verify signatures.',
    severity: 'critical',
    tags: ['cloud:gcp', 'kind:negative', 'threat:tampered-signature', 'requires:signed-token'],
  },
  run: (gate, context) => probeExchangeDenied(gate, context, WHAT, { status: 400, code: 'invalid_grant', message: /Unable to verify the ID Token signature/ }, false, tokenOf(gate, context)),
  plan: (gate, context) => plannedExchangeDenial(gate, context, WHAT, false, tokenOf(gate, context)),
};
