import { runAzureConformance } from '../../../../../conformance/azure/run-azure-conformance';
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

  test('plan: the sibling’s token is the same request as AGC-AZ-001’s exchange of that credential (both legs, leg 1 issuing), so it is sent once', async () => {
    const run = await runAzureConformance({ sources: tfSourceOf(agentIdConfiguration('shared-blueprint')), target: 'local', ratePerSecond: Infinity, emulator: { tokenRequestsPerMinute: Infinity } });
    expect(run.requests).toBe(run.plan.planned);
    const deployer = run.results.find((r) => r.checkId === 'AGC-AZ-013' && r.gate.endsWith('msgraph_resource.deployer'))!;
    const reused = (deployer.evidence?.sharedRequests ?? []) as Array<{ request: string; sentBy: string }>;
    expect(reused.filter((u) => /sibling/.test(u.request)).map((u) => [u.request.split(' of ')[0], u.sentBy])).toEqual([
      ['leg 1', `AGC-AZ-001 on ${deployer.gate}`],
      ['leg 2', `AGC-AZ-001 on ${deployer.gate}`],
    ]);
    expect(deployer.attempts).toBe(0);
  }, 30_000);
});
