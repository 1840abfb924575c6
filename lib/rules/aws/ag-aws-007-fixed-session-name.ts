import { PROFILE_TYPE } from '../../model/aws/roles-anywhere';
import { TemplateModel } from '../../model/aws/template';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AWS-007. With AcceptRoleSessionName, the caller names its own session, so CloudTrail no
 * longer ties every action to the certificate serial that obtained it.
 */
export const fixedSessionName: Rule<TemplateModel> = {
  id: 'AG-AWS-007',
  cloud: 'aws',
  severity: Severity.MEDIUM,
  title: 'A Roles Anywhere profile does not let callers choose their session name',
  rationale:
    'By default the session name is the certificate serial, which ties every CloudTrail event to the certificate that obtained it; a caller-chosen name breaks that link.',
  fix: 'Set AcceptRoleSessionName to false (the default); identify agents by sts:SourceIdentity and session tags.',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const profile of model.resourcesOfType(PROFILE_TYPE)) {
      const value = profile.properties.AcceptRoleSessionName;
      if (value === undefined || value === null || value === false || value === 'false') continue;
      findings.push({
        resource: profile.logicalId,
        outcome: value === true || value === 'true' ? 'violation' : 'unjudgeable',
        message:
          value === true || value === 'true'
            ? `Profile ${profile.logicalId} accepts caller-chosen role session names.`
            : `Profile ${profile.logicalId}: AcceptRoleSessionName is not known at synth.`,
        location: 'Properties/AcceptRoleSessionName',
      });
    }
    return findings;
  },
};
