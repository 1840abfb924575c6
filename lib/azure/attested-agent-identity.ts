import { Annotations, Token } from 'cdktf';
import { Construct } from 'constructs';
import { AgentIdentity, MIN_REASON_LENGTH } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';
import { AzureFederatedIdentityGateManifest, GATE_MANIFEST_METADATA_KEY, GATE_MANIFEST_SCHEMA } from '../core/gate-manifest';
import { AZURE_TOKEN_EXCHANGE_AUDIENCE, FEDERATED_CREDENTIAL_VALUE_MAX_LENGTH, MAX_FEDERATED_CREDENTIALS } from '../model/azure/azure-federated-identity';
import { issuerProblem, issuerWithoutTrailingSlash } from '../model/terraform/oidc-issuer';
import { producedAtSynth } from '../packs/private/produced-at-synth';
import { AgentConditionalAccess, AgentConditionalAccessOptions } from './agent-conditional-access';
import { ENTRA_RSA_NOTE } from './attested-managed-identity';
import {
  AgentIdentityBlueprintBody,
  AgentIdentityBlueprintPrincipalBody,
  AgentIdentityBody,
  FederatedIdentityCredentialBody,
  GraphApiVersion,
  MsgraphResource,
} from './msgraph-resource';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CREDENTIAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;
/** Graph's limits on sponsors (beta docs): up to 100, of which at most 5 groups. */
const MAX_SPONSORS = 100;
const MAX_SPONSOR_GROUPS = 5;
/**
 * Errors of a write that names an object created a moment before, not yet replicated. Taken from
 * the provider's and Graph's documented "does not exist" shapes; not confirmed against the live
 * service, so broad enough to catch the variants.
 */
export const REPLICATION_LAG_ERRORS: readonly string[] = ['(?i)does not exist', '(?i)Request_ResourceNotFound', '(?i)not found', '(?i)replicat'];

/** Where the agent's attested token comes from: it becomes the blueprint's federated credential. */
export type AgentIdAttestationSource =
  /** A SPIRE OIDC discovery provider: issuer its URL, subject the agent's SPIFFE ID. */
  | { readonly kind: 'spire'; readonly issuer: string; readonly issuerTrailingSlashReason?: string }
  /** A managed identity's token: issuer its tenant's v2.0 endpoint, subject its principal (object) ID. */
  | { readonly kind: 'managed-identity'; readonly tenantId: string; readonly principalId: string };

/** Helpers for `AttestedAgentIdentityProps.attestation`. */
export const AgentIdAttestation = {
  spire: (issuer: string, options: { issuerTrailingSlashReason?: string } = {}): AgentIdAttestationSource => ({ kind: 'spire', issuer, ...options }),
  managedIdentity: (tenantId: string, principalId: string): AgentIdAttestationSource => ({ kind: 'managed-identity', tenantId, principalId }),
};

/** Users and groups, by object ID. */
export interface DirectoryObjects {
  readonly users?: readonly string[];
  readonly groups?: readonly string[];
}

export interface AttestedAgentIdentityProps {
  /** Who may obtain the agent identity. */
  readonly identity: AgentIdentity;
  /** The attested token the blueprint trusts: a SPIRE issuer (with the SPIFFE ID) or a managed identity. */
  readonly attestation: AgentIdAttestationSource;
  /**
   * The humans accountable for the blueprint and the agent (Graph requires at least one at
   * creation; a high-privilege agent without one is refused).
   */
  readonly sponsors: DirectoryObjects;
  /** @default - none */
  readonly owners?: { readonly users?: readonly string[] };
  /** @default `<identity name> agent` */
  readonly displayName?: string;
  /** @default 'v1.0' */
  readonly apiVersion?: GraphApiVersion;
  /**
   * **Beta.** Conditional Access for the agent (a preview, Graph beta only): block its tokens for
   * any resource but the allowed ones, and at the declared agent risk. Enforced unless
   * `reportOnlyReason` says why not. See `AgentConditionalAccess`.
   *
   * @default - no Conditional Access policy
   */
  readonly conditionalAccess?: AgentConditionalAccessOptions;
}

/**
 * An Entra agent identity gated by the agent's attestation: a blueprint of its own, the
 * blueprint's principal, one federated credential (the attestation source's exact issuer and
 * subject, audience `api://AzureADTokenExchange`) and the agent identity created from it — all
 * written through the microsoft/msgraph provider's `msgraph_resource`.
 *
 * One blueprint per agent, because a blueprint obtains tokens for any agent identity under it:
 * sharing one would make every sibling's workload a way to this agent. The blueprint gets no
 * password or certificate. The gate manifest is written into the agent identity's `"//"` object.
 */
