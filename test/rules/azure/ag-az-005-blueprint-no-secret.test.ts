import { ACKNOWLEDGED_PATHS_KEY } from '../../../lib/model/azure/issuance-paths';
import { blueprintNoSecret } from '../../../lib/rules/azure/ag-az-005-blueprint-no-secret';
import { applyAcknowledgements, evaluateRules } from '../../../lib/rules/evaluate';
import { WRITTEN_ACKNOWLEDGEMENTS_KEY, resourceAcknowledgements } from '../../../lib/rules/written-acknowledgements';
import { agentIdConfiguration, agentIdModel } from '../../fixtures/entra-agent-id';

describe('AG-AZ-005: an agent identity blueprint has no password and no certificate', () => {
  test('Noncompliance: an azuread password and an addPassword action on the blueprint, each naming the agents it opens', () => {
    expect(blueprintNoSecret.evaluate(agentIdModel('blueprint-password'))).toEqual([
      {
        resource: 'msgraph_resource_action.blueprint_key',
        outcome: 'violation',
        message: 'Password [secret:msgraph_resource_action.blueprint_key] of agent identity blueprint msgraph_resource.blueprint: whoever holds it obtains tokens for its agent identities msgraph_resource.deployer without attestation.',
        location: 'action',
      },
      expect.objectContaining({ resource: 'azuread_application_password.blueprint', outcome: 'violation', location: 'application_id' }),
    ]);
  });

  test('Noncompliance: a certificate in the blueprint’s body, on a blueprint with no agent yet', () => {
    const configuration = agentIdConfiguration('spire-blueprint');
    delete configuration.resource.msgraph_resource.deployer;
    configuration.resource.msgraph_resource.blueprint.body.keyCredentials = [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: 'TUlJQy4uLg==' }];
    expect(blueprintNoSecret.evaluate(agentIdModel(configuration))).toEqual([
      expect.objectContaining({ resource: 'msgraph_resource.blueprint', location: 'body.keyCredentials[0]', message: expect.stringContaining('every agent identity created from it') }),
    ]);
  });

  test('Compliance: federated credentials only; an empty passwordCredentials list; another application’s secret', () => {
    expect(blueprintNoSecret.evaluate(agentIdModel('spire-blueprint'))).toEqual([]);
    expect(blueprintNoSecret.evaluate(agentIdModel('unusual-but-correct'))).toEqual([]);
  });

  test('Acknowledged: as a path on the blueprint (for all its agents), or as a finding with a reason; a short reason is not taken', () => {
    const configuration = agentIdConfiguration('blueprint-password');
    configuration.resource.msgraph_resource.blueprint['//'] = { [ACKNOWLEDGED_PATHS_KEY]: { 'secret:azuread_application_password.blueprint': 'break-glass, reviewed in SEC-123' } };
    configuration.resource.msgraph_resource_action.blueprint_key['//'] = { [WRITTEN_ACKNOWLEDGEMENTS_KEY]: { 'AG-AZ-005': 'short' } };
    const model = agentIdModel(configuration);
    const verdicts = applyAcknowledgements(evaluateRules([blueprintNoSecret], model), (address) => resourceAcknowledgements(model.resource(address)?.comment, address));
    expect(verdicts.map((v) => [v.finding.resource, v.acknowledgement?.reason, v.rejected?.why])).toEqual([['msgraph_resource_action.blueprint_key', undefined, 'its reason "short" is shorter than 10 characters']]);
    configuration.resource.msgraph_resource_action.blueprint_key['//'][WRITTEN_ACKNOWLEDGEMENTS_KEY]['AG-AZ-005'] = 'the CI bootstrap key, rotated daily (SEC-124)';
    const model2 = agentIdModel(configuration);
    expect(applyAcknowledgements(evaluateRules([blueprintNoSecret], model2), (address) => resourceAcknowledgements(model2.resource(address)?.comment, address)).map((v) => v.acknowledgement?.reason)).toEqual(['the CI bootstrap key, rotated daily (SEC-124)']);
  });

  test('an acknowledgement on one of two agents does not hide the path to the other', () => {
    const configuration = agentIdConfiguration('blueprint-password');
    const shared = agentIdConfiguration('shared-blueprint').resource.msgraph_resource;
    Object.assign(configuration.resource.msgraph_resource, { reporter: shared.reporter });
    configuration.resource.msgraph_resource.deployer['//'][ACKNOWLEDGED_PATHS_KEY] = { 'secret:azuread_application_password.blueprint': 'break-glass, reviewed in SEC-123' };
    expect(blueprintNoSecret.evaluate(agentIdModel(configuration)).map((f) => f.resource)).toEqual(['msgraph_resource_action.blueprint_key', 'azuread_application_password.blueprint']);
  });
});
