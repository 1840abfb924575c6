import * as fs from 'node:fs';
import { Annotations, ArnFormat, Duration, IResource, Names, Resource, Stack, Token } from 'aws-cdk-lib';
import { CfnTrustAnchor } from 'aws-cdk-lib/aws-rolesanywhere';
import { Construct } from 'constructs';
import { AttestGateError } from '../core/errors';
import { CaCertificateInfo, inspectCaBundle } from '../core/pki/ca-bundle';
import { TrustAnchorCrl } from './trust-anchor-crl';

/** Roles Anywhere limits: at most 2 CA certificates and 8000 characters of PEM per trust anchor. */
export const TRUST_ANCHOR_LIMITS = { maxCertificates: 2, maxPemLength: 8000 } as const;
/** Roles Anywhere allows 2 CRLs per trust anchor; the quota cannot be raised. */
export const MAX_CRLS_PER_TRUST_ANCHOR = 2;
/** Roles Anywhere's default expiry notification threshold, in days. */
export const DEFAULT_EXPIRY_NOTIFICATION_DAYS = 45;

/** A Roles Anywhere trust anchor: the CA(s) whose certificates may ask for credentials. */
export interface IAgentTrustAnchor extends IResource {
  /** The canonical ARN, `arn:aws:rolesanywhere:<region>:<account>:trust-anchor/<id>`. @attribute */
  readonly trustAnchorArn: string;
  /** @attribute */
  readonly trustAnchorId: string;
  /** The CA certificates, when known at synth (a PEM bundle); empty for ACM PCA or imported anchors. */
  readonly caCertificates: readonly CaCertificateInfo[];
}

/** Where a trust anchor's CA certificates come from. */
export class TrustAnchorSource {
  /** A PEM bundle of one or two CA certificates, as text. */
  public static fromCertificateBundle(pem: string): TrustAnchorSource {
    return new TrustAnchorSource('CERTIFICATE_BUNDLE', pem);
  }

  /** A PEM bundle of one or two CA certificates, read from a file at synth. */
  public static fromCertificateBundleFile(filePath: string): TrustAnchorSource {
    let pem: string;
    try {
      pem = fs.readFileSync(filePath, 'utf8');
    } catch (e) {
      throw new AttestGateError({
        where: 'TrustAnchorSource.fromCertificateBundleFile',
        field: 'filePath',
        value: filePath,
        problem: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        fix: 'give the path of a PEM file holding the CA certificate(s)',
      });
    }
    return new TrustAnchorSource('CERTIFICATE_BUNDLE', pem, filePath);
  }

  /** An AWS Private CA; Roles Anywhere reads its certificate itself. */
  public static fromAcmPca(certificateAuthorityArn: string): TrustAnchorSource {
    if (!Token.isUnresolved(certificateAuthorityArn) && !/^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]+$/.test(certificateAuthorityArn)) {
      throw new AttestGateError({
        where: 'TrustAnchorSource.fromAcmPca',
        field: 'certificateAuthorityArn',
        value: certificateAuthorityArn,
        problem: 'is not an ACM Private CA ARN',
        fix: 'use arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>',
      });
    }
    return new TrustAnchorSource('AWS_ACM_PCA', certificateAuthorityArn);
  }

  private constructor(
    /** The CloudFormation SourceType. */
    public readonly sourceType: 'CERTIFICATE_BUNDLE' | 'AWS_ACM_PCA',
    /** The PEM text or the ACM PCA ARN. */
    public readonly data: string,
    /** The file the PEM was read from, for messages. */
    public readonly filePath?: string,
  ) {}
}

export interface AgentTrustAnchorProps {
  /** The CA certificates: a PEM bundle (text or file) or an ACM Private CA. */
  readonly source: TrustAnchorSource;

  /**
   * The trust anchor's name (1–255 letters, digits, spaces, `-` and `_`).
   *
   * @default - a name derived from the construct path
   */
  readonly trustAnchorName?: string;

  /**
   * How long before a CA or end-entity certificate expires Roles Anywhere starts notifying
   * (AWS Health and EventBridge), between 1 and 360 days.
   *
   * @default Duration.days(45)
   */
  readonly expiryNotificationThreshold?: Duration;
}

/**
 * A Roles Anywhere trust anchor for agent identities. A PEM bundle is parsed at synth and each
 * certificate checked: a CA (basicConstraints CA:TRUE, keyUsage keyCertSign), valid now, SHA-256
 * or stronger, at most 2 certificates and 8000 characters. Expiry notifications are on.
 */