export class AttestedAgentIdentity extends Construct {
  public readonly identity: AgentIdentity;
  public readonly blueprint: MsgraphResource<AgentIdentityBlueprintBody>;
  public readonly blueprintPrincipal: MsgraphResource<AgentIdentityBlueprintPrincipalBody>;
  /** The blueprint's federated credentials, in the order they are written. */
  public readonly federatedCredentials: Array<MsgraphResource<FederatedIdentityCredentialBody>> = [];
  public readonly agentIdentity: MsgraphResource<AgentIdentityBody>;
  /** **Beta.** The agent's Conditional Access policies, when `conditionalAccess` is set. */
  public readonly conditionalAccess?: AgentConditionalAccess;
  private readonly trusted: Array<{ issuer: string; subject: string }> = [];
  private readonly apiVersion: GraphApiVersion;

  constructor(scope: Construct, id: string, props: AttestedAgentIdentityProps) {
    super(scope, id);
    const fail = (field: string, value: unknown, problem: string, fix: string): never => {
      throw new AttestGateError({ where: this.where, field, value, problem, fix });
    };
    if (!(props.identity instanceof AgentIdentity)) fail('identity', props.identity, 'is not an AgentIdentity', 'create it with new AgentIdentity({...}) from attestgate/core');
    this.identity = props.identity;
    this.apiVersion = props.apiVersion ?? 'v1.0';
    const sponsors = this.directoryBinds('sponsors', props.sponsors);
    if (sponsors.length === 0) {
      fail(
        'sponsors',
        props.sponsors,
        `is empty; Graph requires a sponsor for a blueprint and an agent identity${props.identity.isHighPrivilege ? `, and ${props.identity.name} is high privilege: a human must be accountable for it` : ''}`,
        'name at least one user or group: sponsors: { users: ["<object id>"] }',
      );
    }
    if ((props.sponsors.groups ?? []).length > MAX_SPONSOR_GROUPS || sponsors.length > MAX_SPONSORS) {
      fail('sponsors', props.sponsors, `has more than ${MAX_SPONSORS} entries or more than ${MAX_SPONSOR_GROUPS} groups, which Graph refuses`, 'name fewer sponsors (a group stands for its members)');
    }
    const owners = this.directoryBinds('owners', props.owners ?? {});
    const displayName = props.displayName ?? `${props.identity.name} agent`;
    const retry = { errorMessageRegex: REPLICATION_LAG_ERRORS };

    this.blueprint = new MsgraphResource(this, 'Blueprint', {
      url: 'applications/microsoft.graph.agentIdentityBlueprint',
      apiVersion: this.apiVersion,
      body: { displayName: `${displayName} blueprint`, 'sponsors@odata.bind': sponsors, ...(owners.length > 0 ? { 'owners@odata.bind': owners } : {}) },
      responseExportValues: { app_id: 'appId' },
      retry,
    });
    // Read once: each read of a cdktf attribute creates a token and captures a stack trace.
    const blueprintAppId = this.blueprint.output('app_id');
    this.blueprintPrincipal = new MsgraphResource(this, 'BlueprintPrincipal', {
      url: 'servicePrincipals/microsoft.graph.agentIdentityBlueprintPrincipal',
      apiVersion: this.apiVersion,
      body: { appId: blueprintAppId },
      retry,
    });
    this.addFederatedCredential(props.attestation);
    this.agentIdentity = new MsgraphResource(this, 'AgentIdentity', {
      url: 'servicePrincipals/microsoft.graph.agentIdentity',
      apiVersion: this.apiVersion,
      body: { displayName, agentIdentityBlueprintId: blueprintAppId, 'sponsors@odata.bind': sponsors, ...(owners.length > 0 ? { 'owners@odata.bind': owners } : {}) },
      responseExportValues: { app_id: 'appId' },
      retry,
      // The agent is created from the blueprint's principal; Graph refuses it before the principal exists.
      dependsOn: [this.blueprintPrincipal],
    });
    // Terraform ignores "//" keys; produced at synth so credentials added later are listed.
    this.agentIdentity.addOverride(`//.${GATE_MANIFEST_METADATA_KEY}`, producedAtSynth(() => this.gateManifest()));
    Annotations.of(this).addInfo(ENTRA_RSA_NOTE);
    if (props.conditionalAccess !== undefined) {
      this.conditionalAccess = new AgentConditionalAccess(this, 'ConditionalAccess', {
        ...props.conditionalAccess,
        agentObjectId: this.agentIdentity.id,
        agentName: displayName,
        where: this.where,
      });
    }
  }

