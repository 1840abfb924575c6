/**
 * The attestgate ACR profile: authentication context class reference values for workloads.
 *
 * OAuth and OpenID Connect define `acr` for people (a password, a second factor, a passkey); no
 * profile says what "stronger authentication" means for a workload that has no user. Each value
 * here is defined by **what the token's issuer verified** before it signed the token, so that a
 * resource server can demand it of any issuer — a SPIRE server, an OAuth authorization server —
 * and judge only the verified claims, not who issued them.
 *
 * `attestgate` is not an IANA-registered URN namespace: like most ACR values, these are
 * private-use identifiers whose meaning the issuer and the resource server agree on (OIDC Core
 * §2, `acr`). Their meaning never changes; a different meaning gets a new value.
 */

/** The ACR values of the profile. */
export const ACR = {
  /**
   * The issuer signed the token for a workload it had attested (SPIRE's node and workload
   * attestation; an authorization server that authenticates the client with an attested
   * credential — a JWT-SVID, an X.509-SVID, a TPM-bound key — and nothing weaker). Every other
   * value of the profile includes this one.
   */
  ATTESTED: 'urn:attestgate:acr:attested',
  /**
   * `attested`, and the attestation happened for this token: its attestation time (`auth_time`,
   * or `iat` for an issuer that mints a new token per attestation) is within the operation's
   * `max_age`, and it carries a unique `jti` that the resource server accepts once only.
   */
  ATTESTED_FRESH: 'urn:attestgate:acr:attested-fresh',
  /**
   * `attested`, and the workload proved possession of a key held in hardware (TPM, HSM, secure
   * enclave): the token's `amr` carries RFC 8176 `hwk`. OpenID Connect EAP's `phrh` (phishing-
   * resistant, hardware-protected) with `amr` `hwk` is accepted as the same.
   */
  ATTESTED_HWK: 'urn:attestgate:acr:attested-hwk',
  /**
   * `attested`, and a person approved the action out of band before the token was issued (OpenID
   * Connect CIBA, a change-approval system acting as the authorization server): for the
   * irreversible class of operations.
   */
  HUMAN_APPROVED: 'urn:attestgate:acr:human-approved',
} as const;

export type ProfileAcr = (typeof ACR)[keyof typeof ACR];

/** Every value of the profile, from the weakest claim to the strongest. */
export const PROFILE_ACRS: readonly ProfileAcr[] = [ACR.ATTESTED, ACR.ATTESTED_FRESH, ACR.ATTESTED_HWK, ACR.HUMAN_APPROVED];

/** OpenID Connect EAP ACR Values 1.0: phishing-resistant authentication with a hardware-protected key. */
export const EAP_PHRH = 'phrh';
/** RFC 8176: proof of possession of a hardware-secured key. */
export const AMR_HWK = 'hwk';

/** Whether a string is one of the profile's values. */
export function isProfileAcr(value: unknown): value is ProfileAcr {
  return typeof value === 'string' && (PROFILE_ACRS as readonly string[]).includes(value);
}

/**
 * What the resource server verified about how a token was obtained: the issuer's signature is
 * already checked, so these are the issuer's word.
 */
export interface AuthenticationFacts {
  /** The token's `acr`, or the ACR its issuer is configured to imply (`impliedAcr`). */
  readonly acr?: string;
  /**
   * The ACR values the token's Entra authentication contexts (`acrs`) stand for, per its
   * issuer's `authenticationContexts`: each is presented as `acr` is.
   */
  readonly contextAcrs?: readonly string[];
  /** The token's `amr` values (RFC 8176); empty when it has none. */
  readonly amr: readonly string[];
  /** When the workload was last attested, in seconds since the epoch (`auth_time`, or `iat` where configured). */
  readonly attestedAt?: number;
  /** The token's `jti`, when it has a usable one. */
  readonly jti?: string;
}

/** Why a token does not meet a required ACR value, or `undefined` when it does. */
export function unmetBecause(required: string, facts: AuthenticationFacts): string | undefined {
  const presented = facts.acr;
  switch (required) {
    case ACR.ATTESTED:
      return isProfileAcr(presented) ? undefined : presentedText(presented);
    case ACR.ATTESTED_FRESH:
      if (presented !== ACR.ATTESTED_FRESH) return presentedText(presented);
      if (facts.jti === undefined) return 'the token has no usable jti (attested-fresh tokens are single-use)';
      if (facts.attestedAt === undefined) return 'the token does not say when the workload was attested';
      return undefined;
    case ACR.ATTESTED_HWK:
      if (presented !== ACR.ATTESTED_HWK && presented !== EAP_PHRH) return presentedText(presented);
      return facts.amr.includes(AMR_HWK) ? undefined : `the token's amr does not include "${AMR_HWK}"`;
    case ACR.HUMAN_APPROVED:
      return presented === ACR.HUMAN_APPROVED ? undefined : presentedText(presented);
    default:
      // A value outside the profile (an authorization server's own, e.g. Entra's "c1"): exact match.
      return presented === required ? undefined : presentedText(presented);
  }
}

function presentedText(presented: string | undefined): string {
  return presented === undefined ? 'the token carries no acr' : 'the token was issued at another authentication level';
}

/**
 * Whether a token meets one of the required values (RFC 9470 §3: "one of which the protected
 * resource requires"); with none required, any verified token does.
 */
export function meetsAnyAcr(required: readonly string[], facts: AuthenticationFacts): { readonly met: boolean; readonly because?: string; readonly satisfied?: string } {
  if (required.length === 0) return { met: true };
  // Each presented value is judged on its own, with the token's other facts (jti, amr, time).
  const mapped = (facts.contextAcrs ?? []).filter((a) => a !== facts.acr);
  const presented = [...(facts.acr !== undefined || mapped.length === 0 ? [facts] : []), ...mapped.map((acr) => ({ ...facts, acr }))];
  const reasons: string[] = [];
  for (const value of required) {
    for (const candidate of presented) {
      const because = unmetBecause(value, candidate);
      if (because === undefined) return { met: true, satisfied: value };
      reasons.push(because);
    }
  }
  return { met: false, because: [...new Set(reasons)].join('; ') };
}

/** The ACR values a token presents, for events: its `acr` and those its `acrs` map to. */
export function presentedAcrs(facts: AuthenticationFacts): string[] {
  return [...new Set([...(facts.acr !== undefined ? [facts.acr] : []), ...(facts.contextAcrs ?? [])])];
}
