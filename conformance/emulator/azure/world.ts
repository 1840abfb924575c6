import { AzureEnvironment, DEFAULT_AZURE_ENVIRONMENT } from '../../../lib/model/azure/assigned-ids';

/**
 * The in-memory Entra tenant and Azure subscription the local emulator serves: the identities
 * (user-assigned managed identities and app registrations) "deployed" from Terraform JSON, their
 * federated identity credentials, and the role assignments they hold.
 */

/** A federated identity credential as Entra stores it: exact issuer, subject and audience. */
export interface EntraFederatedCredential {
  readonly id: string;
  readonly name: string;
  readonly issuer: string;
  readonly subject: string;
  /** One audience (azurerm and azuread allow exactly one); a list because Graph models it so. */
  readonly audiences: readonly string[];
  /** `<stack>/<address>` it was deployed from. */
  readonly origin: string;
}

/**
 * Something a client assertion can be exchanged for: a managed identity, an app registration, an
 * Entra Agent ID blueprint (an application subtype: it holds the federated credentials) or an
 * agent identity (a service principal without credentials of its own: it accepts only its
 * blueprint's first-leg token, see token-endpoint.ts).
 */
export interface EntraIdentity {
  readonly kind: 'user-assigned-identity' | 'application' | 'agent-blueprint' | 'agent-identity';
  /** The ARM resource ID of a managed identity, `/applications/<object id>`, or `/servicePrincipals/<object id>` of an agent identity. */
  readonly resourceId: string;
  readonly name: string;
  /** The `client_id` of token requests. */
  readonly clientId: string;
  /** The principal (object) ID roles are assigned to: the service principal's. */
  readonly principalId: string;
  readonly tenantId: string;
  /** An app registration gets tokens only with a service principal in the tenant (AADSTS7000229). */
  hasServicePrincipal: boolean;
  readonly federatedCredentials: EntraFederatedCredential[];
  /** Every `<stack>/<address>` that stands for it (a resource, a data source, a literal parent ID). */
  readonly origins: string[];
  /** An agent identity's blueprint: the `client_id` of the first leg that may name it in `fmi_path`. */
  readonly blueprintClientId?: string;
}

export interface EntraRoleAssignment {
  readonly id: string;
  readonly scope: string;
  readonly principalId: string;
  readonly role: string;
  readonly origin: string;
}

/** Azure resource IDs compare case-insensitively (ARM treats them so). */
export const sameResourceId = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export class AzureWorld {
  /** By client ID. */
  public readonly identities = new Map<string, EntraIdentity>();
  public readonly roleAssignments: EntraRoleAssignment[] = [];

  constructor(public readonly env: AzureEnvironment = DEFAULT_AZURE_ENVIRONMENT) {}

  public add(identity: EntraIdentity): EntraIdentity {
    const existing = this.identities.get(identity.clientId);
    if (existing) {
      for (const origin of identity.origins) if (!existing.origins.includes(origin)) existing.origins.push(origin);
      existing.hasServicePrincipal ||= identity.hasServicePrincipal;
      return existing;
    }
    this.identities.set(identity.clientId, identity);
    return identity;
  }

  public identityByResourceId(resourceId: string): EntraIdentity | undefined {
    return [...this.identities.values()].find((i) => sameResourceId(i.resourceId, resourceId));
  }

  public identityByOrigin(origin: string): EntraIdentity | undefined {
    return [...this.identities.values()].find((i) => i.origins.includes(origin));
  }

  public identityByPrincipalId(principalId: string): EntraIdentity | undefined {
    return [...this.identities.values()].find((i) => i.principalId === principalId);
  }

  public roleAssignmentsOf(identity: EntraIdentity): EntraRoleAssignment[] {
    return this.roleAssignments.filter((r) => r.principalId === identity.principalId);
  }

  /** Every distinct issuer a federated credential names: the issuers the emulator plays. */
  public issuers(): string[] {
    return [...new Set([...this.identities.values()].flatMap((i) => i.federatedCredentials.map((c) => c.issuer)))];
  }
}
