import { AzureFederatedIdentityGateManifest, GATE_MANIFEST_METADATA_KEY, parseGateManifest } from '../../lib/core/gate-manifest';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { credentialsByParent } from '../../lib/model/azure/azure-federated-identity';
import { highPrivilegeReasons, roleGrantsOf } from '../../lib/model/azure/identity-privilege';
import { credentialDrift } from '../../lib/model/azure/declared-credentials';
import { AzureIssuancePath, azureIssuancePathsOf } from '../../lib/model/azure/issuance-paths';
import { TerraformResource } from '../../lib/model/terraform/configuration';
import { Value, describeValue } from '../../lib/model/terraform/expressions';
import { TerraformSource } from '../../lib/model/terraform/configuration';
import { AgentGate, agentGates, sameValue } from '../../lib/model/azure/agent-issuance-paths';
import { FLEXIBLE_FEDERATED_CREDENTIAL_TYPE, FederatedBlueprintCredential, FlexibleBlueprintCredential, agentIdModel, credentialsOfBlueprint, graphRefOf } from '../../lib/model/azure/agent-id';
import { FlexibleCredentialFacts } from './foreign-subjects';

/** A federated credential of a gate, values rendered for people. */
export interface DiscoveredCredential {
  readonly address: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
}

/** An Entra workload identity federation gate: an identity and the tokens it is handed out for. */
export interface AzureGate {
  /** `<stack>/<identity address or ID>`. */
  readonly id: string;
  readonly cloud: 'azure';
  readonly stackName: string;
  readonly file: string;
  /** The identity (or application) resource, when it is in the configuration. */
  readonly identity?: TerraformResource;
  readonly manifest?: AzureFederatedIdentityGateManifest;
  readonly credentials: readonly DiscoveredCredential[];
  readonly roles: ReadonlyArray<{ readonly role: string; readonly scope: string; readonly resource: string }>;
  readonly privilege: PrivilegeTier | 'unknown';
  readonly privilegeReasons: readonly string[];
  /** Where the federated credentials no longer match the trusts the gate manifest declares; empty without a manifest. */
  readonly drift: readonly string[];
  /** Every way to the identity's tokens: each federated credential, each attachment, each secret or certificate. */
  readonly paths: readonly AzureIssuancePath[];
  /** Acknowledgements in the identity's `"//"` object that do not count, and why. */
  readonly ignoredAcknowledgements: readonly string[];
  /** An Entra agent identity: its tokens come by two legs, through its blueprint, whose credentials are `credentials`. */
  readonly agent?: AgentGateFacts;
  /**
   * Flexible federated credentials (claims-matching expressions) of the identity, or of an agent's
   * blueprint: not matched exactly, so AGC-AZ-011 probes every foreign subject they may admit.
   */
  readonly flexibleCredentials: readonly FlexibleCredentialFacts[];
}

/** What makes a gate an agent identity's: the blueprint whose credentials gate it, and who shares them. */
export interface AgentGateFacts {
  /** The blueprint's address, or its literal app ID; undefined when not known before apply. */
  readonly blueprint: string | undefined;
  /** The sibling agent identities of the same blueprint: each one's workload gets this agent's first-leg token too. */
  readonly siblings: readonly string[];
  /** The blueprint's federated credentials a sibling's gate manifest declares, and whose they are. */
  readonly siblingCredentials: ReadonlyArray<{ readonly address: string; readonly sibling: string }>;
}

const text = (value: Value | undefined): string => (typeof value === 'string' ? value : describeValue(value));

/** Finds every identity that has federated credentials, and every Entra agent identity, in every configuration. */
export function discoverAzureGates(sources: readonly TerraformSource[]): AzureGate[] {
  return [...discoverIdentityGates(sources), ...sources.flatMap(discoverAgentGates)];
}

function discoverIdentityGates(sources: readonly TerraformSource[]): AzureGate[] {
  return sources.flatMap((source) => {
    const { model } = source;
    return [...credentialsByParent(model)].map(([parent, credentials]) => {
      const identity = model.resource(parent);
      const raw = identity?.comment[GATE_MANIFEST_METADATA_KEY];
      const manifest = raw === undefined ? undefined : parseGateManifest(raw, `${source.file}: ${parent}`, 'azure-federated-identity-credential');
      const roles = identity ? roleGrantsOf(model, identity.address) : [];
      const reasons = highPrivilegeReasons(roles);
      const declared = manifest?.identity.privilege;
      const { paths, ignoredAcknowledgements } = azureIssuancePathsOf(model, parent, manifest?.credentials);
      return {
        id: `${source.stackName}/${parent}`,
        cloud: 'azure' as const,
        stackName: source.stackName,
        file: source.file,
        ...(identity ? { identity } : {}),
        ...(manifest ? { manifest } : {}),
        credentials: credentials.map(probedCredential),
        roles,
        privilege: declared ?? (reasons.length > 0 ? PrivilegeTier.HIGH : 'unknown'),
        privilegeReasons: declared ? [`declared ${declared} in its gate manifest`] : reasons,
        paths,
        ignoredAcknowledgements,
        drift: manifest ? credentialDrift(manifest.credentials, credentials.map(deployedTrust)) : [],
        flexibleCredentials: model
          .resourcesOfType(FLEXIBLE_FEDERATED_CREDENTIAL_TYPE)
          .filter((r) => {
            const application = graphRefOf(r.attributes.application_id);
            return 'address' in application && application.address === parent;
          })
          .map((r) => flexibleFacts(r.address, r.attributes.claims_matching_expression)),
      };
    });
  });
}

