import { highPrivilegeReasons, unresolvedPrivilege } from '../../model/aws/role-privilege';
import { maxRolesAnywhereSession, rolesAnywhereTrusts } from '../../model/aws/roles-anywhere';
import { TemplateModel } from '../../model/aws/template';
import { HIGH_PRIVILEGE_MAX_LIFETIME_SECONDS } from '../../core/agent-identity';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AWS-005. A stolen session lives until it expires: revocation stops only new sessions.
 * For a role that can do anything, that window must be short.
 */
export const highPrivilegeShortSessions: Rule<TemplateModel> = {
  id: 'AG-AWS-005',
  cloud: 'aws',
  severity: Severity.HIGH,
  title: 'A high-privilege role reachable through IAM Roles Anywhere issues sessions of at most 1 hour',
  rationale:
    'Revoking a certificate blocks new sessions only; a session already issued stays valid until it expires. For administrator-like roles that window must be at most an hour.',
  fix: 'Set the profile DurationSeconds (and the role MaxSessionDuration) to 3600 or less; AttestedRole derives both from the identity lifetime.',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const trust of rolesAnywhereTrusts(model)) {
      const reasons = highPrivilegeReasons(model, trust.role);
      if (reasons.length === 0) {
        // A grant not known before apply may make it high privilege: with long sessions that cannot be passed.
        const unresolved = unresolvedPrivilege(trust.role);
        const session = maxRolesAnywhereSession(model, trust.role);
        if (unresolved.length > 0 && ('unknown' in session || session.seconds > HIGH_PRIVILEGE_MAX_LIFETIME_SECONDS)) {
          findings.push({
            resource: trust.role.logicalId,
            outcome: 'unjudgeable',
            message: `Role ${trust.role.logicalId} may be high privilege, through ${unresolved.join('; ')}, and Roles Anywhere can issue it sessions of ${'unknown' in session ? `a length not known (${session.unknown})` : `${session.seconds} s`}; whether that is allowed cannot be judged before apply.`,
            location: 'Properties/ManagedPolicyArns',
          });
        }
        continue;
      }
      const session = maxRolesAnywhereSession(model, trust.role);
      if ('unknown' in session) {
        findings.push({
          resource: trust.role.logicalId,
          outcome: 'unjudgeable',
          message: `Role ${trust.role.logicalId} is high privilege (${reasons[0]}) but its session length cannot be judged: ${session.unknown}.`,
          location: 'Properties/MaxSessionDuration',
        });
      } else if (session.seconds > HIGH_PRIVILEGE_MAX_LIFETIME_SECONDS) {
        findings.push({
          resource: trust.role.logicalId,
          outcome: 'violation',
          message: `Role ${trust.role.logicalId} is high privilege (${reasons.join('; ')}) and Roles Anywhere can issue it sessions of ${session.seconds} s, more than ${HIGH_PRIVILEGE_MAX_LIFETIME_SECONDS} s.`,
          location: 'Properties/MaxSessionDuration',
        });
      }
    }
    return findings;
  },
};
