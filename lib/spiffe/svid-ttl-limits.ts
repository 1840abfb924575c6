import { AgentIdentityDescription } from '../core/agent-identity';
import { PrivilegeTier } from '../core/privilege-tier';
import { describeSeconds } from './go-duration';
import { SvidPresentationDescription } from './svid-presentation';

/** A high-privilege identity's JWT-SVIDs live at most five minutes (SPIRE's own default). */
export const HIGH_PRIVILEGE_MAX_JWT_SVID_TTL_SECONDS = 300;

export interface TtlLimit {
  readonly seconds: number;
  /** What sets it, for messages: "the identity's maxCredentialLifetime (1 h)". */
  readonly because: string;
}

/**
 * The longest an identity's X.509-SVIDs may live: no longer than the identity's
 * maxCredentialLifetime, and no longer than the shortest session an X.509-SVID buys — else the
 * holder of one SVID mints fresh sessions without attesting again after the first has expired.
 */
export function x509SvidTtlLimit(identity: AgentIdentityDescription, presentedTo: readonly SvidPresentationDescription[]): TtlLimit {
  let limit: TtlLimit = { seconds: identity.maxCredentialLifetimeSeconds, because: `the identity's maxCredentialLifetime (${describeSeconds(identity.maxCredentialLifetimeSeconds)})` };
  for (const p of presentedTo) {
    if (p.kind === 'x509-trust-anchor' && p.sessionLifetimeSeconds !== undefined && p.sessionLifetimeSeconds < limit.seconds) {
      limit = { seconds: p.sessionLifetimeSeconds, because: `the ${describeSeconds(p.sessionLifetimeSeconds)} session it buys at ${p.name}` };
    }
  }
  return limit;
}

/** The longest an identity's JWT-SVIDs may live: 5 min for high privilege, else its maxCredentialLifetime. */
export function jwtSvidTtlLimit(identity: AgentIdentityDescription): TtlLimit {
  if (identity.privilege === PrivilegeTier.HIGH) {
    return { seconds: HIGH_PRIVILEGE_MAX_JWT_SVID_TTL_SECONDS, because: `the ${describeSeconds(HIGH_PRIVILEGE_MAX_JWT_SVID_TTL_SECONDS)} allowed a high-privilege identity's JWT-SVIDs` };
  }
  return { seconds: identity.maxCredentialLifetimeSeconds, because: `the identity's maxCredentialLifetime (${describeSeconds(identity.maxCredentialLifetimeSeconds)})` };
}
