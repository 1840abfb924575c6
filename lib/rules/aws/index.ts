import { TemplateModel } from '../../model/aws/template';
import { Rule } from '../rule';
import { certificatesPerTrustAnchor } from './ag-aws-013-certificates-per-trust-anchor';
import { crlsPerTrustAnchor } from './ag-aws-012-crls-per-trust-anchor';
import { profilesPerAccount } from './ag-aws-010-profiles-per-account';
import { rolesPerProfile } from './ag-aws-009-roles-per-profile';
import { trustAnchorsPerAccount } from './ag-aws-011-trust-anchors-per-account';
import { absentAttributeChecked } from './ag-aws-003-absent-attribute-checked';
import { certificateAttributesRequired } from './ag-aws-002-certificate-attributes-required';
import { fixedSessionName } from './ag-aws-007-fixed-session-name';
import { highPrivilegeShortSessions } from './ag-aws-005-high-privilege-short-sessions';
import { oneIdentityAdmitted } from './ag-aws-008-one-identity-admitted';
import { singleIssuancePath } from './ag-aws-004-single-issuance-path';
import { trustAnchorPinned } from './ag-aws-001-trust-anchor-pinned';
import { trustAnchorRevocation } from './ag-aws-006-trust-anchor-revocation';

/** Every AWS rule, in ID order. */
export const AWS_RULES: ReadonlyArray<Rule<TemplateModel>> = [
  trustAnchorPinned,
  certificateAttributesRequired,
  absentAttributeChecked,
  singleIssuancePath,
  highPrivilegeShortSessions,
  trustAnchorRevocation,
  fixedSessionName,
  oneIdentityAdmitted,
  rolesPerProfile,
  profilesPerAccount,
  trustAnchorsPerAccount,
  crlsPerTrustAnchor,
  certificatesPerTrustAnchor,
];
