import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { AttestGateError } from '../core/errors';
import { WORKLOAD_IDENTITY_USER } from '../model/gcp/google-workload-identity';
import { AttestedWorkloadIdentityProvider } from './attested-workload-identity-provider';
import { FederationMonitor } from './federation-monitor';
import { checkedRole } from './private/roles';

const ACCOUNT_ID = /^[a-z]([-a-z0-9]*[a-z0-9])$/;

export interface AttestedServiceAccountProps {
  /** The gate whose one principal may impersonate the service account. */
  readonly provider: AttestedWorkloadIdentityProvider;
  /** 6–30 lowercase letters, digits and hyphens, starting with a letter. @default `<identity name>-agent` */
  readonly accountId?: string;
  /** The project of the service account, and of `projectRoles`. @default - the provider's project */
  readonly project?: string;
  /** @default - `Attested agent <identity name>` */
  readonly displayName?: string;
  /** @default - the SPIFFE ID and privilege */
  readonly description?: string;
  /** Roles granted to the service account on `project` (which is then required). @default - none */
  readonly projectRoles?: string[];
}

/**
 * A service account only the gate's principal can act as: `roles/iam.workloadIdentityUser` is
 * bound to exactly one `principal://…/subject/…` — the identity's — never to the pool. Roles
 * are granted to the service account with `projectRoles` / `grantProjectRole`.
 */
export class AttestedServiceAccount extends Construct {
  public readonly gate: AttestedWorkloadIdentityProvider;
  public readonly serviceAccount: ServiceAccount;
  /** The `roles/iam.workloadIdentityUser` binding to the gate's principal. */
  public readonly impersonation: ServiceAccountIamMember;
  /** The monitor watching the service account: its gate's choice, in the account's project. */
  public readonly monitor?: FederationMonitor;
  private readonly project?: string;

  constructor(scope: Construct, id: string, props: AttestedServiceAccountProps) {
    super(scope, id);
    const where = `AttestedServiceAccount '${this.node.path}'`;
    if (!(props.provider instanceof AttestedWorkloadIdentityProvider)) {
      throw new AttestGateError({ where, field: 'provider', value: props.provider, problem: 'is not an AttestedWorkloadIdentityProvider', fix: 'create the gate first and pass it here' });
    }
    const identity = props.provider.identity;
    const accountId = props.accountId ?? `${identity.name}-agent`;
    if (!Token.isUnresolved(accountId) && (!ACCOUNT_ID.test(accountId) || accountId.length < 6 || accountId.length > 30)) {
      throw new AttestGateError({
        where,
        field: props.accountId === undefined ? 'accountId (default: <identity name>-agent)' : 'accountId',
        value: accountId,
        problem: 'is not 6–30 lowercase letters, digits and hyphens starting with a letter',
        fix: 'set accountId explicitly',
      });
    }
    if ((props.projectRoles?.length ?? 0) > 0 && props.project === undefined) {
      throw new AttestGateError({ where, field: 'project', value: undefined, problem: 'is required when projectRoles are given', fix: 'name the project the roles apply to' });
    }
    this.gate = props.provider;
    this.project = props.project;
    this.serviceAccount = new ServiceAccount(this, 'ServiceAccount', {
      accountId,
      project: props.project,
      displayName: props.displayName ?? `Attested agent ${identity.name}`.slice(0, 100),
      description: props.description ?? `Impersonated only by ${identity.spiffeId} through its attestation gate (${identity.privilege} privilege)`.slice(0, 256),
    });
    this.impersonation = new ServiceAccountIamMember(this, 'WorkloadIdentityUser', {
      serviceAccountId: this.serviceAccount.name,
      role: WORKLOAD_IDENTITY_USER,
      member: props.provider.principal,
    });
    props.provider.registerServiceAccount(this.serviceAccount);
    if (props.provider.monitor) {
      // Its audit logs land in its own project: the provider's unless another is given.
      this.monitor = FederationMonitor.of(this, props.project ?? props.provider.project);
      this.monitor.addServiceAccount(this.serviceAccount, props.provider.principal);
    }
    for (const role of props.projectRoles ?? []) this.grantProjectRole(role);
  }

  /**
   * Grants a role to the service account on a project.
   *
   * @param role e.g. `roles/run.developer`; a high-privilege role needs a high-privilege identity
   * @param project @default - the `project` prop
   */
  public grantProjectRole(role: string, project: string | undefined = this.project): ProjectIamMember {
    const where = `AttestedServiceAccount '${this.node.path}'`;
    if (project === undefined) throw new AttestGateError({ where, field: 'project', value: undefined, problem: 'is not set', fix: 'pass the project, or set the project prop' });
    checkedRole(this.gate.identity, role, where);
    const id = `Grant-${role.replace(/[^A-Za-z0-9]+/g, '-')}-${project.replace(/[^A-Za-z0-9]+/g, '-')}`;
    return new ProjectIamMember(this, id, { project, role, member: this.member });
  }

  // Attributes are getters: each cdktf attribute token captures a stack trace (~1 ms).
  /** @attribute */
  public get email(): string {
    return this.serviceAccount.email;
  }

  /** `serviceAccount:<email>`. @attribute */
  public get member(): string {
    return this.serviceAccount.member;
  }
}
