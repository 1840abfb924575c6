import { TerraformModel } from '../../model/terraform/configuration';
import { providerSubjectConstraint, workloadIdentityProviders } from '../../model/gcp/google-workload-identity';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-GCP-001. A provider without an attribute condition accepts every credential its issuer
 * signs. For a shared issuer (GitHub, GitLab SaaS, Terraform Cloud) that is every tenant, and
 * for a SPIRE trust domain every workload it attests: any of them then holds the pool's
 * principals, and a `principalSet` binding of the pool hands them the service account.
 */
export const providerConditionPinsSubject: Rule<TerraformModel> = {
  id: 'AG-GCP-001',
  cloud: 'gcp',
  severity: Severity.CRITICAL,
  title: 'A workload identity pool provider has an attribute condition that constrains the subject',
  rationale:
    'Without a condition on the subject the provider accepts every credential its issuer signs — every workload of a SPIRE trust domain, every tenant of a shared CI issuer — so the gate admits whoever can get any token from that issuer.',
  fix: "Set attribute_condition to pin the subject: assertion.sub == '<SPIFFE ID>' (OIDC), assertion.san.uri == '<SPIFFE ID>' (X.509), assertion.arn.startsWith('arn:aws:sts::<account>:assumed-role/<role>/') (AWS); a prefix must end the host or segment it names. AttestedWorkloadIdentityProvider writes it.",
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const provider of workloadIdentityProviders(model)) {
      const judgement = providerSubjectConstraint(provider);
      if (judgement.holds === true) continue;
      const address = provider.resource.address;
      findings.push({
        resource: address,
        outcome: judgement.holds === false ? 'violation' : 'unjudgeable',
        message:
          judgement.holds === false
            ? `Provider ${address} (${provider.kind}) does not constrain the subject: ${judgement.why}.`
            : `Provider ${address}: ${judgement.why}.`,
        location: 'attribute_condition',
      });
    }
    return findings;
  },
};
