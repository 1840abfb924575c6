import { AzureFederatedIdentityGateManifest, GATE_MANIFEST_METADATA_KEY, parseGateManifest } from '../../lib/core/gate-manifest';
import { PrivilegeTier } from '../../lib/core/privilege-tier';
import { credentialsByParent } from '../../lib/model/azure/azure-federated-identity';
import { highPrivilegeReasons, roleGrantsOf } from '../../lib/model/azure/identity-privilege';
import { credentialDrift } from '../../lib/model/azure/declared-credentials';
import { AzureIssuancePath, azureIssuancePathsOf } from '../../lib/model/azure/issuance-paths';
import { TerraformResource } from '../../lib/model/terraform/configuration';
import { Value, describeValue } from '../../lib/model/terraform/expressions';
import { TerraformSource } from '../../lib/model/terraform/configuration';

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
}

const text = (value: Value | undefined): string => (typeof value === 'string' ? value : describeValue(value));

/** Finds every identity that has federated credentials, in every configuration. */
export function discoverAzureGates(sources: readonly TerraformSource[]): AzureGate[] {
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
        credentials: credentials.map((c) => ({
          address: c.resource.address,
          issuer: text(c.issuer),
          subject: text(c.subject),
          audiences: Array.isArray(c.audiences) ? c.audiences.map(text) : [text(c.audiences)],
        })),
        roles,
        privilege: declared ?? (reasons.length > 0 ? PrivilegeTier.HIGH : 'unknown'),
        privilegeReasons: declared ? [`declared ${declared} in its gate manifest`] : reasons,
        paths,
        ignoredAcknowledgements,
        drift: manifest ? credentialDrift(manifest.credentials, credentials.map((c) => ({ address: c.resource.address, issuer: c.issuer, subject: c.subject, audiences: c.audiences }))) : [],
      };
    });
  });
}
