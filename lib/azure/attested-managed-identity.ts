import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Annotations, Token } from 'cdktf';
import { producedAtSynth } from '../packs/private/produced-at-synth';
import { Construct } from 'constructs';
import { AgentIdentity, MIN_REASON_LENGTH } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';
import { AzureFederatedIdentityGateManifest, GATE_MANIFEST_METADATA_KEY, GATE_MANIFEST_SCHEMA } from '../core/gate-manifest';
import { SignalMonitoring, signalMonitoringOf } from '../core/signal-monitoring';
import { AZURE_TOKEN_EXCHANGE_AUDIENCE, FEDERATED_CREDENTIAL_VALUE_MAX_LENGTH, MAX_FEDERATED_CREDENTIALS } from '../model/azure/azure-federated-identity';
import { issuerProblem, issuerWithoutTrailingSlash } from '../model/terraform/oidc-issuer';
import { SignInMonitor } from './sign-in-monitor';

const IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/;
const CREDENTIAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;
const ROLE_DEFINITION_ID = /\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-fA-F-]{36}$/;
/** Built-in roles that amount to broad write authority or to granting access. */
const HIGH_PRIVILEGE_ROLES = new Set(['Owner', 'Contributor', 'User Access Administrator', 'Role Based Access Control Administrator']);

/** Entra's note, given once per identity: the issuer must sign with RSA. */
export const ENTRA_RSA_NOTE =
  'Entra accepts only RSA-signed external tokens (RS256…); an ES256 token fails with AADSTS5002738. For SPIRE set jwt_key_type = "rsa-2048" (its default key type is ec-p256).';

export interface FederatedCredentialOptions {
  /** The issuer, exactly as the token's `iss` carries it (https, no trailing slash after a bare host). */
  readonly issuer: string;
  /**
   * The subject, exactly (case-sensitive, no wildcards).
   *
   * @default - the identity's SPIFFE ID
   */
  readonly subject?: string;
  /**
   * Why this credential trusts a subject other than the identity's SPIFFE ID (at least 10
   * characters): that lets a second workload obtain the identity.
   *
   * @default - only the identity's SPIFFE ID is trusted
   */
  readonly otherSubjectReason?: string;
  /** @default 'api://AzureADTokenExchange' */
  readonly audience?: string;
  /** Why another audience is needed (at least 10 characters). @default - only the recommended audience */
  readonly audienceReason?: string;
  /** Why the issuer is a bare host with a trailing slash (at least 10 characters). @default - rejected */
  readonly issuerTrailingSlashReason?: string;
  /** 3–120 letters, digits, hyphens and underscores, starting with a letter or digit. @default `<identity name>-<n>` */
  readonly name?: string;
}

export interface RoleAssignmentOptions {
  /** @default - none */
  readonly description?: string;
  /** An ABAC condition (version 2.0). @default - none */
  readonly condition?: string;
}

export interface AttestedManagedIdentityProps extends FederatedCredentialOptions {
  /** Who may obtain the identity: its SPIFFE ID is the credential's subject. */
  readonly identity: AgentIdentity;
  readonly resourceGroupName: string;
  readonly location: string;
  /** 3–128 letters, digits, hyphens and underscores. @default `<identity name>-agent` */
  readonly identityName?: string;
  /** @default - the identity name, SPIFFE ID and privilege */
  readonly tags?: Record<string, string>;
  /** Role assignments: a built-in role name (`Reader`) or a role definition ID, at a scope. @default - none */
  readonly roleAssignments?: ReadonlyArray<{ readonly scope: string; readonly role: string } & RoleAssignmentOptions>;
  /**
   * Whether the stack's SignInMonitor watches the identity: refused sign-ins, tokens issued
   * without a federated credential, changes to its credentials and to role assignments where it
   * holds roles.
   *
   * @default SignalMonitoring.forHighPrivilege() - watched when the identity is high privilege
   */
  readonly signInMonitoring?: SignalMonitoring;
}

/**
 * A user-assigned managed identity that Entra hands out only for the agent's token: a federated
 * identity credential with the exact issuer, the identity's SPIFFE ID as subject and the audience
 * `api://AzureADTokenExchange`. More credentials (another region's issuer, say) are written one
 * after another — Azure rejects concurrent credential writes on one identity with 409 — and at
 * most 20 fit. Roles are assigned to the identity at a scope.
 *
 * Entra accepts only RSA-signed tokens from the issuer (SPIRE: jwt_key_type = "rsa-2048").
 * The gate manifest is written into the identity's `"//"` object under `attestgate:gate`.
 */
export class AttestedManagedIdentity extends Construct {
  public readonly identity: AgentIdentity;
  public readonly userAssignedIdentity: UserAssignedIdentity;
  /** The federated credentials, in the order they are written. */
  public readonly federatedCredentials: FederatedIdentityCredential[] = [];
  public readonly roleAssignments: RoleAssignment[] = [];
  /** Whether the stack's SignInMonitor watches the identity, and why not. */
  public readonly signInMonitoring: SignalMonitoring;
  /** The monitor watching the identity, when one does. */
  public readonly monitor?: SignInMonitor;
  private readonly resourceGroupName: string;
  private readonly trusted: Array<{ issuer: string; subject: string; audience: string; credential: FederatedIdentityCredential }> = [];

