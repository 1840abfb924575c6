import { TerraformModel } from '../../terraform/configuration';
import { Rule } from '../rule';
import { credentialLimit } from './credential-limit';
import { serializedCredentialWrites } from './serialized-credential-writes';
import { noSharedSubject } from './shared-subject';

/** Every Azure rule, in ID order. They judge synthesized Terraform JSON. */
export const AZURE_RULES: ReadonlyArray<Rule<TerraformModel>> = [noSharedSubject, credentialLimit, serializedCredentialWrites];
