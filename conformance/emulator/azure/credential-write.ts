import { FEDERATED_CREDENTIAL_VALUE_MAX_LENGTH, MAX_FEDERATED_CREDENTIALS } from '../../../lib/model/azure/azure-federated-identity';
import { Value, describeValue } from '../../../lib/model/terraform/expressions';
import { EntraIdentity } from './world';

/** What Entra checks when a federated credential is written, for managed identities, applications and blueprints alike. */

const concrete = (value: Value | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

export function audiencesOf(value: Value | undefined): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

/** What Entra refuses when a federated credential is created (the write fails; nothing is stored). */
export function credentialProblem(identity: EntraIdentity, issuerValue: Value | undefined, subjectValue: Value | undefined, audienceValue: Value | undefined, audienceField: string): string | undefined {
  const issuer = concrete(issuerValue);
  const subject = concrete(subjectValue);
  const audiences = audiencesOf(audienceValue);
  if (!issuer) return `issuer is ${describeValue(issuerValue)}, not a string`;
  if (!subject) return `subject is ${describeValue(subjectValue)}, not a string (flexible credentials are not emulated)`;
  if (!audiences || audiences.length !== 1) return `${audienceField} must hold exactly one audience, not ${describeValue(audienceValue)}`;
  for (const [field, value] of [['issuer', issuer], ['subject', subject], ['audience', audiences[0]]] as const) {
    if (value.length === 0 || value.length > FEDERATED_CREDENTIAL_VALUE_MAX_LENGTH) return `${field} must be 1–${FEDERATED_CREDENTIAL_VALUE_MAX_LENGTH} characters, not ${value.length}`;
  }
  if (identity.federatedCredentials.length >= MAX_FEDERATED_CREDENTIALS) return `the identity already has the ${MAX_FEDERATED_CREDENTIALS} federated credentials Entra allows`;
  const duplicate = identity.federatedCredentials.find((c) => c.issuer === issuer && c.subject === subject);
  if (duplicate) return `the identity already trusts issuer ${issuer} with subject ${subject} (${duplicate.origin}); Entra allows each pair once`;
  return undefined;
}