  constructor(scope: Construct, id: string, props: AttestedManagedIdentityProps) {
    super(scope, id);
    const where = this.where;
    if (!(props.identity instanceof AgentIdentity)) {
      throw new AttestGateError({ where, field: 'identity', value: props.identity, problem: 'is not an AgentIdentity', fix: 'create it with new AgentIdentity({...}) from attestgate/core' });
    }
    this.identity = props.identity;
    this.signInMonitoring = signalMonitoringOf(props.signInMonitoring, where, 'signInMonitoring');
    const name = props.identityName ?? `${props.identity.name}-agent`;
    if (!Token.isUnresolved(name) && !IDENTITY_NAME.test(name)) {
      throw new AttestGateError({ where, field: 'identityName', value: name, problem: 'is not 3–128 letters, digits, hyphens and underscores starting with a letter or digit', fix: 'rename it' });
    }
    this.resourceGroupName = props.resourceGroupName;
    this.userAssignedIdentity = new UserAssignedIdentity(this, 'Identity', {
      name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags ?? { 'attestgate-agent': props.identity.name, 'attestgate-spiffe-id': props.identity.spiffeId.toString(), 'attestgate-privilege': props.identity.privilege },
    });

    if (this.signInMonitoring.appliesTo(props.identity)) {
      this.monitor = SignInMonitor.of(this, { resourceGroupName: props.resourceGroupName, location: props.location });
      this.monitor.addIdentity(this.userAssignedIdentity);
    } else if (this.signInMonitoring.disabledReason !== undefined) {
      this.node.addMetadata('attestgate:signInMonitoringDisabled', this.signInMonitoring.disabledReason);
    }

    this.addFederatedCredential(props);
    for (const assignment of props.roleAssignments ?? []) this.assignRole(assignment.scope, assignment.role, assignment);

    // Terraform ignores "//" keys; produced at synth so credentials added later are listed.
    this.userAssignedIdentity.addOverride(`//.${GATE_MANIFEST_METADATA_KEY}`, producedAtSynth(() => this.gateManifest()));
    Annotations.of(this).addInfo(ENTRA_RSA_NOTE);
  }

  /**
   * Trusts one more token: another issuer of the same agent (a second region's SPIRE, say) or,
   * with a reason, another subject. Written after the previous credential (`depends_on`).
   */
  public addFederatedCredential(options: FederatedCredentialOptions): FederatedIdentityCredential {
    const where = this.where;
    const fail = (field: string, value: unknown, problem: string, fix: string): never => {
      throw new AttestGateError({ where, field, value, problem, fix });
    };
    const reason = (field: string, value: string | undefined) => {
      if (value !== undefined && value.trim().length < MIN_REASON_LENGTH) fail(field, value, `is shorter than ${MIN_REASON_LENGTH} characters`, 'say why, and who reviewed it');
    };
    reason('otherSubjectReason', options.otherSubjectReason);
    reason('audienceReason', options.audienceReason);
    reason('issuerTrailingSlashReason', options.issuerTrailingSlashReason);

    if (this.trusted.length >= MAX_FEDERATED_CREDENTIALS) {
      fail('federated credentials', this.trusted.length + 1, `exceed the ${MAX_FEDERATED_CREDENTIALS} Entra allows per identity`, 'use another AttestedManagedIdentity for the other agents');
    }
    const { issuer } = options;
    if (!Token.isUnresolved(issuer)) {
      const problem = issuerProblem(issuer, { maxLength: FEDERATED_CREDENTIAL_VALUE_MAX_LENGTH, trailingSlashAllowed: options.issuerTrailingSlashReason !== undefined });
      if (problem) fail('issuer', issuer, problem.problem, problem.fix);
    }
    const spiffeId = this.identity.spiffeId.toString();
    const subject = options.subject ?? spiffeId;
    if (!Token.isUnresolved(subject)) {
      if (typeof subject !== 'string' || subject.length === 0 || subject.length > FEDERATED_CREDENTIAL_VALUE_MAX_LENGTH) {
        fail('subject', subject, `is not 1–${FEDERATED_CREDENTIAL_VALUE_MAX_LENGTH} characters`, 'give the exact subject of the agent’s token');
      }
      if (subject.includes('*')) fail('subject', subject, 'contains "*"; Entra matches subjects exactly, wildcards are not supported', 'give one exact subject per credential');
      if (subject !== subject.trim()) fail('subject', subject, 'has leading or trailing whitespace', 'trim it');
      if (subject !== spiffeId && options.otherSubjectReason === undefined) {
        fail('subject', subject, `is not the identity's SPIFFE ID (${spiffeId}); it would let another workload obtain the identity`, 'trust the SPIFFE ID, or set otherSubjectReason to why a second subject is needed');
      }
    }
    const audience = options.audience ?? AZURE_TOKEN_EXCHANGE_AUDIENCE;
    if (!Token.isUnresolved(audience)) {
      if (audience.length === 0 || audience.length > FEDERATED_CREDENTIAL_VALUE_MAX_LENGTH) fail('audience', audience, `is not 1–${FEDERATED_CREDENTIAL_VALUE_MAX_LENGTH} characters`, `use ${AZURE_TOKEN_EXCHANGE_AUDIENCE}`);
      if (audience !== AZURE_TOKEN_EXCHANGE_AUDIENCE && options.audienceReason === undefined) {
        fail('audience', audience, `is not ${AZURE_TOKEN_EXCHANGE_AUDIENCE}, the audience Entra recommends and SPIRE clients request`, `use ${AZURE_TOKEN_EXCHANGE_AUDIENCE}, or set audienceReason`);
      }
    }
    for (const other of this.trusted) {
      if (other.issuer === issuer && other.subject === subject) fail('subject', subject, `is already trusted for issuer ${issuer}; Entra requires each (issuer, subject) pair once per identity`, 'remove the duplicate credential');
      if (other.issuer !== issuer && issuerWithoutTrailingSlash(other.issuer) === issuerWithoutTrailingSlash(issuer)) {
        fail('issuer', issuer, `differs from the issuer of another credential (${other.issuer}) only by a trailing slash: one of them cannot match the token's iss (AADSTS700211)`, 'write the issuer the same way everywhere, as its discovery document does');
      }
    }
    const name = options.name ?? `${this.identity.name}-${this.trusted.length + 1}`;
    if (!Token.isUnresolved(name) && !CREDENTIAL_NAME.test(name)) {
      fail('name', name, 'is not 3–120 letters, digits, hyphens and underscores starting with a letter or digit', 'rename the credential');
    }
    const previous = this.federatedCredentials[this.federatedCredentials.length - 1];
    const credential = new FederatedIdentityCredential(this, `FederatedCredential${this.trusted.length + 1}`, {
      name,
      resourceGroupName: this.resourceGroupName,
      // Read once: each read of a cdktf attribute creates a token and captures a stack trace.
      parentId: (this.identityIdReference ??= this.userAssignedIdentity.id),
      issuer,
      subject,
      audience: [audience],
      // Azure rejects concurrent credential writes on one identity (409), so each waits for the one before.
      ...(previous ? { dependsOn: [previous] } : {}),
    });
    this.federatedCredentials.push(credential);
    this.trusted.push({ issuer, subject, audience, credential });
    return credential;
  }

