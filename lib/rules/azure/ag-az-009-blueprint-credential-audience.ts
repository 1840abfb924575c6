import { agentIdModel } from '../../model/azure/agent-id';
import { AZURE_TOKEN_EXCHANGE_AUDIENCE } from '../../model/azure/azure-federated-identity';
import { TerraformModel } from '../../model/terraform/configuration';
import { describeValue } from '../../model/terraform/expressions';
import { Rule, RuleFinding, Severity } from '../rule';

/**
 * AG-AZ-009. A blueprint's federated credential should accept only tokens minted for Entra
 * (`api://AzureADTokenExchange`). Another audience accepts tokens the workload was given for some
 * other relying party, so whoever that party is (or whoever steals from it) can replay them to
 * obtain the blueprint's agents' tokens.
 */
export const blueprintCredentialAudience: Rule<TerraformModel> = {
  id: 'AG-AZ-009',
  cloud: 'azure',
  severity: Severity.HIGH,
  title: `A blueprint's federated credentials accept only the audience ${AZURE_TOKEN_EXCHANGE_AUDIENCE}`,
  rationale:
    'A token minted for another audience was handed to another relying party; a credential accepting it lets that party, or anyone who takes the token from it, exchange it for the tokens of every agent identity under the blueprint.',
  fix: `Set audiences to ["${AZURE_TOKEN_EXCHANGE_AUDIENCE}"] and have the workload request a JWT-SVID (or token) for that audience only.`,
  evaluate(model) {
    const agentId = agentIdModel(model);
    const findings: RuleFinding[] = [];
    for (const credential of agentId.credentials) {
      if (credential.kind !== 'federated' && credential.kind !== 'flexible-federated') continue;
      const raw = credential.audiences;
      const audiences = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
      const address = credential.resource.address;
      const location = credential.resource.type.startsWith('msgraph_') ? 'body/audiences' : credential.kind === 'flexible-federated' ? 'audience' : 'audiences';
      if (audiences.some((a) => typeof a !== 'string') || (!Array.isArray(raw) && raw !== undefined && typeof raw !== 'string')) {
        findings.push({ resource: address, outcome: 'unjudgeable', message: `Federated credential ${address} of a blueprint accepts audience ${describeValue(raw)}, known only at apply.`, location });
      } else if (audiences.length !== 1 || audiences[0] !== AZURE_TOKEN_EXCHANGE_AUDIENCE) {
        findings.push({
          resource: address,
          outcome: 'violation',
          message: `Federated credential ${address} of blueprint ${agentId.keyOf(credential.parent) ?? '(not known before apply)'} accepts audience ${audiences.length === 0 ? '(none)' : audiences.map((a) => JSON.stringify(a)).join(', ')}, not exactly ${AZURE_TOKEN_EXCHANGE_AUDIENCE}.`,
          location,
        });
      }
    }
    return findings;
  },
};
