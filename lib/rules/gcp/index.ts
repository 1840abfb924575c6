import { TerraformModel } from '../../model/terraform/configuration';
import { Rule } from '../rule';
import { noWholePoolBinding } from './ag-gcp-002-no-whole-pool-binding';
import { providerConditionPinsSubject } from './ag-gcp-001-provider-condition-pins-subject';
import { noUnattestedIssuancePath } from './ag-gcp-003-no-unattested-issuance-path';
import { oneSubjectAdmitted } from './ag-gcp-004-one-subject-admitted';

/** Every GCP rule, in ID order. They judge synthesized Terraform JSON. */
export const GCP_RULES: ReadonlyArray<Rule<TerraformModel>> = [providerConditionPinsSubject, noWholePoolBinding, noUnattestedIssuancePath, oneSubjectAdmitted];
