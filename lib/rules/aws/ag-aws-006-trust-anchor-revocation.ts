import { parseCertificateBundle } from '../../core/pki/ca-bundle';
import { crlDer, crlSigner, parseCrl } from '../../core/pki/crl';
import { TRUST_ANCHOR_TYPE, crlsOfTrustAnchor } from '../../model/aws/roles-anywhere';
import { Value, describeValue, isSymbol } from '../../model/aws/intrinsics';
import { TemplateModel } from '../../model/aws/template';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AWS-006. Roles Anywhere never fetches CRL distribution points or asks OCSP: a certificate
 * is revoked for it only through a CRL imported into the trust anchor and enabled.
 */
export const trustAnchorRevocation: Rule<TemplateModel> = {
  id: 'AG-AWS-006',
  cloud: 'aws',
  severity: Severity.HIGH,
  title: 'A Roles Anywhere trust anchor has an enabled CRL',
  rationale:
    'Roles Anywhere checks revocation only against CRLs imported into the trust anchor (no CDP fetch, no OCSP). Without an enabled CRL, a stolen certificate keeps working until it expires.',
  fix: 'Import the CA’s CRL with Enabled: true (AgentTrustAnchor.addCrl) and keep it fresh with an import schedule. Enabled must be explicit: its default is undocumented.',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const anchor of model.resourcesOfType(TRUST_ANCHOR_TYPE)) {
      const anchorEnabled = anchor.properties.Enabled;
      if (anchorEnabled === false || anchorEnabled === 'false') continue; // a disabled anchor issues nothing
      const crls = crlsOfTrustAnchor(model, anchor.logicalId);
      const enabled = crls.filter((c) => c.enabled === true);
      // An enabled CRL another CA signed revokes nothing through this anchor.
      const foreign = enabled.filter((c) => signedByAnchorCa(anchor.properties.Source, c.crl.properties.CrlData) === false);
      if (enabled.length > 0 && foreign.length === enabled.length) {
        findings.push({
          resource: anchor.logicalId,
          outcome: 'violation',
          message: `Trust anchor ${anchor.logicalId}: ${foreign.map((c) => c.crl.logicalId).join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not signed by a CA of its bundle, so revoked certificates are still accepted.`,
          location: 'Properties',
        });
        continue;
      }
      // A source not known before apply may be another CA, whose certificates the CRL does not revoke.
      const unknownSource = enabled.length > 0 ? sourceNotKnown(anchor.properties.Source) : undefined;
      if (unknownSource) {
        findings.push({
          resource: anchor.logicalId,
          outcome: 'unjudgeable',
          message: `Trust anchor ${anchor.logicalId}: whether ${enabled.map((c) => c.crl.logicalId).join(', ')} is signed by a CA of its source cannot be judged: its CA is ${unknownSource}.`,
          location: 'Properties/Source',
        });
        continue;
      }
      if (enabled.length > 0) continue;
      const undecided = crls.find((c) => c.enabled === undefined);
      findings.push({
        resource: anchor.logicalId,
        outcome: undecided ? 'unjudgeable' : 'violation',
        message: undecided
          ? `Trust anchor ${anchor.logicalId}: whether CRL ${undecided.crl.logicalId} is enabled is not known at synth.`
          : crls.length === 0
            ? `Trust anchor ${anchor.logicalId} has no CRL, so revoked certificates are still accepted.`
            : `Trust anchor ${anchor.logicalId} has no CRL with Enabled: true (${crls.map((c) => c.crl.logicalId).join(', ')}), so revoked certificates are still accepted.`,
        location: 'Properties',
      });
    }
    return findings;
  },
};

/**
 * Whether a CRL written in the template is signed by a CA of the anchor's literal PEM bundle;
 * undefined when either is not literal or cannot be read (the probe judges it then).
 */
function signedByAnchorCa(source: Value | undefined, crlData: Value | undefined): boolean | undefined {
  const pem = (source as { SourceData?: { X509CertificateData?: unknown } } | undefined)?.SourceData?.X509CertificateData;
  if (typeof pem !== 'string' || typeof crlData !== 'string') return undefined;
  try {
    const der = crlDer(crlData);
    if (!der) return undefined;
    return crlSigner(der, parseCrl(der), parseCertificateBundle(pem)) !== undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why an anchor's CA is not known — its Source or its certificate data a value not known at synth
 * (a Terraform plan's value known only after apply, an Fn::ImportValue) — or undefined. A
 * CloudFormation parameter is known when the stack is deployed, and the probe judges it then.
 */
function sourceNotKnown(source: Value | undefined): string | undefined {
  const data = (source as { SourceData?: Value } | undefined)?.SourceData;
  const pem = (data as { X509CertificateData?: Value } | undefined)?.X509CertificateData;
  const unknown = [source, data, pem].find((v) => isSymbol(v as Value) && (v as { symbolic: string }).symbolic === 'unknown');
  return unknown === undefined ? undefined : describeValue(unknown as Value);
}
