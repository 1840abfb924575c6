import { PROFILE_TYPE } from '../../model/aws/roles-anywhere';
import { TemplateModel } from '../../model/aws/template';
import { Rule, Severity } from '../rule';

/** Roles Anywhere profiles an account has by default, per Region (adjustable). */
export const PROFILES_PER_ACCOUNT_QUOTA = 250;

/**
 * AG-AWS-010. One template alone declaring more profiles than the account's default quota fails
 * to deploy unless the quota was raised; a warning, since it can be. Profiles of other stacks
 * count too, and this rule cannot see them.
 */
export const profilesPerAccount: Rule<TemplateModel> = {
  id: 'AG-AWS-010',
  cloud: 'aws',
  severity: Severity.WARNING,
  title: `A template declares at most ${PROFILES_PER_ACCOUNT_QUOTA} Roles Anywhere profiles (the default account quota)`,
  rationale: `The IAM Roles Anywhere quota "Profiles per account" is ${PROFILES_PER_ACCOUNT_QUOTA} per Region by default: CreateProfile beyond it fails the deployment unless the quota was raised. Profiles of other stacks in the account count too.`,
  fix: `Share profiles between identities of the same gate settings (AttestedRole does), or raise "Profiles per account" in Service Quotas (IAM Roles Anywhere) and acknowledge AG-AWS-010 with the new value.`,
  evaluate(model) {
    const profiles = model.resourcesOfType(PROFILE_TYPE);
    if (profiles.length <= PROFILES_PER_ACCOUNT_QUOTA) return [];
    const first = profiles[PROFILES_PER_ACCOUNT_QUOTA];
    return [
      {
        resource: first.logicalId,
        outcome: 'violation',
        message: `The template declares ${profiles.length} profiles; the quota "Profiles per account" is ${PROFILES_PER_ACCOUNT_QUOTA} per Region by default (adjustable), reached before ${first.logicalId}.`,
        location: '',
      },
    ];
  },
};
