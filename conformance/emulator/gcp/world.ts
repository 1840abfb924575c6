import * as crypto from 'node:crypto';
import type { Jwks } from '../../../lib/core/jwks';
import { type FederatedPrincipal, IMPERSONATION_ROLES, TOKEN_CREATOR_ROLE, WORKLOAD_IDENTITY_USER_ROLE } from '../../../lib/model/gcp/federated-identity';
import { derivedProjectNumber } from '../../../lib/model/gcp/assigned-ids';

/**
 * The in-memory Google Cloud the local emulator serves: workload identity pools and providers,
 * service accounts and the IAM grants "applied" from Terraform JSON, and the tokens it issued.
 */

/** How project IDs become project numbers (principal identifiers and pool names use numbers). */
export interface GcpEnvironment {
  /** The number of the first project the configurations name (usually the only one). */
  readonly projectNumber: string;
  /** Numbers for named projects; a project not listed (and not first) gets one derived from its ID. */
  readonly projectNumbers: Readonly<Record<string, string>>;
  /** The project of resources that name none and whose configuration has no google provider project. */
  readonly defaultProject: string;
}

export const DEFAULT_GCP_ENVIRONMENT: GcpEnvironment = { projectNumber: '123456789012', projectNumbers: {}, defaultProject: 'attestgate-emulated' };

export { IMPERSONATION_ROLES, TOKEN_CREATOR_ROLE, WORKLOAD_IDENTITY_USER_ROLE };

export interface EmulatedPool {
  /** `projects/<number>/locations/global/workloadIdentityPools/<id>` */
  readonly name: string;
  readonly id: string;
  readonly project: string;
  readonly disabled: boolean;
  /** `<stack>/<address>` it was applied from. */
  readonly origin: string;
}

export type { Jwks };

export interface EmulatedProvider {
  /** `<pool name>/providers/<id>` */
  readonly name: string;
  readonly id: string;
  readonly poolName: string;
  readonly disabled: boolean;
  readonly kind: 'oidc' | 'x509' | 'aws' | 'saml' | 'unknown';
  readonly oidc?: {
    readonly issuerUri: string;
    /** Empty: the provider's own resource name is the only audience. */
    readonly allowedAudiences: readonly string[];
    /** Inline keys; without them the issuer's published JWKS is used (the emulator plays the issuer). */
    readonly jwks?: Jwks;
  };
  /** `google.subject`, `google.groups`, `attribute.<name>` → CEL. */
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition?: string;
  readonly origin: string;
}

export interface EmulatedServiceAccount {
  readonly email: string;
  /** `projects/<project id>/serviceAccounts/<email>` */
  readonly name: string;
  readonly uniqueId: string;
  readonly project: string;
  readonly disabled: boolean;
  readonly origin: string;
}

/** One member holding one role; a binding with an IAM condition keeps its expression. */
export interface IamGrant {
  readonly role: string;
  readonly member: string;
  readonly condition?: string;
  readonly origin: string;
}

export type { FederatedPrincipal };

export interface IssuedFederatedToken extends FederatedPrincipal {
  readonly kind: 'federated';
  readonly expiresAt: Date;
  /** When the STS issued it, and the scope asked for (`/v1/introspect` reports both). */
  readonly issuedAt?: Date;
  readonly scope?: string;
}

export interface IssuedServiceAccountToken {
  readonly kind: 'service-account';
  readonly email: string;
  readonly expiresAt: Date;
}

export class GcpWorld {
  public readonly pools = new Map<string, EmulatedPool>();
  public readonly providers = new Map<string, EmulatedProvider>();
  /** By email. */
  public readonly serviceAccounts = new Map<string, EmulatedServiceAccount>();
  /** Grants on a service account, by its email (the account may live outside the configurations). */
  public readonly serviceAccountGrants = new Map<string, IamGrant[]>();
  /** Grants on a project, by project ID (they apply to every service account of the project). */
  public readonly projectGrants = new Map<string, IamGrant[]>();
  private readonly tokens = new Map<string, IssuedFederatedToken | IssuedServiceAccountToken>();
  private readonly numbers = new Map<string, string>();

  constructor(public readonly env: GcpEnvironment = DEFAULT_GCP_ENVIRONMENT) {}

  /**
   * The number of a project: listed in the environment, else the environment's number for the
   * first project asked about, else 12 digits derived from the ID (stable across runs).
   */
  public projectNumberOf(projectId: string): string {
    const listed = this.env.projectNumbers[projectId];
    if (listed) return listed;
    let number = this.numbers.get(projectId);
    if (!number) {
      const taken = new Set([...this.numbers.values(), ...Object.values(this.env.projectNumbers)]);
      number = taken.has(this.env.projectNumber) ? derivedProjectNumber(projectId) : this.env.projectNumber;
      this.numbers.set(projectId, number);
    }
    return number;
  }

  public grantsOn(serviceAccountEmail: string): IamGrant[] {
    let grants = this.serviceAccountGrants.get(serviceAccountEmail);
    if (!grants) this.serviceAccountGrants.set(serviceAccountEmail, (grants = []));
    return grants;
  }

  public grantsOnProject(projectId: string): IamGrant[] {
    let grants = this.projectGrants.get(projectId);
    if (!grants) this.projectGrants.set(projectId, (grants = []));
    return grants;
  }

  /** Issues an opaque bearer token; it is only ever looked up, never parsed. */
  public issueToken(token: IssuedFederatedToken | IssuedServiceAccountToken): string {
    const value = `ya29.emulated-${token.kind}.${crypto.randomBytes(24).toString('base64url')}`;
    this.tokens.set(value, token);
    return value;
  }

  /** The token behind a bearer value, if issued here and not expired. */
  public tokenOf(bearer: string, now: Date): IssuedFederatedToken | IssuedServiceAccountToken | undefined {
    const token = this.tokens.get(bearer);
    return token && token.expiresAt.getTime() > now.getTime() ? token : undefined;
  }

  /** The IAM members a token's holder is: a pool principal and its sets, or a service account. */
  public membersOf(token: IssuedFederatedToken | IssuedServiceAccountToken): string[] {
    return token.kind === 'federated' ? [token.principal, ...token.principalSets] : [`serviceAccount:${token.email}`];
  }

  /**
   * The grant that lets `members` mint tokens for a service account: an impersonation role on
   * the account itself, or on its project (IAM inheritance). Grants with an IAM condition are not
   * evaluated and do not count (fail closed; divergence table in docs/emulator.md).
   */
  public impersonationGrant(members: readonly string[], serviceAccountEmail: string): IamGrant | undefined {
    const account = this.serviceAccounts.get(serviceAccountEmail);
    const candidates = [...(this.serviceAccountGrants.get(serviceAccountEmail) ?? []), ...(account ? (this.projectGrants.get(account.project) ?? []) : [])];
    return candidates.find((g) => IMPERSONATION_ROLES.has(g.role) && g.condition === undefined && members.includes(g.member));
  }
}