  /**
   * Trusts one more attested token (another region's SPIRE issuer, say). Written after the
   * previous credential; every credential of the blueprint is a way to the agent.
   */
  public addFederatedCredential(source: AgentIdAttestationSource, options: { readonly name?: string } = {}): MsgraphResource<FederatedIdentityCredentialBody> {
    const fail = (field: string, value: unknown, problem: string, fix: string): never => {
      throw new AttestGateError({ where: this.where, field, value, problem, fix });
    };
    if (this.trusted.length >= MAX_FEDERATED_CREDENTIALS) fail('federated credentials', this.trusted.length + 1, `exceed the ${MAX_FEDERATED_CREDENTIALS} Entra allows per application`, 'trust fewer issuers');
    let issuer: string;
    let subject: string;
    if (source?.kind === 'spire') {
      const { issuerTrailingSlashReason: reason } = source;
      if (reason !== undefined && reason.trim().length < MIN_REASON_LENGTH) fail('issuerTrailingSlashReason', reason, `is shorter than ${MIN_REASON_LENGTH} characters`, 'say why, and who reviewed it');
      issuer = source.issuer;
      if (!Token.isUnresolved(issuer)) {
        const problem = issuerProblem(issuer, { maxLength: FEDERATED_CREDENTIAL_VALUE_MAX_LENGTH, trailingSlashAllowed: reason !== undefined });
        if (problem) fail('attestation.issuer', issuer, problem.problem, problem.fix);
      }
      subject = this.identity.spiffeId.toString();
    } else if (source?.kind === 'managed-identity') {
      for (const [field, value] of [['tenantId', source.tenantId], ['principalId', source.principalId]] as const) {
        if (!Token.isUnresolved(value) && !GUID.test(value)) fail(`attestation.${field}`, value, 'is not a GUID', `give the managed identity's ${field === 'tenantId' ? 'tenant ID' : 'principal (object) ID'}, or a reference to it`);
      }
      issuer = `https://login.microsoftonline.com/${source.tenantId}/v2.0`;
      subject = source.principalId;
    } else {
      return fail('attestation', source, 'is not an attestation source', 'use AgentIdAttestation.spire(issuer) or AgentIdAttestation.managedIdentity(tenantId, principalId)');
    }
    for (const other of this.trusted) {
      if (other.issuer === issuer && other.subject === subject) fail('attestation', source, `is already trusted (${subject} of ${issuer}); Entra requires each (issuer, subject) pair once`, 'remove the duplicate');
      if (other.issuer !== issuer && issuerWithoutTrailingSlash(other.issuer) === issuerWithoutTrailingSlash(issuer)) {
        fail('attestation.issuer', issuer, `differs from another credential's issuer (${other.issuer}) only by a trailing slash: one of them cannot match the token's iss (AADSTS700211)`, 'write the issuer as its discovery document does, everywhere');
      }
    }
    const name = options.name ?? `${this.identity.name}-${this.trusted.length + 1}`;
    if (!Token.isUnresolved(name) && !CREDENTIAL_NAME.test(name)) fail('name', name, 'is not 3–120 letters, digits, hyphens and underscores starting with a letter or digit', 'rename the credential');
    const previous = this.federatedCredentials[this.federatedCredentials.length - 1];
    const credential = new MsgraphResource(this, `FederatedCredential${this.trusted.length + 1}`, {
      url: `applications/${(this.blueprintId ??= this.blueprint.id)}/microsoft.graph.agentIdentityBlueprint/federatedIdentityCredentials`,
      apiVersion: this.apiVersion,
      body: { name, issuer, subject, audiences: [AZURE_TOKEN_EXCHANGE_AUDIENCE] },
      retry: { errorMessageRegex: REPLICATION_LAG_ERRORS },
      // After the principal (the blueprint must be usable), and one credential after another.
      dependsOn: [previous ?? this.blueprintPrincipal],
    });
    this.federatedCredentials.push(credential);
    this.trusted.push({ issuer, subject });
    return credential;
  }

  private blueprintId?: string;

  /** The agent identity's object ID: roles are assigned to it. @attribute */
  public get principalId(): string {
    return this.agentIdentity.id;
  }

  /** The agent identity's app ID: `client_id` of the second leg, `fmi_path` of the first. @attribute */
  public get clientId(): string {
    return this.agentIdentity.output('app_id');
  }

  /** The blueprint's app ID: `client_id` of the first leg. @attribute */
  public get blueprintClientId(): string {
    return this.blueprint.output('app_id');
  }

  private get where(): string {
    return `AttestedAgentIdentity '${this.node.path}'`;
  }

  /** `https://graph.microsoft.com/v1.0/users/<id>` for each user, `…/groups/<id>` for each group. */
  private directoryBinds(field: string, objects: DirectoryObjects): string[] {
    const binds: string[] = [];
    for (const kind of ['users', 'groups'] as const) {
      for (const id of objects?.[kind] ?? []) {
        if (!Token.isUnresolved(id) && !GUID.test(id)) {
          throw new AttestGateError({ where: this.where, field: `${field}.${kind}`, value: id, problem: 'is not an object ID (a GUID)', fix: `give the ${kind === 'users' ? 'user' : 'group'}'s object ID, not its name or UPN` });
        }
        binds.push(`https://graph.microsoft.com/v1.0/${kind}/${id}`);
      }
    }
    return binds;
  }

  private gateManifest(): AzureFederatedIdentityGateManifest {
    return {
      schema: GATE_MANIFEST_SCHEMA,
      kind: 'azure-federated-identity-credential',
      identity: this.identity.describe(),
      credentials: this.trusted.map(({ issuer, subject }) => ({ issuer, subject, audience: AZURE_TOKEN_EXCHANGE_AUDIENCE })),
    };
  }
}
