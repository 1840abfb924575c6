import { AZURE_RULES } from '../../../lib/rules/azure';
import { AgentIdFixture, agentIdModel } from '../../fixtures/entra-agent-id';

/** Every Azure rule over a hand-written Agent ID configuration: `<rule ID> <outcome> <resource>` per finding. */
const findings = (fixture: AgentIdFixture) => AZURE_RULES.flatMap((rule) => rule.evaluate(agentIdModel(fixture)).map((f) => `${rule.id} ${f.outcome} ${f.resource}`));

describe('the Azure rules over hand-written Entra Agent ID configurations', () => {
  test.each<[AgentIdFixture]>([['spire-blueprint'], ['unusual-but-correct']])('%s: correct, judged clean by every rule', (fixture) => {
    expect(findings(fixture)).toEqual([]);
  });

  test.each<[AgentIdFixture, string[]]>([
    ['blueprint-password', ['AG-AZ-005 violation msgraph_resource_action.blueprint_key', 'AG-AZ-005 violation azuread_application_password.blueprint']],
    ['shared-blueprint', ['AG-AZ-007 violation msgraph_resource.deployer']],
    ['wildcard-flexible', ['AG-AZ-008 violation azuread_application_flexible_federated_identity_credential.agents']],
    ['no-sponsor', ['AG-AZ-006 violation msgraph_resource.deployer']],
  ])('%s: misconfigured, refused by the rule for it and by no other', (fixture, expected) => {
    expect(findings(fixture)).toEqual(expected);
  });
});
