import { highPrivilegeAgentSponsored } from '../../../lib/rules/azure/ag-az-006-high-privilege-agent-sponsored';
import { agentIdConfiguration, agentIdModel } from '../../fixtures/entra-agent-id';

describe('AG-AZ-006: a high-privilege agent identity has a sponsor', () => {
  test('Noncompliance: a high-privilege agent created without sponsors', () => {
    expect(highPrivilegeAgentSponsored.evaluate(agentIdModel('no-sponsor'))).toEqual([
      {
        resource: 'msgraph_resource.deployer',
        outcome: 'violation',
        message: 'High-privilege agent identity msgraph_resource.deployer (declared high in its gate manifest) has no sponsor: nobody is accountable for what it can do.',
        location: 'body/sponsors@odata.bind',
      },
    ]);
  });

  test('Noncompliance: an empty sponsor list; high privilege from a Contributor role, without a manifest', () => {
    const configuration = agentIdConfiguration('no-sponsor');
    configuration.resource.msgraph_resource.deployer.body['sponsors@odata.bind'] = [];
    delete configuration.resource.msgraph_resource.deployer['//'];
    expect(highPrivilegeAgentSponsored.evaluate(agentIdModel(configuration))).toEqual([expect.objectContaining({ outcome: 'violation', message: expect.stringContaining('Contributor on /subscriptions/') })]);
  });

  test('Compliance: sponsors at creation, or added by a sponsors/$ref resource; an agent that is not high privilege needs none here', () => {
    expect(highPrivilegeAgentSponsored.evaluate(agentIdModel('spire-blueprint'))).toEqual([]);
    expect(highPrivilegeAgentSponsored.evaluate(agentIdModel('unusual-but-correct'))).toEqual([]);
    const configuration = agentIdConfiguration('no-sponsor');
    delete configuration.resource.azurerm_role_assignment;
    configuration.resource.msgraph_resource.deployer['//']['attestgate:gate'].identity.privilege = 'standard';
    expect(highPrivilegeAgentSponsored.evaluate(agentIdModel(configuration))).toEqual([]);
  });

  test('Unjudgeable: a body known only at apply', () => {
    const configuration = agentIdConfiguration('no-sponsor');
    configuration.resource.msgraph_resource.deployer.body = '${var.agent}';
    configuration.resource.msgraph_resource.deployer.url = 'servicePrincipals/microsoft.graph.agentIdentity';
    configuration.variable = { agent: { type: 'any' } };
    // Its body names no blueprint either, so it is an agent identity of a blueprint not known before apply.
    expect(highPrivilegeAgentSponsored.evaluate(agentIdModel(configuration))).toEqual([expect.objectContaining({ outcome: 'unjudgeable', message: expect.stringContaining('known only at apply') })]);
  });
});
