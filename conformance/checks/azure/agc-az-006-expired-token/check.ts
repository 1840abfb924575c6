import { Check } from '../../../engine/check';
import { DENIED } from '../../../azure/expected-denials';
import { AzureProbeContext, ResolvedAzureGate, claimsFor, mint, probeAzureDenied } from '../../../azure/probe-context';

export const check: Check<ResolvedAzureGate, AzureProbeContext> = {
  meta: {
    id: 'AGC-AZ-006',
    cloud: 'azure',
    title: 'An expired token is refused',
    statement: "Verify that Entra refuses, with AADSTS700024, a token exactly matching a credential and signed by the issuer whose expiry passed an hour ago.",
    threat: "A token leaked from logs or a crash dump stays usable forever if expiry is not enforced — the point of short-lived attestation is lost.",
    remediation: "Nothing to configure in the gate; a failure means the endpoint does not check the token's expiry.",
    severity: 'critical',
    tags: ['cloud:azure', 'kind:negative', 'threat:expired-token', 'requires:issuer-key'],
  },
  run: (gate, context) =>
    probeAzureDenied(gate, context, 'issuer-key', ({ credential, key }) => {
      const now = Math.floor(Date.now() / 1000);
      return [{ what: 'a token that expired an hour ago', assertion: mint(key!, claimsFor(credential, { iat: now - 7200, exp: now - 3600 })), expected: DENIED.validity }];
    }),
};
