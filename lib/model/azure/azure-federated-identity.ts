import { TerraformModel, TerraformResource } from '../terraform/configuration';
import { Value, describeValue, isSymbol, isSymbolicString } from '../terraform/expressions';

/**
 * What Entra workload identity federation means in a Terraform configuration: which federated
 * identity credentials hang on which identity, and which roles that identity holds. Shared by the
 * synth-time rules, the gate table and discovery. Pure: no cdktf.
 */

export const USER_ASSIGNED_IDENTITY_TYPE = 'azurerm_user_assigned_identity';
export const FEDERATED_CREDENTIAL_TYPE = 'azurerm_federated_identity_credential';
/** App-registration credentials (azuread): the same matching rules and the same limit of 20. */
export const APPLICATION_FEDERATED_CREDENTIAL_TYPE = 'azuread_application_federated_identity_credential';
export const ROLE_ASSIGNMENT_TYPE = 'azurerm_role_assignment';

/** The audience Entra recommends for federated credentials. */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
/** Entra allows at most this many federated credentials per app or user-assigned identity. */
export const MAX_FEDERATED_CREDENTIALS = 20;
/** Entra's limit on issuer, subject and audience. */
export const FEDERATED_CREDENTIAL_VALUE_MAX_LENGTH = 600;

/** A federated identity credential, read. */
export interface FederatedCredentialModel {
  readonly resource: TerraformResource;
  /**
   * The identity it belongs to: the address of the identity (or application) resource when
   * `parent_id` / `application_id` refers to one of the configuration, else the literal ID, or
   * why it is not known before apply.
   */
  readonly parent: { readonly address: string } | { readonly id: string } | { readonly unknown: string };
  readonly issuer: Value | undefined;
  readonly subject: Value | undefined;
  /** The audiences (azurerm: `audience`, a one-element list; azuread: `audiences`). */
  readonly audiences: Value | undefined;
}

function parentOf(value: Value | undefined): FederatedCredentialModel['parent'] {
  if (isSymbol(value) && value.symbolic === 'ref') return { address: value.address };
  if (typeof value === 'string') return { id: value };
  return { unknown: describeValue(value) };
}

/** Every federated identity credential (azurerm and azuread) of a configuration. */
export function federatedCredentials(model: TerraformModel): FederatedCredentialModel[] {
  const managed = model.resourcesOfType(FEDERATED_CREDENTIAL_TYPE).map((resource) => ({
    resource,
    parent: parentOf(resource.attributes.parent_id),
    issuer: resource.attributes.issuer,
    subject: resource.attributes.subject,
    audiences: resource.attributes.audience,
  }));
  const applications = model.resourcesOfType(APPLICATION_FEDERATED_CREDENTIAL_TYPE).map((resource) => ({
    resource,
    parent: parentOf(resource.attributes.application_id ?? resource.attributes.application_object_id),
    issuer: resource.attributes.issuer,
    subject: resource.attributes.subject,
    audiences: resource.attributes.audiences,
  }));
  return [...managed, ...applications];
}

/** A key naming the identity a credential belongs to, or undefined when that is not known. */
export function parentKey(credential: FederatedCredentialModel): string | undefined {
  const { parent } = credential;
  return 'address' in parent ? parent.address : 'id' in parent ? parent.id : undefined;
}

/** Credentials grouped by the identity they belong to (those with an unknown parent left out). */
export function credentialsByParent(model: TerraformModel): Map<string, FederatedCredentialModel[]> {
  const groups = new Map<string, FederatedCredentialModel[]>();
  for (const credential of federatedCredentials(model)) {
    const key = parentKey(credential);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(credential);
    else groups.set(key, [credential]);
  }
  return groups;
}

/**
 * credentialsByParent, read once per configuration for callers that ask per identity (the issuance
 * paths): rebuilding it for each of 1,000 identities was quadratic (bench/synth-tf). Read-only.
 */
const credentialGroups = new WeakMap<TerraformModel, ReadonlyMap<string, readonly FederatedCredentialModel[]>>();
export function credentialsOfParent(model: TerraformModel, parent: string): readonly FederatedCredentialModel[] {
  let groups = credentialGroups.get(model);
  if (!groups) credentialGroups.set(model, (groups = credentialsByParent(model)));
  return groups.get(parent) ?? [];
}

const assignmentsByIdentity = new WeakMap<TerraformModel, Map<string, TerraformResource[]>>();

/** Role assignments whose principal is the identity at `identityAddress` (its `principal_id`). */
export function roleAssignmentsOf(model: TerraformModel, identityAddress: string): TerraformResource[] {
  // Indexed once per configuration by the identity each names: asked once per identity.
  let byIdentity = assignmentsByIdentity.get(model);
  if (!byIdentity) {
    byIdentity = new Map();
    for (const r of model.resourcesOfType(ROLE_ASSIGNMENT_TYPE)) {
      const principal = r.attributes.principal_id;
      if (!(isSymbol(principal) && principal.symbolic === 'ref' && principal.attribute === 'principal_id')) continue;
      const list = byIdentity.get(principal.address);
      if (list) list.push(r);
      else byIdentity.set(principal.address, [r]);
    }
    assignmentsByIdentity.set(model, byIdentity);
  }
  return [...(byIdentity.get(identityAddress) ?? [])];
}

/**
 * How many instances a resource block stands for: 1 without `count`/`for_each`, the literal
 * count or key count, or undefined when that is known only at apply.
 */
export function instanceCount(resource: TerraformResource): number | undefined {
  const repetition = resource.repetition;
  if (!repetition) return 1;
  const { value } = repetition;
  if (repetition.kind === 'count') return typeof value === 'number' ? value : undefined;
  if (Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object' && !isSymbol(value) && !isSymbolicString(value)) return Object.keys(value).length;
  return undefined;
}
