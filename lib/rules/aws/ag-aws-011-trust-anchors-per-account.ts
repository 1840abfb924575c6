import { TRUST_ANCHOR_TYPE } from '../../model/aws/roles-anywhere';
import { TemplateModel } from '../../model/aws/template';
import { Rule, Severity } from '../rule';

/** Roles Anywhere trust anchors an account has by default, per Region (adjustable). */
export const TRUST_ANCHORS_PER_ACCOUNT_QUOTA = 50;

/** AG-AWS-011. As AG-AWS-010, for trust anchors: a warning, since the quota can be raised. */
export const trustAnchorsPerAccount: Rule<TemplateModel> = {
  id: 'AG-AWS-011',
  cloud: 'aws',
  severity: Severity.WARNING,
  title: `A template declares at most ${TRUST_ANCHORS_PER_ACCOUNT_QUOTA} Roles Anywhere trust anchors (the default account quota)`,
  rationale: `The IAM Roles Anywhere quota "Trust anchors per account" is ${TRUST_ANCHORS_PER_ACCOUNT_QUOTA} per Region by default: CreateTrustAnchor beyond it fails the deployment unless the quota was raised. Anchors of other stacks in the account count too.`,
  fix: `Pin identities of one CA to one trust anchor, or raise "Trust anchors per account" in Service Quotas (IAM Roles Anywhere) and acknowledge AG-AWS-011 with the new value.`,
  evaluate(model) {
    const anchors = model.resourcesOfType(TRUST_ANCHOR_TYPE);
    if (anchors.length <= TRUST_ANCHORS_PER_ACCOUNT_QUOTA) return [];
    const first = anchors[TRUST_ANCHORS_PER_ACCOUNT_QUOTA];
    return [
      {
        resource: first.logicalId,
        outcome: 'violation',
        message: `The template declares ${anchors.length} trust anchors; the quota "Trust anchors per account" is ${TRUST_ANCHORS_PER_ACCOUNT_QUOTA} per Region by default (adjustable), reached before ${first.logicalId}.`,
        location: '',
      },
    ];
  },
};
