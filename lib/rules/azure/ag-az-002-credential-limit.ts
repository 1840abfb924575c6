import { TerraformModel, TerraformResource } from '../../model/terraform/configuration';
import { MAX_FEDERATED_CREDENTIALS, credentialsByParent, instanceCount } from '../../model/azure/azure-federated-identity';
import { BlueprintCredentialModel, agentIdModel, agentsOfBlueprint } from '../../model/azure/agent-id';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AZ-002. Entra holds at most 20 federated identity credentials per user-assigned identity or
 * app (azurerm#19642; "Maximum of 20 objects can be added to an application", Graph's
 * federatedIdentityCredential create). The 21st fails at apply, after the first 20 were written,
 * and the usual way out — another subject squeezed onto an existing identity — is how identities
 * end up shared.
 *
 * An agent identity blueprint is an application: its federated credentials — exact or flexible
 * (a flexible one is a federatedIdentityCredential object too), written by AttestedAgentIdentity,
 * as raw `msgraph_resource` JSON or as azuread credential resources pointing at it — count against
 * the same 20, and they are the gate of every agent identity under it, so the finding names those
 * agents. A blueprint's passwords and certificates have no documented count limit: the finding
 * reports them as further credentials of the same gate (AG-AZ-005 refuses them).
 */
export const credentialLimit: Rule<TerraformModel> = {
  id: 'AG-AZ-002',
  cloud: 'azure',
  severity: Severity.MEDIUM,
  title: 'No identity has more than 20 federated identity credentials',
  rationale:
    'Entra rejects the 21st credential of an identity at apply, half-way through a deployment; the pressure to fit more subjects onto one identity is how agents end up sharing identities.',
  fix: 'Use one user-assigned identity per agent (class), each with the few credentials that agent needs; for agents, one blueprint per agent (AttestedAgentIdentity does so).',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    const agentId = agentIdModel(model);
    // A credential of a blueprint is counted once, as the blueprint's, however its parent is written.
    const ofBlueprints = new Set(agentId.credentials.map((c) => c.resource.address));

    for (const [parent, all] of credentialsByParent(model)) {
      const credentials = all.filter((c) => !ofBlueprints.has(c.resource.address));
      if (credentials.length === 0) continue;
      const { known, unknown } = countOf(credentials);
      const resource = model.resource(parent) ? parent : credentials[0].resource.address;
      if (known > MAX_FEDERATED_CREDENTIALS) {
        findings.push({ resource, outcome: 'violation', message: `Identity ${parent} has ${known} federated identity credentials; Entra accepts at most ${MAX_FEDERATED_CREDENTIALS}.`, location: '' });
      } else if (unknown.length > 0) {
        findings.push({ resource, outcome: 'unjudgeable', message: `Identity ${parent}: how many credentials ${unknown.join(', ')} create is known only at apply (count/for_each).`, location: '' });
      }
    }

    const byBlueprint = new Map<string, BlueprintCredentialModel[]>();
    for (const credential of agentId.credentials) {
      const key = agentId.keyOf(credential.parent);
      if (key !== undefined) byBlueprint.set(key, [...(byBlueprint.get(key) ?? []), credential]);
    }
    for (const [key, credentials] of byBlueprint) {
      const federated = credentials.filter((c) => c.kind === 'federated' || c.kind === 'flexible-federated');
      if (federated.length === 0) continue;
      // One resource may write several secrets (a body's passwordCredentials list): the model has one entry each.
      const of = (...kinds: Array<BlueprintCredentialModel['kind']>) => countOf(credentials.filter((c) => kinds.includes(c.kind)));
      const exact = of('federated');
      const flexible = of('flexible-federated');
      const secrets = of('password', 'certificate');
      const known = exact.known + flexible.known;
      const unknown = [...new Set([...exact.unknown, ...flexible.unknown])];
      const agents = agentsOfBlueprint(agentId, key).map((a) => a.resource.address);
      const resource = model.resource(key) ? key : federated[0].resource.address;
      const gate = agents.length > 0 ? `the gate of its agent identities ${agents.join(', ')}` : 'the gate of every agent identity created from it';
      const alsoSecrets = secrets.known > 0 ? `; that gate also has ${secrets.known} password(s) or certificate(s) (AG-AZ-005)` : '';
      if (known > MAX_FEDERATED_CREDENTIALS) {
        findings.push({
          resource,
          outcome: 'violation',
          message: `Agent identity blueprint ${key} has ${known} federated identity credentials (${exact.known} exact, ${flexible.known} flexible), ${gate}; Entra accepts at most ${MAX_FEDERATED_CREDENTIALS} per application${alsoSecrets}.`,
          location: '',
        });
      } else if (unknown.length > 0) {
        findings.push({
          resource,
          outcome: 'unjudgeable',
          message: `Agent identity blueprint ${key} (${gate}): how many credentials ${unknown.join(', ')} create is known only at apply (count/for_each).`,
          location: '',
        });
      }
    }
    return findings;
  },
};

/** How many credentials resource blocks create: the sum of those known, and the blocks whose count is known only at apply. */
function countOf(credentials: ReadonlyArray<{ readonly resource: TerraformResource }>): { known: number; unknown: string[] } {
  let known = 0;
  const unknown: string[] = [];
  for (const { resource } of credentials) {
    const n = instanceCount(resource);
    if (n === undefined) unknown.push(resource.address);
    else known += n;
  }
  return { known, unknown: [...new Set(unknown)] };
}
