import { Value } from '../../../lib/model/terraform/expressions';
import {
  APPLICATION_FEDERATED_CREDENTIAL_TYPE,
  FEDERATED_CREDENTIAL_TYPE,
  ROLE_ASSIGNMENT_TYPE,
  USER_ASSIGNED_IDENTITY_TYPE,
} from '../../../lib/model/azure/azure-federated-identity';
import { deterministicId } from '../../../lib/core/deterministic-id';
import { applicationIds, managedIdentityIds } from '../../../lib/model/azure/assigned-ids';
import { azureProviderModel } from '../../../lib/model/azure/azure-provider';
import { TerraformSource } from '../../../lib/model/terraform/configuration';
import { AppliedConfiguration, AppliedResource, applyTerraform } from '../../../lib/model/terraform/apply';
import { AzureWorld, EntraIdentity, sameResourceId } from './world';
import { deployAgentId } from './deploy-agent-id';
import { audiencesOf, credentialProblem } from './credential-write';

/**
 * "Deploys" Terraform JSON into the emulator's tenant: applies it with the azurerm and azuread
 * provider model (`lib/model/azure/azure-provider`), then builds the Entra world from what was
 * applied, with the checks Azure makes when it creates a federated credential.
 */

const APPLICATION_TYPES = new Set(['azuread_application', 'azuread_application_registration']);
const SERVICE_PRINCIPAL_TYPE = 'azuread_service_principal';
const UAMI_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/]+$/i;

const concrete = (value: Value | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

export interface AzureDeployment {
  readonly configurations: readonly AppliedConfiguration[];
}

/** Applies every configuration into the world; problems are recorded per configuration. */
export function deployTerraform(world: AzureWorld, sources: readonly TerraformSource[], variables: Readonly<Record<string, string>> = {}): AppliedConfiguration[] {
  return sources.map((source) => {
    const [applied] = applyTerraform([source], azureProviderModel(world.env, source.stackName), variables);
    const problems = [...applied.problems];
    const unfaithful = new Set(problems.map((p) => p.address));
    const usable = (r: AppliedResource) => !unfaithful.has(r.address);
    const of = (...types: string[]) => [...applied.resources.values()].filter((r) => types.includes(r.type) && usable(r));
    const origin = (address: string) => `${source.stackName}/${address}`;

    for (const r of of(USER_ASSIGNED_IDENTITY_TYPE)) {
      const id = concrete(r.attributes.id);
      if (!id) continue;
      world.add({
        kind: 'user-assigned-identity',
        resourceId: id,
        name: id.split('/').pop()!,
        ...managedIdentityIds(world.env, id),
        hasServicePrincipal: true,
        federatedCredentials: [],
        origins: [origin(r.address)],
      });
    }
    const servicePrincipalClients = new Set(of(SERVICE_PRINCIPAL_TYPE).map((sp) => concrete(sp.attributes.client_id) ?? concrete(sp.attributes.application_id)));
    for (const r of of(...APPLICATION_TYPES)) {
      const clientId = concrete(r.attributes.client_id)!;
      world.add({
        kind: 'application',
        resourceId: concrete(r.attributes.id)!,
        name: concrete(r.attributes.display_name) ?? r.address,
        clientId,
        principalId: deterministicId('application-principal-id', world.env.tenantId, clientId),
        tenantId: world.env.tenantId,
        hasServicePrincipal: servicePrincipalClients.has(clientId),
        federatedCredentials: [],
        origins: [origin(r.address)],
      });
    }

    // Before the credentials: azuread's credential resources may hang on a blueprint.
    deployAgentId(world, source, applied, usable, problems);

    for (const r of of(FEDERATED_CREDENTIAL_TYPE, APPLICATION_FEDERATED_CREDENTIAL_TYPE)) {
      const managed = r.type === FEDERATED_CREDENTIAL_TYPE;
      const parent = concrete(managed ? r.attributes.parent_id : (r.attributes.application_id ?? r.attributes.application_object_id));
      const identity = parent === undefined ? undefined : parentIdentity(world, parent, managed, r.address, origin);
      if (!identity) {
        problems.push({ address: r.address, problem: `its identity ${parent ?? '(unset)'} is neither in the configuration nor an identity ID` });
        continue;
      }
      const refused = credentialProblem(identity, r.attributes.issuer, r.attributes.subject, managed ? r.attributes.audience : r.attributes.audiences, managed ? 'audience' : 'audiences');
      if (refused) {
        problems.push({ address: r.address, problem: refused });
        continue;
      }
      identity.federatedCredentials.push({
        id: concrete(r.attributes.id) ?? r.address,
        name: concrete(r.attributes.name ?? r.attributes.display_name) ?? r.address,
        issuer: concrete(r.attributes.issuer)!,
        subject: concrete(r.attributes.subject)!,
        audiences: audiencesOf(managed ? r.attributes.audience : r.attributes.audiences) ?? [],
        origin: origin(r.address),
      });
    }

    for (const r of of(ROLE_ASSIGNMENT_TYPE)) {
      const principalId = concrete(r.attributes.principal_id);
      const scope = concrete(r.attributes.scope);
      if (!principalId || !scope) continue;
      world.roleAssignments.push({
        id: concrete(r.attributes.id)!,
        scope,
        principalId,
        role: concrete(r.attributes.role_definition_name) ?? concrete(r.attributes.role_definition_id) ?? '(unset)',
        origin: origin(r.address),
      });
    }
    return { ...applied, problems };
  });
}

/**
 * The identity a credential hangs on. A literal ID of an identity created elsewhere (brownfield:
 * credentials added to an existing identity) stands for that identity, with the IDs Azure would
 * have given it.
 */
function parentIdentity(world: AzureWorld, parent: string, managed: boolean, address: string, origin: (a: string) => string): EntraIdentity | undefined {
  if (managed) {
    const existing = world.identityByResourceId(parent);
    if (existing) return existing;
    if (!UAMI_ID.test(parent)) return undefined;
    return world.add({
      kind: 'user-assigned-identity',
      resourceId: parent,
      name: parent.split('/').pop()!,
      ...managedIdentityIds(world.env, parent),
      hasServicePrincipal: true,
      federatedCredentials: [],
      origins: [origin(parent)],
    });
  }
  // azuread 3.x names the application by `/applications/<object id>`, 2.x by the object ID.
  const objectId = parent.replace(/^\/applications\//, '');
  const existing = [...world.identities.values()].find((i) => (i.kind === 'application' || i.kind === 'agent-blueprint') && (sameResourceId(i.resourceId, parent) || sameResourceId(i.resourceId, `/applications/${objectId}`)));
  if (existing) return existing;
  if (!/^[0-9a-f-]{36}$/i.test(objectId)) return undefined;
  const ids = applicationIds(world.env, `existing:${objectId.toLowerCase()}`);
  return world.add({
    kind: 'application',
    resourceId: `/applications/${objectId}`,
    name: `${objectId} (${address})`,
    clientId: ids.clientId,
    principalId: deterministicId('application-principal-id', world.env.tenantId, ids.clientId),
    tenantId: world.env.tenantId,
    // An application created elsewhere is assumed to have its service principal.
    hasServicePrincipal: true,
    federatedCredentials: [],
    origins: [origin(parent)],
  });
}