/** A flexible credential as AGC-AZ-011 reads it: its expression when written out. */
function flexibleFacts(address: string, expression: Value | undefined): FlexibleCredentialFacts {
  return { address, expression: typeof expression === 'string' ? expression : undefined };
}

/** What a managed identity's and a blueprint's federated credentials have in common. */
type FederatedCredentialLike = { readonly resource: TerraformResource; readonly issuer: Value | undefined; readonly subject: Value | undefined; readonly audiences: Value | undefined };

/** A federated credential as the probes match it: issuer, subject and audiences as text. */
function probedCredential(c: FederatedCredentialLike) {
  return { address: c.resource.address, issuer: text(c.issuer), subject: text(c.subject), audiences: Array.isArray(c.audiences) ? c.audiences.map(text) : [text(c.audiences)] };
}

/** A federated credential as drift compares it with the gate manifest's declared trusts. */
function deployedTrust(c: FederatedCredentialLike) {
  return { address: c.resource.address, issuer: c.issuer, subject: c.subject, audiences: c.audiences };
}

/**
 * Entra agent identities as gates, from the Azure model's enumeration (agent-issuance-paths.ts):
 * the gate's credentials are its blueprint's federated credentials (leg 1 of the two-leg flow), its
 * paths every credential of the blueprint, judged against the agent's own gate manifest.
 */
function discoverAgentGates(source: TerraformSource): AzureGate[] {
  const { model } = source;
  const agentId = agentIdModel(model);
  const gates = agentGates(model, agentId);
  return gates.map((gate): AzureGate => {
    const address = gate.agent.resource.address;
    // Flexible credentials are paths (judged in `paths`), not credentials a probe can match exactly.
    const ofBlueprint = gate.blueprintKey === undefined ? [] : credentialsOfBlueprint(agentId, gate.blueprintKey);
    const credentials = ofBlueprint.filter((c): c is FederatedBlueprintCredential => c.kind === 'federated');
    const flexible = ofBlueprint.filter((c): c is FlexibleBlueprintCredential => c.kind === 'flexible-federated');
    const roles = roleGrantsOf(model, address);
    const declared = gate.manifest?.identity.privilege;
    return {
      id: `${source.stackName}/${address}`,
      cloud: 'azure' as const,
      stackName: source.stackName,
      file: source.file,
      identity: gate.agent.resource,
      ...(gate.manifest ? { manifest: gate.manifest } : {}),
      credentials: credentials.map(probedCredential),
      roles,
      privilege: declared ?? (gate.highPrivilege ? PrivilegeTier.HIGH : 'unknown'),
      privilegeReasons: gate.highPrivilege ? [gate.highPrivilege] : [],
      paths: gate.paths,
      ignoredAcknowledgements: [...gate.ignoredAcknowledgements, ...(gate.manifestProblem ? [`the gate manifest cannot be read: ${gate.manifestProblem}`] : [])],
      drift: gate.manifest ? credentialDrift(gate.manifest.credentials, credentials.map(deployedTrust)) : [],
      flexibleCredentials: flexible.map((c) => flexibleFacts(c.resource.address, c.expression)),
      agent: { blueprint: gate.blueprintKey, siblings: gate.siblings.map((s) => s.resource.address), siblingCredentials: siblingCredentials(gate, gates, credentials) },
    };
  });
}

/** The credentials of an agent's blueprint that a sibling declares, and not the agent itself. */
function siblingCredentials(gate: AgentGate, gates: readonly AgentGate[], credentials: readonly FederatedBlueprintCredential[]): Array<{ address: string; sibling: string }> {
  const declares = (trusts: AgentGate['declared'], c: FederatedBlueprintCredential) => {
    const audiences = Array.isArray(c.audiences) ? c.audiences : [c.audiences];
    return (trusts ?? []).some((d) => sameValue(d.issuer, c.issuer) && sameValue(d.subject, c.subject) && audiences.length === 1 && sameValue(d.audience, audiences[0]));
  };
  return credentials.flatMap((c) => {
    if (declares(gate.declared, c)) return [];
    const sibling = gates.find((g) => gate.siblings.includes(g.agent) && declares(g.declared, c));
    return sibling ? [{ address: c.resource.address, sibling: sibling.agent.resource.address }] : [];
  });
}
