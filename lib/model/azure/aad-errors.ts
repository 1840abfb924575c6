/**
 * The AADSTS errors of Entra's token endpoint that attestgate models (reference/gcp-azure.md §5.2):
 * the emulator answers with them and the Azure probes expect them. Each entry says where its
 * code, `error` and HTTP status come from: `observed` (seen in a real response quoted in a GitHub
 * issue), `documented` (Microsoft's error-code reference) or `chosen` (Entra's behaviour is not
 * documented; the emulator's pick, listed in the divergence table of docs/emulator.md).
 */
export interface AadErrorSpec {
  readonly code: number;
  readonly error: string;
  readonly status: number;
  readonly basis: 'observed' | 'documented' | 'chosen';
}

export const AADSTS = {
  /** Tenant '…' not found. */
  tenantNotFound: { code: 90002, error: 'invalid_request', status: 400, basis: 'documented' },
  /** The endpoint only accepts POST requests. */
  methodNotAllowed: { code: 900561, error: 'invalid_request', status: 400, basis: 'documented' },
  /** The request body must contain the following parameter: '…'. */
  missingParameter: { code: 900144, error: 'invalid_request', status: 400, basis: 'documented' },
  unsupportedGrantType: { code: 70003, error: 'unsupported_grant_type', status: 400, basis: 'documented' },
  /** Client credential flows must have a scope value with /.default suffixed to the resource identifier. */
  invalidScope: { code: 1002012, error: 'invalid_scope', status: 400, basis: 'documented' },
  /** The request body must contain the following parameter: 'client_assertion' or 'client_secret'. */
  missingClientCredential: { code: 7000218, error: 'invalid_client', status: 401, basis: 'observed' },
  /** Application with identifier '…' was not found in the directory '…'. */
  applicationNotFound: { code: 700016, error: 'unauthorized_client', status: 400, basis: 'observed' },
  /** The client application … is missing service principal in the tenant …. */
  missingServicePrincipal: { code: 7000229, error: 'invalid_client', status: 401, basis: 'observed' },
  /** The client … has no configured federated identity credentials. */
  noFederatedCredentials: { code: 70025, error: 'invalid_client', status: 401, basis: 'chosen' },
  /** Invalid JWT token (malformed, missing claims). */
  invalidJwt: { code: 50027, error: 'invalid_request', status: 400, basis: 'documented' },
  /** Invalid JWT token. '…' is not a supported signature algorithm. (ES256: observed.) */
  unsupportedAlgorithm: { code: 5002738, error: 'invalid_request', status: 400, basis: 'observed' },
  /** Invalid JWT token. Unsupported key for the signing algorithm. */
  keyAlgorithmMismatch: { code: 5002730, error: 'invalid_request', status: 400, basis: 'observed' },
  /** No matching federated identity record found for presented assertion issuer '…'. */
  issuerNotMatched: { code: 700211, error: 'invalid_client', status: 401, basis: 'observed' },
  /** Request to External OIDC endpoint failed (the issuer's discovery document or JWKS). */
  issuerMetadataUnavailable: { code: 90061, error: 'invalid_request', status: 400, basis: 'observed' },
  /** The certificate with identifier … used to sign the federated credential could not be found in the metadata of identity provider …. */
  signingKeyNotFound: { code: 7000272, error: 'invalid_client', status: 401, basis: 'observed' },
  /** Client assertion contains an invalid signature. (Documented for certificate credentials.) */
  invalidSignature: { code: 700027, error: 'invalid_client', status: 401, basis: 'documented' },
  /** No matching federated identity record found for presented assertion audience '…'. */
  audienceNotMatched: { code: 700212, error: 'invalid_client', status: 401, basis: 'observed' },
  /** No matching federated identity record found for presented assertion subject '…'. */
  subjectNotMatched: { code: 700213, error: 'invalid_client', status: 401, basis: 'observed' },
  /** … The subject matches with case-insensitive comparison, but not with case-sensitive comparison. */
  subjectCaseMismatch: { code: 7002138, error: 'invalid_client', status: 401, basis: 'observed' },
  /** Client assertion is not within its valid time range. */
  assertionOutsideValidity: { code: 700024, error: 'invalid_client', status: 401, basis: 'observed' },
  /**
   * An RFC 8693 token exchange (`grant_type=urn:ietf:params:oauth:grant-type:token-exchange`):
   * Entra's agent flows use client credentials with a client assertion instead. Code from the
   * Agent ID docs; status and `error` chosen.
   */
  tokenExchangeUnsupported: { code: 82001, error: 'unsupported_grant_type', status: 400, basis: 'documented' },
  /**
   * No matching federated identity record found for presented assertion subject '/eid1/…'. Please make
   * sure the federated identity credential Subject is '…': a first-leg (FMI) token whose subject
   * names another blueprint or agent, presented as an agent identity's assertion.
   */
  fmiSubjectNotMatched: { code: 7002137, error: 'invalid_client', status: 401, basis: 'observed' },
  /**
   * A first leg whose `fmi_path` names no agent identity of the blueprint (unknown, or another
   * blueprint's agent). Entra's answer is not documented: the emulator refuses at the first leg
   * with the code of an unknown application (configurable: `behaviour.fmiPathAtLeg1`).
   */
  fmiPathNotAgentOfBlueprint: { code: 700016, error: 'unauthorized_client', status: 400, basis: 'chosen' },
  /**
   * TenantThrottlingError: too many incoming requests. The code is documented; 429 with
   * `Retry-After` for the client-credentials grant is documented by MSAL; `error` is chosen.
   */
  tenantThrottled: { code: 90055, error: 'temporarily_unavailable', status: 429, basis: 'documented' },
} as const satisfies Record<string, AadErrorSpec>;

export type AadErrorName = keyof typeof AADSTS;

