import { TerraformModel } from '../../model/terraform/configuration';
import { Rule } from '../rule';
import { credentialLimit } from './ag-az-002-credential-limit';
import { serializedCredentialWrites } from './ag-az-003-serialized-credential-writes';
import { noSharedSubject } from './ag-az-001-shared-subject';
import { highPrivilegeAttestedOnly } from './ag-az-004-high-privilege-attested-only';

/** Every Azure rule, in ID order. They judge synthesized Terraform JSON. */
export const AZURE_RULES: ReadonlyArray<Rule<TerraformModel>> = [noSharedSubject, credentialLimit, serializedCredentialWrites, highPrivilegeAttestedOnly];
