import { TemplateModel } from '../../cloudformation/template';
import { Rule } from '../rule';
import { absentAttributeChecked } from './absent-attribute-checked';
import { certificateAttributesRequired } from './certificate-attributes-required';
import { fixedSessionName } from './fixed-session-name';
import { highPrivilegeShortSessions } from './high-privilege-short-sessions';
import { singleIssuancePath } from './single-issuance-path';
import { trustAnchorPinned } from './trust-anchor-pinned';
import { trustAnchorRevocation } from './trust-anchor-revocation';

/** Every AWS rule, in ID order. */
export const AWS_RULES: ReadonlyArray<Rule<TemplateModel>> = [
  trustAnchorPinned,
  certificateAttributesRequired,
  absentAttributeChecked,
  singleIssuancePath,
  highPrivilegeShortSessions,
  trustAnchorRevocation,
  fixedSessionName,
];
