import { deterministicId } from '../../core/deterministic-id';

/**
 * Stand-ins for the IDs Azure and Entra assign at creation (client, principal and object IDs),
 * derived so that reruns agree. The emulator's tenant assigns these; resolving a configuration for
 * a live tenant uses them only where the real ID does not reach a probe (the client ID of a live
 * identity is given by the user).
 */

/** The simulated tenant and subscription; fixed by default so reruns give the same IDs. */
export interface AzureEnvironment {
  readonly tenantId: string;
  readonly subscriptionId: string;
}

export const DEFAULT_AZURE_ENVIRONMENT: AzureEnvironment = {
  tenantId: '5f1b7c1e-9a4b-4c55-8a9e-2f6d3b7e4a10',
  subscriptionId: '0b1f6471-1bf0-4dda-aec3-111122223333',
};

/**
 * The IDs Azure would assign a user-assigned identity, derived from its resource ID alone: a
 * resource, a data source and a literal `parent_id` naming the same identity agree.
 */
export function managedIdentityIds(env: AzureEnvironment, resourceId: string): { clientId: string; principalId: string; tenantId: string } {
  const key = resourceId.toLowerCase();
  return { clientId: deterministicId('client-id', key), principalId: deterministicId('principal-id', key), tenantId: env.tenantId };
}

/** The IDs of an app registration, derived from where it was declared. */
export function applicationIds(env: AzureEnvironment, origin: string): { objectId: string; clientId: string } {
  return { objectId: deterministicId('application-object-id', env.tenantId, origin), clientId: deterministicId('application-client-id', env.tenantId, origin) };
}
