import { highPrivilegeAgentOwnBlueprint } from '../../../lib/rules/azure/ag-az-007-high-privilege-agent-own-blueprint';
import { applyAcknowledgements, evaluateRules } from '../../../lib/rules/evaluate';
import { WRITTEN_ACKNOWLEDGEMENTS_KEY, resourceAcknowledgements } from '../../../lib/rules/written-acknowledgements';
import { agentIdConfiguration, agentIdModel } from '../../fixtures/entra-agent-id';

describe('AG-AZ-007: a high-privilege agent identity does not share its blueprint', () => {
  test('Noncompliance: the deployer shares its blueprint with the reporter (the reporter, read-only, is not flagged)', () => {
    expect(highPrivilegeAgentOwnBlueprint.evaluate(agentIdModel('shared-blueprint'))).toEqual([
      {
        resource: 'msgraph_resource.deployer',
        outcome: 'violation',
        message:
          "High-privilege agent identity msgraph_resource.deployer (declared high in its gate manifest) shares blueprint msgraph_resource.blueprint with msgraph_resource.reporter: the blueprint obtains tokens for any of them, so each sibling's workload can get this agent's tokens. Give it its own blueprint, or acknowledge that the siblings are judged as one gate.",
        location: 'body/agentIdentityBlueprintId',
      },
    ]);
  });

  test('Compliance: a blueprint of its own', () => {
    expect(highPrivilegeAgentOwnBlueprint.evaluate(agentIdModel('spire-blueprint'))).toEqual([]);
    expect(highPrivilegeAgentOwnBlueprint.evaluate(agentIdModel('unusual-but-correct'))).toEqual([]);
  });

  test('Acknowledged: the siblings judged as one gate, with a reason', () => {
    const configuration = agentIdConfiguration('shared-blueprint');
    configuration.resource.msgraph_resource.deployer['//'][WRITTEN_ACKNOWLEDGEMENTS_KEY] = { 'AG-AZ-007': 'one gate: both agents run in the same attested pod (SEC-130)' };
    const model = agentIdModel(configuration);
    const [verdict] = applyAcknowledgements(evaluateRules([highPrivilegeAgentOwnBlueprint], model), (address) => resourceAcknowledgements(model.resource(address)?.comment, address));
    expect(verdict.acknowledgement?.reason).toBe('one gate: both agents run in the same attested pod (SEC-130)');
  });

  test('Unjudgeable: a blueprint outside the configuration, or known only at apply', () => {
    const configuration = agentIdConfiguration('spire-blueprint');
    configuration.resource.msgraph_resource.deployer.body.agentIdentityBlueprintId = '65415bb1-9267-4313-bbf5-ae259732ee12';
    expect(highPrivilegeAgentOwnBlueprint.evaluate(agentIdModel(configuration))).toEqual([expect.objectContaining({ outcome: 'unjudgeable', message: expect.stringContaining('not in this configuration') })]);
    configuration.resource.msgraph_resource.deployer.body.agentIdentityBlueprintId = '${var.blueprint}';
    configuration.variable = { blueprint: { type: 'string' } };
    expect(highPrivilegeAgentOwnBlueprint.evaluate(agentIdModel(configuration))).toEqual([expect.objectContaining({ outcome: 'unjudgeable', message: expect.stringContaining('known only at apply') })]);
  });
});
