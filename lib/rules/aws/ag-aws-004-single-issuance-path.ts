import { otherCredentialPrincipals, rolesAnywhereTrusts } from '../../model/aws/roles-anywhere';
import { TemplateModel } from '../../model/aws/template';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AWS-004. The attestation gate is worth nothing if the same role can be assumed another way:
 * an IAM user's stolen access key, another service, a federated identity.
 */
export const singleIssuancePath: Rule<TemplateModel> = {
  id: 'AG-AWS-004',
  cloud: 'aws',
  severity: Severity.HIGH,
  title: 'A role trusted by IAM Roles Anywhere trusts no other principal',
  rationale:
    'Any other principal in the trust policy is a second, unattested way to the same credentials: stealing that principal’s secret bypasses the certificate check.',
  fix: 'Remove the other principals from the trust policy; give them their own role. A break-glass path needs an acknowledgement with its reason.',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const trust of rolesAnywhereTrusts(model)) {
      for (const statement of trust.trustPolicy.statements) {
        const verdict = otherCredentialPrincipals(statement);
        if (verdict.holds === false) continue;
        findings.push({
          resource: trust.role.logicalId,
          outcome: verdict.holds ? 'violation' : 'unjudgeable',
          message: verdict.holds
            ? `Role ${trust.role.logicalId} is also assumable, without attestation, by ${verdict.principals!.join(', ')} (statement ${statement.index}).`
            : `Role ${trust.role.logicalId}: ${verdict.why}.`,
          location: `Properties/AssumeRolePolicyDocument/Statement/${statement.index}`,
        });
      }
    }
    return findings;
  },
};
