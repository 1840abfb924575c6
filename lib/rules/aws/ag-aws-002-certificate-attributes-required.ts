import { certificateIdentityCondition, requiredForIssuance, rolesAnywhereTrusts } from '../../model/aws/roles-anywhere';
import { TemplateModel } from '../../model/aws/template';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AWS-002. A trust anchor pin alone admits every certificate its CA ever issued; the role
 * must also require the agent's own certificate attributes (subject or SAN).
 */
export const certificateAttributesRequired: Rule<TemplateModel> = {
  id: 'AG-AWS-002',
  cloud: 'aws',
  severity: Severity.CRITICAL,
  title: "A role trusted by IAM Roles Anywhere requires the agent's certificate subject or SAN",
  rationale:
    "Without a condition on the certificate's subject or SAN, every certificate the trust anchor's CAs issued — to any workload — can assume the role.",
  fix: 'Add StringEquals conditions on aws:PrincipalTag/x509Subject/CN and aws:PrincipalTag/x509SAN/URI (the SPIFFE ID) to the Roles Anywhere statements (AttestedRole does this).',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const trust of rolesAnywhereTrusts(model)) {
      const verdict = requiredForIssuance(trust, certificateIdentityCondition);
      if (verdict.holds === true) continue;
      findings.push({
        resource: trust.role.logicalId,
        outcome: verdict.holds === false ? 'violation' : 'unjudgeable',
        message:
          verdict.holds === false
            ? `Role ${trust.role.logicalId} accepts any certificate of its trust anchors: ${verdict.why}.`
            : `Role ${trust.role.logicalId}: ${verdict.why}.`,
        location: 'Properties/AssumeRolePolicyDocument',
      });
    }
    return findings;
  },
};
