import { TerraformModel } from '../../model/terraform/configuration';
import { describeValue } from '../../model/terraform/expressions';
import { federatedCredentials } from '../../model/azure/azure-federated-identity';
import { Rule, RuleFinding, Severity } from '../rule';

/** Subjects that many workloads share, and who they are. */
const SHARED_SUBJECTS: ReadonlyArray<{ readonly pattern: RegExp; readonly who: (m: RegExpExecArray) => string }> = [
  {
    pattern: /^system:serviceaccount:([^:]+):default$/,
    who: (m) => `the default service account of Kubernetes namespace "${m[1]}", which every pod of the namespace without its own service account runs as`,
  },
  {
    pattern: /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/default$/,
    who: (m) => `the SPIFFE ID of the default service account of namespace "${m[2]}" in trust domain ${m[1]}, which every pod of the namespace without its own service account is issued`,
  },
  {
    pattern: /^repo:([^:]+):pull_request$/,
    who: (m) => `GitHub's subject for every pull_request workflow run of ${m[1]}, including runs of code nobody has reviewed yet`,
  },
];

/** The shared identity a subject names, or undefined. */
export function sharedIdentity(subject: string): string | undefined {
  for (const { pattern, who } of SHARED_SUBJECTS) {
    const match = pattern.exec(subject);
    if (match) return who(match);
  }
  return undefined;
}

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
    "A Kubernetes namespace's default service account (or its SPIFFE ID) is what every pod without its own service account gets; GitHub's pull_request subject is every PR run. Trusting one lets every such workload obtain the identity.",
  fix: "Give the agent its own service account / SPIFFE ID and trust exactly that subject (AttestedManagedIdentity trusts the identity's SPIFFE ID).",
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const credential of federatedCredentials(model)) {
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
