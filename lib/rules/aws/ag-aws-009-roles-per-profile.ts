import { PROFILE_TYPE } from '../../model/aws/roles-anywhere';
import { TemplateModel } from '../../model/aws/template';
import { Rule, RuleFinding, Severity } from '../rule';

/** Roles a Roles Anywhere profile may list: a quota that cannot be raised. */
export const ROLES_PER_PROFILE_QUOTA = 250;

/** AG-AWS-009. CreateProfile/UpdateProfile refuse more roles than the quota: the deployment fails. */
export const rolesPerProfile: Rule<TemplateModel> = {
  id: 'AG-AWS-009',
  cloud: 'aws',
  severity: Severity.MEDIUM,
  title: `A Roles Anywhere profile lists at most ${ROLES_PER_PROFILE_QUOTA} roles`,
  rationale: `IAM Roles Anywhere allows ${ROLES_PER_PROFILE_QUOTA} roles per profile, a quota that cannot be raised: a larger RoleArns list fails the deployment.`,
  fix: `Spread the roles over profiles of ${ROLES_PER_PROFILE_QUOTA} or fewer (AttestedRole shares profiles and splits them at ${ROLES_PER_PROFILE_QUOTA}).`,
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const profile of model.resourcesOfType(PROFILE_TYPE)) {
      const roles = profile.properties.RoleArns;
      if (!Array.isArray(roles)) {
        if (roles !== undefined) findings.push({ resource: profile.logicalId, outcome: 'unjudgeable', message: `Profile ${profile.logicalId}: how many roles RoleArns lists is not known at synth.`, location: 'Properties/RoleArns' });
        continue;
      }
      if (roles.length > ROLES_PER_PROFILE_QUOTA) {
        findings.push({ resource: profile.logicalId, outcome: 'violation', message: `Profile ${profile.logicalId} lists ${roles.length} roles; a profile may list at most ${ROLES_PER_PROFILE_QUOTA} (not adjustable).`, location: 'Properties/RoleArns' });
      }
    }
    return findings;
  },
};
