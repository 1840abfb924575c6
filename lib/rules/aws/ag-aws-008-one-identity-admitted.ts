import { COMMON_NAME_KEY, URI_SAN_KEY, admittedBesides, exactUriSan } from '../../model/aws/declared-certificate';
import { parseConditionOperator } from '../../model/aws/iam-policy';
import { requiredForIssuance, rolesAnywhereTrusts } from '../../model/aws/roles-anywhere';
import { TemplateModel } from '../../model/aws/template';
import { Rule, RuleFinding, Severity } from '../rule';

/** The first value a statement compares a tag with, positively (StringEquals, StringLike, …IgnoreCase). */
function comparedValue(key: string, conditions: ReadonlyArray<{ operator: string; key: string; values: readonly unknown[] }>): string | undefined {
  for (const c of conditions) {
    if (c.key.toLowerCase() !== key.toLowerCase()) continue;
    const { base, ifExists } = parseConditionOperator(c.operator);
    if (ifExists || !['StringEquals', 'StringLike', 'StringEqualsIgnoreCase'].includes(base)) continue;
    const first = c.values.find((v): v is string => typeof v === 'string');
    if (first !== undefined) return first.replace(/[*?]/g, 'x');
  }
  return undefined;
}

/**
 * AG-AWS-008. A condition that admits a family of certificates — a StringLike on the SPIFFE ID
 * that stops at the trust domain, a second value, a case-insensitive match — gives the role to
 * every workload the CA names that way, not to one agent. Judged with the IAM condition evaluator
 * as the conformance probes AGC-AWS-003/004 are: the SPIFFE ID (URI SAN) names the workload, so a
 * CN admitting more matters only when the SPIFFE ID is not pinned.
 */
export const oneIdentityAdmitted: Rule<TemplateModel> = {
  id: 'AG-AWS-008',
  cloud: 'aws',
  severity: Severity.HIGH,
  title: 'The certificate conditions admit one identity, not a family',
  rationale:
    'A StringLike such as spiffe://prod.example/* or deploy*, or several values, admits every workload whose certificate matches: a second workload of the trust domain obtains the role with its own, correctly attested certificate.',
  fix: 'Require the agent’s exact SPIFFE ID with StringEquals on aws:PrincipalTag/x509SAN/URI (AttestedRole does), or give each workload its own role.',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const trust of rolesAnywhereTrusts(model)) {
      const sanPinned = requiredForIssuance(trust, (s) => exactUriSan(s.conditions)).holds === true;
      for (const statement of trust.statements) {
        const keys = sanPinned ? [] : [URI_SAN_KEY, COMMON_NAME_KEY];
        for (const key of keys) {
          const value = comparedValue(key, statement.conditions);
          if (value === undefined) continue;
          const others = admittedBesides(key, value, statement.conditions, `role ${trust.role.logicalId}`);
          if (others.length === 0) continue;
          findings.push({
            resource: trust.role.logicalId,
            outcome: 'violation',
            message: `Role ${trust.role.logicalId} (statement ${statement.index}) admits ${key.replace(/^aws:PrincipalTag\//, '')} values besides ${JSON.stringify(value)}, e.g. ${others.slice(0, 2).map((o) => JSON.stringify(o)).join(', ')}: more than one identity.`,
            location: `Properties/AssumeRolePolicyDocument/Statement/${statement.index}/Condition`,
          });
        }
      }
    }
    return findings;
  },
};
