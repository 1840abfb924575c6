import { deterministicId } from '../../core/deterministic-id';
import { TerraformProviderModel } from '../terraform/apply';
import type { IdentifierAttributes } from '../terraform/show-json';
import { Value, describeValue } from '../terraform/expressions';
import { AzureEnvironment, applicationIds, managedIdentityIds } from './assigned-ids';
import { MSGRAPH_RESOURCE_TYPE } from './agent-id';
import { APPLICATION_FEDERATED_CREDENTIAL_TYPE, FEDERATED_CREDENTIAL_TYPE, ROLE_ASSIGNMENT_TYPE, USER_ASSIGNED_IDENTITY_TYPE } from './azure-federated-identity';

/**
 * The azurerm and azuread providers' side of "applying" Terraform JSON: the attributes they
 * compute (resource IDs, client, principal and object IDs). The emulator deploys what it returns;
 * live runs resolve their credentials' issuer, subject and audience with it.
 */

const SERVICE_PRINCIPAL_TYPE = 'azuread_service_principal';

const concrete = (value: Value | undefined): string | undefined => (typeof value === 'string' ? value : undefined);
const unknown = (reason: string): Value => ({ symbolic: 'unknown', reason });

/**
 * The attributes that hold another resource's ID as a bare reference, which a plan's unknown
 * values are followed through (lib/model/terraform/show-json.ts): a new credential's identity, a
 * new role assignment's principal. Nothing that is written as a template (a scope under a
 * resource group, a subject) is here.
 */
export const AZURE_IDENTIFIER_ATTRIBUTES: IdentifierAttributes = {
  [FEDERATED_CREDENTIAL_TYPE]: ['parent_id'],
  [ROLE_ASSIGNMENT_TYPE]: ['principal_id'],
  [APPLICATION_FEDERATED_CREDENTIAL_TYPE]: ['application_id', 'application_object_id'],
};

/** The attributes azurerm and azuread compute at apply time, for one configuration. */
export function azureProviderModel(env: AzureEnvironment, stackName: string): TerraformProviderModel {
  const rgId = (configured: Readonly<Record<string, Value>>, address: string): Value => {
    const name = concrete(configured.name);
    return name === undefined ? unknown(`${address}.id (its name is ${describeValue(configured.name)})`) : `/subscriptions/${env.subscriptionId}/resourceGroups/${name}`;
  };
  const identityAttributes = (configured: Readonly<Record<string, Value>>, address: string): Record<string, Value> => {
    const name = concrete(configured.name);
    const group = concrete(configured.resource_group_name);
    if (name === undefined || group === undefined) {
      const why = unknown(`${address} (its name or resource group is not known: ${describeValue(configured.name)}, ${describeValue(configured.resource_group_name)})`);
      return { id: why, client_id: why, principal_id: why, tenant_id: env.tenantId };
    }
    const id = `/subscriptions/${env.subscriptionId}/resourceGroups/${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
    const ids = managedIdentityIds(env, id);
    return { id, client_id: ids.clientId, principal_id: ids.principalId, tenant_id: ids.tenantId };
  };
  return {
    computed(type, address, configured) {
      switch (type) {
        case 'azurerm_resource_group':
          return { id: rgId(configured, address) };
        case USER_ASSIGNED_IDENTITY_TYPE:
          return identityAttributes(configured, address);
        case FEDERATED_CREDENTIAL_TYPE: {
          const parent = concrete(configured.parent_id);
          const name = concrete(configured.name);
          return { id: parent && name ? `${parent}/federatedIdentityCredentials/${name}` : unknown(`${address}.id`) };
        }
        case ROLE_ASSIGNMENT_TYPE: {
          const scope = concrete(configured.scope);
          const guid = deterministicId('role-assignment', stackName, address);
          return { name: guid, id: scope ? `${scope}/providers/Microsoft.Authorization/roleAssignments/${guid}` : unknown(`${address}.id`) };
        }
        case 'azuread_application':
        case 'azuread_application_registration': {
          const ids = applicationIds(env, `${stackName}/${address}`);
          // azuread 3.x: id is /applications/<object id>; application_id is 2.x's name for client_id.
          return { id: `/applications/${ids.objectId}`, object_id: ids.objectId, client_id: ids.clientId, application_id: ids.clientId };
        }
        case SERVICE_PRINCIPAL_TYPE: {
          const objectId = deterministicId('service-principal', env.tenantId, stackName, address);
          return { id: `/servicePrincipals/${objectId}`, object_id: objectId };
        }
        case MSGRAPH_RESOURCE_TYPE:
          return graphObjectAttributes(env, stackName, address, configured);
        case APPLICATION_FEDERATED_CREDENTIAL_TYPE: {
          const credentialId = deterministicId('application-federated-credential', stackName, address);
          const parent = concrete(configured.application_id) ?? concrete(configured.application_object_id);
          return { credential_id: credentialId, id: parent ? `${parent}/federatedIdentityCredential/${credentialId}` : unknown(`${address}.id`) };
        }
        default:
          return undefined;
      }
    },
    data(type, address, configured) {
      const deployer = { client_id: deterministicId('deployer-client-id', env.tenantId), object_id: deterministicId('deployer-object-id', env.tenantId), tenant_id: env.tenantId };
      switch (type) {
        case 'azurerm_client_config':
          return { ...deployer, subscription_id: env.subscriptionId };
        case 'azuread_client_config':
          return deployer;
        case 'azurerm_subscription': {
          const subscription = concrete(configured.subscription_id) ?? env.subscriptionId;
          return { id: `/subscriptions/${subscription}`, subscription_id: subscription, tenant_id: env.tenantId, display_name: 'attestgate emulator subscription', state: 'Enabled' };
        }
        case 'azurerm_resource_group':
          return { id: rgId(configured, address) };
        case USER_ASSIGNED_IDENTITY_TYPE:
          return identityAttributes(configured, address);
        default:
          return undefined;
      }
    },
  };
}

/** The object ID and (for an application or agent identity) app ID Graph assigns an object `msgraph_resource` creates. */
export function graphObjectIds(env: AzureEnvironment, stackName: string, address: string): { objectId: string; appId: string } {
  return { objectId: deterministicId('graph-object-id', env.tenantId, stackName, address), appId: deterministicId('graph-app-id', env.tenantId, stackName, address) };
}

/**
 * What Graph assigns an object created through `msgraph_resource`: its `id` (object ID), and the
 * `output` of `response_export_values`. Graph answers a create with the object, so a query naming
 * a property the request body set (a blueprint principal's `appId`) exports that value; `appId`
 * of a new application or agent identity and `id` are assigned. Any other query is not known.
 */
function graphObjectAttributes(env: AzureEnvironment, stackName: string, address: string, configured: Readonly<Record<string, Value>>): Record<string, Value> {
  const { objectId, appId } = graphObjectIds(env, stackName, address);
  let body: unknown = configured.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      body = undefined;
    }
  }
  const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, Value>) : {};
  const exports = configured.response_export_values;
  const output: Record<string, Value> = {};
  if (exports !== null && typeof exports === 'object' && !Array.isArray(exports)) {
    for (const [name, query] of Object.entries(exports as Record<string, Value>)) {
      if (typeof query === 'string' && typeof fields[query] === 'string') output[name] = fields[query];
      else if (query === 'appId') output[name] = appId;
      else if (query === 'id') output[name] = objectId;
      else output[name] = unknown(`${address}.output.${name} (the query ${describeValue(query)} is not modelled)`);
    }
  }
  return { id: objectId, output };
}
