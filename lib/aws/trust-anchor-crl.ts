import { Names, Resource, Token } from 'aws-cdk-lib';
import { CfnCRL } from 'aws-cdk-lib/aws-rolesanywhere';
import { Construct } from 'constructs';
import { AttestGateError } from '../core/errors';
import { CrlInfo, inspectCrl } from '../core/pki/crl';
import type { IAgentTrustAnchor } from './agent-trust-anchor';

/** ImportCrl accepts at most 300 000 characters of CRL data. */
export const MAX_CRL_DATA_LENGTH = 300_000;

export interface TrustAnchorCrlProps {
  /** The trust anchor whose certificates the CRL revokes. */
  readonly trustAnchor: IAgentTrustAnchor;
  /** The CRL as PEM (`-----BEGIN X509 CRL-----`). CloudFormation passes the text itself to ImportCrl. */
  readonly crlPem: string;
  /**
   * The CRL's name in Roles Anywhere.
   *
   * @default - a name derived from the construct path
   */
  readonly crlName?: string;
}

/**
 * A CRL imported into a trust anchor, always enabled. When the anchor's CA certificates are
 * known at synth, the CRL is verified against them first: signed by one of them, issued by it,
 * not past its nextUpdate. A CRL that revokes nothing for this anchor fails synth.
 *
 * Create it with `AgentTrustAnchor.addCrl`, which enforces the 2-CRL quota.
 */
export class TrustAnchorCrl extends Resource {
  /** What the CRL says, when its CA is known at synth. */
  public readonly info?: CrlInfo;
  public readonly cfnCrl: CfnCRL;
  /** @attribute */
  public readonly crlId: string;

  constructor(scope: Construct, id: string, props: TrustAnchorCrlProps) {
    super(scope, id);
    const where = `TrustAnchorCrl '${this.node.path}'`;
    if (props.crlPem.length > MAX_CRL_DATA_LENGTH) {
      throw new AttestGateError({ where, field: 'crlPem', value: `${props.crlPem.length} characters`, problem: `exceeds the ${MAX_CRL_DATA_LENGTH} characters ImportCrl accepts`, fix: 'publish a smaller CRL (partition it, or drop expired entries)' });
    }
    if (props.trustAnchor.caCertificates.length > 0) {
      this.info = inspectCrl(props.crlPem, props.trustAnchor.caCertificates, { where, field: 'crlPem' });
    } else if (!/-----BEGIN X509 CRL-----/.test(props.crlPem)) {
      throw new AttestGateError({ where, field: 'crlPem', value: props.crlPem.slice(0, 60), problem: 'holds no PEM CRL', fix: 'give the CRL as PEM (-----BEGIN X509 CRL-----)' });
    }
    const name = props.crlName ?? Names.uniqueResourceName(this, { maxLength: 255, separator: '-' });
    if (!Token.isUnresolved(name) && !/^[ a-zA-Z0-9_-]{1,255}$/.test(name)) {
      throw new AttestGateError({ where, field: 'crlName', value: name, problem: 'is not 1–255 letters, digits, spaces, "-" or "_"', fix: 'rename it' });
    }
    this.cfnCrl = new CfnCRL(this, 'Resource', {
      name,
      crlData: props.crlPem,
      trustAnchorArn: props.trustAnchor.trustAnchorArn,
      // The default of Enabled is undocumented; revocation must not depend on it.
      enabled: true,
    });
    this.crlId = this.cfnCrl.attrCrlId;
  }
}
