import { TerraformModel } from '../../model/terraform/configuration';
import { Value, describeValue } from '../../model/terraform/expressions';
import { agentIdModel } from '../../model/azure/agent-id';
import { federatedCredentials } from '../../model/azure/azure-federated-identity';
import { sharedSubjectIdentity } from '../../model/azure/shared-subjects';
import { Rule, RuleFinding, Severity } from '../rule';

/** The shared identity a subject names, or undefined (the model's one list, which the checks read too). */
export const sharedIdentity = sharedSubjectIdentity;

/**
 * AG-AZ-001. A federated credential for a subject that many workloads share lets all of them
 * obtain the identity: the attestation then proves membership of a crowd, not who the agent is.
 */
export const noSharedSubject: Rule<TerraformModel> = {
  id: 'AG-AZ-001',
  cloud: 'azure',
  severity: Severity.HIGH,
  title: 'A federated identity credential does not trust a well-known shared subject',
  rationale:
    "A Kubernetes namespace's default service account (or its SPIFFE ID) is what every pod without its own service account gets; GitHub's pull_request subject is every PR run, and a subject of only the repository (or owner) is every workflow of it. Trusting one lets every such workload obtain the identity.",
  fix: "Give the agent its own service account / SPIFFE ID and trust exactly that subject (AttestedManagedIdentity trusts the identity's SPIFFE ID).",
  evaluate(model) {
    const findings: RuleFinding[] = [];
    // azurerm and azuread credentials, and the federated credentials of agent identity blueprints written through Graph.
    const blueprintCredentials = agentIdModel(model).credentials.filter((c) => c.kind === 'federated' && c.resource.type.startsWith('msgraph_'));
    for (const credential of [...federatedCredentials(model), ...blueprintCredentials] as ReadonlyArray<{ readonly resource: { readonly address: string }; readonly subject: Value | undefined }>) {
      const { subject } = credential;
      const address = credential.resource.address;
      if (typeof subject !== 'string') {
        findings.push({ resource: address, outcome: 'unjudgeable', message: `Federated credential ${address} trusts subject ${describeValue(subject)}, known only at apply.`, location: 'subject' });
        continue;
      }
      const shared = sharedIdentity(subject);
      if (shared) {
        findings.push({ resource: address, outcome: 'violation', message: `Federated credential ${address} trusts subject ${JSON.stringify(subject)}: ${shared}.`, location: 'subject' });
      }
    }
    return findings;
  },
};
