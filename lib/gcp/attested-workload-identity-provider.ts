import { IamWorkloadIdentityPool } from '@cdktf/provider-google/lib/iam-workload-identity-pool';
import { IamWorkloadIdentityPoolProvider } from '@cdktf/provider-google/lib/iam-workload-identity-pool-provider';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { TerraformResource, Token } from 'cdktf';
import { producedAtSynth } from '../packs/private/produced-at-synth';
import { Construct } from 'constructs';
import { AgentIdentity } from '../core/agent-identity';
import { AttestGateError } from '../core/errors';
import { GATE_MANIFEST_METADATA_KEY, GATE_MANIFEST_SCHEMA, GcpWorkloadIdentityGateManifest } from '../core/gate-manifest';
import { SignalMonitoring, signalMonitoringOf } from '../core/signal-monitoring';
import { FederationMonitor } from './federation-monitor';
import { FederationPolicy, federationPolicyFor } from './federation-policy';
import { checkedRole } from './private/roles';
import { WorkloadIdentitySource } from './workload-identity-source';

const POOL_OR_PROVIDER_ID = /^[a-z0-9-]{4,32}$/;

export interface AttestedWorkloadIdentityProviderProps {
  /** Who may use the gate: the SPIFFE ID (OIDC), certificate (X.509) it must present. */
  readonly identity: AgentIdentity;
  /** What credential the provider accepts. */
  readonly source: WorkloadIdentitySource;
  /**
   * The workload identity pool to add the provider to.
   *
   * @default - a new pool, `<identity name>-pool`
   */
  readonly pool?: IamWorkloadIdentityPool;
  /** ID of the new pool (4–32 of a-z, 0-9, -; not starting with "gcp-"). @default `<identity name>-pool` */
  readonly poolId?: string;
  /** Provider ID (4–32 of a-z, 0-9, -; not starting with "gcp-"). @default - the identity's name */
  readonly providerId?: string;
  /** @default - the provider's project */
  readonly project?: string;
  /** At most 32 characters. @default - `Attested <identity name>` */
  readonly displayName?: string;
  /** At most 256 characters. @default - the SPIFFE ID and privilege */
  readonly description?: string;
  /**
   * A CEL expression ANDed to the generated condition, e.g. to require a claim of your issuer.
   * It can only narrow what the gate admits.
   *
   * @default - none
   */
  readonly extraCondition?: string;
  /**
   * Whether the FederationMonitor of the stack and project watches the gate: failed exchanges,
   * credentials of its service accounts issued outside it, and changes to its pool and provider.
   *
   * @default SignalMonitoring.forHighPrivilege() - watched when the identity is high privilege
   */
  readonly federationMonitoring?: SignalMonitoring;
}

/**
 * A GCP workload identity pool provider that admits one agent: its attribute condition pins the
 * identity's subject — the SPIFFE ID in `sub` (OIDC) or `san.uri` (X.509), or one AWS role — and
 * checks the audience (OIDC); the condition is parsed with a real CEL parser at synth. The one
 * principal it yields, `principal://iam.googleapis.com/<pool>/subject/<subject>`, is what
 * `AttestedServiceAccount` binds and `grantProjectRole` grants; the whole pool never is.
 *
 * The gate manifest is written into the provider's `"//"` object under `attestgate:gate`.
 */
export class AttestedWorkloadIdentityProvider extends Construct {
  public readonly identity: AgentIdentity;
  public readonly pool: IamWorkloadIdentityPool;
  public readonly provider: IamWorkloadIdentityPoolProvider;
  /** The mapping, condition and subject the provider enforces. */
  public readonly policy: FederationPolicy;
  /** The `google.subject` the gate admits. */
  public readonly subject: string;
  /** `principal://iam.googleapis.com/<pool name>/subject/<subject>`: the only principal of this gate. */
  public readonly principal: string;
  /** The project of the pool and provider, when given. */
  public readonly project?: string;
  /** Whether the stack's FederationMonitor watches the gate, and why not. */
  public readonly federationMonitoring: SignalMonitoring;
  /** The monitor watching the gate, when one does. */
  public readonly monitor?: FederationMonitor;
  private readonly serviceAccounts: TerraformResource[] = [];

