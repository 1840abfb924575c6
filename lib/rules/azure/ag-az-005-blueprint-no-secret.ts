import { agentIdModel } from '../../model/azure/agent-id';
import { agentGates } from '../../model/azure/agent-issuance-paths';
import { ACKNOWLEDGED_PATHS_KEY, acknowledgementsOf } from '../../model/azure/issuance-paths';
import { TerraformModel } from '../../model/terraform/configuration';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AZ-005. A password or certificate of an agent identity blueprint is a way to every agent
 * identity under it that asks for no attestation: whoever holds the secret or the private key signs
 * in as the blueprint and obtains the first-leg token for any of its agents (fmi_path). The paths
 * are the model's (agent-issuance-paths.ts), the ones the conformance check judges.
 */
export const blueprintNoSecret: Rule<TerraformModel> = {
  id: 'AG-AZ-005',
  cloud: 'azure',
  severity: Severity.HIGH,
  title: 'An agent identity blueprint has no password and no certificate',
  rationale:
    'A blueprint obtains tokens for every agent identity under it. A client secret or certificate of the blueprint lets whoever holds it do the same, with no attestation: the federated credentials then gate nothing.',
  fix: `Remove the password or certificate; agents authenticate through the blueprint's federated credentials (AttestedAgentIdentity writes only those). A break-glass secret is named in the blueprint's "//" object under "${ACKNOWLEDGED_PATHS_KEY}" with its path ID and a reason, or the finding is acknowledged with a reason.`,
  evaluate(model) {
    const agentId = agentIdModel(model);
    const gates = agentGates(model, agentId);
    const findings: RuleFinding[] = [];
    for (const credential of agentId.credentials) {
      if (credential.kind !== 'password' && credential.kind !== 'certificate') continue;
      const key = agentId.keyOf(credential.parent);
      const id = `${credential.kind === 'password' ? 'secret' : 'certificate'}:${credential.resource.address}`;
      const ofBlueprint = gates.filter((g) => key !== undefined && g.blueprintKey === key);
      // Acknowledged for every agent under the blueprint (on the blueprint, or on each agent), or on a blueprint without agents yet.
      const blueprint = agentId.blueprints.find((b) => b.resource.address === key);
      const path = { id, kind: 'client-secret' as const, resource: credential.resource.address, attested: false, description: '', why: '' };
      const acknowledged =
        ofBlueprint.length > 0 ? ofBlueprint.every((g) => g.paths.some((p) => p.id === id && p.acknowledged !== undefined)) : blueprint !== undefined && acknowledgementsOf(blueprint.resource.comment, [path]).accepted.has(id);
      if (acknowledged) continue;
      const agents = ofBlueprint.map((g) => g.agent.resource.address);
      findings.push({
        resource: credential.resource.address,
        outcome: 'violation',
        message: `${credential.kind === 'password' ? 'Password' : 'Certificate'} [${id}] of agent identity blueprint ${key ?? '(not known before apply)'}: whoever holds it obtains tokens for ${agents.length > 0 ? `its agent identities ${agents.join(', ')}` : 'every agent identity created from it'} without attestation.`,
        location: credential.location,
      });
    }
    return findings;
  },
};