export class AgentTrustAnchor extends Resource implements IAgentTrustAnchor {
  /** Imports an existing trust anchor by its canonical ARN (never an alias ARN). */
  public static fromTrustAnchorArn(scope: Construct, id: string, trustAnchorArn: string): IAgentTrustAnchor {
    if (!Token.isUnresolved(trustAnchorArn) && !/^arn:aws[a-z-]*:rolesanywhere:[a-z0-9-]+:\d{12}:trust-anchor\/[A-Za-z0-9-]+$/.test(trustAnchorArn)) {
      throw new AttestGateError({
        where: `AgentTrustAnchor.fromTrustAnchorArn '${scope.node.path}/${id}'`,
        field: 'trustAnchorArn',
        value: trustAnchorArn,
        problem: 'is not a canonical trust-anchor ARN (an alias ARN can be moved to another anchor, so it must never be pinned)',
        fix: 'use arn:aws:rolesanywhere:<region>:<account>:trust-anchor/<id>',
      });
    }
    class Imported extends Resource implements IAgentTrustAnchor {
      public readonly trustAnchorArn = trustAnchorArn;
      public readonly trustAnchorId = Stack.of(scope).splitArn(trustAnchorArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
      public readonly caCertificates: readonly CaCertificateInfo[] = [];
    }
    return new Imported(scope, id);
  }

  public readonly trustAnchorArn: string;
  public readonly trustAnchorId: string;
  public readonly caCertificates: readonly CaCertificateInfo[];
  /** Where the CA certificates come from. */
  public readonly source: TrustAnchorSource;
  /** The underlying CloudFormation resource. */
  public readonly cfnTrustAnchor: CfnTrustAnchor;
  private readonly crls: TrustAnchorCrl[] = [];

  constructor(scope: Construct, id: string, props: AgentTrustAnchorProps) {
    super(scope, id);
    const where = `AgentTrustAnchor '${this.node.path}'`;
    const { source } = props;
    this.source = source;

    this.caCertificates =
      source.sourceType === 'CERTIFICATE_BUNDLE'
        ? inspectCaBundle(source.data, { where, field: source.filePath ? `source (${source.filePath})` : 'source', limits: TRUST_ANCHOR_LIMITS })
        : [];

    const thresholdDays = props.expiryNotificationThreshold?.toDays() ?? DEFAULT_EXPIRY_NOTIFICATION_DAYS;
    if (!Number.isInteger(thresholdDays) || thresholdDays < 1 || thresholdDays > 360) {
      throw new AttestGateError({ where, field: 'expiryNotificationThreshold', value: `${thresholdDays} days`, problem: 'is not a whole number of days from 1 to 360', fix: 'use e.g. Duration.days(45)' });
    }
    const name = props.trustAnchorName ?? Names.uniqueResourceName(this, { maxLength: 255, separator: '-' });
    if (!Token.isUnresolved(name) && !/^[ a-zA-Z0-9_-]{1,255}$/.test(name)) {
      throw new AttestGateError({ where, field: 'trustAnchorName', value: name, problem: 'is not 1–255 letters, digits, spaces, "-" or "_"', fix: 'rename it' });
    }

    const soon = Date.now() + thresholdDays * 86_400_000;
    for (const ca of this.caCertificates) {
      if (ca.notAfter.getTime() < soon) {
        Annotations.of(this).addWarningV2(
          '@attestgate/aws:caCertificateExpiresSoon',
          `CA certificate ${ca.subjectText} expires on ${ca.notAfter.toISOString()}, within ${thresholdDays} days: add its successor to the bundle now.`,
        );
      }
    }

    this.cfnTrustAnchor = new CfnTrustAnchor(this, 'Resource', {
      name,
      enabled: true,
      source: {
        sourceType: source.sourceType,
        sourceData: source.sourceType === 'CERTIFICATE_BUNDLE' ? { x509CertificateData: source.data } : { acmPcaArn: source.data },
      },
      notificationSettings: ['CA_CERTIFICATE_EXPIRY', 'END_ENTITY_CERTIFICATE_EXPIRY'].map((event) => ({
        enabled: true,
        event,
        threshold: thresholdDays,
        channel: 'ALL',
      })),
    });
    this.trustAnchorArn = this.cfnTrustAnchor.attrTrustAnchorArn;
    this.trustAnchorId = this.cfnTrustAnchor.attrTrustAnchorId;
  }

  /**
   * Imports a CRL into this trust anchor, enabled. Roles Anywhere checks revocation only against
   * imported CRLs, and allows at most 2 per trust anchor.
   *
   * @param crlPem the CRL as PEM (`-----BEGIN X509 CRL-----`), as `openssl ca -gencrl` writes it
   * @param options.crlName the CRL's name in Roles Anywhere (default: derived from the construct path)
   */
  public addCrl(id: string, crlPem: string, options: { readonly crlName?: string } = {}): TrustAnchorCrl {
    if (this.crls.length >= MAX_CRLS_PER_TRUST_ANCHOR) {
      throw new AttestGateError({
        where: `AgentTrustAnchor '${this.node.path}'`,
        field: `addCrl('${id}')`,
        value: `CRL #${this.crls.length + 1}`,
        problem: `exceeds the ${MAX_CRLS_PER_TRUST_ANCHOR} CRLs Roles Anywhere allows per trust anchor (a hard quota)`,
        fix: 'keep one CRL per issuing CA and update it in place (CrlImportSchedule) instead of importing new ones',
      });
    }
    const crl = new TrustAnchorCrl(this, id, { trustAnchor: this, crlPem, crlName: options.crlName });
    this.crls.push(crl);
    return crl;
  }

  /** The CRLs added to this trust anchor. */
  public get revocationLists(): readonly TrustAnchorCrl[] {
    return this.crls;
  }
}
