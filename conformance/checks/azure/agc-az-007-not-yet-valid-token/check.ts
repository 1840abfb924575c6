import { Check } from '../../../engine/check';
import { DENIED } from '../../../azure/expected-denials';
import { AzureProbeContext, ResolvedAzureGate, claimsFor, mint, probeAzureDenied } from '../../../azure/probe-context';

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-007',
    cloud: 'azure',
    title: 'A token that is not yet valid is refused',
    statement: "Verify that Entra refuses, with AADSTS700024, a token exactly matching a credential and signed by the issuer whose not-before time is an hour ahead.",
    threat: 'Tokens minted ahead of time (by a compromised issuer or with a skewed clock) would otherwise be usable before their window, extending a theft beyond the issuance window.',
    remediation: "Nothing to configure in the gate; a failure means the endpoint ignores the token's nbf claim.",
    severity: 'high',
    tags: ['cloud:azure', 'kind:negative', 'threat:not-yet-valid-token', 'requires:issuer-key'],
  },
  run: (gate, context) =>
    probeAzureDenied(gate, context, 'issuer-key', ({ credential, key }) => {
      const now = Math.floor(Date.now() / 1000);
      return [{ what: 'a token valid from an hour ahead', assertion: mint(key!, claimsFor(credential, { iat: now, nbf: now + 3600, exp: now + 7200 })), expected: DENIED.validity }];
    }),
};
