import { TRUST_ANCHOR_TYPE } from '../../model/aws/roles-anywhere';
import { TemplateModel } from '../../model/aws/template';
import { Rule, RuleFinding, Severity } from '../rule';

/** CA certificates a Roles Anywhere trust anchor's bundle may hold: a quota that cannot be raised. */
export const CERTIFICATES_PER_TRUST_ANCHOR_QUOTA = 2;

/** AG-AWS-013. A bundle of more CA certificates fails CreateTrustAnchor/UpdateTrustAnchor. */
export const certificatesPerTrustAnchor: Rule<TemplateModel> = {
  id: 'AG-AWS-013',
  cloud: 'aws',
  severity: Severity.MEDIUM,
  title: `A Roles Anywhere trust anchor's bundle holds at most ${CERTIFICATES_PER_TRUST_ANCHOR_QUOTA} certificates`,
  rationale: `IAM Roles Anywhere allows ${CERTIFICATES_PER_TRUST_ANCHOR_QUOTA} certificates per trust anchor (room for a CA rotation), a quota that cannot be raised: a larger bundle fails the deployment.`,
  fix: 'Give each trust anchor the issuing CA (and its successor during a rotation) only; put other CAs in trust anchors of their own.',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const anchor of model.resourcesOfType(TRUST_ANCHOR_TYPE)) {
      const pem = (anchor.properties.Source as { SourceData?: { X509CertificateData?: unknown } } | undefined)?.SourceData?.X509CertificateData;
      if (typeof pem !== 'string') continue; // an ACM PCA source, or a bundle not known at synth: one CA, or judged on deploy
      const count = pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
      if (count > CERTIFICATES_PER_TRUST_ANCHOR_QUOTA) {
        findings.push({
          resource: anchor.logicalId,
          outcome: 'violation',
          message: `Trust anchor ${anchor.logicalId}'s bundle holds ${count} certificates; a trust anchor may hold at most ${CERTIFICATES_PER_TRUST_ANCHOR_QUOTA} (not adjustable).`,
          location: 'Properties/Source/SourceData/X509CertificateData',
        });
      }
    }
    return findings;
  },
};