  constructor(scope: Construct, id: string, props: AttestedWorkloadIdentityProviderProps) {
    super(scope, id);
    const where = `AttestedWorkloadIdentityProvider '${this.node.path}'`;
    if (!(props.identity instanceof AgentIdentity)) {
      throw new AttestGateError({ where, field: 'identity', value: props.identity, problem: 'is not an AgentIdentity', fix: 'create it with new AgentIdentity({...}) from attestgate/core' });
    }
    if (!(props.source instanceof WorkloadIdentitySource)) {
      throw new AttestGateError({ where, field: 'source', value: props.source, problem: 'is not a WorkloadIdentitySource', fix: 'use WorkloadIdentitySource.oidc(), .x509() or .aws()' });
    }
    this.identity = props.identity;
    this.project = props.project;
    this.federationMonitoring = signalMonitoringOf(props.federationMonitoring, where, 'federationMonitoring');
    const poolId = props.poolId ?? `${props.identity.name}-pool`;
    const providerId = props.providerId ?? props.identity.name;
    if (!props.pool) checkId(where, props.poolId === undefined ? 'poolId (default: <identity name>-pool)' : 'poolId', poolId);
    checkId(where, props.providerId === undefined ? 'providerId (default: the identity name)' : 'providerId', providerId);
    const displayName = props.displayName ?? `Attested ${props.identity.name}`.slice(0, 32);
    if (displayName.length > 32) throw new AttestGateError({ where, field: 'displayName', value: displayName, problem: 'is longer than 32 characters', fix: 'shorten it' });
    const description = props.description ?? `Attested agent ${props.identity.spiffeId} (${props.identity.privilege} privilege)`.slice(0, 256);
    if (description.length > 256) throw new AttestGateError({ where, field: 'description', value: `${description.length} characters`, problem: 'is longer than 256 characters', fix: 'shorten it' });

    this.policy = federationPolicyFor(props.identity, props.source, { where, extraCondition: props.extraCondition, isToken: (v) => Token.isUnresolved(v) });
    this.subject = this.policy.subject;

    this.pool =
      props.pool ??
      new IamWorkloadIdentityPool(this, 'Pool', {
        workloadIdentityPoolId: poolId,
        project: props.project,
        displayName: `Agents: ${props.identity.name}`.slice(0, 32),
        description: `Workload identity pool of attested agent ${props.identity.name}`,
      });

    const { oidc, x509, aws } = this.policy;
    this.provider = new IamWorkloadIdentityPoolProvider(this, 'Provider', {
      workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: providerId,
      project: props.project,
      displayName,
      description,
      attributeMapping: { ...this.policy.attributeMapping },
      attributeCondition: this.policy.attributeCondition,
      ...(oidc ? { oidc: { issuerUri: oidc.issuerUri, allowedAudiences: [...oidc.allowedAudiences], ...(oidc.jwksJson ? { jwksJson: oidc.jwksJson } : {}) } } : {}),
      ...(x509
        ? {
            x509: {
              trustStore: {
                trustAnchors: x509.trustAnchors.map((pemCertificate) => ({ pemCertificate })),
                ...(x509.intermediateCas.length > 0 ? { intermediateCas: x509.intermediateCas.map((pemCertificate) => ({ pemCertificate })) } : {}),
              },
            },
          }
        : {}),
      ...(aws ? { aws: { accountId: aws.accountId } } : {}),
    });

    this.principal = `principal://iam.googleapis.com/${this.pool.name}/subject/${this.subject}`;
    // Terraform ignores "//" keys; cdktf writes construct metadata there too. Produced at synth: service
    // accounts bound after this constructor are listed.
    this.provider.addOverride(`//.${GATE_MANIFEST_METADATA_KEY}`, producedAtSynth(() => this.gateManifest()));

    if (this.federationMonitoring.appliesTo(props.identity)) {
      this.monitor = FederationMonitor.of(this, props.project);
      this.monitor.addProvider(this.provider);
    } else if (this.federationMonitoring.disabledReason !== undefined) {
      this.node.addMetadata('attestgate:federationMonitoringDisabled', this.federationMonitoring.disabledReason);
    }
  }

  /**
   * Grants a role on a project directly to the gate's principal, without a service account.
   * Some Google APIs reject federated tokens; use an AttestedServiceAccount for those.
   *
   * @param role a role such as `roles/storage.objectViewer`
   * @param project the project to grant it on
   */
  public grantProjectRole(role: string, project: string): ProjectIamMember {
    checkedRole(this.identity, role, `AttestedWorkloadIdentityProvider '${this.node.path}'`);
    const id = `Grant-${role.replace(/[^A-Za-z0-9]+/g, '-')}-${project.replace(/[^A-Za-z0-9]+/g, '-')}`;
    return new ProjectIamMember(this, id, { project, role, member: this.principal });
  }

  /** The audience clients exchange tokens for: `//iam.googleapis.com/<provider name>`. */
  public get stsAudience(): string {
    // A getter: each cdktf attribute token captures a stack trace (~1 ms).
    return `//iam.googleapis.com/${this.provider.name}`;
  }

  /** Records a service account the principal may impersonate (for the gate manifest). */
  public registerServiceAccount(serviceAccount: TerraformResource): void {
    this.serviceAccounts.push(serviceAccount);
  }

  private gateManifest(): GcpWorkloadIdentityGateManifest {
    const address = (r: TerraformResource) => `${r.terraformResourceType}.${r.friendlyUniqueId}`;
    return {
      schema: GATE_MANIFEST_SCHEMA,
      kind: 'gcp-workload-identity-federation',
      identity: this.identity.describe(),
      subject: this.subject,
      serviceAccounts: this.serviceAccounts.map(address),
    };
  }
}

function checkId(where: string, field: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  if (!POOL_OR_PROVIDER_ID.test(value) || value.startsWith('gcp-')) {
    throw new AttestGateError({
      where,
      field,
      value,
      problem: 'is not 4–32 lowercase letters, digits and hyphens, or starts with the reserved "gcp-"',
      fix: `set ${field.split(' ')[0]} explicitly, e.g. "agents"`,
    });
  }
}
