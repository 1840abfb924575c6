import { LifetimeLike } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';
import { parseCertificateBundle } from '../core/pki/ca-bundle';
import { Certificate } from '../core/pki/certificate';
import { issuerProblem } from '../model/terraform/oidc-issuer';

/** The serialisable form of where an identity's SVIDs are presented, as written into annotations. */
export type SvidPresentationDescription =
  | {
      readonly kind: 'x509-trust-anchor';
      readonly name: string;
      /**
       * The trust domains the anchor's CA certificates name in their `spiffe://` URI SAN (SPIRE
       * writes its trust domain ID into every CA it makes); empty when none does — an upstream
       * root, say — and the trust domain cannot be told from the anchor.
       */
      readonly anchorTrustDomains: readonly string[];
      readonly sessionLifetimeSeconds?: number;
    }
  | {
      readonly kind: 'oidc-issuer';
      readonly name: string;
      readonly issuer: string;
      readonly sessionLifetimeSeconds?: number;
    };

export interface X509TrustAnchorPresentationProps {
  /** What the anchor is, for messages, e.g. `aws:DeployerAnchor`. */
  readonly name: string;
  /** The PEM CA certificates the relying party trusts (the Roles Anywhere anchor's bundle, a GCP X.509 trust store). */
  readonly trustAnchorCertificates: string;
  /** How long a session bought with an X.509-SVID lasts (the Roles Anywhere profile's duration). @default - unknown */
  readonly sessionLifetime?: LifetimeLike;
}

export interface OidcIssuerPresentationProps {
  /** What trusts the issuer, for messages, e.g. `azure:deployer`. */
  readonly name: string;
  /** The issuer the relying party trusts, exactly as configured there. */
  readonly issuer: string;
  /** How long the token bought with a JWT-SVID lasts. @default - unknown */
  readonly sessionLifetime?: LifetimeLike;
}

/** The trust domains named by `spiffe://` URI SANs of a PEM bundle's certificates. */
export function trustDomainsOfCertificates(pem: string): string[] {
  return trustDomainsOf(parseCertificateBundle(pem));
}

function trustDomainsOf(certificates: readonly Certificate[]): string[] {
  const domains = new Set<string>();
  for (const cert of certificates) {
    for (const uri of cert.subjectAltNames.uris) {
      const match = /^spiffe:\/\/([^/]+)/.exec(uri);
      if (match) domains.add(match[1]);
    }
  }
  return [...domains].sort();
}

/**
 * Where an identity's SVIDs are presented to buy cloud credentials: an X.509 trust anchor (IAM
 * Roles Anywhere, a GCP X.509 provider) or an OIDC issuer (GCP and Azure federation). The rules
 * check that it belongs to the identity's trust domain and that the SVID does not outlive the
 * session it buys.
 */
export class SvidPresentation {
  /** X.509-SVIDs presented to a relying party that anchors to these CA certificates. */
  public static x509TrustAnchor(props: X509TrustAnchorPresentationProps): SvidPresentation {
    const where = `SvidPresentation '${props.name}'`;
    let certificates: Certificate[];
    try {
      certificates = parseCertificateBundle(props.trustAnchorCertificates);
    } catch (e) {
      throw new AttestGateError({ where, field: 'trustAnchorCertificates', value: `${String(props.trustAnchorCertificates).slice(0, 40)}…`, problem: `does not parse: ${(e as Error).message}`, fix: 'give the PEM bundle the relying party trusts' });
    }
    if (certificates.length === 0) {
      throw new AttestGateError({ where, field: 'trustAnchorCertificates', value: props.trustAnchorCertificates, problem: 'holds no PEM certificate', fix: 'give the PEM bundle the relying party trusts' });
    }
    const anchorTrustDomains = trustDomainsOf(certificates);
    return new SvidPresentation({ kind: 'x509-trust-anchor', name: props.name, anchorTrustDomains, ...lifetime(props.sessionLifetime, where) });
  }

  /** JWT-SVIDs presented to a relying party that trusts this issuer. */
  public static oidcIssuer(props: OidcIssuerPresentationProps): SvidPresentation {
    const where = `SvidPresentation '${props.name}'`;
    const problem = issuerProblem(props.issuer);
    if (problem) throw new AttestGateError({ where, field: 'issuer', value: props.issuer, ...problem });
    return new SvidPresentation({ kind: 'oidc-issuer', name: props.name, issuer: props.issuer, ...lifetime(props.sessionLifetime, where) });
  }

  /** Rebuilds a presentation from its description. */
  public static fromDescription(description: SvidPresentationDescription): SvidPresentation {
    return new SvidPresentation(description);
  }

  private constructor(private readonly description: SvidPresentationDescription) {}

  public describe(): SvidPresentationDescription {
    return this.description;
  }
}

function lifetime(value: LifetimeLike | undefined, where: string): { sessionLifetimeSeconds?: number } {
  if (value === undefined) return {};
  const seconds = value.toSeconds();
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new AttestGateError({ where, field: 'sessionLifetime', value: seconds, problem: 'is not a positive whole number of seconds', fix: 'give the session duration, e.g. Duration.minutes(15)' });
  }
  return { sessionLifetimeSeconds: seconds };
}
