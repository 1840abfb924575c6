import { absentAttributeLoopholes, rolesAnywhereTrusts } from '../../model/aws/roles-anywhere';
import { TemplateModel } from '../../model/aws/template';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AWS-003. A tag that the profile does not map, or the certificate does not carry, is absent;
 * `StringNotEquals` (and every `…IfExists`) on an absent key evaluates to true. Without a `Null`
 * presence check, a certificate that simply lacks the attribute passes the condition.
 */
export const absentAttributeChecked: Rule<TemplateModel> = {
  id: 'AG-AWS-003',
  cloud: 'aws',
  severity: Severity.CRITICAL,
  title: 'A negated or IfExists condition on an x509 session tag has a presence check',
  rationale:
    'A negated operator (StringNotEquals, StringNotLike, …) or an …IfExists operator is true when the tag is absent, so a certificate without the attribute — or a profile that stops mapping it — passes.',
  fix: 'Add Null {"<key>": "false"} for the same key in the same statement, or use a positive operator.',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const trust of rolesAnywhereTrusts(model)) {
      for (const statement of trust.statements) {
        for (const condition of absentAttributeLoopholes(statement)) {
          findings.push({
            resource: trust.role.logicalId,
            outcome: 'violation',
            message: `Role ${trust.role.logicalId}, statement ${statement.index}: ${condition.operator} on ${condition.key} is true for a certificate that lacks the attribute, and no Null presence check requires it.`,
            location: `Properties/AssumeRolePolicyDocument/Statement/${statement.index}/Condition/${condition.operator}`,
          });
        }
      }
    }
    return findings;
  },
};