  /**
   * Assigns a role to the identity at a scope.
   *
   * @param scope an ARM resource ID: subscription, resource group or resource
   * @param role a built-in role name (`Reader`) or a role definition ID; Owner, Contributor and
   *   the access-administrator roles need a high-privilege identity
   */
  public assignRole(scope: string, role: string, options: RoleAssignmentOptions = {}): RoleAssignment {
    const where = this.where;
    if (!Token.isUnresolved(scope) && !scope.startsWith('/')) {
      throw new AttestGateError({ where, field: 'scope', value: scope, problem: 'is not an ARM resource ID', fix: 'use /subscriptions/<id>[/resourceGroups/<name>[/providers/…]]' });
    }
    const byId = ROLE_DEFINITION_ID.test(role);
    if (!Token.isUnresolved(role) && !byId && HIGH_PRIVILEGE_ROLES.has(role) && !this.identity.isHighPrivilege) {
      throw new AttestGateError({
        where,
        field: 'role',
        value: role,
        problem: `is a high-privilege role, but identity ${this.identity.name} is declared ${this.identity.privilege}`,
        fix: 'declare the identity PrivilegeTier.HIGH, or assign a narrower role',
      });
    }
    const assignment = new RoleAssignment(this, `Role${this.roleAssignments.length + 1}`, {
      scope,
      principalId: this.principalId,
      principalType: 'ServicePrincipal',
      // A new identity may not have replicated to Entra yet; the check would fail the apply.
      skipServicePrincipalAadCheck: true,
      ...(byId ? { roleDefinitionId: role } : { roleDefinitionName: role }),
      ...(options.description ? { description: options.description } : {}),
      ...(options.condition ? { condition: options.condition, conditionVersion: '2.0' } : {}),
    });
    this.roleAssignments.push(assignment);
    this.monitor?.addRoleAssignmentScope(scope);
    return assignment;
  }

  private identityIdReference?: string;

  // Attributes are getters: each cdktf attribute token captures a stack trace (~1 ms).
  /** The client ID agents use in token requests. @attribute */
  public get clientId(): string {
    return this.userAssignedIdentity.clientId;
  }

  /** The principal (object) ID roles are assigned to. @attribute */
  public get principalId(): string {
    return this.userAssignedIdentity.principalId;
  }

  /** @attribute */
  public get tenantId(): string {
    return this.userAssignedIdentity.tenantId;
  }

  private get where(): string {
    return `AttestedManagedIdentity '${this.node.path}'`;
  }

  private gateManifest(): AzureFederatedIdentityGateManifest {
    return {
      schema: GATE_MANIFEST_SCHEMA,
      kind: 'azure-federated-identity-credential',
      identity: this.identity.describe(),
      credentials: this.trusted.map(({ issuer, subject, audience }) => ({ issuer, subject, audience })),
    };
  }
}
