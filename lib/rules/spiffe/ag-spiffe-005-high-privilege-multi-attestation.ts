import { attestationEvidence, describeMissingEvidence, missingEvidence } from '../../spiffe/attestation-evidence';
import { SpiffeRegistrationModel } from '../../spiffe/registration-model';
import { Rule, RuleFinding, Severity } from '../rule';
import { issues, issuingEntries } from './issuing';

/**
 * AG-SPIFFE-005. Multi-attestation: a high-privilege identity is issued only to a workload that
 * proves where it runs and which code it is.
 */
export const highPrivilegeMultiAttestation: Rule<SpiffeRegistrationModel> = {
  id: 'AG-SPIFFE-005',
  cloud: 'spiffe',
  severity: Severity.HIGH,
  title: 'A high-privilege SPIFFE ID is issued only on a runtime selector and a code selector together',
  rationale:
    'Runtime selectors alone (namespace and service account, uid) hand the identity to any code deployed there — a compromised CI job pushes its own image under the agent’s service account; code selectors alone hand it to the right image run by anyone, anywhere. A tag such as :latest is not code identity: it can be pushed again.',
  fix: 'Require both: k8s:ns and k8s:sa (or unix:uid, or a node alias parent) and an image digest (k8s:container-image:<repo>@sha256:<64 hex>) or binary hash (unix:sha256:<64 hex>); or acknowledge with why one kind suffices (SpiffeRegistration singleAttestationReason).',
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const issuing of issuingEntries(model, { highPrivilegeOnly: true })) {
      const { entry } = issuing;
      const evidence = attestationEvidence(entry.selectors, entry.parent, entry.namespacePin);
      if (missingEvidence(evidence).length === 0) continue;
      const templates = entry.selectorTemplates.length > 0 ? ` (the templates ${entry.selectorTemplates.join(', ')} are rendered from the pod itself, so they prove nothing)` : '';
      findings.push({ resource: entry.resource, outcome: 'violation', message: `${issues(issuing)}, a high-privilege identity, with ${describeMissingEvidence(evidence)}${templates}.`, location: entry.locations.selectors });
    }
    return findings;
  },
};
