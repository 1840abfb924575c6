import { TerraformModel } from '../../model/terraform/configuration';
import { FEDERATED_CREDENTIAL_TYPE, credentialsByParent, instanceCount } from '../../model/azure/azure-federated-identity';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AZ-003. Azure rejects concurrent federated-credential writes on one managed identity with
 * 409 ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity (azurerm#19968,
 * #29242), and Terraform creates resources that do not depend on each other in parallel. A gate
 * whose credentials fail to deploy half the time gets "fixed" by hand in the portal, outside review.
 */
export const serializedCredentialWrites: Rule<TerraformModel> = {
  id: 'AG-AZ-003',
  cloud: 'azure',
  severity: Severity.MEDIUM,
  title: 'The federated identity credentials of one managed identity are written one after another',
  rationale:
    'Azure rejects concurrent credential writes on one managed identity with HTTP 409; Terraform writes independent resources in parallel, so the apply fails at random and the gate gets repaired by hand, outside review.',
  fix: 'Chain the credentials of an identity with depends_on (each on the previous one); AttestedManagedIdentity does. Avoid count/for_each for them.',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const [parent, all] of credentialsByParent(model)) {
      const credentials = all.filter((c) => c.resource.type === FEDERATED_CREDENTIAL_TYPE);
      for (const credential of credentials) {
        const count = instanceCount(credential.resource);
        if (count === undefined || count > 1) {
          findings.push({
            resource: credential.resource.address,
            outcome: count === undefined ? 'unjudgeable' : 'violation',
            message:
              count === undefined
                ? `Federated credential ${credential.resource.address} uses ${credential.resource.repetition!.kind} with a value known only at apply; its instances would be written concurrently on ${parent}.`
                : `Federated credential ${credential.resource.address} creates ${count} instances with ${credential.resource.repetition!.kind}, which Terraform writes concurrently on ${parent}.`,
            location: credential.resource.repetition!.kind,
          });
        }
      }
      for (let i = 0; i < credentials.length; i++) {
        for (let j = i + 1; j < credentials.length; j++) {
          const [a, b] = [credentials[i].resource.address, credentials[j].resource.address];
          if (model.dependsOn(a, b) || model.dependsOn(b, a)) continue;
          findings.push({
            resource: b,
            outcome: 'violation',
            message: `Federated credentials ${a} and ${b} of ${parent} do not depend on each other, so Terraform writes them concurrently and Azure answers 409.`,
            location: 'depends_on',
          });
        }
      }
    }
    return findings;
  },
};
