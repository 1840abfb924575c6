import { TerraformModel } from '../../terraform/configuration';
import { Rule } from '../rule';
import { noWholePoolBinding } from './no-whole-pool-binding';
import { providerConditionPinsSubject } from './provider-condition-pins-subject';

/** Every GCP rule, in ID order. They judge synthesized Terraform JSON. */
export const GCP_RULES: ReadonlyArray<Rule<TerraformModel>> = [providerConditionPinsSubject, noWholePoolBinding];
