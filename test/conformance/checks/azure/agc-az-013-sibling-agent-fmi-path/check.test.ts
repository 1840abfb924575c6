import { azureStatuses, probeAzureLocally, tfSourceOf } from '../../../../fixtures/azure-conformance';
import { agentIdConfiguration } from '../../../../fixtures/entra-agent-id';

describe('AGC-AZ-013: a sibling agent’s attestation and the agent’s tokens', () => {
  test('a high-privilege agent sharing its blueprint: the sibling’s attested token, fmi_path = the agent, gets its tokens — FAIL naming the sibling', async () => {
    const results = await probeAzureLocally(tfSourceOf(agentIdConfiguration('shared-blueprint')));
    const deployer = results.find((r) => r.checkId === 'AGC-AZ-013' && r.gate.endsWith('msgraph_resource.deployer'))!;
    expect(deployer.status).toBe('FAIL');
    expect(deployer.reason).toMatch(/^sibling msgraph_resource\.reporter's attested token \(msgraph_resource\.spire_reporter.*: an access token was issued$/);
    // The read-only sibling may share: AG-AZ-007 asks a blueprint of its own of high-privilege agents only.
    expect(azureStatuses(results, 'msgraph_resource.reporter')['AGC-AZ-013']).toBe('SKIPPED');
  }, 30_000);

  test('the sibling’s credential acknowledged with a reason: shown as acknowledged, never PASS', async () => {
    const configuration = agentIdConfiguration('shared-blueprint');
    configuration.resource.msgraph_resource.deployer['//']['attestgate:acknowledged-paths'] = { 'federated:msgraph_resource.spire_reporter': 'the reporter is attested to the same standard (one gate)' };
    const results = await probeAzureLocally(tfSourceOf(configuration));
    const deployer = results.find((r) => r.checkId === 'AGC-AZ-013' && r.gate.endsWith('msgraph_resource.deployer'))!;
    expect(deployer).toMatchObject({ status: 'INCONCLUSIVE', acknowledged: 'the reporter is attested to the same standard (one gate)' });
  }, 30_000);

  test('a blueprint of its own: PASS, next to a passing two-leg positive control', async () => {
    expect(azureStatuses(await probeAzureLocally(tfSourceOf(agentIdConfiguration('spire-blueprint'))))).toMatchObject({ 'AGC-AZ-001': 'PASS', 'AGC-AZ-013': 'PASS' });
  }, 30_000);
});
