import { TerraformModel } from '../../model/terraform/configuration';
import { Rule } from '../rule';
import { credentialLimit } from './ag-az-002-credential-limit';
import { serializedCredentialWrites } from './ag-az-003-serialized-credential-writes';
import { noSharedSubject } from './ag-az-001-shared-subject';
import { highPrivilegeAttestedOnly } from './ag-az-004-high-privilege-attested-only';
import { blueprintNoSecret } from './ag-az-005-blueprint-no-secret';
import { highPrivilegeAgentSponsored } from './ag-az-006-high-privilege-agent-sponsored';
import { highPrivilegeAgentOwnBlueprint } from './ag-az-007-high-privilege-agent-own-blueprint';
import { flexibleCredentialOneSubject } from './ag-az-008-flexible-credential-one-subject';
import { blueprintCredentialAudience } from './ag-az-009-blueprint-credential-audience';
import { blueprintCredentialDeclared } from './ag-az-010-blueprint-credential-declared';
import { highPrivilegeAgentRiskPolicyCarveOut } from './ag-az-011-high-privilege-agent-risk-policy-carve-out';

/** Every Azure rule, in ID order. They judge synthesized Terraform JSON. */
export const AZURE_RULES: ReadonlyArray<Rule<TerraformModel>> = [
  noSharedSubject,
  credentialLimit,
  serializedCredentialWrites,
  highPrivilegeAttestedOnly,
  blueprintNoSecret,
  highPrivilegeAgentSponsored,
  highPrivilegeAgentOwnBlueprint,
  flexibleCredentialOneSubject,
  blueprintCredentialAudience,
  blueprintCredentialDeclared,
  highPrivilegeAgentRiskPolicyCarveOut,
];
