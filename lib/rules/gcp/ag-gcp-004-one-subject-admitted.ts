import { workloadIdentityProviders } from '../../model/gcp/google-workload-identity';
import { searchAdmittedSubjects, terraformSubjectSearch } from '../../model/gcp/admitted-subjects';
import { TerraformModel } from '../../model/terraform/configuration';
import { Rule, RuleFinding, Severity } from '../rule';

/** How many admitted subjects a finding names. */
const SHOWN = 3;

/**
 * AG-GCP-004. A condition can constrain the subject (AG-GCP-001 holds) and still admit more than
 * the one workload: an `endsWith` that another trust domain's path satisfies, a prefix without its
 * closing "/", a second value in an `in` list, a regex whose "." matches anything, a lossy
 * `extract()` mapping two subjects to the bound principal. The model derives those subjects from
 * the condition and mapping themselves and runs them through both (lib/model/gcp/admitted-subjects.ts);
 * the conformance check AGC-GCP-013 probes the same ones, so rule and check agree.
 */
export const oneSubjectAdmitted: Rule<TerraformModel> = {
  id: 'AG-GCP-004',
  cloud: 'gcp',
  severity: Severity.HIGH,
  title: 'Only the declared subject can act as a high-privilege service account through its provider',
  rationale:
    'Whatever else the attribute condition and mapping admit — another trust domain’s workload with the same path, a sibling name sharing a prefix, a subject a lossy extract() maps to the bound principal — obtains the service account’s token with its own, correctly signed credential.',
  fix: "Pin the exact subject (assertion.sub == '<SPIFFE ID>'), map google.subject from assertion.sub unchanged, and bind roles/iam.workloadIdentityUser to principal://…/subject/<that SPIFFE ID> only; give each other workload its own service account.",
  evaluate(model) {
    const findings: RuleFinding[] = [];
    for (const provider of workloadIdentityProviders(model)) {
      const address = provider.resource.address;
      const planned = terraformSubjectSearch(model, provider);
      if ('nothing' in planned) continue;
      const accounts = planned.accounts.map((a) => a.address).join(', ');
      if ('unjudged' in planned) {
        findings.push({ resource: address, outcome: 'unjudgeable', message: `Provider ${address} reaches high-privilege ${accounts}, but what it admits cannot be judged: ${planned.unjudged}.`, location: 'attribute_condition' });
        continue;
      }
      const { beyond } = searchAdmittedSubjects(planned.search);
      if (beyond.length === 0) continue;
      const show = (subject: string) => JSON.stringify(planned.render(subject));
      const declared = planned.search.declared.length > 0 ? `besides the declared ${planned.search.declared.map(show).join(' / ')}` : '(the configuration names no exact subject)';
      const shown = beyond.slice(0, SHOWN).map((b) => `${show(b.sub)} (${planned.render(b.how)})`).join('; ');
      findings.push({
        resource: address,
        outcome: 'violation',
        message: `Provider ${address} admits ${beyond.length} subject${beyond.length === 1 ? '' : 's'} ${declared} that can act as high-privilege ${accounts}: ${shown}${beyond.length > SHOWN ? '; …' : ''}.`,
        location: 'attribute_condition',
      });
    }
    return findings;
  },
};
