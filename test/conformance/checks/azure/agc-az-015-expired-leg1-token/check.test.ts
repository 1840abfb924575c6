import { runAzureConformance } from '../../../../../conformance/azure/run-azure-conformance';
import { probeAzureLocally, tfSourceOf } from '../../../../fixtures/azure-conformance';
import { agentIdConfiguration } from '../../../../fixtures/entra-agent-id';

describe('AGC-AZ-015: an expired leg-1 token', () => {
  test('refused at leg 2 with AADSTS700024: PASS', async () => {
    const [result] = (await probeAzureLocally(tfSourceOf(agentIdConfiguration('spire-blueprint')))).filter((r) => r.checkId === 'AGC-AZ-015');
    expect(result).toMatchObject({ status: 'PASS', reason: 'a leg-1 token for this agent that expired an hour ago: denied with 401 invalid_client AADSTS700024' });
  }, 30_000);

  test('a tenant that allows two hours of clock skew accepts it: FAIL', async () => {
    const [result] = (await probeAzureLocally(tfSourceOf(agentIdConfiguration('spire-blueprint')), { emulator: { behaviour: { clockSkewSeconds: 7200 } } })).filter((r) => r.checkId === 'AGC-AZ-015');
    expect(result).toMatchObject({ status: 'FAIL', reason: 'a leg-1 token for this agent that expired an hour ago: an access token was issued' });
  }, 30_000);

  test('a live target cannot re-date Entra’s tokens: SKIPPED, saying why', async () => {
    const run = await runAzureConformance({ sources: tfSourceOf(agentIdConfiguration('spire-blueprint')), target: 'azure', tenantId: '00000000-0000-0000-0000-000000000001', ratePerSecond: Infinity });
    expect(run.results.find((r) => r.checkId === 'AGC-AZ-015')).toMatchObject({ status: 'SKIPPED' });
  }, 30_000);

  test('plan: a live target plans nothing (nothing is sent); on the emulator only leg 2 is the check’s own, leg 1 being the control’s', async () => {
    const live = await runAzureConformance({ sources: tfSourceOf(agentIdConfiguration('spire-blueprint')), target: 'azure', tenantId: '00000000-0000-0000-0000-000000000001', ratePerSecond: Infinity });
    expect(live.plan.planned).toBe(0);
    const local = await runAzureConformance({ sources: tfSourceOf(agentIdConfiguration('spire-blueprint')), target: 'local', ratePerSecond: Infinity, emulator: { tokenRequestsPerMinute: Infinity } });
    const result = local.results.find((r) => r.checkId === 'AGC-AZ-015')!;
    expect(result.attempts).toBe(1);
    expect(result.evidence?.sharedRequests).toEqual(expect.arrayContaining([expect.objectContaining({ request: 'leg 1 of positive control', sentBy: expect.stringMatching(/^AGC-AZ-001 on /) })]));
  }, 30_000);
});
