import { ROLE_TYPE, requiredForIssuance, rolesAnywhereTrusts, sourceArnPin, trustPolicyOf } from '../../model/aws/roles-anywhere';
import { TemplateModel } from '../../model/aws/template';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AWS-001. Without an `aws:SourceArn` pin, a certificate from any trust anchor of the account
 * can assume the role: an attacker allowed to create a trust anchor (Stratus Red Team
 * `aws.persistence.rolesanywhere-create-trust-anchor`) brings their own CA and gets the role.
 */
export const trustAnchorPinned: Rule<TemplateModel> = {
  id: 'AG-AWS-001',
  cloud: 'aws',
  severity: Severity.CRITICAL,
  title: 'A role trusted by IAM Roles Anywhere pins aws:SourceArn to its trust anchors',
  rationale:
    'Without the pin, any trust anchor in the account can issue sessions for the role, so whoever can create a trust anchor can bring their own CA and obtain the role.',
  fix: 'Add a condition ArnEquals {"aws:SourceArn": <canonical trust-anchor ARN>} to every statement that lets rolesanywhere.amazonaws.com in (AttestedRole does this).',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const trust of rolesAnywhereTrusts(model)) {
      const verdict = requiredForIssuance(trust, (s) => sourceArnPin(model, s));
      if (verdict.holds === true) continue;
      findings.push({
        resource: trust.role.logicalId,
        outcome: verdict.holds === false ? 'violation' : 'unjudgeable',
        message:
          verdict.holds === false
            ? `Role ${trust.role.logicalId} lets rolesanywhere.amazonaws.com assume it without pinning aws:SourceArn to a trust anchor (${verdict.why}).`
            : `Role ${trust.role.logicalId}: ${verdict.why}.`,
        location: 'Properties/AssumeRolePolicyDocument',
      });
    }
    // A trust policy not known before apply (a Terraform plan's document rendered from a new
    // anchor's ARN) may let Roles Anywhere in without a pin: it is never passed for not being read.
    for (const role of model.resourcesOfType(ROLE_TYPE)) {
      const trustPolicy = trustPolicyOf(role);
      if (trustPolicy.readable) continue;
      findings.push({
        resource: role.logicalId,
        outcome: 'unjudgeable',
        message: `Role ${role.logicalId}: its trust policy cannot be read (${trustPolicy.reason}), so whether it lets rolesanywhere.amazonaws.com in without pinning aws:SourceArn to a trust anchor cannot be judged until it is known.`,
        location: 'Properties/AssumeRolePolicyDocument',
      });
    }
    return findings;
  },
};
