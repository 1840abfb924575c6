import { TerraformModel } from '../../model/terraform/configuration';
import { MAX_FEDERATED_CREDENTIALS, credentialsByParent, instanceCount } from '../../model/azure/azure-federated-identity';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AZ-002. Entra holds at most 20 federated identity credentials per user-assigned identity or
 * app (azurerm#19642). The 21st fails at apply, after the first 20 were written, and the usual
 * way out — another subject squeezed onto an existing identity — is how identities end up shared.
 */
export const credentialLimit: Rule<TerraformModel> = {
  id: 'AG-AZ-002',
  cloud: 'azure',
  severity: Severity.MEDIUM,
  title: 'No identity has more than 20 federated identity credentials',
  rationale:
    'Entra rejects the 21st credential of an identity at apply, half-way through a deployment; the pressure to fit more subjects onto one identity is how agents end up sharing identities.',
  fix: 'Use one user-assigned identity per agent (class), each with the few credentials that agent needs.',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const [parent, credentials] of credentialsByParent(model)) {
      const counts = credentials.map((c) => instanceCount(c.resource));
      const known = counts.reduce<number>((sum, n) => sum + (n ?? 0), 0);
      const unknown = credentials.filter((_, i) => counts[i] === undefined).map((c) => c.resource.address);
      const resource = model.resource(parent) ? parent : credentials[0].resource.address;
      if (known > MAX_FEDERATED_CREDENTIALS) {
        findings.push({
          resource,
          outcome: 'violation',
          message: `Identity ${parent} has ${known} federated identity credentials; Entra accepts at most ${MAX_FEDERATED_CREDENTIALS}.`,
          location: '',
        });
      } else if (unknown.length > 0) {
        findings.push({
          resource,
          outcome: 'unjudgeable',
          message: `Identity ${parent}: how many credentials ${unknown.join(', ')} create is known only at apply (count/for_each).`,
          location: '',
        });
      }
    }
    return findings;
  },
};
