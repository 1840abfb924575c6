import { TerraformModel } from '../terraform/configuration';
import { Value, describeValue, isSymbol } from '../terraform/expressions';
import { MSGRAPH_RESOURCE_TYPE } from './agent-id';
import { ROLE_ASSIGNMENT_TYPE, roleAssignmentsOf } from './azure-federated-identity';
import { APPLICATION_TYPE, SERVICE_PRINCIPAL_TYPE } from './issuance-paths';

/**
 * How much an identity of a configuration may do: the roles assigned to it, and whether they make
 * it high privilege. Discovery (a gate's tier) and the synth-time rules read the same answer.
 */

/** Built-in roles that amount to broad write authority or to granting access. */
export const HIGH_PRIVILEGE_ROLES: ReadonlySet<string> = new Set(['Owner', 'Contributor', 'User Access Administrator', 'Role Based Access Control Administrator']);

export interface RoleGrant {
  readonly role: string;
  readonly scope: string;
  /** The role assignment's address. */
  readonly resource: string;
}

const text = (value: Value | undefined): string => (typeof value === 'string' ? value : describeValue(value));

/**
 * The role assignments of an identity: a user-assigned identity's (`principal_id` = its
 * `principal_id`), an application's through its service principals (`principal_id` = a
 * service principal's `object_id` or `id`), or an Entra agent identity's (`principal_id` = the
 * `msgraph_resource`'s `id`, which is the agent's object ID).
 */
export function roleGrantsOf(model: TerraformModel, identityAddress: string): RoleGrant[] {
  const identity = model.resource(identityAddress);
  if (!identity) return [];
  const assignments =
    identity.type === APPLICATION_TYPE
      ? (() => {
          const principals = new Set(
            model
              .resourcesOfType(SERVICE_PRINCIPAL_TYPE)
              .filter((sp) => [sp.attributes.client_id, sp.attributes.application_id].some((v) => isSymbol(v) && v.symbolic === 'ref' && v.address === identityAddress))
              .map((sp) => sp.address),
          );
          return model.resourcesOfType(ROLE_ASSIGNMENT_TYPE).filter((r) => {
            const p = r.attributes.principal_id;
            return isSymbol(p) && p.symbolic === 'ref' && principals.has(p.address);
          });
        })()
      : identity.type === MSGRAPH_RESOURCE_TYPE
        ? model.resourcesOfType(ROLE_ASSIGNMENT_TYPE).filter((r) => {
            const p = r.attributes.principal_id;
            return isSymbol(p) && p.symbolic === 'ref' && p.address === identityAddress;
          })
        : roleAssignmentsOf(model, identityAddress);
  return assignments.map((r) => ({ role: text(r.attributes.role_definition_name ?? r.attributes.role_definition_id), scope: text(r.attributes.scope), resource: r.address }));
}

/** Why the grants make an identity high privilege (`Contributor on /subscriptions/…`); empty when they do not. */
export function highPrivilegeReasons(grants: readonly RoleGrant[]): string[] {
  return grants.filter((r) => HIGH_PRIVILEGE_ROLES.has(r.role)).map((r) => `${r.role} on ${r.scope}`);
}
