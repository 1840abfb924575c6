import { TRUST_ANCHOR_TYPE, crlsOfTrustAnchor } from '../../model/aws/roles-anywhere';
import { TemplateModel } from '../../model/aws/template';
import { Rule, RuleFinding, Severity } from '../rule';

/** CRLs a Roles Anywhere trust anchor may have: a quota that cannot be raised. */
export const CRLS_PER_TRUST_ANCHOR_QUOTA = 2;

/**
 * AG-AWS-012. A third CRL for an anchor fails ImportCrl — and a pipeline that imports a new CRL
 * on every publish stops updating revocation at the third (reference §4.3).
 */
export const crlsPerTrustAnchor: Rule<TemplateModel> = {
  id: 'AG-AWS-012',
  cloud: 'aws',
  severity: Severity.MEDIUM,
  title: `A Roles Anywhere trust anchor has at most ${CRLS_PER_TRUST_ANCHOR_QUOTA} CRLs`,
  rationale: `IAM Roles Anywhere allows ${CRLS_PER_TRUST_ANCHOR_QUOTA} CRLs per trust anchor, a quota that cannot be raised: a third fails the deployment.`,
  fix: 'Keep one CRL per issuing CA and update it in place (UpdateCrl; CrlImportSchedule does) instead of importing new ones.',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const anchor of model.resourcesOfType(TRUST_ANCHOR_TYPE)) {
      const crls = crlsOfTrustAnchor(model, anchor.logicalId);
      if (crls.length > CRLS_PER_TRUST_ANCHOR_QUOTA) {
        findings.push({
          resource: anchor.logicalId,
          outcome: 'violation',
          message: `Trust anchor ${anchor.logicalId} has ${crls.length} CRLs (${crls.map((c) => c.crl.logicalId).join(', ')}); a trust anchor may have at most ${CRLS_PER_TRUST_ANCHOR_QUOTA} (not adjustable).`,
          location: 'Properties',
        });
      }
    }
    return findings;
  },
};
