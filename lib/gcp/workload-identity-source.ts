/** A JSON Web Key Set with public keys only, as GCP accepts inline (`jwks_json`). */
export interface JsonWebKeySet {
  readonly keys: ReadonlyArray<Record<string, unknown>>;
}

export interface OidcSourceProps {
  /**
   * The issuer, exactly as the `iss` claim of the agent's tokens carries it: https, no trailing
   * slash after a bare host (SPIRE: its `jwt_issuer`).
   */
  readonly issuerUri: string;
  /** The audiences the agent's token may carry: 1–10, each at most 256 characters. */
  readonly allowedAudiences: string[];
  /**
   * The issuer's public JWKS (JSON text or object), for issuers GCP cannot reach — a SPIRE OIDC
   * discovery provider behind a firewall, say. RSA (≥ 2048 bits) or EC P-256 keys, each with a
   * `kid`; private key members are rejected. Rotate it when the issuer rotates its keys.
   *
   * @default - GCP fetches the keys from the issuer's discovery document
   */
  readonly jwks?: string | JsonWebKeySet;
  /**
   * Why the issuer is a bare host with a trailing slash (at least 10 characters) — only when the
   * issuer's discovery document really says so.
   *
   * @default - such an issuer is rejected
   */
  readonly issuerTrailingSlashReason?: string;
}

export interface X509SourceProps {
  /** The PEM certificates of the CAs that issue the agent's certificate (1–3, each ≤ 32 KB). */
  readonly trustAnchors: string[];
  /** PEM certificates of intermediate CAs (≤ 10). @default - none */
  readonly intermediateCas?: string[];
}

export interface AwsSourceProps {
  /** The AWS account of the role, 12 digits. */
  readonly accountId: string;
  /** The name of the AWS role the agent assumes (e.g. the AttestedRole obtained through IAM Roles Anywhere). */
  readonly roleName: string;
  /** @default 'aws' */
  readonly partition?: 'aws' | 'aws-cn' | 'aws-us-gov';
}

/**
 * What a workload identity pool provider accepts as the agent's credential: an OIDC token (SPIRE
 * JWT-SVID), an X.509 certificate (X.509-SVID) or AWS credentials of one role.
 */
export class WorkloadIdentitySource {
  /** An OIDC issuer's tokens, e.g. JWT-SVIDs from a SPIRE OIDC discovery provider. */
  public static oidc(props: OidcSourceProps): WorkloadIdentitySource {
    return new WorkloadIdentitySource('oidc', props);
  }

  /** Certificates chaining to a trust store, e.g. X.509-SVIDs of a SPIRE CA. The SPIFFE ID is read from `san.uri`. */
  public static x509(props: X509SourceProps): WorkloadIdentitySource {
    return new WorkloadIdentitySource('x509', props);
  }

  /** Sessions of one AWS role (signed GetCallerIdentity requests). */
  public static aws(props: AwsSourceProps): WorkloadIdentitySource {
    return new WorkloadIdentitySource('aws', props);
  }

  private constructor(
    public readonly kind: 'oidc' | 'x509' | 'aws',
    /** The props given to the factory. */
    public readonly props: OidcSourceProps | X509SourceProps | AwsSourceProps,
  ) {}
}
