import { GATE_MANIFEST_METADATA_KEY, parseGateManifest } from '../../core/gate-manifest';
import { PrivilegeTier } from '../../core/privilege-tier';
import { credentialsByParent } from '../../model/azure/azure-federated-identity';
import { highPrivilegeReasons, roleGrantsOf } from '../../model/azure/identity-privilege';
import { ACKNOWLEDGED_PATHS_KEY, azureIssuancePathsOf } from '../../model/azure/issuance-paths';
import { agentGates } from '../../model/azure/agent-issuance-paths';
import { TerraformModel } from '../../model/terraform/configuration';
import { Rule, RuleFinding, Severity } from '../rule';

/** Why an identity is high privilege — declared in its gate manifest, or from its roles — or undefined. */
function highPrivilege(model: TerraformModel, parent: string): string | undefined {
  const identity = model.resource(parent);
  if (!identity) return undefined;
  const raw = identity.comment[GATE_MANIFEST_METADATA_KEY];
  if (raw !== undefined) {
    try {
      const declared = parseGateManifest(raw, `${model.name}: ${parent}`, 'azure-federated-identity-credential').identity.privilege;
      return declared === PrivilegeTier.HIGH ? 'declared high in its gate manifest' : undefined;
    } catch {
      // An unreadable manifest declares nothing; discovery reports it. The roles still tell.
    }
  }
  const reasons = highPrivilegeReasons(roleGrantsOf(model, parent));
  return reasons.length > 0 ? reasons.join(', ') : undefined;
}

/**
 * AG-AZ-004. A gated identity's tokens must come only through the attested federated
 * credentials. Attaching the identity to a VM, scale set, App Service, Function, container or AKS
 * node lets any process there fetch its tokens from the managed-identity endpoint; a client secret
 * or certificate of its app registration lets whoever holds it sign in. Both skip the
 * attestation. The paths are the model's (`issuance-paths.ts`), the ones AGC-AZ-012 judges.
 *
 * An Entra agent identity whose blueprint trusts a managed identity's token (the attestation
 * source `AgentIdAttestation.managedIdentity`) is reached the same way: every resource that can
 * obtain that identity's tokens presents them at leg 1 (`agent-issuance-paths.ts`), and so does
 * every unattested federated credential of that identity. Its blueprint's secrets are AG-AZ-005's.
 */
export const highPrivilegeAttestedOnly: Rule<TerraformModel> = {
  id: 'AG-AZ-004',
  cloud: 'azure',
  severity: Severity.HIGH,
  title: 'A high-privilege gated identity is attached to no compute and has no client secret or certificate',
  rationale:
    'An attachment hands the identity’s tokens to every process of the VM, app, container or node through the managed-identity endpoint, and a client secret or certificate to whoever holds it: a second, unattested way to the same high-privilege tokens.',
  fix: `Give the compute its own low-privilege identity and remove the application's secrets and certificates; a break-glass path is named in the identity's "//" object under "${ACKNOWLEDGED_PATHS_KEY}" with its path ID and a reason.`,
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const parent of credentialsByParent(model).keys()) {
      const why = highPrivilege(model, parent);
      if (why === undefined) continue;
      // Federated credentials are AG-AZ-001's (shared subjects) and discovery's drift (undeclared).
      const { paths } = azureIssuancePathsOf(model, parent, undefined);
      for (const path of paths) {
        if (path.kind === 'federated-credential' || path.acknowledged !== undefined || path.attested === true) continue;
        findings.push({
          resource: path.resource,
          outcome: path.attested === false ? 'violation' : 'unjudgeable',
          message: `High-privilege identity ${parent} (${why}) has an unattested path [${path.id}]: ${path.description}: ${path.why}.`,
          location: path.kind === 'attachment' ? (path.id.endsWith('/kubelet_identity') ? 'kubelet_identity' : 'identity') : path.id.includes('/password') ? 'password' : '',
        });
      }
    }
    for (const gate of agentGates(model)) {
      if (gate.highPrivilege === undefined) continue;
      for (const path of gate.paths) {
        // Through the trusted managed identity: its attachments and its own federated credentials (the blueprint's are AG-AZ-005/010's).
        if (path.through === undefined || path.acknowledged !== undefined || path.attested === true) continue;
        findings.push({
          resource: path.resource,
          outcome: path.attested === false ? 'violation' : 'unjudgeable',
          message: `High-privilege agent identity ${gate.agent.resource.address} (${gate.highPrivilege}) has an unattested path [${path.id}]: ${path.description}: ${path.why}.`,
          location: path.kind === 'attachment' ? 'identity' : '',
        });
      }
    }
    return findings;
  },
};
