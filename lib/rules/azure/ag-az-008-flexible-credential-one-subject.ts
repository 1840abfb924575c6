import { agentIdModel } from '../../model/azure/agent-id';
import { agentGates, judgeFlexibleCredential } from '../../model/azure/agent-issuance-paths';
import { TerraformModel } from '../../model/terraform/configuration';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AZ-008. A flexible federated credential matches token claims with an expression (`matches`
 * takes `*` and `?` wildcards). On a blueprint, every subject the expression admits is a way to
 * every agent identity under it. The search is the model's (flexible-credential-expression.ts): the
 * expression's own witnesses and the GCP search's near neighbours of the declared subjects.
 */
export const flexibleCredentialOneSubject: Rule<TerraformModel> = {
  id: 'AG-AZ-008',
  cloud: 'azure',
  severity: Severity.HIGH,
  title: "A blueprint's flexible federated credential admits no subject beyond the declared ones",
  rationale:
    "A wildcard in claims_matching_expression (claims['sub'] matches 'spiffe://td/agent/*') admits every workload whose subject fits, and an expression that does not test the subject admits every token of the issuer: each of them obtains the blueprint's agents' tokens.",
  fix: "Trust exactly the agent's subject: claims['sub'] eq '<SPIFFE ID>' (or a plain federated credential with that subject); one credential per attested workload.",
  evaluate(model) {
    const agentId = agentIdModel(model);
    const gates = agentGates(model, agentId);
    const findings: RuleFinding[] = [];
    for (const credential of agentId.credentials) {
      if (credential.kind !== 'flexible-federated') continue;
      const key = agentId.keyOf(credential.parent);
      const ofBlueprint = gates.filter((g) => key !== undefined && g.blueprintKey === key);
      // The blueprint's gate as a whole: what any of its agents declares (sibling sharing is AG-AZ-007's).
      const manifests = ofBlueprint.filter((g) => g.declared !== undefined);
      const declared = manifests.length > 0 ? manifests.flatMap((g) => g.declared!) : undefined;
      const judged = judgeFlexibleCredential(credential, declared);
      const address = credential.resource.address;
      if ('unjudged' in judged) {
        findings.push({ resource: address, outcome: 'unjudgeable', message: `Flexible federated credential ${address} of blueprint ${key ?? '(not known before apply)'}: ${judged.unjudged}.`, location: credential.location });
      } else if (judged.beyond.length > 0) {
        findings.push({ resource: address, outcome: 'violation', message: `Flexible federated credential ${address} of blueprint ${key ?? '(not known before apply)'}: ${judged.why}.`, location: credential.location });
      }
    }
    return findings;
  },
};
