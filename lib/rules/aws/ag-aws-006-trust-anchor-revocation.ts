import { TRUST_ANCHOR_TYPE, crlsOfTrustAnchor } from '../../model/aws/roles-anywhere';
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
      const enabled = anchor.properties.Enabled;
      if (enabled === false || enabled === 'false') continue; // a disabled anchor issues nothing
      const crls = crlsOfTrustAnchor(model, anchor.logicalId);
      if (crls.some((c) => c.enabled === true)) continue;
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
